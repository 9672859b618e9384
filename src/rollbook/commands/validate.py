"""`rollbook validate`: load every runbook and report every problem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rollbook.config import Project
from rollbook.diagnostics import Problem
from rollbook.load.runbooks import load_project_runbooks


@dataclass
class ValidationReport:
    files: int
    problems: list[Problem]
    bad_files: int
    notes: list[str]


def validate(project: Project, paths: list[Path] | None = None) -> ValidationReport:
    """Validate the runbooks under ``paths`` (default: the configured folders) and the teams."""
    loaded = load_project_runbooks(project, paths)
    problems = loaded.all_problems
    bad = len({p.location.path for p in problems})
    files = len(loaded.runbooks) + (1 if loaded.teams else 0)
    return ValidationReport(files=files, problems=problems, bad_files=bad, notes=loaded.notes)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def summary(report: ValidationReport) -> str:
    """The last line `rollbook validate` prints (after a blank line when there are problems)."""
    if report.problems:
        return (
            f"\n{plural(len(report.problems), 'problem')} in {report.bad_files} of "
            f"{plural(report.files, 'file')}."
        )
    return f"All {plural(report.files, 'file')} valid."
