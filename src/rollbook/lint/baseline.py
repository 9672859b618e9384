"""The baseline: today's findings recorded in a file, so that later runs report only new ones.

As detekt's and PHPStan's baselines, for adopting rollbook in a repository that already has
many features: `rollbook lint --write-baseline` records every finding of a full run, and
later runs hide the findings the file records. A finding is recorded by what it is, not
where: its rule, its file and its anchor (the feature key, the field path, or the message
with line and column numbers taken out), so lines moving above it do not make it new. Each
entry counts how many findings share those three; a run hides that many and reports the
rest. An entry that now matches fewer findings than it counts is stale (RB905): rewriting the
baseline drops it.

The file is JSON, one entry a line, sorted, so that a pull request shows exactly which
findings were fixed or accepted::

    {
      "version": 1,
      "findings": [
        {"code": "RB101", "path": "flags/shop.flagd.json", "anchor": "gift_cards",
         "count": 1, "message": "..."}
      ]
    }

``message`` is there for people reading the file; only code, path and anchor are matched.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rollbook.atomic import write_text_atomic
from rollbook.codes import Code
from rollbook.config import ConfigError
from rollbook.diagnostics import Location
from rollbook.lint.finding import Finding
from rollbook.sources.documents import read_json_text
from rollbook.sources.feature import SourceError

VERSION = 1
# Findings about the baseline and the exemptions themselves are never recorded in it.
NOT_RECORDED = frozenset({Code.STALE_BASELINE_ENTRY, Code.EXPIRED_EXEMPTION, Code.UNUSED_EXEMPTION})
_REWRITE = "rewrite it with `rollbook lint --write-baseline`, or delete it"

# Line and column numbers inside an anchor (a loader message such as "first written at line
# 3", an unused suppression's target line): they move when lines are added above.
_LINE_WORDS = re.compile(r"\b(lines?|col(?:umn)?s?)\s+\d+(?:\s*[-\u2013]\s*\d+)?", re.I)
_LINE_COLON = re.compile(r":\d+(?::\d+)?\b")

Key = tuple[str, str, str]


def normalise_anchor(anchor: str) -> str:
    """``anchor`` without the line and column numbers it may mention."""
    return _LINE_COLON.sub(":#", _LINE_WORDS.sub(lambda m: f"{m.group(1)} #", anchor))


def key_of(finding: Finding) -> Key:
    """What the baseline matches a finding by: rule, file and normalised anchor."""
    return (finding.code, finding.path, normalise_anchor(finding.anchor or finding.message))


@dataclass(frozen=True)
class Entry:
    """One line of the baseline: how many findings with this key were recorded, and where."""

    code: str
    path: str
    anchor: str
    count: int
    message: str
    location: Location

    @property
    def key(self) -> Key:
        return (self.code, self.path, self.anchor)


def render_baseline(findings: Iterable[Finding]) -> str:
    """The baseline file recording ``findings`` (one entry per key, with its count)."""
    counts: Counter[Key] = Counter()
    messages: dict[Key, str] = {}
    for item in findings:
        if item.code in NOT_RECORDED:
            continue
        key = key_of(item)
        counts[key] += 1
        messages.setdefault(key, item.message)
    lines = []
    for key in sorted(counts):
        code, path, anchor = key
        entry = {
            "code": code,
            "path": path,
            "anchor": anchor,
            "count": counts[key],
            "message": messages[key],
        }
        # ensure_ascii: invisible and direction characters stay visible as \u escapes.
        lines.append("    " + json.dumps(entry, ensure_ascii=True))
    body = ",\n".join(lines)
    tail = "\n" if body else ""
    return f'{{\n  "version": {VERSION},\n  "findings": [\n{body}{tail}  ]\n}}\n'


def write_baseline(path: Path, findings: list[Finding]) -> int:
    """Write the baseline of ``findings`` to ``path`` (atomically); the entries written."""
    text = render_baseline(findings)
    write_text_atomic(path, text)
    return text.count('"code":')


def read_baseline(path: Path, display: str) -> list[Entry]:
    """The entries of the baseline file at ``path``; ConfigError (exit 2) if it is malformed."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{display}: cannot read the baseline: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{display}: the baseline is not UTF-8 text; {_REWRITE}") from None
    try:
        doc = read_json_text(text, display)
    except SourceError as exc:
        raise ConfigError(
            f"{exc.where}: the baseline is not valid JSON: {exc.message}; {_REWRITE}"
        ) from None
    data = doc.data
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ConfigError(
            f"{display}: not a rollbook baseline of version {VERSION} "
            f'(expected {{"version": {VERSION}, "findings": [...]}}); {_REWRITE}'
        )
    items = data.get("findings")
    if not isinstance(items, list):
        raise ConfigError(f"{doc.locate(('findings',))}: `findings` must be a list; {_REWRITE}")
    entries = []
    for index, item in enumerate(items):
        where = doc.locate(("findings", index))
        if not (
            isinstance(item, dict)
            and all(isinstance(item.get(k), str) for k in ("code", "path", "anchor"))
            and isinstance(item.get("count"), int)
            and not isinstance(item.get("count"), bool)
            and item["count"] >= 1
        ):
            raise ConfigError(
                f"{where}: findings[{index}] needs `code`, `path` and `anchor` (text) and "
                f"`count` (a whole number from 1); {_REWRITE}"
            )
        message = item.get("message")
        entries.append(
            Entry(
                item["code"],
                item["path"],
                item["anchor"],
                item["count"],
                message if isinstance(message, str) else "",
                where,
            )
        )
    return entries


@dataclass
class Applied:
    """What a baseline did to a run: the findings kept, how many it hid, its stale entries."""

    findings: list[Finding]
    hidden: int
    stale: list[tuple[Entry, int]]  # (entry, findings it still matches)


def apply_baseline(
    findings: list[Finding],
    entries: list[Entry],
    *,
    judge_stale: bool,
    enabled: Callable[[str, str], bool],
) -> Applied:
    """Hide the findings ``entries`` record, up to each entry's count, in file order.

    ``judge_stale``: whether this run saw every finding (a full run), so that an entry
    matching fewer than its count is stale. ``enabled(code, path)`` says whether a rule ran
    on a file: an entry of a rule that did not run is not stale.
    """
    budget: dict[Key, int] = defaultdict(int)
    first: dict[Key, Entry] = {}
    for entry in entries:
        budget[entry.key] += entry.count
        first.setdefault(entry.key, entry)
    recorded = dict(budget)
    kept: list[Finding] = []
    hidden = 0
    for item in sorted(findings, key=Finding.sort_key):
        key = key_of(item)
        if item.code not in NOT_RECORDED and budget.get(key, 0) > 0:
            budget[key] -= 1
            hidden += 1
            continue
        kept.append(item)
    stale = []
    if judge_stale:
        for key, left in budget.items():
            if left > 0 and enabled(key[0], key[1]):
                stale.append((first[key], recorded[key] - left))
    return Applied(kept, hidden, stale)


def stale_message(entry: Entry, matched: int) -> str:
    """What RB905 says about one stale entry."""
    what = f"{entry.code} `{entry.anchor}` in {entry.path}"
    if matched == 0:
        return f"baseline entry for {what} matches no finding any more: it was fixed"
    return (
        f"baseline entry for {what} records {entry.count} findings, but {matched} remain: "
        f"{entry.count - matched} were fixed"
    )
