"""The commands as a user runs them: output, files written, and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from rollbook import __version__
from rollbook.schema import format_reference
from tests.conftest import REPO, run_cli


def test_version_and_help(tmp_path: Path):
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert __version__ in result.stdout
    for command in ("init", "new", "validate", "schema"):
        result = run_cli(command, "--help", cwd=tmp_path)
        assert result.returncode == 0
        assert "Usage: rollbook" in result.stdout


def test_init_creates_a_valid_project(project: Path):
    for name in (
        "rollbook.toml",
        "runbooks/teams.yaml",
        "runbooks/saved-search-alerts.yaml",
        "runbooks/flags.flagd.json",
        "runbooks/runbook.schema.json",
        "runbooks/teams.schema.json",
    ):
        assert (project / name).is_file(), name
    result = run_cli("validate", cwd=project)
    assert result.returncode == 0, result.stdout
    assert "All 2 files valid." in result.stdout


def test_init_refuses_to_overwrite_without_force(project: Path):
    teams = project / "runbooks" / "teams.yaml"
    teams.write_text("# my own teams\n", encoding="utf-8")
    result = run_cli("init", cwd=project)
    assert result.returncode == 2
    assert "not overwriting" in result.stderr and "runbooks/teams.yaml" in result.stderr
    assert teams.read_text() == "# my own teams\n"
    result = run_cli("init", "--force", "--team", "payments", cwd=project)
    assert result.returncode == 0
    assert "id: payments" in teams.read_text()


def test_new_writes_a_scaffold_that_fails_until_filled_in(project: Path):
    result = run_cli("new", "one-click-checkout", "--owner", "payments", cwd=project)
    assert result.returncode == 0, result.stderr
    path = project / "runbooks" / "one-click-checkout.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=runbook.schema.json\n")
    assert json.loads((project / "runbooks" / "runbook.schema.json").read_text())["$id"]
    result = run_cli("validate", "runbooks/one-click-checkout.yaml", cwd=project)
    assert result.returncode == 1
    assert "runbooks/one-click-checkout.yaml:5:7: RB004 title should be text; got nothing" in (
        result.stdout
    )
    # Filling in every placeholder makes it valid.
    filled = (
        text.replace("title:    #", "title: One-click checkout #")
        .replace("summary:  #", "summary: Buy with one tap. #")
        .replace("risk:     #", "risk: high #")
        .replace("  - key:       #", "  - key: checkout.one_click #")
        .replace("    system:    #", "    system: flagd #")
        .replace("    off:       #", "    off: false #")
        .replace("    change:    #", "    change: Flag console, switch Off #")
        .replace("  - name:      #", "  - name: Checkout errors #")
        .replace("    -          # FILL IN: when", "    - Errors above 2% # FILL IN: when")
        .replace("  kill_switch: #", "  kill_switch: checkout.one_click #")
        .replace("    - do:      #", "    - do: Switch the flag Off. #")
        .replace("    -          # FILL IN: how", "    - Errors back to normal # FILL IN: how")
    )
    path.write_text(filled)
    result = run_cli("validate", "runbooks/one-click-checkout.yaml", cwd=project)
    assert result.returncode == 0, result.stdout


def test_new_refuses_bad_ids_and_existing_files(project: Path):
    result = run_cli("new", "Bad_Id", cwd=project)
    assert result.returncode == 2
    assert "not a valid id" in result.stderr
    result = run_cli("new", "saved-search-alerts", cwd=project)
    assert result.returncode == 2
    assert "already exists" in result.stderr


def test_usage_errors_exit_2(project: Path):
    result = run_cli("validate", "no/such/folder", cwd=project)
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr
    result = run_cli("frobnicate", cwd=project)
    assert result.returncode == 2
    result = run_cli("validate", "--no-such-option", cwd=project)
    assert result.returncode == 2


def test_no_runbooks_found_is_a_usage_error(tmp_path: Path):
    (tmp_path / "runbooks").mkdir()
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "no runbooks found in runbooks" in result.stderr


def test_bad_config_is_reported_with_a_suggestion(project: Path):
    (project / "rollbook.toml").write_text('runbooks = ["runbooks"]\nteam = "x.yaml"\n')
    result = run_cli("validate", cwd=project)
    assert result.returncode == 2
    assert "rollbook.toml:2:1: RB000 unknown key `team`" in result.stderr
    assert "did you mean `teams`?" in result.stderr
    (project / "rollbook.toml").write_text("runbooks = [\n")
    result = run_cli("validate", cwd=project)
    assert result.returncode == 2
    assert "invalid TOML" in result.stderr


def test_internal_error_exits_3_without_traceback(project: Path):
    # A runbook folder that cannot be listed is not an internal error; a crash inside rollbook
    # is. Simulate one with a sitecustomize that breaks the loader.
    hook = project / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import rollbook.load.runbooks as r\n"
        "def boom(*a, **k):\n    raise RuntimeError('simulated bug')\n"
        "r.load_runbook = boom\n"
    )
    import os

    env = {**os.environ, "PYTHONPATH": str(hook)}
    result = run_cli("validate", cwd=project, env=env)
    assert result.returncode == 3
    assert "internal error: RuntimeError: simulated bug" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("--verbose", "validate", cwd=project, env=env)
    assert result.returncode == 3
    assert "Traceback" in result.stderr


def test_format_reference_is_up_to_date():
    """docs/format.md is generated from the model; regenerate with `rollbook schema --markdown`."""
    assert (REPO / "docs" / "format.md").read_text() == format_reference()


def test_single_file_without_config_still_checks_teams(project: Path):
    (project / "rollbook.toml").unlink()
    path = project / "runbooks" / "saved-search-alerts.yaml"
    path.write_text(path.read_text().replace("owner: payments", "owner: nobody"))
    result = run_cli("validate", "runbooks/saved-search-alerts.yaml", cwd=project)
    assert result.returncode == 1
    assert "RB008 owner 'nobody' is not a team in the teams file" in result.stdout


def test_missing_teams_file_is_said(project: Path):
    (project / "rollbook.toml").unlink()
    (project / "runbooks" / "teams.yaml").unlink()
    result = run_cli("validate", cwd=project)
    assert result.returncode == 0
    assert "note: no teams file at runbooks/teams.yaml: owners and contacts were not checked" in (
        result.stderr
    )
