"""What changed since a git ref, for `rollbook lint --since REF` (as pint's `pint ci`).

Changes are taken against the merge base of REF and HEAD, and include uncommitted and
untracked files, so the same command works on a developer's machine and in a pull request.
A shallow clone usually lacks REF or the merge base; that is a usage error (exit 2) with
the command that fetches the history, never a silent "nothing changed".
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook.config import ConfigError, Project

if TYPE_CHECKING:
    from rollbook.lint.context import RunbookSummary
    from rollbook.review.sources import SourceChange
    from rollbook.sources import Feature

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
SHALLOW_HINT = (
    "fetch the history first: `git fetch --unshallow` (or, with actions/checkout, "
    "`fetch-depth: 0`; in GitLab CI, `GIT_DEPTH: 0`)"
)


@dataclass
class Changes:
    """Files changed since the ref, as project-relative POSIX paths, and their changed lines.

    ``lines[path] is None`` means the whole file is new (untracked or added).
    """

    base: str
    changed: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    lines: dict[str, set[int] | None] = field(default_factory=dict)

    def touches(self, path: str, line: int) -> bool:
        """Whether ``line`` of ``path`` was added or changed."""
        if path not in self.changed:
            return False
        changed = self.lines.get(path)
        return changed is None or line in changed


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            encoding="utf-8",
            errors="replace",
        )
    except FileNotFoundError:
        raise ConfigError("--since needs git, and git is not installed") from None


def changes_since(root: Path, ref: str) -> Changes:
    """What changed in the project at ``root`` since ``ref``; ConfigError when unknowable."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise ConfigError(f"--since needs a git repository; {root} is not in one")
    toplevel = Path(top.stdout.strip()).resolve()
    shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    if ref.startswith("-"):
        raise ConfigError(f"--since {ref!r}: a git ref cannot start with '-'")
    verify = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if verify.returncode != 0:
        if shallow:
            raise ConfigError(
                f"--since {ref}: this is a shallow clone and {ref} is not in it; {SHALLOW_HINT}"
            )
        raise ConfigError(f"--since {ref}: no such commit, branch or tag")
    merge_base = _git(root, "merge-base", verify.stdout.strip(), "HEAD")
    if merge_base.returncode != 0:
        if shallow:
            raise ConfigError(
                f"--since {ref}: this is a shallow clone without the history "
                f"that joins {ref} and HEAD; {SHALLOW_HINT}"
            )
        raise ConfigError(f"--since {ref}: {ref} and HEAD have no common history")
    base = merge_base.stdout.strip()
    changes = Changes(base)

    def relative(name: str) -> str | None:
        try:
            return (toplevel / name).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return None  # outside the project

    status = _git(toplevel, "diff", "--no-renames", "--name-status", "-z", base, "--")
    parts = status.stdout.split("\0")
    for kind, name in zip(parts[0::2], parts[1::2], strict=False):
        rel = relative(name)
        if rel is None:
            continue
        if kind.startswith("D"):
            changes.deleted.add(rel)
        else:
            changes.changed.add(rel)
            changes.lines[rel] = None if kind.startswith("A") else set()
    diff = _git(toplevel, "diff", "--no-renames", "--no-color", "--no-ext-diff", "-U0", base, "--")
    current: str | None = None
    for line in diff.stdout.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = relative(name[2:]) if name.startswith("b/") else None
            continue
        match = _HUNK.match(line)
        if match and current is not None and changes.lines.get(current) is not None:
            start, count = int(match.group(1)), int(match.group(2) or 1)
            changes.lines[current].update(range(start, start + count))  # type: ignore[union-attr]
    untracked = _git(toplevel, "ls-files", "--others", "--exclude-standard", "-z")
    for name in filter(None, untracked.stdout.split("\0")):
        rel = relative(name)
        if rel is not None:
            changes.changed.add(rel)
            changes.lines[rel] = None
    return changes


def source_changes_since(
    project: Project, changes: Changes, features: list[Feature], summaries: list[RunbookSummary]
) -> list[SourceChange]:
    """What the feature sources changed since the base of ``changes`` (for RB404).

    The sources are read at the base as ``rollbook diff`` reads them; each change says which
    runbook covers its key (by flag key, else by id) and whether that runbook's file changed.
    """
    from rollbook.review.git_tree import project_at
    from rollbook.review.snapshot import base_project, read_features
    from rollbook.review.sources import Cover, source_changes

    with project_at(project.root, changes.base, option="--since") as tree:
        notes: list[str] = []
        old = read_features(base_project(tree.root, project), strict=False, notes=notes)

    def cover(key: str) -> Cover:
        found = next((s for s in summaries if key in s.flag_keys), None)
        found = found or next((s for s in summaries if s.id == key), None)
        if found is None:
            return Cover(None)
        return Cover(found.id, found.path in changes.changed or found.path in changes.deleted)

    return source_changes(old, features, cover)
