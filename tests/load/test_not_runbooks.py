"""Flag files in YAML and alert rule files may sit among the runbooks: no command that loads
the project reads them as runbooks (lint and build never did; validate, show, url, render
and the others did, and failed on them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rollbook.config import load_project
from rollbook.load.not_runbooks import not_runbooks
from tests.alerts.test_url_command import RULES
from tests.conftest import run_cli
from tests.lint.conftest import GOOD, TEAMS

FLAGD = """\
flags:
  checkout.one_click:
    state: ENABLED
    variants: {"on": true, "off": false}
    defaultVariant: "off"
"""
NO_FLAGS = "flags: {}\n"
UNLEASH = """\
version: 1
features:
  - name: checkout.one_click
    enabled: true
    strategies: [{name: default}]
"""
CONFIG = """\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"
site-url = "https://runbooks.example.com/"
alert-rules = ["runbooks/**/*.rules.yml"]
"""
# (source table, file name, content)
SOURCES = {
    "flagd": ('kind = "flagd"\npaths = ["runbooks/*.flagd.yaml"]', "flags.flagd.yaml", FLAGD),
    "flagd-empty": ('kind = "flagd"\npaths = ["runbooks/*.flagd.yaml"]', "x.flagd.yaml", NO_FLAGS),
    "unleash": ('kind = "unleash"\npaths = ["runbooks/unleash/*.yml"]', "unleash/f.yml", UNLEASH),
}


@pytest.fixture(params=sorted(SOURCES))
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    table, name, content = SOURCES[request.param]
    (tmp_path / "runbooks" / "deep").mkdir(parents=True)
    (tmp_path / "rollbook.toml").write_text(CONFIG + f"\n[[sources]]\n{table}\n", encoding="utf-8")
    (tmp_path / "runbooks" / "teams.yaml").write_text(TEAMS, encoding="utf-8")
    (tmp_path / "runbooks" / "one-click-checkout.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "runbooks" / "deep" / "checkout.rules.yml").write_text(RULES, encoding="utf-8")
    flags = tmp_path / "runbooks" / name
    flags.parent.mkdir(parents=True, exist_ok=True)
    flags.write_text(content, encoding="utf-8")
    return tmp_path


def test_the_files_sources_read_are_known_without_reading_them(project: Path) -> None:
    found = not_runbooks(load_project(project))
    names = {path.relative_to(project.resolve()).as_posix(): why for path, why in found.items()}
    assert names.pop("runbooks/deep/checkout.rules.yml") == "an alert-rules source reads it"
    assert list(names.values()) == ["a feature source reads it"]


@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("show", "--list"),
        ("show", "one-click-checkout"),
        ("url", "one-click-checkout"),
        ("render", "one-click-checkout", "--format", "text"),
        ("card", "one-click-checkout", "--output", "card.html"),
    ],
)
def test_no_command_reads_them_as_runbooks(project: Path, command: tuple[str, ...]) -> None:
    result = run_cli(*command, cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "RB00" not in result.stdout + result.stderr
    if command[0] == "validate":
        assert "checkout.rules.yml: not read as a runbook: an alert-rules source reads it" in (
            result.stderr
        )
    if command == ("show", "--list"):
        assert result.stdout.splitlines() == ["one-click-checkout  critical  One-click checkout"]


def test_lint_agrees_even_for_a_source_file_without_features(project: Path) -> None:
    result = run_cli("lint", "--output-format", "json", cwd=project)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["files"] == 1  # the one runbook
    paths = {finding["path"] for finding in report["findings"]}
    assert not {p for p in paths if "flagd" in p or "unleash" in p}, paths
    assert not [f for f in report["findings"] if f["code"].startswith("RB00")]


def test_a_broken_source_entry_leaves_validate_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "rollbook.toml").write_text(
        CONFIG + '\n[[sources]]\nkind = "flagd"\npaths = ["runbooks/missing.yaml"]\n',
        encoding="utf-8",
    )
    (tmp_path / "runbooks" / "teams.yaml").write_text(TEAMS, encoding="utf-8")
    (tmp_path / "runbooks" / "one-click-checkout.yaml").write_text(GOOD, encoding="utf-8")
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
