"""RB012: names that hide a look-alike character.

Flag keys, kill switches, signal names, ids, tags and chat handles are typed into consoles,
searched for and compared with other fields. A Cyrillic ``с`` in ``сheckout.one_click`` looks
like the Latin ``c`` on every page, but the flag console will not find it. Such names are
refused when the runbook is loaded, with the look-alike named (see
:func:`rollbook.load.characters.look_alikes` for the rule).
"""

from __future__ import annotations

from pydantic import BaseModel

from rollbook.codes import Code
from rollbook.diagnostics import Location, Problem, format_path
from rollbook.load.characters import latin_twin, look_alikes, non_ascii_lines
from rollbook.load.field_roles import Role, role_at
from rollbook.load.yaml_reader import YamlDocument

CODE = Code.LOOK_ALIKE_NAME
_ROLES = {Role.NAME, Role.SLUG}


def problems(doc: YamlDocument, root: type[BaseModel]) -> list[Problem]:
    """RB012 for every name in ``doc`` with a look-alike character.

    Only values that start on a line with a non-ASCII character are looked at, so an ASCII
    file costs one test of its text.
    """
    if doc.text.isascii():
        return []
    lines = non_ascii_lines(doc.text)
    rows: list[str] | None = None
    out = []
    for path, (line, column) in doc.values.items():
        if line not in lines:
            continue
        value = _value_at(doc.data, path)
        if not isinstance(value, str) or value.isascii() or role_at(root, path) not in _ROLES:
            continue
        found = look_alikes(value)
        if found is None:
            continue
        if rows is None:
            rows = doc.text.split("\n")
        at = rows[line - 1].find(value[found.index], column - 1)
        twin = latin_twin(value)
        hint = "names are typed and compared letter by letter; retype it in one script"
        if twin is not None and twin != value:
            hint += f": `{twin}`"
        out.append(
            Problem(
                CODE,
                f"`{value}`: {found.message}",
                Location(doc.path, line, at + 1 if at >= 0 else column),
                field=format_path(path),
                hint=hint,
            )
        )
    return out


def _value_at(data: object, path: tuple) -> object:
    node = data
    for part in path:
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return node
