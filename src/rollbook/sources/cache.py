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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook import safe_pickle
from rollbook.diagnostics import Location
from rollbook.sources.feature import Feature, Variant
from rollbook.sources.kinds import SOURCE_KINDS

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

    def features(self, spec: SourceSpec, file: Path, name: str) -> Iterator[Feature]:
        """The features of ``file`` (shown as ``name``): from the cache when its bytes are
        known, else read by the source's kind (and kept)."""
        kind = SOURCE_KINDS[spec.kind]
        try:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError:
            # The kind reports it as it always does.
            yield from kind.read_files(spec, [(file, name)])
            return
        key = (spec_key(spec), name, digest)
        blob = self.blobs.get(key)
        if blob is not None:
            found = _decode(blob)
            if found is not None:
                self.hits += 1
                self.fresh[key] = blob
                yield from found
                return
        found = list(kind.read_files(spec, [(file, name)]))
        self.read += 1
        try:
            same = hashlib.sha256(file.read_bytes()).hexdigest() == digest
        except OSError:
            same = False
        if same:  # kept only if the file did not change while it was read
            self.fresh[key] = safe_pickle.dumps(found, _FIELDS)
        yield from found


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
