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
    """Turns string offsets into 1-based line and column; columns count characters.

    Lookups in increasing order (tokens in a file, sorted hits) only count the newlines
    between one lookup and the next, so a whole file costs one pass even when it is a single
    very long line; a lookup backwards starts again from the top.
    """

    def __init__(self, text: str):
        self._text = text
        self._index = 0
        self._line = 1
        self._line_start = 0

    def line_col(self, index: int) -> tuple[int, int]:
        """Line and column of the character at ``index``."""
        if index < self._index:
            self._index, self._line, self._line_start = 0, 1, 0
        newlines = self._text.count("\n", self._index, index)
        if newlines:
            self._line += newlines
            self._line_start = self._text.rfind("\n", self._index, index) + 1
        self._index = index
        return self._line, index - self._line_start + 1


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
# and any other run of literal characters (numbers, true, false, null). ``search`` skips the
# whitespace between tokens.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)

# Flag files only need positions near the top (flags.<key>, flags[i].key, features[i].name);
# containers deeper than this are skipped by the C JSON scanner in one call instead of being
# tokenized in Python, which keeps large exports fast. Their start is still recorded.
POSITION_DEPTH = 3


def read_json_text(text: str, name: str, depth: int = POSITION_DEPTH) -> JsonDocument:
    """Parse ``text`` (file ``name``) as JSON; raise SourceError if it is not valid JSON.

    Positions are kept for keys and values whose path has at most ``depth`` parts; a deeper
    part is located at its nearest recorded ancestor.
    """
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
    _record_positions(text, doc, depth)
    return doc


def _record_positions(text: str, doc: JsonDocument, depth: int) -> None:
    """One pass over already-valid JSON ``text``, filling ``doc.keys`` and ``doc.values``."""
    where = TextPositions(text)
    skip_value = json.JSONDecoder().scan_once  # parses one value at an index, returns its end
    # Each frame is [path, is_object, expecting_key, current key or index].
    stack: list[list] = []
    pos = 0
    while (match := _JSON_TOKEN.search(text, pos)) is not None:
        pos = match.end()
        start = match.start()
        first = text[start]
        top = stack[-1] if stack else None
        if top is not None and top[1] and top[2] and first == '"':
            token = match.group()
            name = json.loads(token) if "\\" in token else token[1:-1]
            top[3] = name
            top[2] = False
            doc.keys[(*top[0], name)] = where.line_col(start)
        elif first in "}]":
            stack.pop()
        elif first == ",":
            assert top is not None
            if top[1]:
                top[2] = True
            else:
                top[3] += 1
        elif first != ":":
            path: DocPath = () if top is None else (*top[0], top[3])
            doc.values[path] = where.line_col(start)
            if first in "{[":
                if len(path) >= depth:
                    pos = skip_value(text, start)[1]
                else:
                    is_object = first == "{"
                    stack.append([path, is_object, is_object, None if is_object else 0])


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


def required_member(
    doc: PositionedDocument, key: str, kind: type, expected: str, hint: str
) -> object:
    """The top-level member ``key`` of ``doc`` if it is a ``kind``; else a SourceError.

    ``expected`` describes the file's shape for the message: "expected {expected}; found ...".
    """
    data = doc.data
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, kind):
        return value
    if not isinstance(data, dict):
        found = kind_name(data)
    elif value is None:
        found = f"no '{key}'"
    else:
        found = f"'{key}' as {kind_name(value)}"
    where = (key,) if isinstance(data, dict) and value is not None else ()
    raise SourceError(f"expected {expected}; found {found}", doc.locate(where), hint)
