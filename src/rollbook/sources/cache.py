"""Each feature source file's features, kept by the file's content between runs.

Parsing flag files is most of what a warm `rollbook lint` would do again for nothing: tens of
thousands of flags, each located to its line and column. What one file gives depends on its
bytes, its name (the locations carry it), the source's kind and, for code, its languages and
patterns: that is the entry's key. rollbook's own version is the key of the whole store
(``rollbook.lint.cache`` keeps it beside the lint cache and says where, and when it is used).

Entries are pickles that :mod:`rollbook.safe_pickle` reads: they can build features,
variants and locations and nothing else, and an entry that does not read back as a list of
features is a miss (the file is read again). A file that cannot be read, or whose source
raises an error, is never cached: the error is raised as without the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook import safe_pickle
from rollbook.diagnostics import Location
from rollbook.sources import source_files
from rollbook.sources.feature import Feature, Variant
from rollbook.sources.kinds import SOURCE_KINDS
from rollbook.walk import FolderWalk

if TYPE_CHECKING:
    from rollbook.sources.spec import SourceSpec

# YAML flag files may give dates as values (YAML 1.1 timestamps).
_ALLOWED = safe_pickle.Allowed([Feature, Variant, Location, date, datetime])
_FIELDS = safe_pickle.constructor_fields(Location)

EntryKey = tuple[str, str, str]
"""(the source's kind and options, the file's name, the digest of its bytes)."""


def spec_key(spec: SourceSpec) -> str:
    """What of a source, besides a file's bytes and name, decides that file's features."""
    patterns = [(p.pattern, int(p.flags)) for p in spec.patterns]
    return repr((spec.kind, spec.languages, patterns))


@dataclass
class FeatureCache:
    """Entries read from an earlier run; ``fresh`` collects what this run's store should hold."""

    blobs: dict[EntryKey, bytes] = field(default_factory=dict, repr=False)
    fresh: dict[EntryKey, bytes] = field(default_factory=dict, repr=False)
    hits: int = 0
    read: int = 0
    digest: Callable[[Path, str], str | None] | None = field(default=None, repr=False)
    """The digest of a file's bytes, given the file and a name for it (None: unreadable);
    the lint cache gives its own, which hashes again only a file whose size, time or inode
    changed (:meth:`rollbook.lint.cache.LintCache.digest`). None: every file is hashed."""

    def features(self, spec: SourceSpec, file: Path, name: str) -> list[Feature]:
        """The features of ``file`` (shown as ``name``): from the cache when its bytes are
        known, else read by the source's kind (and kept)."""
        return self.plan(spec, file, name).load()

    def plan(self, spec: SourceSpec, file: Path, name: str) -> SourceFile:
        """``file`` read by the source's kind now, or found in the cache (decoded later)."""
        kind = SOURCE_KINDS[spec.kind]
        digest = _digest(file) if self.digest is None else self.digest(file, f"source:{name}")
        if digest is None:
            # The kind reports it as it always does.
            return SourceFile(name, None, found=list(kind.read_files(spec, [(file, name)])))
        key = (spec_key(spec), name, digest)
        blob = self.blobs.get(key)
        if blob is not None:
            self.hits += 1
            self.fresh[key] = blob
            return SourceFile(name, key, blob=blob, reader=(spec, file))
        found = list(kind.read_files(spec, [(file, name)]))
        self.read += 1
        same = _digest(file) == digest
        # Kept only if the file did not change while it was read, and if its features are
        # located in it (what a planned file tells without being decoded).
        if same and all(f.location.path == name for f in found):
            self.fresh[key] = safe_pickle.dumps(found, _FIELDS)
        return SourceFile(name, key, found=found)


@dataclass
class SourceFile:
    """One source file's features: read already (``found``), or a cache entry (``blob``)."""

    name: str
    key: EntryKey | None
    """None when the file could not be read (the kind said why, or found nothing)."""
    blob: bytes | None = None
    found: list[Feature] | None = None
    reader: tuple[SourceSpec, Path] | None = None

    def load(self) -> list[Feature]:
        if self.found is None:
            found = _decode(self.blob) if self.blob is not None else None
            if found is None:  # a damaged entry: read the file (as without the cache)
                assert self.reader is not None
                spec, file = self.reader
                found = list(SOURCE_KINDS[spec.kind].read_files(spec, [(file, self.name)]))
            self.found = found
        return self.found


@dataclass
class PlannedFeatures:
    """Every configured source's files, in order, their features decoded only when needed.

    A warm run whose runbooks' summaries did not change either needs only :attr:`key` (which
    files with which bytes) and :attr:`paths` (which files declare features).
    """

    files: list[SourceFile] = field(default_factory=list)

    @property
    def key(self) -> str | None:
        """What the features are made of; None when a file could not be read."""
        if any(part.key is None for part in self.files):
            return None
        return hashlib.sha256(repr([part.key for part in self.files]).encode()).hexdigest()

    @property
    def paths(self) -> set[str]:
        """Where the features are written (``feature.location.path``): a cached file's
        features are all written in it (only those are cached), so it need not be decoded."""
        found: set[str] = set()
        for part in self.files:
            if part.found is not None:
                found.update(feature.location.path for feature in part.found)
            elif part.blob != _EMPTY:
                found.add(part.name)
        return found

    def load(self) -> list[Feature]:
        return [feature for part in self.files for feature in part.load()]


def plan_features(
    specs: list[SourceSpec], root: Path, walk: FolderWalk, cache: FeatureCache
) -> PlannedFeatures:
    """What :func:`rollbook.sources.collect_features` gives, with each cached file's
    features left undecoded until :meth:`PlannedFeatures.load`. Files not in the cache are
    read now, so a source error is raised where it always is."""
    planned = PlannedFeatures()
    for spec, files in source_files(specs, root, walk):
        planned.files.extend(cache.plan(spec, file, name) for file, name in files)
    return planned


def _digest(file: Path) -> str | None:
    try:
        return hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError:
        return None


def _decode(blob: bytes) -> list[Feature] | None:
    try:
        found = safe_pickle.loads(blob, _ALLOWED)
    except safe_pickle.Refused:
        return None
    if not isinstance(found, list):
        return None
    for item in found:
        if not (
            isinstance(item, Feature)
            and isinstance(item.key, str)
            and isinstance(item.location, Location)
            and isinstance(item.source, str)
        ):
            return None
    return found


_EMPTY = safe_pickle.dumps([], _FIELDS)
