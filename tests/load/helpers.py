"""Load a runbook or teams file from text, as the CLI would, and return its problems."""

from __future__ import annotations

from pathlib import Path

from rollbook.diagnostics import Problem
from rollbook.load.runbooks import load_model, load_runbook
from rollbook.model.runbook import TeamsFile

HEAD = """\
id: one-click-checkout
title: One-click checkout
summary: Lets returning customers buy with one tap.
owner: payments
risk: high
"""
"""Five valid lines: a test's own text starts at line 6."""

TEAMS = """\
teams:
  - id: payments
    name: Payments
    oncall_phone: "+44 20 7946 0000"
    chat: "#payments-oncall"
    people:
      - id: amara
        name: Amara Obi
        phone: "+44 113 496 0001"
"""


def runbook_problems(tmp_path: Path, text: str, teams: TeamsFile | None = None) -> list[Problem]:
    path = tmp_path / "rb.yaml"
    path.write_text(text, encoding="utf-8")
    return load_runbook(path, "rb.yaml", teams).problems


def teams_problems(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "teams.yaml"
    path.write_text(text, encoding="utf-8")
    return load_model(path, "teams.yaml", TeamsFile).problems


def where(problem: Problem) -> str:
    """``line:column CODE``, as a person reads the start of the report line."""
    return f"{problem.location.line}:{problem.location.column} {problem.code}"


def spot(text: str, needle: str, nth: int = 0) -> str:
    """``line:column`` of the ``nth`` occurrence of ``needle`` in ``text``."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return f"{line}:{index - (text.rfind(chr(10), 0, index) + 1) + 1}"
