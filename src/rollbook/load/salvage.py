"""What a runbook file with errors would have been listed under, read from whatever still reads.

A runbook that could not be loaded has no page, and the pages that would have listed it (its
team's, its tags', the home page) say that it is missing and why. For that the site needs
its owner and tags, guessed here: from the YAML if it parses (a schema error), else from its
top-level ``key: value`` lines (a syntax error). An id, owner or tag that is not a slug is
dropped rather than guessed at: it would name a page nobody can find.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from rollbook.load.runbooks import Loaded
from rollbook.load.yaml_reader import MAX_BYTES, YamlDocument, YamlError, read_yaml_file
from rollbook.model.runbook import RESERVED_PAGE_NAMES, SLUG_PATTERN

_SLUG = re.compile(SLUG_PATTERN)
_TOP_KEY = re.compile(r"(id|title|owner|tags):[ \t]*(.*?)[ \t]*\Z")
_ITEM = re.compile(r"[ \t]*-[ \t]+(.*?)[ \t]*\Z")
TITLE_LIMIT = 120


@dataclass(frozen=True)
class Listing:
    """Where a runbook belongs on the site: its id, title, owning team and tags ("" if unknown)."""

    id: str = ""
    title: str = ""
    owner: str = ""
    tags: tuple[str, ...] = ()


def listing(item: Loaded) -> Listing:
    """The runbook's listing: from its model when it has one, else guessed from its file."""
    listed = item.listed
    if listed is not None:
        return Listing(listed.id, listed.title, listed.owner, tuple(dict.fromkeys(listed.tags)))
    data = _data(item.path, item.display)
    if data is None:
        data = _top_level_lines(_text(item.path))
    tags = data.get("tags")
    return Listing(
        id=_slug(data.get("id")),
        title=_title(data.get("title")),
        owner=_slug(data.get("owner")),
        tags=tuple(dict.fromkeys(t for t in map(_slug, tags) if t))
        if isinstance(tags, list)
        else (),
    )


def _data(path: Path, display: str) -> dict | None:
    try:
        doc: YamlDocument | None = read_yaml_file(path, display)
    except YamlError as exc:
        doc = exc.document
    except (OSError, ValueError, RecursionError):
        return None
    return doc.data if doc is not None and isinstance(doc.data, dict) else None


def _text(path: Path) -> str:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES)
    except OSError:
        return ""
    return raw.decode("utf-8", errors="replace").lstrip("\ufeff")


def _top_level_lines(text: str) -> dict[str, object]:
    """``id``, ``title``, ``owner`` and ``tags`` from lines such as ``owner: payments``."""
    found: dict[str, object] = {}
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = _TOP_KEY.match(line)
        if match is None or match.group(1) in found:
            continue
        key, value = match.group(1), _unquote(_uncomment(match.group(2)))
        if key != "tags":
            found[key] = value
        elif value.startswith("[") and value.endswith("]"):
            found[key] = [_unquote(v.strip()) for v in value[1:-1].split(",")]
        elif not value:
            items = []
            for following in lines[number + 1 :]:
                item = _ITEM.match(following)
                if item is None:
                    break
                items.append(_unquote(_uncomment(item.group(1))))
            found[key] = items
    return found


def _uncomment(value: str) -> str:
    return re.sub(r"(^|[ \t])#.*\Z", "", value).strip()


def _unquote(value: str) -> str:
    if len(value) < 2 or value[0] != value[-1] or value[0] not in "'\"":
        return value
    if value[0] == "'":
        return value[1:-1].replace("''", "'")
    try:  # YAML's double-quoted escapes are, for what a title holds, JSON's
        text = json.loads(value)
    except ValueError:
        return value[1:-1]
    return text if isinstance(text, str) else value[1:-1]


def _slug(value: object) -> str:
    # Only what a valid runbook could hold: a reserved name (a tag `index`) would give the
    # missing runbook a listing page in place of a generated one.
    if not isinstance(value, str) or len(value) > 64 or value in RESERVED_PAGE_NAMES:
        return ""
    return value if _SLUG.match(value) else ""


def _title(value: object) -> str:
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1].rstrip() + "…"
