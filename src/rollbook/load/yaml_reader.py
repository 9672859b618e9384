"""Read one YAML document safely, keeping the line and column of every key and value.

PyYAML's own loaders are wrong for hand-written runbooks in three ways: they keep the last of
two duplicate keys silently, they follow YAML 1.1 (``no``, ``off`` and ``on`` become booleans,
``2026-01-10`` becomes a date, ``1:30`` becomes 90), and their recursive composer crashes the
interpreter on deeply nested flow collections. This reader builds plain Python values from
libyaml's event stream instead: iteratively, with limits on size, depth and alias expansion,
with YAML 1.2 scalars, and with a map from each value's path to where it stood.

It also refuses hidden characters (RB011, see ``characters``) wherever they are written, and
notes the scalars that a closer check needs (those that end on a line with ``#`` after a
space, and double-quoted ones in a file with escapes), so that a plain file pays for a few
substring searches only. Syntax errors are explained by ``syntax_hints``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:  # libyaml is several times faster; fall back to the pure-Python parser when absent.
    from yaml.cyaml import CParser as _Parser

    WITH_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

    WITH_LIBYAML = False

from rollbook.codes import Code
from rollbook.diagnostics import Location, Problem, format_path
from rollbook.load.characters import (
    char_harm,
    char_kind,
    char_name,
    refused_in,
    refused_in_file,
)
from rollbook.load.syntax_hints import SYNTAX_HINTS, quote_hint, syntax_diagnosis

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 100_000

Path_ = tuple[str | int, ...]


_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_BASE = re.compile(r"0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}
_NAN = {".nan", ".NaN", ".NAN"}

_TAG_PREFIX = "tag:yaml.org,2002:"


def resolve_plain(text: str) -> object:
    """Type a plain (unquoted) scalar the YAML 1.2 core-schema way; dates stay text.

    ``yes``, ``no``, ``on`` and ``off`` stay text too: YAML 1.1 made them booleans everywhere,
    breaking answers such as ``country: no``. The model reads them as booleans in
    true/false fields only.
    """
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    first = text[0]
    if first.isdigit() or first in "+-.":
        if _INT.match(text):
            return int(text)
        if _INT_BASE.match(text):
            return int(text, 0)
        if _FLOAT.match(text) and any(c.isdigit() for c in text):
            return float(text)
        if text in _INF:
            return math.inf
        if text in {"-.inf", "-.Inf", "-.INF"}:
            return -math.inf
        if text in _NAN:
            return math.nan
    return text


@dataclass(slots=True)
class ScalarNote:
    """Where one scalar was written and how: kept only for files that need a closer look."""

    path: Path_
    key: bool
    """True for a mapping key, False for a value."""
    style: str
    """``""`` plain, ``'"'`` or ``"'"`` quoted, ``"|"`` literal, ``">"`` folded."""
    start: int
    """Index of its first character in the text (characters, not bytes)."""
    end: int
    """Index just past its last character."""
    line: int
    column: int
    value: str
    """The scalar as YAML read it (escapes decoded, lines folded), before typing."""


@dataclass
class YamlDocument:
    """A parsed document: its value and where each part of it was written."""

    path: str
    data: object
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    text: str = ""
    """The source text, for checks that read comments (suppressions, placeholders)."""
    flow: list[Path_] = field(default_factory=list)
    """Paths of the collections written in flow style (``[a, b]``, ``{a: b}``)."""
    scalar_notes: list[ScalarNote] | None = None
    """Every scalar with its span, once :meth:`notes` has read them."""
    suspects: list[ScalarNote] = field(default_factory=list)
    """The scalars the reader noted while reading: plain ones that end on a line with a
    ``#`` after a space, and double-quoted ones in a file with escapes."""
    folded_dashes: list[tuple[int, int]] = field(default_factory=list)
    """Spans of plain scalars that run over several lines and hold `` - ``: a list item
    written under a key that already has a value is folded into that value."""
    unused_anchors: list[tuple[str, int, int]] = field(default_factory=list)
    """``(name, line, column)`` of each anchor on a scalar that no alias uses: in
    ``title: &New one-click`` YAML takes ``&New`` for an anchor and drops it from the text."""
    strings: list[tuple[Path_, str]] | None = None
    """Every text value (not key) with its path, in document order, when the reader
    collected them on its way (the fast path does); None when it did not. Lint's rules that
    look at every text read this instead of walking :attr:`data` again."""

    def notes(self) -> list[ScalarNote]:
        """Every scalar with its span and style, reading the text again if they were not kept.

        Reading them costs a second parse, so only hints and checks that have found something
        to report call this, for the exact source of a value.
        """
        if self.scalar_notes is None:
            builder = _parse(self.text, self.path, watch=_Watch(everything=True))
            self.scalar_notes = builder.notes if builder is not None else []
        return self.scalar_notes

    def note(self, path: Path_, *, key: bool = False) -> ScalarNote | None:
        """The scalar written at ``path`` (its key with ``key=True``), if it is a scalar."""
        path = tuple(path)
        for item in self.notes():
            if item.path == path and item.key == key:
                return item
        return None

    def source(self, path: Path_) -> str | None:
        """The exact text of the scalar at ``path`` as written in the file (quotes included).

        Hints that suggest quoting or rewriting a value use this, not the parsed value:
        ``02079460001`` parses to the number 2079460001, but the person wrote the zero.
        """
        item = self.note(path)
        if item is None:
            return None
        return self.text[item.start : item.end]

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        """Where ``path`` was written; the nearest written ancestor when it was not."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while True:
            spot = table.get(probe) or (self.values.get(probe) if key else None)
            if spot:
                return Location(self.path, spot[0], spot[1])
            if not probe:
                return Location(self.path, 1, 1)
            probe = probe[:-1]


class YamlError(Exception):
    """The file cannot be read as one YAML document; ``problems`` say why and where.

    ``document`` is set when the file parsed but broke a rule that leaves it readable
    (duplicate keys), so that the caller can go on and report everything else too.
    """

    def __init__(self, problems: list[Problem], document: YamlDocument | None = None):
        super().__init__(problems[0].message if problems else "unreadable YAML")
        self.problems = problems
        self.document = document


def _problem(code: str, message: str, loc: Location, hint: str = "", fld: str = "") -> Problem:
    return Problem(code=code, message=message, location=loc, hint=hint, field=fld)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return line, index - start + 1


def _syntax_problem(path: str, exc: yaml.MarkedYAMLError, text: str = "") -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = exc.problem or "invalid YAML"
    if exc.context:
        message = f"{message} ({exc.context}"
        if exc.context_mark and mark is not exc.context_mark:
            message += f" at line {exc.context_mark.line + 1}"
        message += ")"
    if "maximum nesting depth" in message:  # libyaml's own limit, far above ours
        return _problem(
            Code.UNREADABLE_FILE,
            f"nested more than {MAX_DEPTH} levels deep",
            Location(path, line, col),
            "runbooks need only a few levels of nesting",
        )
    context_line = exc.context_mark.line + 1 if exc.context_mark else line
    found = syntax_diagnosis(text, message, line, col, context_line) if text else None
    if found is not None:
        better, hint, *at = found
        where = Location(path, *at[0]) if at else Location(path, line, col)
        return _problem(Code.YAML_SYNTAX, f"YAML syntax error: {better}", where, hint)
    hint = next((h for needle, h in SYNTAX_HINTS if needle in message), "")
    return _problem(
        Code.YAML_SYNTAX, f"YAML syntax error: {message}", Location(path, line, col), hint
    )


def read_yaml_file(path: Path, display: str | None = None) -> YamlDocument:
    """Read ``path`` as one YAML document, or raise :class:`YamlError`."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlError(
                [
                    _problem(
                        Code.UNREADABLE_FILE,
                        f"file is {size / 1048576:.1f} MiB; runbook files are limited to 1 MiB",
                        Location(name),
                        "split the runbook, or move long text (such as logs) to a linked page",
                    )
                ]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlError(
            [_problem(Code.UNREADABLE_FILE, f"cannot read file: {exc.strerror}", Location(name))]
        ) from None
    return read_yaml_bytes(raw, name)


