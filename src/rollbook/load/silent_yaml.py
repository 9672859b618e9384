"""RB010: YAML that is valid but does not say what it looks like it says.

YAML drops or changes text without an error in a few ways that hand-written runbooks hit
often. Each is reported with the line, what YAML made of it, and the exact fix:

- `` #`` starts a comment, so ``- Post in #payments what happened.`` reads as ``Post in``, and
  ``chat: #payments-oncall`` reads as nothing at all. Chat channels start with ``#``.
- In a ``[...]`` list a comma separates items, so ``when: [error rate above 2%, for 5 minutes]``
  is two triggers, not one.
- A folded command (``command: >``, or a command continued on the next line without ``|``)
  has its lines joined with spaces: two commands become one line that runs neither.
- A ``- `` line under a key that already has a value is folded into that value.
- Text that starts with ``&`` is an anchor: ``verify: &Co refunds are paid`` reads
  ``refunds are paid`` (reported when no alias uses the anchor).

Only fields whose meaning can be lost are checked (the model's text, name and command fields):
``risk: high  # agreed with SRE`` is an ordinary comment.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel

from rollbook.codes import Code
from rollbook.diagnostics import Location, Problem, format_path
from rollbook.load.field_roles import Role, flatten, role_at
from rollbook.load.syntax_hints import quote_as_written
from rollbook.load.yaml_reader import ScalarNote, YamlDocument

CODE = Code.SILENT_YAML
_COMMENT_AFTER = re.compile(r"[ \t]+#")
_CUT_ROLES = {Role.TEXT, Role.TEXT_LIST, Role.COMMAND}
_NAME_ROLES = {Role.NAME, Role.NAME_LIST}
# Comments that are plainly comments: a suppression, a yamllint directive, and the FILL IN
# note `rollbook new` writes beside each value (lint's RB803 asks for it to go).
_DIRECTIVE = re.compile(r"[ \t]*(rollbook:|yamllint |FILL IN\b)", re.IGNORECASE)


def problems(doc: YamlDocument, root: type[BaseModel]) -> list[Problem]:
    """Every RB010 problem in ``doc``, a document described by ``root``."""
    out: list[Problem] = []
    # Comments after text: the reader noted the plain scalars that end on a line with " #".
    out.extend(_comment_cuts(doc, root, doc.suspects))
    out.extend(_comma_splits(doc, root))
    out.extend(_anchors_taken_from_text(doc, root))
    out.extend(_list_items_folded_into_text(doc, root))
    out.extend(_folded_commands(doc, root))
    return out


def _line_of(text: str, index: int) -> tuple[int, int, int]:
    """``(line number, start index, end index)`` of the line holding ``index``."""
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text.count("\n", 0, index) + 1, start, len(text) if end < 0 else end


def _comment_cuts(doc: YamlDocument, root: type[BaseModel], notes: list[ScalarNote]):
    text = doc.text
    for item in notes:
        if item.key or item.style:
            continue
        m = _COMMENT_AFTER.match(text, item.end)
        if m is None:
            continue
        hash_at = m.end() - 1
        if _DIRECTIVE.match(text, hash_at + 1):
            continue
        after = text[hash_at + 1 : hash_at + 2]
        role = role_at(root, item.path)
        looks_like_text = after not in ("", " ", "\t", "\n", "\r", "#")
        if item.value:
            if role not in _CUT_ROLES and not (role is Role.NAME and looks_like_text):
                continue
        elif not (looks_like_text and role is not None and role is not Role.NAME_LIST):
            continue
        yield _cut_problem(doc, item, hash_at)


def _cut_problem(doc: YamlDocument, item: ScalarNote, hash_at: int) -> Problem:
    text = doc.text
    line, line_start, line_end = _line_of(text, hash_at)
    where = format_path(item.path)
    rest = text[hash_at:line_end].rstrip()
    kept = f"reads only {item.value!r}" if item.value else "is empty"
    message = (
        f"` #` starts a comment in YAML, so {where} {kept}: `{rest}` is dropped"
        if len(rest) <= 60
        else f"` #` starts a comment in YAML, so {where} {kept}: the rest of the line is dropped"
    )
    start_line = text.count("\n", 0, item.start) + 1
    if start_line == line:
        value_start = item.start if item.value else hash_at
        prefix = text[line_start:value_start].strip()
        whole = text[value_start:line_end].rstrip()
        fix = f"{prefix} {quote_as_written(whole)}".strip()
        hint = (
            f"if the # is part of the text, quote the whole value: {fix}\n"
            "          if it is a comment, put it on a line of its own"
        )
    else:
        hint = (
            f"if the # is part of the text, put the whole value (from line {start_line}) in "
            "quotes, or write it as a `|` block; if it is a comment, put it on a line of its own"
        )
    column = hash_at - line_start + 1
    return Problem(CODE, message, Location(doc.path, line, column), field=where, hint=hint)


def _anchors_taken_from_text(doc: YamlDocument, root: type[BaseModel]):
    for name, line, column in doc.unused_anchors:
        item = next((n for n in doc.notes() if (n.line, n.column) == (line, column)), None)
        if item is None or item.key or role_at(root, item.path) not in _CUT_ROLES | {Role.NAME}:
            continue
        where = format_path(item.path)
        _, line_start, line_end = _line_of(doc.text, item.start)
        whole = doc.text[item.start : min(line_end, max(item.end, item.start))].rstrip()
        if "\n" in doc.text[item.start : item.end]:
            whole = ""
        prefix = doc.text[line_start : item.start].strip()
        fix = f"{prefix} {quote_as_written(whole)}".strip() if whole else ""
        yield Problem(
            CODE,
            f"`&{name}` is read as a YAML anchor, not text, so {where} reads {item.value!r}",
            Location(doc.path, line, column),
            field=where,
            hint=f"if it is text, quote the whole value: {fix}"
            if fix
            else "if it is text, put the whole value in quotes",
        )


def _list_items_folded_into_text(doc: YamlDocument, root: type[BaseModel]):
    text = doc.text
    for start, end in doc.folded_dashes:
        source = text[start:end]
        first_break = source.find("\n")
        dash = next(
            (
                first_break + 1 + i
                for i in _line_starts(source[first_break + 1 :])
                if source[first_break + 1 + i :].lstrip(" ").startswith("- ")
            ),
            -1,
        )
        if first_break < 0 or dash < 0:
            continue
        item = next((n for n in doc.notes() if n.start == start and not n.key), None)
        if item is None or role_at(root, item.path) not in _CUT_ROLES | _NAME_ROLES:
            continue
        at = start + dash + len(source[dash:]) - len(source[dash:].lstrip(" "))
        line, line_start, _ = _line_of(text, at)
        where = format_path(item.path)
        key = item.path[-1] if isinstance(item.path[-1], str) else "the key"
        yield Problem(
            CODE,
            f"line {line} starts with `- `, but YAML reads it as part of the text above: "
            f"{where} reads {item.value!r}",
            Location(doc.path, line, at - line_start + 1),
            field=where,
            hint=f"for a list, put `{key}:` alone on its line and each item on a `- ` line "
            "below it; if the dash belongs to the text, quote the whole value or use a `|` block",
        )


def _line_starts(text: str):
    """Offsets in ``text`` at which its lines start."""
    yield 0
    at = text.find("\n")
    while at >= 0:
        yield at + 1
        at = text.find("\n", at + 1)


def _comma_splits(doc: YamlDocument, root: type[BaseModel]):
    keys = _keys_with_role(root, Role.TEXT_LIST)
    for path in doc.flow:
        if not path or path[-1] not in keys or role_at(root, path) is not Role.TEXT_LIST:
            continue
        value = _value_at(doc.data, path)
        if not isinstance(value, list) or len(value) < 2:
            continue
        if not all(isinstance(v, str | int | float) for v in value):
            continue
        items = [doc.note((*path, i)) for i in range(len(value))]
        if any(n is None for n in items) or all(n.style for n in items if n is not None):
            continue  # every item quoted: the commas are plainly separators
        first, last = items[0], items[-1]
        assert first is not None and last is not None
        comma = doc.text.find(",", first.end)
        line, line_start, _ = _line_of(doc.text, comma)
        where = format_path(path)
        shown = " and ".join(f"{v!r}" for v in value) if len(value) <= 3 else f"{len(value)} items"
        whole = doc.text[first.start : last.end]
        single_line = "\n" not in whole
        key = path[-1] if isinstance(path[-1], str) else ""
        one = f"{key}: [{quote_as_written(whole)}]" if single_line and key else ""
        each = ", ".join(
            doc.text[n.start : n.end] if n.style else quote_as_written(n.value)
            for n in items
            if n is not None
        )
        hint = f"if it is one sentence, quote it: {one}\n          " if one else ""
        hint += (
            f"if they are separate, quote each item ({key}: [{each}]) or give each its own "
            "`- ` line"
        )
        yield Problem(
            CODE,
            f"in [ ] a comma separates items, so {where} reads as {len(value)} items: {shown}",
            Location(doc.path, line, comma - line_start + 1),
            field=where,
            hint=hint,
        )


def _value_at(data: object, path: tuple) -> object:
    node = data
    for part in path:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            return None
        node = node[part]  # type: ignore[index]
    return node


def _command_keys(root: type[BaseModel]) -> frozenset[str]:
    return _keys_with_role(root, Role.COMMAND)


@lru_cache(maxsize=16)
def _keys_with_role(root: type[BaseModel], role: Role) -> frozenset[str]:
    """Names of the fields with ``role`` anywhere in ``root``'s tree of models: a cheap first
    test on a path's last part, before :func:`role_at` looks at the whole path."""
    found: set[str] = set()
    seen: set[type] = set()
    todo: list[object] = [root]
    while todo:
        tp = todo.pop()
        if not (isinstance(tp, type) and issubclass(tp, BaseModel)) or tp in seen:
            continue
        seen.add(tp)
        for name, info in tp.model_fields.items():
            if role_at(tp, (name,)) is role:
                found.add(name)
            for sub, _meta in flatten(info.annotation):
                todo.append(sub)
                for arg in getattr(sub, "__args__", ()):
                    todo.extend(t for t, _m in flatten(arg))
    return frozenset(found)


