"""Read a flag file (JSON or YAML) into plain values plus where each key and value stood.

JSON has no positions in the standard library, and a search for ``"key"`` in the text can hit
the same string inside a value or a deeper object. So the text is read twice, both times in
linear time: ``json.loads`` gives the values and, for broken files, the exact error position;
then one tokenizer pass walks the same text keeping a stack of containers, which gives each
object key and each value its path (``("flags", "adFailure")``) and its line and column.
YAML files go through rollbook's own YAML reader, which already keeps positions.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rollbook.diagnostics import Location
from rollbook.load.yaml_reader import YamlError, read_yaml_text
from rollbook.sources.feature import SourceError

DocPath = tuple[str | int, ...]

YAML_SUFFIXES = (".yaml", ".yml")


class PositionedDocument(Protocol):
    """A parsed file whose parts can be located: :class:`JsonDocument` or a YamlDocument."""

    path: str
    data: object

    def locate(self, path: DocPath, *, key: bool = False) -> Location: ...


class TextPositions:
    """Turns string offsets into 1-based line and column, in O(log lines) per lookup."""

    def __init__(self, text: str):
        # Offsets where each line starts; built once so each lookup is a bisect, which keeps
        # scanning a file with many hits linear rather than quadratic.
        self._starts = [0]
        self._starts.extend(m.end() for m in _NEWLINE.finditer(text))

    def line_col(self, index: int) -> tuple[int, int]:
        """Line and column of the character at ``index``; columns count characters."""
        line = bisect_right(self._starts, index)
        return line, index - self._starts[line - 1] + 1


_NEWLINE = re.compile(r"\n")


@dataclass
class JsonDocument:
    """A parsed JSON file: its value and where each object key and each value starts."""

    path: str
    data: object
    values: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[DocPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: DocPath, *, key: bool = False) -> Location:
        """Where ``path`` was written (its key when ``key``); else its nearest ancestor."""
        probe = tuple(path)
        while True:
            spot = (self.keys.get(probe) if key else None) or self.values.get(probe)
            if spot:
                return Location(self.path, spot[0], spot[1])
            if not probe:
                return Location(self.path, 1, 1)
            probe = probe[:-1]


# Strings (unrolled so the engine does not backtrack per character), structural characters,
# and any other run of literal characters (numbers, true, false, null).
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def read_json_text(text: str, name: str) -> JsonDocument:
    """Parse ``text`` (file ``name``) as JSON, recording positions; raise SourceError if invalid."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"invalid JSON: {exc.msg}",
            Location(name, exc.lineno, exc.colno),
            "fix the JSON syntax at this position (a missing comma or quote, or a trailing "
            "comma, is the usual cause)",
        ) from None
    doc = JsonDocument(name, data)
    _record_positions(text, doc)
    return doc


def _record_positions(text: str, doc: JsonDocument) -> None:
    """One pass over already-valid JSON ``text``, filling ``doc.keys`` and ``doc.values``."""
    where = TextPositions(text)
    # Each frame is [path, is_object, expecting_key, current key or index].
    stack: list[list] = []

    def child_path() -> DocPath:
        if not stack:
            return ()
        top = stack[-1]
        return (*top[0], top[3])

    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"' and stack and stack[-1][1] and stack[-1][2]:
            top = stack[-1]
            name = json.loads(token) if "\\" in token else token[1:-1]
            top[3] = name
            top[2] = False
            doc.keys[(*top[0], name)] = where.line_col(match.start())
        elif first in "{[":
            path = child_path()
            doc.values[path] = where.line_col(match.start())
            is_object = first == "{"
            stack.append([path, is_object, is_object, None if is_object else 0])
        elif first in "}]":
            stack.pop()
        elif first == ",":
            top = stack[-1]
            if top[1]:
                top[2] = True
            else:
                top[3] += 1
        elif first != ":":
            doc.values[child_path()] = where.line_col(match.start())


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 text of a file (a BOM is dropped), or a SourceError pointing at the bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = raw[: exc.start].decode("utf-8", "replace")
        line, col = TextPositions(head).line_col(len(head))
        raise SourceError(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded",
            Location(name, line, col),
            "save the file as UTF-8, or remove it from this source's paths",
        ) from None


def read_file_text(file: Path, name: str) -> str:
    """The text of ``file``, or a SourceError saying why it cannot be read."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise SourceError(
            f"cannot read file: {exc.strerror or exc}",
            Location(name),
            "check that the path in the source configuration names a readable file",
        ) from None
    return decode_text(raw, name)


def read_document(file: Path, name: str) -> PositionedDocument:
    """Read ``file`` as YAML (``.yaml``/``.yml``) or else JSON, keeping positions."""
    text = read_file_text(file, name)
    if file.suffix.lower() in YAML_SUFFIXES:
        try:
            return read_yaml_text(text, name)
        except YamlError as exc:
            first = exc.problems[0]
            raise SourceError(first.message, first.location, first.hint) from None
    return read_json_text(text, name)


def kind_name(value: object) -> str:
    """How a value's type is called in JSON and YAML, for "expected X, found Y" messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
