"""Configuration of the linter: select, ignore, severity, per-file-ignores, fail-on."""

from __future__ import annotations

import pytest

from rollbook.config import ConfigError, load_project
from tests.conftest import run_cli
from tests.lint.conftest import CONFIG, GOOD

NO_EXPECT = GOOD.replace("      expect: The flag shows Off within a minute.\n", "")


def configure(project, extra: str) -> None:
    # In TOML, top-level keys must come before the first table, and tables after the keys.
    if extra.startswith("["):
        project.write("rollbook.toml", CONFIG + "\n" + extra + "\n")
    else:
        project.write("rollbook.toml", extra + "\n" + CONFIG)


def test_select_by_prefix_and_name(project):
    project.runbook(NO_EXPECT.replace("link: https://grafana", "link: http://grafana"))
    assert {f.code for f in project.findings(select=["RB2"])} == {"RB201"}
    assert {f.code for f in project.findings(select=["step-without-expect"])} == {"RB201"}


def test_ignore_from_config_and_command_line(project):
    project.runbook(NO_EXPECT)
    configure(project, 'ignore = ["RB201"]')
    assert project.findings() == []
    configure(project, "")
    assert project.findings(ignore=["RB20"]) == []


def test_severity_override_and_fail_on(project):
    project.runbook(NO_EXPECT)
    configure(project, 'severity = {RB201 = "warning"}')
    result = project.lint()
    assert [f.severity.value for f in result.findings] == ["warning"]
    assert not result.failed
    configure(project, 'severity = {RB201 = "warning"}\nfail-on = "warning"')
    assert project.lint().failed


def test_per_file_ignores(project):
    project.runbook(NO_EXPECT)
    configure(project, '[per-file-ignores]\n"runbooks/one-*.yaml" = ["RB2"]')
    assert project.findings() == []
    configure(project, '[per-file-ignores]\n"*.yml" = ["RB2"]')
    assert [f.code for f in project.findings()] == ["RB201"]


def test_extend_select(project):
    configure(project, 'select = ["RB1"]\nextend-select = ["RB201"]')
    project.runbook(NO_EXPECT)
    assert [f.code for f in project.findings()] == ["RB201"]


@pytest.mark.parametrize(
    "extra", ['select = ["RB999"]', 'ignore = ["vauge-step"]', 'severity = {RB2X = "info"}']
)
def test_unknown_rule_codes_are_config_errors(project, extra):
    configure(project, extra)
    with pytest.raises(ConfigError, match="unknown rule"):
        project.lint()


# Web addresses in the configuration: checked when it loads (exit 2), with the file, the line,
# the key and how to fix it. Attack-style values: scripts, other schemes, markup, hidden text.
BAD_ADDRESSES = [
    ("javascript:alert(1)", "is a javascript: address, not a web address"),
    ("JavaScript:alert(document.cookie)//https://x.example/", "is a javascript: address"),
    ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "is a data: address"),
    ("file:///etc/passwd", "is a file: address"),
    ("//evil.example/", "has no scheme"),
    ("https:evil.example", "has no host"),
    ("https://", "has no host"),
    ('https://x.example/\\" onload=\\"alert(1)', "holds '\"' at character 19"),
    ("https://x.example/'><script>alert(1)</script>", 'holds "\'" at character 19'),
    ("https://x.example/<b>", "holds '<' at character 19"),
    ("https://x.example/a b/", "holds a space at character 20"),
    ("https://x.example/\\nhttps://evil.example/", "holds a line break at character 19"),
    ("\\thttps://x.example/", "holds a space at character 1"),
    ("https://x.example/\\u0000", "holds an invisible or control character (U+0000)"),
    ("https://x.example/\\u202egnp.exe", "holds an invisible or control character (U+202E)"),
    ("https://x\\u200b.example/", "holds an invisible or control character (U+200B)"),
    ("https://exаmple.com/", "holds the non-ASCII character 'а' (U+0430)"),
    ("https://user:secret@x.example/", "holds a user name or password"),
    ("https://good.example@evil.example/", "holds a user name or password"),
    ("https://x.example:port/", "has a port that is not a number"),
    ("https://x..example/", "has no valid host name"),
    ("https://x.example/?q=1", "holds a query (?) or fragment (#)"),
    ("https://x.example/#top", "holds a query (?) or fragment (#)"),
    ("runbooks/", "is not a full web address"),
    ("/runbooks/", "is not a full web address"),
    ("", "is not a full web address"),
]