def read_yaml_bytes(raw: bytes, name: str) -> YamlDocument:
    """Parse ``raw`` (the bytes of file ``name``) as one YAML document."""
    if len(raw) > MAX_BYTES:
        raise YamlError(
            [
                _problem(
                    Code.UNREADABLE_FILE,
                    f"file is {len(raw) / 1048576:.1f} MiB; runbook files are limited to 1 MiB",
                    Location(name),
                    "split the runbook, or move long text to a linked page",
                )
            ]
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        head = raw[:nul].decode("utf-8", "replace")
        line, col = _line_col(head, len(head))
        raise YamlError(
            [
                _problem(
                    Code.UNREADABLE_FILE,
                    "binary file: a NUL byte where text was expected",
                    Location(name, line, col),
                    "runbooks are UTF-8 text files; is this the right file?",
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = raw[: exc.start].decode("utf-8", "replace")
        line, col = _line_col(head, len(head))
        raise YamlError(
            [
                _problem(
                    Code.UNREADABLE_FILE,
                    f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
                    Location(name, line, col),
                    "save the file as UTF-8",
                )
            ]
        ) from None
    return read_yaml_text(text, name)


_ESCAPES = re.compile(r"\\[0abefvrxuUNLP]")
"""Escapes that produce characters the text does not show (a literal prefix: sre searches it
fast)."""


@dataclass(frozen=True)
class _Watch:
    """Which scalars the reader notes: those ending on ``hash_lines`` (0-based), the
    double-quoted ones when ``escapes``, or all of them."""

    hash_lines: frozenset[int] = frozenset()
    escapes: bool = False
    everything: bool = False


def _watch_for(text: str) -> _Watch | None:
    """What may hide in ``text``: a ``#`` after a space (a comment that may cut a value), or an
    escape that can produce a character the text does not show. Single-character searches run
    at memchr speed (``" #" in text`` is several times slower): a file with neither pays for a
    few of them."""
    escapes = "\\" in text and _ESCAPES.search(text) is not None
    lines: set[int] = set()
    at = text.find("#")
    line, counted = 0, 0
    while at >= 0:
        if at and text[at - 1] in " \t":
            line += text.count("\n", counted, at)
            counted = at
            lines.add(line)
        at = text.find("#", at + 1)
    if not lines and not escapes:
        return None
    return _Watch(frozenset(lines), escapes)


def read_yaml_text(text: str, name: str) -> YamlDocument:
    """Parse ``text`` as one YAML document (see the module docstring for the rules)."""
    plain_ascii = text.isascii()
    watch = _watch_for(text)
    builder = _parse(text, name, watch=watch, raise_errors=True)
    assert builder is not None
    if builder.fatal:
        raise YamlError([quote_hint(p, text) for p in builder.problems])
    if builder.documents == 0 or builder.root is None:
        raise YamlError(
            [
                _problem(
                    Code.UNREADABLE_FILE,
                    "file is empty",
                    Location(name, 1, 1),
                    "write a runbook here (see `rollbook new`), or delete the file",
                )
            ]
        )
    doc = YamlDocument(name, builder.root, builder.values, builder.keys, text, builder.flow)
    doc.unused_anchors = [a for a in builder.scalar_anchors if a[0] not in builder.aliased]
    doc.folded_dashes = builder.folded_dashes
    doc.strings = builder.strings
    problems = builder.problems
    doc.suspects = builder.notes
    if (watch is not None and watch.escapes) or not plain_ascii:
        problems = problems + hidden_character_problems(doc, scan_text=not plain_ascii)
    if problems:
        problems.sort(key=lambda p: (p.location.line, p.location.column))
        raise YamlError(problems, doc)
    return doc


def _parse(
    text: str, name: str, *, watch: _Watch | None, raise_errors: bool = False
) -> _Builder | None:
    """Feed libyaml's events for ``text`` to a builder; syntax errors raise or give None.

    Most files take the fast path (:func:`_compose`); the events are walked here for the
    rest, and for every file that does not parse, so that what is reported stays the same.
    """
    if _FAST_PATH and not (watch is not None and watch.everything):
        fast = _compose(text, name, watch)
        if fast is not None:
            return fast
    builder = _WatchingBuilder(name, watch) if watch is not None else _Builder(name)
    parser = _Parser(text)
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            builder.feed(event)
    except _StopSignal:
        pass
    except yaml.MarkedYAMLError as exc:
        if not raise_errors:
            return None
        problems = [_syntax_problem(name, exc, text)]
        if not text.isascii():
            # A hidden character may be the cause (U+2028 is a line break to YAML): name it.
            hidden = hidden_character_problems(YamlDocument(name, None, text=text))
            at = {h.location for h in hidden}
            problems = hidden + [p for p in problems if p.location not in at]
            problems.sort(key=lambda p: (p.location.line, p.location.column))
        raise YamlError(problems) from None
    except yaml.YAMLError as exc:  # reader errors: control characters written as they are
        if not raise_errors:
            return None
        raise YamlError([_reader_problem(name, exc, text)]) from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose:
            dispose()
    return builder


def _reader_problem(name: str, exc: yaml.YAMLError, text: str) -> Problem:
    position = getattr(exc, "position", None)
    character = getattr(exc, "character", None)
    if isinstance(position, int) and isinstance(character, int) and 0 <= position <= len(text):
        ch = chr(character)
        line, col = _line_col(text, position)
        return _problem(
            Code.HIDDEN_CHARACTER,
            f"{char_kind(ch)} {char_name(ch)}",
            Location(name, line, col),
            f"{char_harm(ch)}; delete it",
        )
    return _problem(Code.YAML_SYNTAX, f"YAML error: {exc}", Location(name, 1, 1))


def hidden_character_problems(doc: YamlDocument, *, scan_text: bool = True) -> list[Problem]:
    """RB011 for every invisible, direction or control character, wherever it is written.

    Characters written as they are are found in the text (comments included, since a comment
    can mislead a reviewer as well); characters written as escapes (``"\\u202e"``) are found
    in the decoded values of the scalars, at the escape.
    """
    written = refused_in_file(doc.text) if scan_text else []
    # The scalars' spans say in which field a character stands: read only when needed.
    notes = doc.notes() if written and doc.data is not None else []
    starts = [n.start for n in notes]
    out: list[Problem] = []
    seen: set[int] = set()
    for index in written:
        seen.add(index)
        out.append(_hidden(doc, index, doc.text[index], _note_at(notes, starts, index)))
    for item in doc.suspects:
        if item.style != '"' or "\\" not in doc.text[item.start : item.end]:
            continue
        for index in refused_in(item.value):
            ch = item.value[index]
            source = doc.text[item.start : item.end]
            at = _escape_of(source, ch)
            spot = item.start + (at if at >= 0 else 0)
            if spot not in seen:
                seen.add(spot)
                out.append(_hidden(doc, spot, ch, item, escaped=True))
    return out


def _note_at(notes: list[ScalarNote], starts: list[int], index: int) -> ScalarNote | None:
    import bisect

    i = bisect.bisect_right(starts, index) - 1
    if i >= 0 and notes[i].start <= index < notes[i].end:
        return notes[i]
    return None


_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0abefvrtnN_LP])")
_SHORT_ESCAPES = {
    "0": "\x00", "a": "\x07", "b": "\x08", "e": "\x1b", "f": "\x0c", "v": "\x0b",
    "r": "\r", "t": "\t", "n": "\n", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip


def _escape_of(source: str, ch: str) -> int:
    """Where in a double-quoted scalar's source the escape that produced ``ch`` is."""
    for m in _ESCAPE.finditer(source):
        body = m.group(1)
        decoded = _SHORT_ESCAPES.get(body) if len(body) == 1 else chr(int(body[1:], 16))
        if decoded == ch:
            return m.start()
    return -1


def _hidden(
    doc: YamlDocument, index: int, ch: str, item: ScalarNote | None, *, escaped: bool = False
) -> Problem:
    line, col = _line_col(doc.text, index)
    if item is None:
        where = " in a comment" if _in_comment(doc.text, index) else ""
        fld = ""
    else:
        fld = format_path(item.path)
        where = f" in the key `{item.value}`" if item.key else ""
    written = " (written as an escape)" if escaped else ""
    return _problem(
        Code.HIDDEN_CHARACTER,
        f"{char_kind(ch)} {char_name(ch)}{written}{where}",
        Location(doc.path, line, col),
        f"{char_harm(ch)}; delete it (an editor that shows invisible characters shows where)",
        fld=fld,
    )


def _in_comment(text: str, index: int) -> bool:
    start = text.rfind("\n", 0, index) + 1
    return "#" in text[start:index]


class _Frame:
    __slots__ = ("container", "count", "key", "key_mark", "path", "seen")

    def __init__(self, container: dict | list, path: Path_):
        self.container = container
        self.path = path
        self.key: str | None = None
        self.key_mark: tuple[int, int] | None = None
        self.seen: dict[str, tuple[int, int]] = {}
        self.count = 1


class _Builder:
    """Turns parser events into values, recording positions and problems as it goes."""

    def __init__(self, name: str):
        self.name = name
        self.stack: list[_Frame] = []
        self.root: object = None
        self.documents = 0
        self.values: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, tuple[int, int]] = {}
        self.anchors: dict[str, tuple[object, int]] = {}
        self.total = 0
        self.problems: list[Problem] = []
        self.fatal = False
        self.anchor_stack: list[str | None] = []
        self.flow: list[Path_] = []
        self.notes: list[ScalarNote] = []
        self.aliased: set[str] = set()
        self.folded_dashes: list[tuple[int, int]] = []
        self.scalar_anchors: list[tuple[str, int, int]] = []
        self.strings: list[tuple[Path_, str]] | None = None  # collected by the fast path only

    def _stop(self, problem: Problem) -> None:
        self.problems = [problem]
        self.fatal = True
        raise _StopSignal

    def _loc(self, mark) -> Location:
        return Location(self.name, mark.line + 1, mark.column + 1)

    def feed(self, event) -> None:
        # Scalars are most of the events: the common case (no tag, no anchor) goes first.
        if event.__class__ is yaml.ScalarEvent and event.tag is None and not event.anchor:
            self.total += 1
            if self.total > MAX_VALUES:
                self._too_many(event)
            text = event.value
            if event.style:
                self._add(text, event, 1)
                return
            if " - " in text and event.start_mark.line != event.end_mark.line:
                # `when: Errors above 2%` then `  - p99 above 3s` below it: YAML folds the
                # would-be list item into the text. Rare; noted for silent_yaml.
                self.folded_dashes.append((event.start_mark.index, event.end_mark.index))
            self._add(resolve_plain(text), event, 1)
            return
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self._stop(
                    _problem(
                        Code.UNREADABLE_FILE,
                        "more than one YAML document in this file",
                        self._loc(event.start_mark),
                        "put each runbook in its own file and remove the '---' separator",
                    )
                )
            return
        if isinstance(event, yaml.StreamStartEvent | yaml.DocumentEndEvent):
            return
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                self._stop(
                    _problem(
                        Code.YAML_SYNTAX,
                        f"YAML syntax error: unknown alias *{event.anchor}",
                        self._loc(event.start_mark),
                    )
                )
            self.aliased.add(event.anchor)
            value, count = self.anchors[event.anchor]
            self._count(count, event)
            self._add(value, event, count)
            return
        if isinstance(event, yaml.ScalarEvent):
            self._count(1, event)
            value = self._scalar(event)
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
                mark = event.start_mark
                self.scalar_anchors.append((event.anchor, mark.line + 1, mark.column + 1))
            self._add(value, event, 1)
            return
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self._count(1, event)
            if len(self.stack) >= MAX_DEPTH:
                self._stop(
                    _problem(
                        Code.UNREADABLE_FILE,
                        f"nested more than {MAX_DEPTH} levels deep",
                        self._loc(event.start_mark),
                        "runbooks need only a few levels of nesting",
                    )
                )
            self._check_tag(event, "map" if isinstance(event, yaml.MappingStartEvent) else "seq")
            container: dict | list = {} if isinstance(event, yaml.MappingStartEvent) else []
            path = self._child_path(event)
            self.values[path] = (event.start_mark.line + 1, event.start_mark.column + 1)
            if event.flow_style:
                self.flow.append(path)
            frame = _Frame(container, path)
            self.stack.append(frame)
            self.anchor_stack.append(event.anchor)
            return
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = self.stack.pop()
            anchor = self.anchor_stack.pop()
            if anchor:
                self.anchors[anchor] = (frame.container, frame.count)
            self._add(frame.container, event, frame.count, placed=True)
            return

    def _count(self, n: int, event) -> None:
        self.total += n
        if self.total > MAX_VALUES:
            self._too_many(event)

    def _too_many(self, event) -> None:
        self._stop(
            _problem(
                Code.UNREADABLE_FILE,
                f"more than {MAX_VALUES:,} values once aliases are expanded (an alias bomb?)",
                self._loc(event.start_mark),
                "use fewer anchors and aliases (&name, *name)",
            )
        )

    def _check_tag(self, event, kind: str) -> None:
        tag = event.tag
        if (
            not tag
            or tag == "!"
            or tag == _TAG_PREFIX + kind
            or (
                kind == "scalar"
                and tag.startswith(_TAG_PREFIX)
                and tag[len(_TAG_PREFIX) :] in {"str", "int", "float", "bool", "null"}
            )
        ):
            return
        self._stop(
            _problem(
                Code.YAML_SYNTAX,
                f"YAML tag {tag} is not supported",
                self._loc(event.start_mark),
                "remove the tag; runbooks hold plain text, numbers and booleans",
            )
        )

    def _scalar(self, event) -> object:
        self._check_tag(event, "scalar")
        text = event.value
        tag = event.tag
        if tag and tag.startswith(_TAG_PREFIX) and tag != _TAG_PREFIX + "str":
            value = resolve_plain(text)
            kind = tag[len(_TAG_PREFIX) :]
            ok = {
                "int": isinstance(value, int) and not isinstance(value, bool),
                "float": isinstance(value, int | float) and not isinstance(value, bool),
                "bool": isinstance(value, bool),
                "null": value is None,
            }[kind]
            if not ok:
                self._stop(
                    _problem(
                        Code.YAML_SYNTAX,
                        f"{text!r} is not a valid !!{kind}",
                        self._loc(event.start_mark),
                    )
                )
            return float(value) if kind == "float" else value
        if not event.style and not tag:  # plain: None from PyYAML, "" from libyaml
            return resolve_plain(text)
        return text

    def _child_path(self, event) -> Path_:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container))
        if top.key is None:
            # A collection used as a mapping key.
            self._stop(
                _problem(
                    Code.YAML_SYNTAX,
                    "a key must be plain text, not a list or mapping",
                    self._loc(event.start_mark),
                )
            )
        return (*top.path, top.key)

    def _add(self, value, event, count: int, placed: bool = False) -> None:
        mark = (event.start_mark.line + 1, event.start_mark.column + 1)
        if not self.stack:
            self.root = value
            self.values.setdefault((), mark)
            return
        top = self.stack[-1]
        top.count += count
        if isinstance(top.container, list):
            if not placed:
                self.values[(*top.path, len(top.container))] = mark
            top.container.append(value)
            return
        if top.key is None:
            if (
                not isinstance(value, str)
                and value is not None
                and not isinstance(value, int | float | bool)
            ):
                self._stop(
                    _problem(
                        Code.YAML_SYNTAX,
                        "a key must be plain text, not a list or mapping",
                        self._loc(event.start_mark),
                    )
                )
            key = event.value if isinstance(event, yaml.ScalarEvent) else str(value)
            top.key = key
            top.key_mark = mark
            return
        key = top.key
        key_path = (*top.path, key)
        if key in top.seen:
            first = top.seen[key]
            assert top.key_mark is not None
            self.problems.append(
                _problem(
                    Code.DUPLICATE_KEY,
                    f"duplicate key '{key}' (first written at line {first[0]})",
                    Location(self.name, *top.key_mark),
                    "YAML keeps only the last one; merge the two or delete one",
                    fld=format_path(key_path),
                )
            )
        else:
            top.seen[key] = top.key_mark or mark
            top.container[key] = value
            self.keys[key_path] = top.key_mark or mark
            if not placed:
                self.values[key_path] = mark
        top.key = None
        top.key_mark = None


