"""Feature sources: which features exist and are deployable, found without reading runbooks.

Each source kind has its own module (``flagd``, ``openfeature``, ``unleash``, ``feature_list``,
``code``); :func:`collect_features` reads every configured source and returns each feature
with the file, line and column where its key is written, so a finding such as "feature has
no runbook" can point at the flag definition.
"""

from __future__ import annotations

from pathlib import Path

from rollbook.sources import code, flagd, openfeature, unleash
from rollbook.sources import feature_list as plain_list
from rollbook.sources.discovery import find_files
from rollbook.sources.feature import Feature, SourceError
from rollbook.sources.spec import KINDS, SourceSpec, parse_source_spec
from rollbook.walk import FolderWalk

__all__ = [
    "KINDS",
    "Feature",
    "SourceError",
    "SourceSpec",
    "collect_features",
    "parse_source_spec",
]

_READERS = {
    "flagd": flagd.read,
    "openfeature": openfeature.read,
    "unleash": unleash.read,
    "list": plain_list.read,
}


def collect_features(
    specs: list[SourceSpec], root: Path, *, walk: FolderWalk | None = None
) -> list[Feature]:
    """Every feature the ``specs`` find under ``root``, in spec, file and position order.

    Paths in locations are POSIX and relative to ``root``. The same key may appear several
    times (defined in one file, used in many); callers that want one entry per key dedupe.
    Raises SourceError for the first source that cannot be read. ``walk`` says whether links
    outside ``root`` are followed and collects notes on what was skipped.
    """
    walk = walk if walk is not None else FolderWalk(root)
    features: list[Feature] = []
    for spec in specs:
        is_code = spec.kind == "code"
        files = find_files(
            root,
            spec.globs,
            respect_gitignore=is_code,
            where=spec.where or f"{spec.kind} source",
            walk=walk,
        )
        if is_code:
            builtin = code.sdk_patterns(spec.languages)
            for file, name in files:
                suffix = file.suffix.lower()
                try:
                    found = code.scan(file, name, builtin.get(suffix, ()), spec.patterns)
                except code.PatternTimeout as exc:
                    raise _timeout_error(spec, exc) from None
                features.extend(found)
        else:
            read = _READERS[spec.kind]
            for file, name in files:
                features.extend(read(file, name))
    return features


def _timeout_error(spec: SourceSpec, exc: code.PatternTimeout) -> SourceError:
    index = spec.patterns.index(exc.pattern)
    return SourceError(
        f"patterns[{index}] {exc.pattern.pattern!r} did not finish on {exc.file} within "
        f"{code.PATTERN_TIMEOUT:g} seconds: it backtracks too much on that file's text",
        spec.where or "code source",
        "rewrite the pattern so that no two parts can match the same text: nested or "
        "overlapping alternatives under a repetition, such as (a|aa)+ or (\\w|\\w\\w)+, take "
        "exponential time; or narrow the source's paths so that this file is not scanned",
    )