@pytest.mark.parametrize("key", ["site-url", "repo-url"])
@pytest.mark.parametrize(("value", "message"), BAD_ADDRESSES)
def test_web_addresses_are_checked_when_the_configuration_loads(project, key, value, message):
    project.write("rollbook.toml", f'site-name = "Runbooks"\n{key} = "{value}"\n' + CONFIG)
    with pytest.raises(ConfigError) as caught:
        load_project(project.root)
    [problem] = caught.value.problems
    assert (problem.location.path, problem.location.line) == (
        str(project.root / "rollbook.toml"),
        2,
    )
    assert problem.message == f"`{key}` {message}" or problem.message.startswith(
        f"`{key}` {message}"
    )
    assert problem.hint  # says how to fix it


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("javascript:alert(1)//", "must be a path below repo-url, not an address"),
        ("https://evil.example/", "must be a path below repo-url, not an address"),
        ("//evil.example/", "must be a path below repo-url, not an address"),
        ('blob/main/\\" onclick=\\"alert(1)', "holds '\"' at character 11"),
        ("blob/main/<script>", "holds '<' at character 11"),
        ("blob/ma in/", "holds a space at character 8"),
        ("blob/main/\\u2066", "holds an invisible or control character (U+2066)"),
        ("blob/main/#L1", "holds a fragment (#)"),
        ("../../other-repo/blob/main/", "climbs out of the repository"),
    ],
)
def test_edit_uri_is_a_path_below_the_repository(project, value, message):
    project.write("rollbook.toml", f'edit-uri = "{value}"\n' + CONFIG)
    with pytest.raises(ConfigError) as caught:
        load_project(project.root)
    [problem] = caught.value.problems
    assert problem.location.line == 1
    assert problem.message.startswith(f"`edit-uri` {message}"), problem.message
    assert problem.hint


@pytest.mark.parametrize(
    "lines",
    [
        'site-url = "https://runbooks.example.com/"\nrepo-url = "https://git.example.com/shop"',
        'site-url = "http://127.0.0.1:8000/"\nrepo-url = "https://GIT.EXAMPLE.COM/a/b-c_d%20e/"',
        'site-url = "https://[::1]:8443/runbooks/"\nrepo-url = "https://git_01.corp.example/x"',
        'edit-uri = "-/blob/main/"\nrepo-url = "https://gitlab.example.com/g/p"',
        'edit-uri = "src/branch/main/"',
        'edit-uri = "?path=/&version=GBmain"',
        'edit-uri = ""',
    ],
)
def test_ordinary_addresses_are_accepted(project, lines):
    project.write("rollbook.toml", lines + "\n" + CONFIG)
    config = load_project(project.root).config
    for line in lines.splitlines():
        key, value = line.split(" = ")
        assert config.model_dump(by_alias=True)[key] == value.strip('"')


def test_address_errors_in_pyproject_name_the_table_key(project):
    (project.root / "rollbook.toml").unlink()
    project.write(
        "pyproject.toml",
        '[project]\nname = "shop"\n\n[tool.rollbook]\nrunbooks = ["runbooks"]\n'
        'repo-url = "javascript:alert(1)"\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_project(project.root)
    [problem] = caught.value.problems
    assert problem.location.line == 6
    assert problem.message == "`tool.rollbook.repo-url` is a javascript: address, not a web address"


def test_a_bad_address_exits_2_naming_file_line_and_key(project):
    project.write("rollbook.toml", 'site-url = "javascript:alert(1)"\n' + CONFIG)
    for command in (["build", "--out", "site"], ["lint"], ["validate"]):
        result = run_cli(*command, cwd=project.root)
        assert result.returncode == 2, (command, result.stderr)
        assert "rollbook.toml:1:1: RB000 `site-url` is a javascript: address" in result.stderr
        assert "hint: only http:// and https:// addresses are allowed" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (project.root / "site").exists()