class _WatchingBuilder(_Builder):
    """A builder that also keeps a :class:`ScalarNote` for the scalars ``watch`` asks for."""

    def __init__(self, name: str, watch: _Watch):
        super().__init__(name)
        self.watch = watch

    def _add(self, value, event, count: int, placed: bool = False) -> None:
        if event.__class__ is yaml.ScalarEvent and self.stack and self._wanted(event):
            top = self.stack[-1]
            is_key = isinstance(top.container, dict) and top.key is None
            if isinstance(top.container, list):
                path: Path_ = (*top.path, len(top.container))
            else:
                path = (*top.path, event.value if is_key else top.key)
            start, end = event.start_mark, event.end_mark
            self.notes.append(
                ScalarNote(
                    path,
                    is_key,
                    event.style or "",
                    start.index,
                    end.index,
                    start.line + 1,
                    start.column + 1,
                    event.value,
                )
            )
        super()._add(value, event, count, placed)

    def _wanted(self, event) -> bool:
        watch = self.watch
        if watch.everything:
            return True
        if event.style == '"':
            return watch.escapes
        return not event.style and event.end_mark.line in watch.hash_lines


class _StopSignal(Exception):
    """Raised by the builder after recording a problem that ends the reading."""


# The fast path: libyaml's own composer (C) builds the node tree, and one tight walk over it
# builds the same values, positions and notes as the event walk above. It takes only what it
# can do exactly as the event walk does; anything else (a file that does not parse, anchors,
# aliases, tags, duplicate keys, a collection as a key, too deep, too many values, nothing
# in the file, more than one document) gives None and the event walk reads the file again,
# so that every message, hint and position stays the one the event walk gives.

