"""Turn the model's validation errors into problems a feature owner can act on.

pydantic says ``string_pattern_mismatch at ('owner',)``; a person wants
``runbooks/x.yaml:4:8: RB006 owner must be a slug ...`` with a hint. This module does that
translation, with the location from the YAML document and "did you mean" suggestions taken from
the model itself, so that they cannot drift from the format.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable

from pydantic import BaseModel, ValidationError

from rollbook.codes import Code
from rollbook.diagnostics import Problem, format_path
from rollbook.load.characters import look_alikes
from rollbook.load.syntax_hints import quote_as_written
from rollbook.load.yaml_reader import YamlDocument
from rollbook.model import runbook as m

PathT = tuple[str | int, ...]

_PATTERN_MESSAGES = {
    m.SLUG_PATTERN: (
        "must be a slug: lower-case letters, digits and single hyphens",
        "for example `one-click-checkout`",
    ),
    m.DURATION_PATTERN: ("must be a duration", "a whole number and m, h, d or w: 30m, 2h, 7d"),
    m.NOT_BLANK: ("must not be blank", "write something here or remove the key"),
}

_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "list_type": "a list (lines starting with '- ')",
    "model_type": "a mapping (indented `key: value` lines)",
    "model_attributes_type": "a mapping (indented `key: value` lines)",
    "dict_type": "a mapping (indented `key: value` lines)",
    "literal_error": "one of the allowed words",
}


def describe(value: object) -> str:
    """How a value looks to the person who wrote it."""
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _data_path(data: object, loc: Iterable[str | int]) -> tuple[PathT, PathT]:
    """Split pydantic's ``loc`` into the part that exists in the document and the rest.

    The rest names union members (``('bool',)``, ``('str',)``) tried at that spot.
    """
    path: list[str | int] = []
    node = data
    parts = list(loc)
    for i, part in enumerate(parts):
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]  # type: ignore[index]
            path.append(part)
        else:
            return tuple(path), tuple(parts[i:])
    return tuple(path), ()


def _value_at(data: object, path: PathT) -> object:
    node = data
    for part in path:
        node = node[part]  # type: ignore[index]
    return node


def _unwrap(annotation: object) -> list[object]:
    """The types an annotation may hold, with Annotated, Optional and unions flattened."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[object] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def model_at(root: type[BaseModel], path: PathT) -> type[BaseModel] | None:
    """The model class that describes the mapping at ``path``, if any."""
    current: object = root
    for part in path:
        candidates = _unwrap(current)
        nxt = None
        for cand in candidates:
            if isinstance(part, int) and typing.get_origin(cand) is list:
                nxt = typing.get_args(cand)[0]
            elif (
                isinstance(part, str)
                and isinstance(cand, type)
                and issubclass(cand, BaseModel)
                and part in cand.model_fields
            ):
                nxt = cand.model_fields[part].annotation
                # Annotated metadata is kept apart from the annotation in pydantic fields.
            if nxt is not None:
                break
        if nxt is None:
            return None
        current = nxt
    for cand in _unwrap(current):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return cand
    return None


def _literal_choices(root: type[BaseModel], path: PathT) -> list[str]:
    parent = model_at(root, path[:-1]) if path else None
    if parent is None or not isinstance(path[-1], str):
        return []
    field = parent.model_fields.get(path[-1])
    if field is None:
        return []
    for cand in _unwrap(field.annotation):
        if typing.get_origin(cand) is typing.Literal:
            return [str(a) for a in typing.get_args(cand)]
    return []


def problems_from_validation(
    exc: ValidationError, doc: YamlDocument, root: type[BaseModel]
) -> list[Problem]:
    """One problem per wrong spot in the document, in document order."""
    grouped: dict[PathT, list[dict]] = {}
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        path, rest = _data_path(doc.data, err["loc"])
        etype = err["type"]
        if etype == "extra_forbidden":
            problems.append(_unknown_key(err, path, rest, doc, root))
        elif etype == "missing":
            field = rest[0] if rest else "?"
            model = model_at(root, path)
            desc = ""
            if model is not None and isinstance(field, str) and field in model.model_fields:
                desc = model.model_fields[field].description or ""
            problems.append(
                Problem(
                    code=Code.MISSING_FIELD,
                    message=f"missing required field `{field}`",
                    location=doc.locate(path),
                    field=format_path((*path, field)),
                    hint=f"add `{field}:` here: {desc}" if desc else f"add `{field}:` here",
                )
            )
        else:
            grouped.setdefault(path, []).append(err)
    for path, errs in grouped.items():
        problems.append(_value_problem(path, errs, doc, root))
    problems.sort(key=lambda p: (p.location.line, p.location.column, p.code))
    return problems


def _unknown_key(
    err: dict, path: PathT, rest: PathT, doc: YamlDocument, root: type[BaseModel]
) -> Problem:
    # The unknown key exists in the document, so the data path already ends with it.
    if rest:
        key = str(rest[0])
    else:
        key, path = str(path[-1]), path[:-1]
    model = model_at(root, path)
    allowed = list(model.model_fields) if model else []
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    split = _comma_split_hint(doc, path, key)
    disguised = look_alikes(key) if not key.isascii() else None
    if split:
        hint = split
    elif close and disguised is not None:
        hint = f"did you mean `{close[0]}`? {disguised.message}"
    elif close:
        hint = f"did you mean `{close[0]}`?"
    elif allowed:
        hint = "allowed here: " + ", ".join(allowed)
    else:
        hint = "remove it"
    return Problem(
        code=Code.UNKNOWN_KEY,
        message=f"unknown key `{key}`",
        location=doc.locate((*path, key), key=True),
        field=format_path((*path, key)),
        hint=hint,
    )