def _folded_commands(doc: YamlDocument, root: type[BaseModel]):
    text = doc.text
    for key in _command_keys(root):
        needle = key + ":"
        at = text.find(needle)
        while at >= 0:
            if _maybe_folded(text, at, len(needle)):
                found = _folded_problem(doc, root, at + len(needle))
                if found is not None:
                    yield found
            at = text.find(needle, at + 1)


def _maybe_folded(text: str, at: int, size: int) -> bool:
    """Whether the ``key:`` at ``at`` is a key whose value is folded (``>``) or runs on to the
    next line. Plain text search, so that a file without such a command costs next to nothing:
    a value's continuation lines are indented deeper than its key."""
    line_start = text.rfind("\n", 0, at) + 1
    lead = text[line_start:at]
    if lead.strip(" -") or (lead and not lead.endswith(" ")):
        return False  # not a key at the start of its line (`do: see command: x`)
    line_end = text.find("\n", at)
    if line_end < 0:
        return False
    rest = text[at + size : line_end].strip()
    if rest.startswith(">"):
        return True
    if not rest or rest.startswith(("|", "#")):
        return False
    next_end = text.find("\n", line_end + 1)
    following = text[line_end + 1 : next_end if next_end >= 0 else len(text)]
    indent = len(following) - len(following.lstrip(" "))
    return bool(following.strip()) and indent > len(lead) and not following.lstrip().startswith("#")


def _folded_problem(doc: YamlDocument, root: type[BaseModel], after_key: int) -> Problem | None:
    text = doc.text
    item = next((n for n in doc.notes() if not n.key and n.start >= after_key), None)
    if item is None or item.style == "|":
        return None
    if text[after_key : item.start].strip() or role_at(root, item.path) is not Role.COMMAND:
        return None
    source = text[item.start : item.end]
    body = [s for s in source.split("\n")[1 if item.style == ">" else 0 :] if s.strip()]
    if len(body) < 2:
        return None
    path = item.path
    where = format_path(path)
    value = item.value if item.style != ">" else item.value.strip()
    shown = value.strip() if len(value) <= 80 else value.strip()[:77] + "..."
    kind = "folded (>)" if item.style == ">" else "continued on the next line"
    return Problem(
        CODE,
        f"{where} is {kind}: YAML joins its {len(body)} lines into one, so the page shows "
        f"and copies `{shown}`",
        Location(doc.path, item.line, item.column),
        field=where,
        hint=f"write `{path[-1]}: |` and the command below it, to keep each line as "
        "written (end a line with ` \\` inside it to continue one long command)",
    )
