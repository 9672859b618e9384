"""Shared test fixtures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `rollbook` command as a user would, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "rollbook", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project made by `rollbook init`, with a team called payments."""
    result = run_cli("init", "--team", "payments", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path
