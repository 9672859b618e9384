"""Every kind of feature source, in one dict: a new kind is one module and one entry here.

As pre-commit's ``all_languages.py`` lists its language modules, :data:`SOURCE_KINDS` maps
each ``kind = "..."`` of the configuration to the module that reads it; every module
satisfies :class:`SourceKind`. Configuration checks, error messages and the reading of
sources all take the kinds from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rollbook.sources import code, flagd, openfeature, unleash
from rollbook.sources import feature_list as plain_list
from rollbook.sources.feature import Feature

if TYPE_CHECKING:
    from rollbook.sources.spec import SourceSpec


class SourceKind(Protocol):
    """What a feature-source module provides (its module-level names)."""

    DEFAULT_PATHS: tuple[str, ...]
    """Globs read when a source gives no ``paths``; empty when its files have no usual name
    (then ``paths`` are required)."""
    EXAMPLE_PATH: str
    """A path to suggest when ``paths`` are required."""
    OPTIONS: tuple[str, ...]
    """Keys of a source table this kind accepts beyond ``kind`` and ``paths``."""
    RESPECTS_GITIGNORE: bool
    """Whether files ignored by git are skipped (for kinds whose globs match whole trees)."""

    def read_files(self, spec: SourceSpec, files: Iterable[tuple[Path, str]]) -> Iterator[Feature]:
        """The features of ``files`` (path, name shown), in order; SourceError if unreadable."""
        ...


SOURCE_KINDS: dict[str, SourceKind] = {
    "flagd": flagd,
    "openfeature": openfeature,
    "unleash": unleash,
    "list": plain_list,
    "code": code,
}
