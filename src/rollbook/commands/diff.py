"""`rollbook diff`: what a change does to the rollbacks it touches, in reviewer terms.

Compares the runbooks and feature sources at the merge base of ``--base`` (default: the
upstream's default branch, else ``HEAD``) with the working tree. Exit codes: 0, or 1 with
``--fail-on-weakened`` when a change weakens a rollback; 2 for usage errors (not a git
repository, an unknown ref, a shallow clone).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rollbook.config import ConfigError, Project
from rollbook.lint.engine import today_from_env
from rollbook.review.compare import compare_snapshots
from rollbook.review.git_tree import project_at
from rollbook.review.report import RENDERERS, ReviewDiff
from rollbook.review.snapshot import base_project, read_snapshot
from rollbook.review.sources import snapshot_cover, source_changes

FORMATS = tuple(RENDERERS)
EXIT_OK, EXIT_WEAKENED = 0, 1


@dataclass
class DiffRun:
    """The outcome of one `rollbook diff`: the diff, what to print and the exit code."""

    diff: ReviewDiff
    output: str
    exit_code: int


def default_base(root: Path, env: Mapping[str, str]) -> str:
    """The ref to compare with when none is given.

    In a GitHub pull request, the target branch (``origin/$GITHUB_BASE_REF``); in a GitLab
    merge request, ``origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME``; else ``origin/HEAD``
    when the clone knows it; else ``HEAD`` (what is not committed yet).
    """
    for name in ("GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"):
        if env.get(name):
            return f"origin/{env[name]}"
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "origin/HEAD"],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError("rollbook diff needs git, and git is not installed") from None
    return "origin/HEAD" if found.returncode == 0 else "HEAD"


def review_diff(project: Project, base: str, today: dt.date | None = None) -> ReviewDiff:
    """Compare the project at ``base`` (its merge base with HEAD) with the working tree."""
    today = today or today_from_env()
    new = read_snapshot(project, side="working tree", strict=True)
    with project_at(project.root, base) as tree:
        old = read_snapshot(base_project(tree.root, project), side=f"base {base}", strict=False)
        commit = tree.commit
    runbooks = compare_snapshots(old, new, project.config, today)
    changed = {rb.id for rb in runbooks}
    sources = source_changes(old.features, new.features, snapshot_cover(old, new, changed))
    notes = [n for n in old.notes if "no runbooks read" not in n] + new.notes
    return ReviewDiff(base, commit, runbooks, sources, notes, sorted(new.invalid))


def run_diff(
    project: Project,
    base: str | None = None,
    fmt: str = "text",
    *,
    fail_on_weakened: bool = False,
    today: dt.date | None = None,
    env: Mapping[str, str] | None = None,
) -> DiffRun:
    """Diff, render in ``fmt`` and pick the exit code."""
    import os

    if fmt not in RENDERERS:
        raise ConfigError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    env = os.environ if env is None else env
    diff = review_diff(project, base or default_base(project.root, env), today)
    code = EXIT_WEAKENED if fail_on_weakened and diff.weakening else EXIT_OK
    return DiffRun(diff, RENDERERS[fmt](diff), code)


def post_review(
    project: Project, diff: ReviewDiff, platform: str, *, report_url: str | None = None
) -> list[str]:
    """Post the diff as a comment with the rollback cards of the runbooks as they are now."""
    from rollbook.commands.render import views_of
    from rollbook.load.runbooks import load_project_runbooks
    from rollbook.review.comment import post

    views = views_of(load_project_runbooks(project))
    return post(diff, views, platform, report_url=report_url)