def _comma_split_hint(doc: YamlDocument, path: PathT, key: str) -> str:
    """For `{do: Switch off, then restart}`: the "key" is the rest of a value cut at a comma."""
    if path not in doc.flow or _value_at(doc.data, (*path, key)) is not None:
        return ""
    here = doc.note((*path, key), key=True)
    if here is None:
        return ""
    before = [
        n
        for n in doc.notes()
        if not n.key and n.path[:-1] == path and n.end <= here.start and not n.style
    ]
    if not before:
        return ""
    prev = max(before, key=lambda n: n.end)
    written = doc.text[prev.start : here.end]
    if "\n" in written:
        return ""
    return (
        f"in {{ }} a comma ends a value: if `{key}` belongs to `{prev.path[-1]}`, quote the "
        f"whole value: {prev.path[-1]}: {quote_as_written(written)}"
    )


def _written(doc: YamlDocument, path: PathT, value: object) -> str:
    """The value at ``path`` exactly as the file has it (``02079460001``, not 2079460001)."""
    source = doc.source(path)
    if source is None or "\n" in source:
        return value if isinstance(value, str) else str(value)
    return source


def _mapping_as_text(doc: YamlDocument, path: PathT, value: dict) -> str:
    """For `- Rate: above 2%` read as a mapping: the line quoted, as the person wrote it."""
    (key,) = value
    key_note = doc.note((*path, key), key=True)
    value_note = doc.note((*path, key))
    if key_note is None:
        return ""
    end = value_note.end if value_note is not None else key_note.end + 1
    written = doc.text[key_note.start : end]
    if "\n" in written:
        return ""
    line_start = doc.text.rfind("\n", 0, key_note.start) + 1
    prefix = doc.text[line_start : key_note.start].strip()
    if prefix.endswith(("[", "{", ",")):
        prefix = ""  # an item of a flow list: the quoted item is the fix
    return (
        f"a value that contains ': ' must be quoted: "
        f"{prefix + ' ' if prefix else ''}{quote_as_written(written)}"
    )


def _value_problem(
    path: PathT, errs: list[dict], doc: YamlDocument, root: type[BaseModel]
) -> Problem:
    where = format_path(path) or "the file"
    loc = doc.locate(path)
    value = _value_at(doc.data, path)
    first = errs[0]
    etype = first["type"]
    if etype == "value_error":
        error = first["ctx"]["error"] if first.get("ctx") else None
        msg = str(error) if error is not None else first["msg"]
        return Problem(
            code=Code.INVALID_VALUE,
            message=f"{where}: {msg}",
            location=loc,
            field=format_path(path),
            # Links and phone numbers say how to fix them (rollbook.model.links, .phones).
            hint=getattr(error, "hint", ""),
        )
    if etype == "literal_error":
        choices = _literal_choices(root, path)
        close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5)
        hint = f"did you mean `{close[0]}`?" if close else ""
        if value is None:
            hint = "fill in a value: the line has a key and nothing after it"
        return Problem(
            code=Code.INVALID_VALUE,
            message=f"{where} must be one of {', '.join(choices) or first['msg']}; "
            f"got {describe(value)}",
            location=loc,
            field=format_path(path),
            hint=hint,
        )
    if etype == "string_pattern_mismatch":
        pattern = first.get("ctx", {}).get("pattern", "")
        text, hint = _PATTERN_MESSAGES.get(pattern, (f"must match {pattern}", ""))
        return Problem(
            code=Code.INVALID_VALUE,
            message=f"{where} {text}; got {describe(value)}",
            location=loc,
            field=format_path(path),
            hint=hint,
        )
    if etype in ("string_too_short", "too_short"):
        what = "must not be empty" if etype == "string_too_short" else "needs at least one entry"
        return Problem(
            code=Code.INVALID_VALUE,
            message=f"{where} {what}",
            location=loc,
            field=format_path(path),
        )
    if etype in ("string_too_long", "too_long"):
        return Problem(
            code=Code.INVALID_VALUE,
            message=f"{where} is too long ({first['msg'].lower()})",
            location=loc,
            field=format_path(path),
            hint="keep runbook text short; link to longer documents",
        )
    if etype in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return Problem(
            code=Code.INVALID_VALUE,
            message=f"{where}: {first['msg'].lower()}",
            location=loc,
            field=format_path(path),
        )
    expected = []
    for err in errs:
        label = _EXPECTED.get(err["type"])
        if label and label not in expected:
            expected.append(label)
    if not expected:
        expected = [first["msg"].lower()]
    if "a whole number" in expected and "a number" in expected:
        expected.remove("a whole number")
    hint = ""
    got = describe(value)
    if value is None:
        hint = "fill in a value: the line has a key and nothing after it"
    elif isinstance(value, int | float) and "text" in expected:
        # Quote what the person wrote: `02079460001` is the number 2079460001 to YAML, and a
        # hint built from the number would drop the zero of a phone number.
        written = _written(doc, path, value)
        hint = f"put it in quotes: {quote_as_written(written)}"
        if written != str(value) and written.lower() != str(value).lower():
            kind = "a boolean" if isinstance(value, bool) else "a number"
            got += f" (YAML reads {written} as {kind})"
    elif isinstance(value, str) and "a list (lines starting with '- ')" in expected:
        hint = f"write it as a list item:\n        - {_written(doc, path, value)}"
    elif isinstance(value, dict) and len(value) == 1 and "text" in expected:
        hint = _mapping_as_text(doc, path, value)
    return Problem(
        code=Code.WRONG_TYPE,
        message=f"{where} should be {_either(expected)}; got {got}",
        location=loc,
        field=format_path(path),
        hint=hint,
    )


def _either(options: list[str]) -> str:
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]
