"""RB012: names that hide a look-alike character.

Flag keys, kill switches, signal names, ids, tags and chat handles are typed into consoles,
searched for and compared with other fields. A Cyrillic ``с`` in ``сheckout.one_click`` looks
like the Latin ``c`` on every page, but the flag console will not find it. Such names are
refused when the runbook is loaded, with the look-alike named (see
:func:`rollbook.load.characters.look_alikes` for the rule).
"""

from __future__ import annotations

from pydantic import BaseModel

from rollbook.diagnostics import Location, Problem, format_path
from rollbook.load.characters import latin_twin, look_alikes
from rollbook.load.field_roles import Role, role_at
from rollbook.load.yaml_reader import ScalarNote, YamlDocument, _line_col

CODE = "RB012"
_ROLES = {Role.NAME, Role.SLUG}


def problems(doc: YamlDocument, root: type[BaseModel]) -> list[Problem]:
    """RB012 for every name in ``doc`` with a look-alike character."""
    if doc.text.isascii():
        return []
    out = []
    for item in doc.notes():
        if item.key or item.value.isascii() or role_at(root, item.path) not in _ROLES:
            continue
        found = look_alikes(item.value)
        if found is None:
            continue
        line, col = _line_col(doc.text, _index_in_text(doc.text, item, found.index))
        twin = latin_twin(item.value)
        hint = "names are typed and compared letter by letter; retype it in one script"
        if twin is not None and twin != item.value:
            hint += f": `{twin}`"
        out.append(
            Problem(
                CODE,
                f"`{item.value}`: {found.message}",
                Location(doc.path, line, col),
                field=format_path(item.path),
                hint=hint,
            )
        )
    return out


def _index_in_text(text: str, item: ScalarNote, index: int) -> int:
    """Where character ``index`` of the scalar's value stands in the text."""
    source = text[item.start : item.end]
    if not item.style and source == item.value:
        return item.start + index
    if item.style in ("'", '"') and source[1:-1] == item.value:
        return item.start + 1 + index
    at = source.find(item.value[index])
    return item.start + (at if at >= 0 else 0)
