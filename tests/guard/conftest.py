"""Fixtures for guard tests: a fresh :class:`GuardProject` and a runbook editor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from guard_project import (
    CONFIG,
    FLAGS,
    FLAGS_PATH,
    RUNBOOK,
    RUNBOOK_PATH,
    TEAMS,
    GuardProject,
)


@pytest.fixture
def gp(tmp_path: Path) -> GuardProject:
    proj = GuardProject(tmp_path)
    proj.write("rollbook.toml", CONFIG)
    proj.write("runbooks/teams.yaml", TEAMS)
    proj.write(FLAGS_PATH, FLAGS)
    proj.write(RUNBOOK_PATH, RUNBOOK)
    return proj


@pytest.fixture
def edit() -> Callable[..., str]:
    """Replace text in the guard runbook; fails when the text to replace is not there."""

    def apply(*pairs: tuple[str, str], base: str = RUNBOOK) -> str:
        text = base
        for old, new in pairs:
            assert old in text, f"{old!r} is not in the runbook"
            text = text.replace(old, new, 1)
        return text

    return apply
