"""`rollbook lint` and `rollbook rule` through the command line: exit codes and reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rollbook.cli import main
from tests.lint.conftest import GOOD

NO_EXPECT = GOOD.replace("      expect: The flag shows Off within a minute.\n", "")


@pytest.fixture
def cli(project, monkeypatch, capsys):
    """Run `rollbook ...` in-process in the project, returning (exit code, stdout, stderr)."""
    monkeypatch.chdir(project.root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("ROLLBOOK_TODAY", "2026-03-01")

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exc:
            main(list(args))
        out = capsys.readouterr()
        return exc.value.code, out.out, out.err

    return run


def test_exit_0_when_clean(cli):
    code, out, _ = cli("lint")
    assert code == 0
    assert out == "All checks passed: 1 runbook file, no findings.\n"


def test_exit_1_with_findings_and_the_text_format(cli, project):
    project.runbook(NO_EXPECT)
    code, out, _ = cli("lint")
    assert code == 1
    assert out.startswith("runbooks/one-click-checkout.yaml:37:7: RB201 [error] rollback step 1")
    assert "    help: add `expect:`" in out


def test_exit_zero_option(cli, project):
    project.runbook(NO_EXPECT)
    assert cli("lint", "--exit-zero")[0] == 0


def test_fail_on_option_and_config(cli, project):
    project.runbook(GOOD.replace("link: https://grafana", "link: http://grafana"))
    assert cli("lint")[0] == 0  # RB802 is a warning
    assert cli("lint", "--fail-on", "warning")[0] == 1
    config = project.root / "rollbook.toml"
    config.write_text('fail-on = "warning"\n' + config.read_text())
    assert cli("lint")[0] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["lint", "--no-such-option"],
        ["lint", "--select", "RB999"],
        ["lint", "--output-format", "xml"],
        ["lint", "--report", "sarif"],
        ["lint", "--report", "pdf=out.pdf"],
        ["lint", "missing-folder"],
        ["rule", "RB999"],
    ],
)
def test_exit_2_for_usage_errors(cli, args):
    code, _, err = cli(*args)
    assert code == 2
    assert err.strip()


def test_exit_2_when_no_runbooks_are_found(cli, project):
    # Without sources there is nothing to check; with sources, no runbook is day one of
    # adoption and lists the features that need one (tests/lint/test_baseline.py).
    (project.root / "rollbook.toml").write_text('runbooks = ["runbooks"]\n')
    (project.root / "runbooks" / "one-click-checkout.yaml").unlink()
    code, _, err = cli("lint")
    assert code == 2
    assert "no runbooks found" in err


def test_exit_2_for_a_bad_configuration(cli, project):
    (project.root / "rollbook.toml").write_text('fail-onn = "warning"\n')
    code, _, err = cli("lint")
    assert code == 2
    assert "fail-on" in err  # the suggestion


def test_exit_2_for_a_broken_feature_source(cli, project):
    (project.root / "flags" / "checkout.flagd.json").write_text("{not json")
    code, _, err = cli("lint")
    assert code == 2
    assert "flags/checkout.flagd.json" in err


def test_exit_3_for_an_internal_error(cli, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("rollbook.commands.lint.lint", boom)
    code, _, err = cli("lint")
    assert code == 3
    assert "internal error: RuntimeError: kaboom" in err


def test_reports_written_in_the_same_run(cli, project):
    project.runbook(NO_EXPECT)
    code, out, err = cli(
        "lint",
        "--output-format",
        "json",
        "--report",
        "sarif=out/r.sarif",
        "--report",
        "junit=out/r.xml",
        "--report",
        "gitlab=gl.json",
    )
    assert code == 1
    assert json.loads(out)["findings"][0]["code"] == "RB201"
    assert json.loads((project.root / "out/r.sarif").read_text())["version"] == "2.1.0"
    assert (project.root / "out/r.xml").read_text().startswith("<?xml")
    assert json.loads((project.root / "gl.json").read_text())[0]["check_name"] == "RB201"
    assert "wrote out/r.sarif" in err


def test_github_format_is_automatic_in_github_actions(cli, project, monkeypatch, tmp_path):
    project.runbook(NO_EXPECT)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = cli("lint")
    assert code == 1
    assert out.startswith("::error file=runbooks/one-click-checkout.yaml,line=37,col=7,")
    assert "| error | RB201 step-without-expect |" in summary.read_text()


def test_select_and_ignore_options(cli, project):
    project.runbook(NO_EXPECT)
    assert cli("lint", "--ignore", "RB201")[0] == 0
    assert cli("lint", "--select", "RB1,RB3")[0] == 0
    assert cli("lint", "--select", "RB2")[0] == 1


def test_no_inline_ignores_option(cli, project):
    step = "    - do: Switch checkout.one_click Off in the flag console."
    project.runbook(NO_EXPECT.replace(step, step + "  # rollbook: ignore[RB201] fine"))
    assert cli("lint")[0] == 0
    assert cli("lint", "--no-inline-ignores")[0] == 1


def test_today_option(cli, project):
    assert cli("lint", "--today", "2030-01-01", "--select", "RB7")[0] == 0  # warnings only
    code, out, _ = cli("lint", "--today", "2030-01-01", "--select", "RB7", "--fail-on", "warning")
    assert code == 1 and "RB701" in out and "RB702" in out


def test_rule_command(cli):
    code, out, _ = cli("rule", "RB201")
    assert code == 0
    assert out.startswith("RB201 step-without-expect [error]")
    assert "**Failing**" in out and "**Passing**" in out
    code, out, _ = cli("rule", "vague-step")
    assert out.startswith("RB202 vague-step")
    code, out, _ = cli("rule")
    assert code == 0 and len(out.splitlines()) >= 35


def test_real_process_exit_codes(project):
    def run(*args: str) -> int:
        return subprocess.run(
            [sys.executable, "-m", "rollbook", *args],
            cwd=project.root,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "ROLLBOOK_TODAY": "2026-03-01"},
        ).returncode

    assert run("lint") == 0
    project.runbook(NO_EXPECT)
    assert run("lint") == 1
    assert run("lint", "--select", "nope") == 2


# --since ------------------------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def init_repo(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "T")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")


def test_since_lints_only_what_changed(cli, project):
    flags = project.root / "flags" / "checkout.flagd.json"
    flags.write_text(
        flags.read_text().replace('  "flags": {\n', '  "flags": {\n    "legacy.flag": {},\n')
    )
    project.write("runbooks/legacy.yaml", NO_EXPECT.replace("one-click-checkout", "legacy"))
    init_repo(project.root)
    assert {f.code for f in project.findings()} >= {"RB101", "RB201"}
    code, out, _ = cli("lint", "--since", "HEAD")
    assert code == 0, out  # nothing changed since HEAD
    flags.write_text(
        flags.read_text().replace('  "flags": {\n', '  "flags": {\n    "new.flag": {},\n')
    )
    project.write(
        "runbooks/new.yaml",
        NO_EXPECT.replace("id: one-click-checkout", "id: new-flag").replace(
            "checkout.one_click", "new.flag"
        ),
    )
    project.write(
        "runbooks/lonely.yaml",
        GOOD.replace("id: one-click-checkout", "id: lonely").replace(
            "checkout.one_click", "lonely.flag"
        ),
    )
    code, out, _ = cli("lint", "--since", "HEAD", "--output-format", "json")
    paths = {(f["code"], f["path"]) for f in json.loads(out)["findings"]}
    assert ("RB201", "runbooks/new.yaml") in paths
    assert ("RB101", "flags/checkout.flagd.json") not in paths  # legacy.flag did not change
    assert ("RB201", "runbooks/legacy.yaml") not in paths
    assert code == 1


def test_since_checks_coverage_of_new_features(cli, project):
    init_repo(project.root)
    flags = project.root / "flags" / "checkout.flagd.json"
    flags.write_text(
        flags.read_text().replace('  "flags": {\n', '  "flags": {\n    "new.flag": {},\n')
    )
    code, out, _ = cli("lint", "--since", "HEAD")
    assert code == 1
    assert out.startswith(
        "flags/checkout.flagd.json:3:5: RB101 [error] deployable feature `new.flag`"
    )


def test_since_checks_all_coverage_when_a_runbook_was_deleted(cli, project):
    project.write(
        "runbooks/second.yaml",
        GOOD.replace("one-click-checkout", "second").replace("checkout.one_click", "second.flag"),
    )
    flags = project.root / "flags" / "checkout.flagd.json"
    flags.write_text(
        flags.read_text().replace('  "flags": {\n', '  "flags": {\n    "second.flag": {},\n')
    )
    init_repo(project.root)
    (project.root / "runbooks" / "second.yaml").unlink()
    code, out, _ = cli("lint", "--since", "HEAD")
    assert code == 1 and "`second.flag`" in out


def test_since_unknown_ref_is_a_usage_error(cli, project):
    init_repo(project.root)
    code, _, err = cli("lint", "--since", "no-such-branch")
    assert code == 2 and "no such commit" in err


def test_since_outside_git_is_a_usage_error(cli):
    code, _, err = cli("lint", "--since", "HEAD")
    assert code == 2 and "git" in err


def test_since_on_a_shallow_clone_says_to_fetch_history(project, tmp_path, monkeypatch, capsys):
    init_repo(project.root)
    project.runbook(GOOD + "# second commit\n")
    git(project.root, "commit", "-q", "-am", "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{project.root}", str(clone))
    monkeypatch.chdir(clone)
    with pytest.raises(SystemExit) as exc:
        main(["lint", "--since", "HEAD~1"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "shallow" in err and "git fetch --unshallow" in err


# init --ci ---------------------------------------------------------------------------------


def test_init_ci_detects_github_and_never_overwrites(cli, project):
    (project.root / ".github").mkdir()
    code, _, _ = cli("init", "--ci")
    workflow = project.root / ".github/workflows/rollbook.yml"
    assert code == 0 and workflow.is_file()
    assert (
        "rollbook lint --output-format github --report sarif=rollbook.sarif" in workflow.read_text()
    )
    workflow.write_text("mine\n")
    code, _, err = cli("init", "--ci")
    assert code == 2 and "not overwriting" in err
    assert workflow.read_text() == "mine\n"


def test_init_ci_gitlab_writes_its_own_file(cli, project):
    (project.root / ".gitlab-ci.yml").write_text("stages: [test]\n")
    code, out, _ = cli("init", "--ci")
    assert code == 0
    assert (project.root / ".gitlab-ci.yml").read_text() == "stages: [test]\n"
    job = (project.root / ".gitlab/rollbook.gitlab-ci.yml").read_text()
    assert "codequality: gl-code-quality-report.json" in job
    assert "local: .gitlab/rollbook.gitlab-ci.yml" in out


def test_init_ci_without_a_platform_is_a_usage_error(cli):
    code, _, err = cli("init", "--ci")
    assert code == 2 and "--ci github" in err