_TOKEN_MARK = re.compile(r"(?:\A|[\s\[\]{},:\"'\ufeff])(?:[&*][\w-]|!)")
"""Where an anchor (``&a``), an alias (``*a``) or a tag (``!t``, ``!``) may begin: after a
space, a line break, a flow indicator or a quote, and for ``&`` and ``*`` with a name (libyaml
refuses an anchor or alias without one: that file fails on the fast path too). ``&`` or ``*``
in text (``Larder & Co``, ``rate(x[5m]) * 60``, ``?a=1&b=2``, ``"*"``) does not count; when in
doubt, the event walk reads the file."""


_FAST_PATH = WITH_LIBYAML
"""Whether :func:`_parse` tries the fast path (tests turn it off to compare the two)."""


class _Fallback(Exception):
    """The fast path met something only the event walk handles."""


if WITH_LIBYAML:

    class _Composer(_Parser):  # type: ignore[misc, valid-type]
        """libyaml's composer with a resolver that does nothing.

        The composer asks for each node's tag; rollbook types scalars itself (YAML 1.2,
        :func:`resolve_plain`) and the fast path takes no file with a tag, so the answer is
        never read. Builtins stand in for the three resolver methods, as Python functions
        would cost a call frame for every node: ``slice`` takes two or three objects of any
        kind and does nothing with them, ``tuple`` takes none.
        """

        descend_resolver = slice
        ascend_resolver = tuple
        resolve = slice


