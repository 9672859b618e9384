"""Feature sources: which features exist and are deployable, found without reading runbooks.

Each source kind has its own module, listed in :data:`rollbook.sources.kinds.SOURCE_KINDS`;
:func:`collect_features` reads every configured source and returns each feature
with the file, line and column where its key is written, so a finding such as "feature has
no runbook" can point at the flag definition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook.sources.discovery import find_files
from rollbook.sources.feature import Feature, SourceError
from rollbook.sources.kinds import SOURCE_KINDS, SourceKind
from rollbook.sources.reach import reach_note
from rollbook.sources.spec import SourceSpec, parse_source_spec
from rollbook.walk import FolderWalk

if TYPE_CHECKING:
    from rollbook.sources.cache import FeatureCache

__all__ = [
    "SOURCE_KINDS",
    "Feature",
    "ReadLater",
    "SourceError",
    "SourceKind",
    "SourceSpec",
    "collect_features",
    "find_source_files",
    "parse_source_spec",
]


def collect_features(
    specs: list[SourceSpec],
    root: Path,
    *,
    walk: FolderWalk | None = None,
    cache: FeatureCache | None = None,
) -> list[Feature]:
    """Every feature the ``specs`` find under ``root``, in spec, file and position order.

    Paths in locations are POSIX and relative to ``root``. The same key may appear several
    times (defined in one file, used in many); callers that want one entry per key dedupe.
    Raises SourceError for the first source that cannot be read. ``walk`` says whether links
    outside ``root`` are followed and collects notes on what was skipped. ``cache``: each
    file's features as an earlier run read them, when the file's bytes are the same
    (:mod:`rollbook.sources.cache`).
    """
    walk = walk if walk is not None else FolderWalk(root)
    features: list[Feature] = []
    for spec, files in source_files(specs, root, walk):
        if cache is None:
            features.extend(SOURCE_KINDS[spec.kind].read_files(spec, files))
        else:
            for file, name in files:
                features.extend(cache.features(spec, file, name))
    return features


@dataclass
class ReadLater:
    """Every source's files, found already (the walks made, their notes taken), to be read
    by :meth:`load` while other work goes on: `rollbook lint` reads them while its workers
    check the runbooks."""

    files: list[tuple[SourceSpec, list[tuple[Path, str]]]] = field(default_factory=list)

    def load(self) -> list[Feature]:
        """What :func:`collect_features` gives (SourceError for a file that cannot be read)."""
        features: list[Feature] = []
        for spec, files in self.files:
            features.extend(SOURCE_KINDS[spec.kind].read_files(spec, files))
        return features


def find_source_files(specs: list[SourceSpec], root: Path, walk: FolderWalk) -> ReadLater:
    """The files of every source, found now, read later (:meth:`ReadLater.load`).

    Errors are those :func:`collect_features` raises, in its order: when a source's files
    cannot be found, the sources before it are read first, so that an error reading one of
    them is the one raised.
    """
    later = ReadLater()
    try:
        for spec, files in source_files(specs, root, walk):
            later.files.append((spec, files))
    except SourceError:
        later.load()
        raise
    return later


def source_files(
    specs: list[SourceSpec], root: Path, walk: FolderWalk
) -> Iterator[tuple[SourceSpec, list[tuple[Path, str]]]]:
    """Each spec with the files it reads (path, name shown); a note for one that reads none
    it should (see :mod:`rollbook.sources.reach`)."""
    for spec in specs:
        kind = SOURCE_KINDS[spec.kind]
        files = find_files(
            root,
            spec.globs,
            respect_gitignore=kind.RESPECTS_GITIGNORE,
            where=spec.where or f"{spec.kind} source",
            walk=walk,
        )
        note = reach_note(spec, files)
        if note is not None:
            walk.note(note)
        yield spec, files
