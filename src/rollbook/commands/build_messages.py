"""What `rollbook build` tells the user: the site built, files left out, or why it was not.

Kept apart from :mod:`rollbook.commands.build` (the build itself); the CLI prints these
through its terminal-safe ``echo``.
"""

from __future__ import annotations

from pathlib import Path

from rollbook.commands.build import BuildOutcome, InvalidRunbooks
from rollbook.diagnostics import Problem
from rollbook.render.pages import PROBLEMS_REPORT
from rollbook.safe_text import for_terminal

PROBLEMS_SHOWN = 20
"""Problems listed on the terminal; the rest are counted (the site's problems page has all)."""


def problem_lines(problems: list[Problem], limit: int = PROBLEMS_SHOWN) -> str:
    """The first ``limit`` problems, one per line (with hints), then how many more."""
    lines = [problem.render() for problem in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more.")
    return "\n".join(lines)


def not_built(error: InvalidRunbooks, out: Path) -> str:
    """Why nothing was built, the problems, and the two ways on (after ``error: ``)."""
    kept = f"{out} is untouched" if out.exists() else "nothing was written"
    return "\n".join(
        [
            f"the site was not built: {error}; a site without them would lack their pages. {kept}.",
            *([problem_lines(error.problems)] if error.problems else []),
            "Fix them (`rollbook validate` lists every problem), or build the site without "
            "them with `rollbook build --keep-going` (its pages then say what is missing).",
        ]
    )


def notes(outcome: BuildOutcome) -> list[str]:
    """What was skipped while looking for runbooks, one ``note:`` line each."""
    return [f"note: {for_terminal(note, lines=False)}" for note in outcome.notes]


def built(outcome: BuildOutcome, out: Path) -> str:
    report = outcome.report
    reused = f"; {report.reused} unchanged, taken from the build cache" if report.reused else ""
    return (
        f"Built {report.pages} pages into {out} ({report.bytes / 1e6:.1f} MB; search reads "
        f"files of at most {report.search.largest_file / 1e3:.1f} KB as it needs them"
        f"{reused})."
    )


def kept_going(outcome: BuildOutcome, out: Path) -> str | None:
    """With --keep-going and files with errors: a warning and their problems; else None."""
    if not outcome.invalid:
        return None
    n = len(outcome.invalid)
    missing = (
        f"{outcome.missing} runbook{'s' if outcome.missing != 1 else ''} missing from the site"
        if outcome.missing
        else "no runbook missing"
    )
    warning = (
        f"warning: built with --keep-going: {n} file{'s' if n != 1 else ''} with errors, "
        f"{missing}. The site's pages say so; every problem is in {out / PROBLEMS_REPORT}."
    )
    problems = [p for item in outcome.invalid for p in item.problems]
    return "\n".join([warning, problem_lines(problems)]) if problems else warning
