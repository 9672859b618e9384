"""The review diff as text (a terminal), Markdown (a pull request) or JSON (machines).

Every format puts what weakens a rollback first, under its own heading, then feature-source
changes that came without a change to their runbook, then each runbook's changes. Text from
runbooks is escaped for its medium: the CLI prints text through ``for_terminal``, Markdown
goes through :mod:`rollbook.render.markdown_safe`, JSON through ``for_json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rollbook.render.markdown_safe import code_span, inline
from rollbook.review.compare import Change, RunbookDiff
from rollbook.review.sources import SourceChange
from rollbook.safe_text import for_json

MARKDOWN_TITLE = "rollbook diff"
JSON_VERSION = 1
"""The JSON diff's format version: raised when a key changes meaning or goes away."""


@dataclass
class ReviewDiff:
    """Everything ``rollbook diff`` found between the base and the working tree."""

    base: str
    base_commit: str
    runbooks: list[RunbookDiff] = field(default_factory=list)
    sources: list[SourceChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    """Runbook files of the working tree that do not load: not compared."""

    @property
    def weakening(self) -> list[tuple[RunbookDiff, Change]]:
        return [(rb, c) for rb in self.runbooks for c in rb.weakening]

    @property
    def unreviewed_sources(self) -> list[SourceChange]:
        return [s for s in self.sources if s.unreviewed]

    def count(self, status: str) -> int:
        return sum(1 for rb in self.runbooks if rb.status == status)

    def summary(self) -> str:
        """``2 runbooks changed, 1 added, 0 removed; 3 changes weaken a rollback``."""
        changed = self.count("changed")
        text = (
            f"{changed} runbook{'s' if changed != 1 else ''} changed, {self.count('added')} "
            f"added, {self.count('removed')} removed"
        )
        weak = len(self.weakening)
        text += (
            f"; {weak} change{'s' if weak != 1 else ''} weaken{'s' if weak == 1 else ''} a rollback"
        )
        unreviewed = len(self.unreviewed_sources)
        if unreviewed:
            text += (
                f"; {unreviewed} feature-source change{'s' if unreviewed != 1 else ''} "
                "without a runbook change"
            )
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "version": JSON_VERSION,
            "base": self.base,
            "base_commit": self.base_commit,
            "summary": {
                "changed": self.count("changed"),
                "added": self.count("added"),
                "removed": self.count("removed"),
                "weakening": len(self.weakening),
                "unreviewed_source_changes": len(self.unreviewed_sources),
            },
            "weakening": [{"id": rb.id, **c.to_json()} for rb, c in self.weakening],
            "runbooks": [rb.to_json() for rb in self.runbooks],
            "sources": [s.to_json() for s in self.sources],
            "invalid": self.invalid,
            "notes": self.notes,
        }


def describe(change: Change, quote=lambda t: f'"{t}"') -> str:
    """``rollback step 3 (of 4): removed (was "Purge the cache")`` and the like."""
    if change.old is None and change.new is None:
        return f"{change.what}: changed"
    if change.old is None and change.new is not None:
        return f"{change.what}: added {quote(change.new)}"
    if change.new is None and change.old is not None:
        return f"{change.what}: removed (was {quote(change.old)})"
    if change.kind == "steps-reordered":
        return f"{change.what}: reordered ({change.new})"
    return f"{change.what}: {quote(change.old)} -> {quote(change.new)}"


def _status(rb: RunbookDiff) -> str:
    if rb.status == "added":
        return f"added in {rb.path}"
    if rb.status == "removed":
        return f"removed from {rb.old_path}"
    if rb.renamed:
        return f"changed; moved from {rb.old_path} to {rb.path}"
    return f"changed in {rb.path}"


# -- text -------------------------------------------------------------------------------------


