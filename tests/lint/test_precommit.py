"""The pre-commit hook manifest, exercised with the real pre-commit in a temporary repository.

pre-commit clones this repository at its HEAD commit (so the manifest must be committed) and
pip-installs rollbook into its own environment, as it would for any user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lint.conftest import GOOD

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")

pytestmark = pytest.mark.skipif(not Path(PRE_COMMIT).exists(), reason="pre-commit not installed")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_hook_from_the_manifest(project, tmp_path):
    head = git(ROOT, "rev-parse", "HEAD")
    if not git(ROOT, "ls-tree", "--name-only", head, ".pre-commit-hooks.yaml"):
        pytest.fail(".pre-commit-hooks.yaml is not committed at HEAD")
    repo = project.root
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT.as_uri()}\n    rev: {head}\n    hooks:\n"
        "      - id: rollbook-lint\n",
        encoding="utf-8",
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "T")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "ROLLBOOK_TODAY": "2026-03-01"}
    env.pop("GITHUB_ACTIONS", None)

    def pre_commit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PRE_COMMIT, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=900
        )

    clean = pre_commit("run", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "rollbook lint" in clean.stdout and "Passed" in clean.stdout

    # A staged non-YAML change does not run the hook (files: \.(ya?ml)$).
    (repo / "notes.txt").write_text("hello\n")
    git(repo, "add", "notes.txt")
    skipped = pre_commit("run")
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout, skipped.stdout

    # A staged runbook without an expected result fails the commit, with the finding shown.
    bad = GOOD.replace("      expect: The flag shows Off within a minute.\n", "")
    (repo / "runbooks" / "one-click-checkout.yaml").write_text(bad)
    git(repo, "add", "runbooks/one-click-checkout.yaml")
    failed = pre_commit("run")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "runbooks/one-click-checkout.yaml:37:7: RB201 [error]" in failed.stdout