def _compose(text: str, name: str, watch: _Watch | None) -> _Builder | None:
    """Read ``text`` through libyaml's composer, or None for the event walk to read it."""
    if ("&" in text or "*" in text or "!" in text) and _TOKEN_MARK.search(text):
        return None
    parser = _Composer(text)
    try:
        node = parser.get_single_node()
        if node is None:
            return None
        builder = _Builder(name)
        builder.documents = 1
        _NodeWalk(builder, watch).root(node)
    except (yaml.YAMLError, _Fallback, RecursionError):
        return None
    finally:
        parser.dispose()
    return builder


_WORDS: dict[str, object] = {
    **dict.fromkeys(_NULLS),
    **dict.fromkeys(_TRUE, True),
    **dict.fromkeys(_FALSE, False),
}
"""The plain scalars that are not text and need no regular expression to tell."""
_NUMBER_START = frozenset("0123456789+-.")
"""How a plain scalar that :func:`resolve_plain` may read as a number starts (``isdigit`` is
true of other digits too, but the patterns that follow take ASCII digits only)."""
_TEXT = object()


class _NodeWalk:
    """Builds values, positions and notes from a node tree as :class:`_Builder` does from
    events, in the same order (a test compares the two on hostile files).

    Scalars are most of the nodes: they are typed in the loops over their parent's items,
    without a call for the common case (plain text that is not a word YAML reads).
    """

    __slots__ = ("builder", "count", "folded", "keys", "notes", "strings", "values", "watch")

    def __init__(self, builder: _Builder, watch: _Watch | None):
        self.builder = builder
        self.values = builder.values
        self.keys = builder.keys
        self.folded = builder.folded_dashes
        self.notes = builder.notes
        self.watch = watch
        self.count = 1
        self.strings: list[tuple[Path_, str]] = []

    def root(self, node) -> None:
        start = node.start_mark
        self.values[()] = (start.line + 1, start.column + 1)
        if node.__class__ is yaml.ScalarNode:
            value = self.scalar(node)
        else:
            value = self.collection(node, (), 0)
        if self.count > MAX_VALUES:
            raise _Fallback
        if value.__class__ is str:
            self.strings.append(((), value))
        self.builder.root = value
        self.builder.strings = self.strings

    def scalar(self, node) -> object:
        """A scalar's value, typed as :meth:`_Builder.feed` types it (the loops inline this)."""
        text = node.value
        if node.style:
            return text
        if " - " in text and node.start_mark.line != node.end_mark.line:
            self.folded.append((node.start_mark.index, node.end_mark.index))
        return resolve_plain(text)

    def note(self, node, path: Path_, key: bool) -> None:
        watch = self.watch
        assert watch is not None
        style = node.style
        end = node.end_mark
        if style == '"':
            if not watch.escapes:
                return
        elif style or end.line not in watch.hash_lines:
            return
        start = node.start_mark
        self.notes.append(
            ScalarNote(
                path, key, style, start.index, end.index, start.line + 1, start.column + 1,
                node.value,
            )
        )  # fmt: skip

    def collection(self, node, path: Path_, depth: int) -> dict | list:
        if depth >= MAX_DEPTH:
            raise _Fallback
        if node.flow_style:
            self.builder.flow.append(path)
        items = node.value
        self.count += len(items)
        values, keys, watch, strings = self.values, self.keys, self.watch, self.strings
        scalar_node, words, number_start, text_ = yaml.ScalarNode, _WORDS, _NUMBER_START, _TEXT
        depth += 1
        if node.__class__ is yaml.SequenceNode:
            out_list: list = []
            index = -1
            for item in items:
                index += 1
                start = item.start_mark
                values[(*path, index)] = (start.line + 1, start.column + 1)
                if item.__class__ is not scalar_node:
                    out_list.append(self.collection(item, (*path, index), depth))
                    continue
                if watch is not None:
                    self.note(item, (*path, index), False)
                text = item.value
                if item.style:
                    value = text
                elif " - " in text:
                    value = self.scalar(item)
                else:
                    value = words.get(text, text_)
                    if value is text_:
                        value = resolve_plain(text) if text[0] in number_start else text
                out_list.append(value)
                if value.__class__ is str:
                    strings.append(((*path, index), value))
            return out_list
        self.count += len(items)
        out: dict = {}
        for key_node, item in items:
            if key_node.__class__ is not scalar_node:
                raise _Fallback  # a collection as a key: the event walk says so
            key = key_node.value
            if key in out:
                raise _Fallback  # a duplicate key: the event walk reports it
            item_path = (*path, key)
            if watch is not None:
                self.note(key_node, item_path, True)
            if " - " in key and not key_node.style:
                self.scalar(key_node)  # notes a folded dash, as the event walk does
            start = key_node.start_mark
            key_mark = (start.line + 1, start.column + 1)
            start = item.start_mark
            if item.__class__ is not scalar_node:
                values[item_path] = (start.line + 1, start.column + 1)
                out[key] = self.collection(item, item_path, depth)
                keys[item_path] = key_mark
                continue
            if watch is not None:
                self.note(item, item_path, False)
            text = item.value
            if item.style:
                value = text
            elif " - " in text:
                value = self.scalar(item)
            else:
                value = words.get(text, text_)
                if value is text_:
                    value = resolve_plain(text) if text[0] in number_start else text
            out[key] = value
            if value.__class__ is str:
                strings.append((item_path, value))
            keys[item_path] = key_mark
            values[item_path] = (start.line + 1, start.column + 1)
        return out
