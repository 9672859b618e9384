"""Pickles that can build only the classes they are told to: what rollbook's caches read.

A cache file sits in the project folder, where a pull request could plant one. ``pickle``
builds whatever class a file names, and calls it, so every cache reader goes through
:func:`loads`, which refuses any class outside an allowlist: a planted file can then build
rollbook's own result classes, plain containers, text and numbers, and nothing that runs
code. What it builds is still checked by the caller before it is used.

:class:`Pickler` writes rollbook's slotted dataclasses as calls of their constructors with
their fields: reading them back then builds each with one call, about twice as fast as the
default (an empty object and then ``__setstate__``, which looks the fields up every time).
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from collections.abc import Iterable


class Refused(Exception):
    """The data names a class it may not build, or is not a pickle at all."""


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, allowed: Allowed):
        super().__init__(io.BytesIO(data))
        self.allowed = allowed

    def find_class(self, module: str, name: str):
        found = self.allowed.resolved.get((module, name))
        if found is None:
            raise Refused(f"{module}.{name} may not be built from a cache")
        return found


class Allowed:
    """The classes a cache may build, each resolved once (by importing its module)."""

    def __init__(self, classes: Iterable[type]):
        self.resolved: dict[tuple[str, str], object] = {
            (cls.__module__, cls.__qualname__): cls for cls in classes
        }
        # Set and frozenset have their own opcodes from protocol 4 on; older pickles name them.
        self.resolved[("builtins", "set")] = set
        self.resolved[("builtins", "frozenset")] = frozenset


def loads(data: bytes, allowed: Allowed) -> object:
    """Unpickle ``data`` building only ``allowed`` classes; :class:`Refused` otherwise.

    Any other failure (truncated or garbled data) is a :class:`Refused` too: the caller
    treats the entry as missing.
    """
    try:
        return _Unpickler(data, allowed).load()
    except Refused:
        raise
    except Exception as exc:  # damage of any kind: never trusted
        raise Refused(str(exc)) from None


class Pickler(pickle.Pickler):
    """Writes the dataclasses in ``fields`` as constructor calls (see the module docstring)."""

    def __init__(self, file: io.BytesIO, fields: dict[type, tuple[str, ...]]):
        super().__init__(file, protocol=5)
        self.fields = fields

    def reducer_override(self, obj: object) -> object:
        names = self.fields.get(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple(getattr(obj, name) for name in names)


def constructor_fields(*classes: type) -> dict[type, tuple[str, ...]]:
    """The fields each dataclass's constructor takes, for :attr:`Pickler.fields`."""
    return {cls: tuple(f.name for f in dataclasses.fields(cls) if f.init) for cls in classes}


def dumps(value: object, fields: dict[type, tuple[str, ...]]) -> bytes:
    """``value`` pickled (protocol 5), the dataclasses in ``fields`` as constructor calls."""
    out = io.BytesIO()
    Pickler(out, fields).dump(value)
    return out.getvalue()
