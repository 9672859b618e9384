"""`rollbook init` in a repository that already has flags: it reads them before writing."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from rollbook.commands.scaffold import init_repository, toml_string
from rollbook.config import load_project
from rollbook.sources import collect_features, parse_source_spec
from rollbook.sources.detect import detect_sources, literal_glob
from tests.conftest import run_cli

FLAGD = {
    "flags": {
        "new-checkout": {
            "state": "ENABLED",
            "variants": {"on": True, "off": False},
            "defaultVariant": "off",
        },
        "dark-mode": {"state": "DISABLED", "variants": {"on": True, "off": False}},
    }
}
MANIFEST = {
    "flags": {
        "enableBeta": {"flagType": "boolean", "defaultValue": False, "description": "Beta UI"},
        "themeName": {"flagType": "string", "defaultValue": "light"},
    }
}
UNLEASH = {
    "version": 1,
    "features": [
        {"name": "gift.cards", "type": "release", "enabled": True, "strategies": []},
        {"name": "old.banner", "type": "kill-switch", "archived": True},
    ],
}
PYTHON = 'client = api.get_client()\nif client.get_boolean_value("py-flag", False):\n    pass\n'
GO = 'func f() {\n\tv, _ := client.BooleanValue(ctx, "go-flag", false, ec)\n}\n'
TYPESCRIPT = "const v = await client.getBooleanValue('ts-flag', false);\n"
JAVA = 'boolean v = client.getBooleanValue("java-flag", false);\n'


def write(root: Path, rel: str, text: str | dict) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if isinstance(text, str) else json.dumps(text, indent=2))
    return path


def configured_keys(root: Path) -> set[str]:
    """The keys the sources in the written rollbook.toml read: what lint will see."""
    project = load_project(root)
    specs = [parse_source_spec(t, f"sources[{i}]") for i, t in enumerate(project.config.sources)]
    return {f.key for f in collect_features(specs, project.root)}


def test_init_finds_each_kind_of_source(tmp_path: Path):
    write(tmp_path, "deploy/app.flagd.json", FLAGD)
    write(tmp_path, "flags.json", MANIFEST)
    write(tmp_path, "ops/unleash-export.json", UNLEASH)
    write(tmp_path, "services/api/app.py", PYTHON)
    write(tmp_path, "services/pay/main.go", GO)
    write(tmp_path, "web/src/app.ts", TYPESCRIPT)
    write(tmp_path, "android/App.java", JAVA)
    write(tmp_path, "package.json", '{"name": "shop", "features": ["a"]}')  # not a flag file
    outcome = init_repository(tmp_path, team="payments")
    assert not outcome.example
    config = tomllib.loads((tmp_path / "rollbook.toml").read_text())
    assert config["sources"] == [
        {"kind": "flagd", "paths": ["deploy/app.flagd.json"]},
        {"kind": "openfeature", "paths": ["flags.json"]},
        {"kind": "unleash", "paths": ["ops/unleash-export.json"]},
        {
            "kind": "code",
            "paths": [
                "**/*.go",
                "**/*.java",
                "**/*.py",
                "**/*.pyi",
                "**/*.ts",
                "**/*.tsx",
                "**/*.mts",
                "**/*.cts",
            ],
            "languages": ["go", "java", "python", "typescript"],
        },
    ]
    assert configured_keys(tmp_path) == {
        "new-checkout",
        "dark-mode",
        "enableBeta",
        "themeName",
        "gift.cards",
        "old.banner",
        "py-flag",
        "go-flag",
        "ts-flag",
        "java-flag",
    }
    # No example runbook, no invented flag file.
    assert sorted(p.name for p in (tmp_path / "runbooks").iterdir()) == [
        "runbook.schema.json",
        "teams.schema.json",
        "teams.yaml",
    ]


@pytest.mark.parametrize(
    ("rel", "content", "kind"),
    [
        (
            "config/flags.yaml",
            "flags:\n  a-flag:\n    state: ENABLED\n    variants: {on: true}\n",
            "flagd",
        ),
        ("config/toggles.json", {"flags": [{"key": "a-flag", "state": "ENABLED"}]}, "flagd"),
        ("flagd.yaml", "flags:\n  a-flag: {defaultVariant: on, variants: {on: 1}}\n", "flagd"),
        ("x/manifest.json", {"flags": {"a-flag": {"flagType": "integer"}}}, "openfeature"),
        ("exports/u.json", {"features": [{"name": "a-flag", "enabled": False}]}, "unleash"),
        (
            "exports/v5.json",
            {"features": [{"name": "a-flag"}], "featureStrategies": []},
            "unleash",
        ),
    ],
    ids=[
        "flagd-yaml-other-name",
        "flagd-list-form",
        "flagd-yaml",
        "manifest-elsewhere",
        "unleash-legacy",
        "unleash-v5",
    ],
)
def test_flag_files_are_recognised_by_shape(tmp_path: Path, rel, content, kind):
    write(tmp_path, rel, content)
    found = detect_sources(tmp_path)
    assert [(s.kind, s.paths) for s in found.sources] == [(kind, [rel])]
    assert found.keys == {"a-flag"}


@pytest.mark.parametrize(
    ("rel", "content"),
    [
        ("package.json", {"name": "x", "features": ["a", "b"]}),
        ("tsconfig.json", {"compilerOptions": {"flags": 1}}),
        ("k8s/deploy.yaml", "kind: Deployment\nspec:\n  features: [a]\n"),
        (
            "runbooks-elsewhere/x.yaml",
            "id: x\nflags:\n  - key: a\n    system: flagd\n    off: false\n",
        ),
        ("docs/broken.json", '{"flags": '),
        ("data/flags-list.json", {"flags": ["a", "b"]}),
        ("src/app.py", "get_boolean_value(name, False)  # a key in a variable\n"),
        ("src/notes.txt", 'get_boolean_value("in-a-text-file", False)\n'),
    ],
    ids=[
        "package-json",
        "tsconfig",
        "k8s",
        "a-runbook",
        "broken-json",
        "list-of-names",
        "variable-key",
        "not-code",
    ],
)
def test_look_alikes_are_not_taken_for_sources(tmp_path: Path, rel, content):
    write(tmp_path, rel, content)
    assert detect_sources(tmp_path).sources == []


def test_a_broken_flagd_file_is_noted_not_configured(tmp_path: Path):
    write(tmp_path, "deploy/app.flagd.json", '{"flags": {"a": 1}}')
    write(tmp_path, "deploy/ok.flagd.json", FLAGD)
    found = detect_sources(tmp_path)
    assert [s.paths for s in found.sources] == [["deploy/ok.flagd.json"]]
    assert len(found.notes) == 1
    assert found.notes[0].startswith(
        "deploy/app.flagd.json: looks like a flagd file but was not read"
    )


def test_ignored_and_vendored_files_are_not_read(tmp_path: Path):
    write(tmp_path, ".gitignore", "build/\n")
    write(tmp_path, "build/gen.py", PYTHON)
    write(tmp_path, "node_modules/lib/index.ts", TYPESCRIPT)
    write(tmp_path, "app/main.go", GO)
    found = detect_sources(tmp_path)
    assert [(s.kind, s.languages, s.files) for s in found.sources] == [
        ("code", ["go"], ["app/main.go"])
    ]


def test_hostile_file_names_stay_inert_in_the_configuration(tmp_path: Path):
    names = [
        'deploy/we"ird.flagd.json',
        "deploy/back\\slash.flagd.json",
        "deploy/star*and?[x].flagd.json",
        "deploy/rtl\u202eevil.flagd.json",
        "deploy/new\nline.flagd.json",
    ]
    for name in names:
        write(tmp_path, name, FLAGD)
    init_repository(tmp_path)
    text = (tmp_path / "rollbook.toml").read_text()
    assert "\u202e" not in text and "\\u202E" in text
    config = tomllib.loads(text)  # it parses, and the paths read back as the files
    [source] = config["sources"]
    assert sorted(source["paths"]) == sorted(literal_glob(n) for n in names)
    files = {
        f.location.path
        for f in collect_features([parse_source_spec(source, "sources[0]")], tmp_path)
    }
    assert files == set(names)


@pytest.mark.parametrize(
    "value",
    ['a"b', "a\\b", "tab\there", "\x1b[2J", "\u202e", "\u200b", "\U0001f600", "\x7f"],
)
def test_toml_string_round_trips(value: str):
    assert tomllib.loads(f"x = {toml_string(value)}")["x"] == value


def test_gitignore_is_created_appended_or_left_alone(tmp_path: Path):
    a, b, c, d = (tmp_path / n for n in "abcd")
    for folder in (a, b, c, d):
        folder.mkdir()
    (b / ".gitignore").write_text("node_modules\n*.pyc")  # no final newline
    (c / ".gitignore").write_text("/site\n")
    (d / ".gitignore").write_text("# everything built\nsite/\n")
    assert init_repository(a).gitignore == "created"
    assert (a / ".gitignore").read_text() == "# rollbook build output\nsite/\n"
    assert init_repository(b).gitignore == "appended to"
    assert (b / ".gitignore").read_text() == (
        "node_modules\n*.pyc\n# rollbook build output\nsite/\n"
    )
    for folder, before in ((c, "/site\n"), (d, "# everything built\nsite/\n")):
        assert init_repository(folder).gitignore is None
        assert (folder / ".gitignore").read_text() == before


def test_init_never_overwrites_and_writes_nothing_when_it_refuses(tmp_path: Path):
    write(tmp_path, "deploy/app.flagd.json", FLAGD)
    write(tmp_path, "rollbook.toml", "# mine\n")
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 2
    assert "not overwriting rollbook.toml" in result.stderr
    assert (tmp_path / "rollbook.toml").read_text() == "# mine\n"
    assert not (tmp_path / "runbooks").exists() and not (tmp_path / ".gitignore").exists()


def test_init_prints_what_it_found_and_the_coverage(tmp_path: Path):
    write(tmp_path, "deploy/app.flagd.json", FLAGD)
    write(tmp_path, "services/api/app.py", PYTHON.replace("py-flag", "new-checkout"))
    write(tmp_path, "services/pay/main.go", GO)
    result = run_cli("init", "--team", "payments", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "found flagd: 2 flags in deploy/app.flagd.json\n" in out
    assert "found code (go, python): 2 flags in 2 files calling OpenFeature\n" in out
    assert "3 features in 2 sources; 3 have no runbook; next: `rollbook new new-checkout`\n" in out
    assert "created .gitignore: the site's output folder, site/\n" in out
    assert "wrote runbooks/saved-search-alerts.yaml" not in out


def test_init_counts_runbooks_that_exist_already(tmp_path: Path):
    write(tmp_path, "deploy/app.flagd.json", FLAGD)
    good = (Path(__file__).parent / "lint" / "conftest.py").read_text()
    runbook = good.split('GOOD = """\\\n', 1)[1].split('"""', 1)[0]
    write(
        tmp_path,
        "runbooks/new-checkout.yaml",
        runbook.replace("checkout.one_click", "new-checkout").replace(
            "id: one-click-checkout", "id: new-checkout"
        ),
    )
    result = run_cli("init", "--team", "payments", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 features in 1 source; 1 has no runbook; next: `rollbook new dark-mode`" in (
        result.stdout
    )


def test_an_empty_folder_still_gets_the_example_marked_as_one(tmp_path: Path):
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "found no flag files and no code calling OpenFeature" in result.stdout
    assert (tmp_path / "runbooks" / "saved-search-alerts.yaml").is_file()
    text = (tmp_path / "rollbook.toml").read_text()
    assert "# An EXAMPLE" in text
    assert run_cli("lint", cwd=tmp_path).returncode == 0  # the example is covered and clean


def test_init_does_not_shadow_a_pyproject_configuration(tmp_path: Path):
    write(
        tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.rollbook]\nrunbooks = ["rb"]\n'
    )
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 2
    assert "configures rollbook already ([tool.rollbook])" in result.stderr
    assert not (tmp_path / "rollbook.toml").exists()
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')  # no [tool.rollbook]: fine
    assert run_cli("init", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    "rel",
    [
        "tests/fixtures/app.flagd.json",
        "pkg/testdata/flags.json",
        "web/__tests__/toggles.json",
        "spec/flagd.yaml",
    ],
)
def test_flag_files_in_test_folders_are_noted_not_configured(tmp_path: Path, rel: str):
    write(tmp_path, rel, FLAGD)
    write(tmp_path, "deploy/app.flagd.json", FLAGD)
    found = detect_sources(tmp_path)
    assert [s.paths for s in found.sources] == [["deploy/app.flagd.json"]]
    assert found.notes == [
        f"flag files in test folders were left out: {rel}; add them to `sources` if they "
        "declare real flags"
    ]
