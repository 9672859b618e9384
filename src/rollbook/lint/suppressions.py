"""Inline suppressions: ``# rollbook: ignore[RB201,RB202] until=2026-06-30 reason``.

A comment at the end of a line suppresses findings on that line; a comment on a line of its
own suppresses findings on the next line that is not blank or a comment, so several can be
stacked above one line. ``until=`` makes the suppression expire after that day. Comments that
have no reason, suppress nothing, have expired or cannot be read are findings themselves
(RB901-RB904). ``//`` comments work too, for feature keys found in code.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rollbook.codes import Code
from rollbook.diagnostics import Location
from rollbook.lint.registry import REGISTRY

MARKER = "rollbook:"
# The comment's head only; the codes run to the next "]", found with str.find. One regex
# with ``[^\]]*`` would, on a long line of unclosed heads, read the line again from each.
_HEAD = re.compile(r"(?:#|//)\s*rollbook:\s*ignore\[", re.IGNORECASE)
_UNTIL = re.compile(r"\buntil=(\S*)")


@dataclass
class Suppression:
    """One inline suppression comment and the line it covers."""

    location: Location  # where the comment is written
    target_line: int
    codes: dict[str, str]  # rule code -> how it was written
    reason: str
    until: dt.date | None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    used: set[str] = field(default_factory=set)

    def expired(self, today: dt.date) -> bool:
        return self.until is not None and today > self.until


def _code_for(word: str) -> str | None:
    upper = word.strip().upper()
    if upper in REGISTRY:
        return upper
    return next((r.code for r in REGISTRY.values() if r.name == word.strip().lower()), None)


def parse_suppressions(text: str, path: str) -> list[Suppression]:
    """Every suppression comment in ``text`` (the raw file), with its problems noted."""
    if MARKER not in text and MARKER.upper() not in text.upper():
        return []
    lines = text.splitlines()
    out: list[Suppression] = []
    for index, line in enumerate(lines):
        head = _HEAD.search(line)
        if head is None:
            continue
        close = line.find("]", head.end())
        if close < 0:
            continue
        codes, rest = line[head.end() : close], line[close + 1 :]
        start = head.start()
        own_line = not line[:start].strip()
        target = index + 1
        if own_line:
            target = _next_content_line(lines, index)
        item = Suppression(Location(path, index + 1, start + 1), target, {}, "", None)
        for word in (w for w in re.split(r"[,\s]+", codes) if w):
            code = _code_for(word)
            if code is None:
                item.problems.append(
                    (
                        Code.INVALID_SUPPRESSION,
                        f"`{word}` in a suppression is not a rule code or name",
                    )
                )
            else:
                item.codes[code] = word
        if not item.codes and not item.problems:
            item.problems.append((Code.INVALID_SUPPRESSION, "suppression names no rule code"))
        until = _UNTIL.search(rest)
        if until:
            rest = rest[: until.start()] + rest[until.end() :]
            try:
                item.until = dt.date.fromisoformat(until.group(1))
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", until.group(1)):
                    raise ValueError
            except ValueError:
                item.problems.append(
                    (
                        Code.INVALID_SUPPRESSION,
                        f"`until={until.group(1)}` is not a date written YYYY-MM-DD",
                    )
                )
        item.reason = rest.strip(" \t-:;,")
        out.append(item)
    return out


def _next_content_line(lines: list[str], index: int) -> int:
    """The 1-based number of the first line after ``index`` that holds something."""
    for later in range(index + 1, len(lines)):
        stripped = lines[later].strip()
        if stripped and not stripped.startswith(("#", "//")):
            return later + 1
    return index + 2