def render_text(diff: ReviewDiff) -> str:
    """For a terminal (the CLI escapes control characters when it prints)."""
    out = [f"rollbook diff: {diff.base} ({diff.base_commit[:12]}) -> working tree", diff.summary()]
    if diff.weakening:
        out += ["", "WEAKENS A ROLLBACK"]
        out += [f"  {rb.id}: {describe(c)} ({c.weakens})" for rb, c in diff.weakening]
    if diff.unreviewed_sources:
        out += ["", "FEATURE SOURCES CHANGED WITHOUT THEIR RUNBOOK"]
        out += [f"  {s.message()}" for s in diff.unreviewed_sources]
    for rb in diff.runbooks:
        out += ["", f"{rb.id}: {rb.title} ({_status(rb)})"]
        for c in rb.changes:
            mark = "!" if c.weakens else "-"
            out.append(f"  {mark} {describe(c)}")
    reviewed = [s for s in diff.sources if not s.unreviewed]
    if reviewed:
        out += ["", "Feature sources changed with their runbook:"]
        out += [f"  - {s.message()}" for s in reviewed]
    if diff.invalid:
        out += ["", "Not compared (the file has errors; see `rollbook validate`):"]
        out += [f"  - {path}" for path in diff.invalid]
    out += [f"note: {note}" for note in diff.notes]
    if not diff.runbooks and not diff.sources:
        out += ["", "No runbook or feature source changed."]
    return "\n".join(out) + "\n"


# -- Markdown ---------------------------------------------------------------------------------


def _md_quote(text: str) -> str:
    return f"“{inline(text, line_start=False)}”"


def _md_change(c: Change) -> str:
    text = inline(c.what) + ": "
    if c.old is None and c.new is None:
        text += "changed"
    elif c.old is None and c.new is not None:
        text += f"added {_md_quote(c.new)}"
    elif c.new is None and c.old is not None:
        text += f"removed (was {_md_quote(c.old)})"
    elif c.kind == "steps-reordered":
        text += f"reordered ({inline(c.new or '')})"
    else:
        text += f"{_md_quote(c.old or '')} → {_md_quote(c.new or '')}"
    if c.weakens:
        text += f" — **{inline(c.weakens)}**"
    return text


def _md_source(s: SourceChange) -> str:
    return f"{code_span(s.key)}: {inline(s.message().removeprefix(s.key + ': '))}"


def render_markdown(diff: ReviewDiff, *, title: str = MARKDOWN_TITLE) -> str:
    """For a pull request, a job summary or a merge request: safe to post."""
    out = [
        f"## {inline(title)}",
        "",
        f"Compared with {code_span(diff.base)} ({code_span(diff.base_commit[:12])}): "
        f"{inline(diff.summary())}.",
    ]
    if diff.weakening:
        out += ["", f"### ⚠️ Weakens a rollback ({len(diff.weakening)})", ""]
        out += [f"- {code_span(rb.id)} {_md_change(c)}" for rb, c in diff.weakening]
    if diff.unreviewed_sources:
        out += [
            "",
            f"### Feature sources changed without their runbook ({len(diff.unreviewed_sources)})",
            "",
        ]
        out += [f"- {_md_source(s)}" for s in diff.unreviewed_sources]
    if diff.runbooks:
        out += ["", "### Runbooks"]
        for rb in diff.runbooks:
            out += ["", f"#### {inline(rb.title)} ({code_span(rb.id)})", "", inline(_status(rb))]
            if rb.changes:
                out.append("")
                out += [f"- {_md_change(c)}" for c in rb.changes]
    reviewed = [s for s in diff.sources if not s.unreviewed]
    if reviewed:
        out += ["", "### Feature sources changed with their runbook", ""]
        out += [f"- {_md_source(s)}" for s in reviewed]
    if diff.invalid:
        out += ["", "### Not compared (the file has errors; see `rollbook validate`)", ""]
        out += [f"- {code_span(path)}" for path in diff.invalid]
    if diff.notes:
        out.append("")
        out += [f"> {inline(note)}" for note in diff.notes]
    if not diff.runbooks and not diff.sources:
        out += ["", "No runbook or feature source changed."]
    return "\n".join(out) + "\n"


# -- JSON -------------------------------------------------------------------------------------


def render_json(diff: ReviewDiff) -> str:
    return for_json(json.dumps(diff.to_json(), indent=2, ensure_ascii=False)) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
