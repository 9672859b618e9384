"""What a spot in a document holds, according to the model: free text, a name, a command.

The loader's closer checks depend on it: a comment after free text may have cut it, a comment
after a risk level cannot; a look-alike letter matters in a flag key, not in a summary. The
answer comes from the model's types (``Text``, ``Name``, ``Command``, ``Slug``), so that a new
field gets the right checks by its type alone.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from functools import lru_cache

from pydantic import BaseModel

from rollbook.model.runbook import NOT_BLANK, SLUG_PATTERN, FieldRole

Path_ = tuple[str | int, ...]


class Role(Enum):
    TEXT = "text"
    """Free text: words a person reads."""
    NAME = "name"
    """A name people type or compare (flag key, signal name, chat handle)."""
    SLUG = "slug"
    """An id: lower-case letters, digits and hyphens."""
    COMMAND = "command"
    """Text copied and run as it is."""
    TEXT_LIST = "text-list"
    """A list of free-text items (``rollback.when``)."""
    NAME_LIST = "name-list"
    """A list of names or ids (``gate``, ``tags``)."""


def flatten(tp: object, meta: tuple = ()) -> list[tuple[object, tuple]]:
    """The types ``tp`` may hold, each with the Annotated metadata gathered on the way."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *more = typing.get_args(tp)
        return flatten(base, meta + tuple(more))
    if origin in (typing.Union, types.UnionType):
        out: list[tuple[object, tuple]] = []
        for arg in typing.get_args(tp):
            out.extend(flatten(arg, meta))
        return out
    return [(tp, meta)]


def _role_of(meta: tuple) -> Role | None:
    for item in meta:
        if isinstance(item, FieldRole):
            return Role.NAME if item.role == "name" else Role.COMMAND
    for item in meta:
        pattern = getattr(item, "pattern", None)
        if pattern == SLUG_PATTERN:
            return Role.SLUG
        if pattern == NOT_BLANK:
            return Role.TEXT
    return None


def _key(path: Path_) -> Path_:
    # Every list item has the same type: cache by shape, not by index.
    return tuple(0 if isinstance(p, int) else p for p in path)


def role_at(root: type[BaseModel], path: Path_) -> Role | None:
    """The role of the value at ``path`` in a document described by ``root``."""
    return _role_at(root, _key(tuple(path)))


@lru_cache(maxsize=4096)
def _role_at(root: type[BaseModel], path: Path_) -> Role | None:
    candidates: list[tuple[object, tuple]] = [(root, ())]
    for part in path:
        nxt: list[tuple[object, tuple]] = []
        for tp, _meta in candidates:
            if isinstance(part, int) and typing.get_origin(tp) is list:
                nxt.extend(flatten(typing.get_args(tp)[0]))
            elif (
                isinstance(part, str)
                and isinstance(tp, type)
                and issubclass(tp, BaseModel)
                and part in tp.model_fields
            ):
                info = tp.model_fields[part]
                nxt.extend(flatten(info.annotation, tuple(info.metadata)))
        if not nxt:
            return None
        candidates = nxt
    for tp, meta in candidates:
        if typing.get_origin(tp) is list:
            items = [_role_of(m) for _t, m in flatten(typing.get_args(tp)[0])]
            if Role.TEXT in items:
                return Role.TEXT_LIST
            if Role.NAME in items or Role.SLUG in items:
                return Role.NAME_LIST
            continue
        if tp is str:
            role = _role_of(meta)
            if role is not None:
                return role
    return None
