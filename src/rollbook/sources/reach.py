"""Sources that read nothing: said in a note, because a silent one is a hole in coverage.

A `code` source whose `paths` select only Ruby files, with no pattern of its own, finds no
flag and passes the gate; so does a flag-file source whose glob has a typo. Neither is an
error (a glob may match nothing today and a file tomorrow), but the person configuring it
must be told, with what to change.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rollbook.sources import code

if TYPE_CHECKING:
    from rollbook.sources.spec import SourceSpec

# Extensions named in a note, at most: a repository has hundreds of kinds of files.
SHOWN_SUFFIXES = 5


def reach_note(spec: SourceSpec, files: list[tuple[Path, str]]) -> str | None:
    """Why ``spec`` cannot declare any feature with ``files``, or None when it can."""
    where = spec.where or f"{spec.kind} source"
    globs = ", ".join(spec.globs)
    if not files:
        return f"{where}: paths {globs} select no file, so this source declares no feature"
    if spec.kind != code.SOURCE or spec.patterns:
        return None
    scanned = set(code.sdk_patterns(spec.languages))
    if any(file.suffix.lower() in scanned for file, _ in files):
        return None
    found = sorted({file.suffix.lower() or "(no extension)" for file, _ in files})
    more = f" and {len(found) - SHOWN_SUFFIXES} more" if len(found) > SHOWN_SUFFIXES else ""
    languages = ", ".join(spec.languages) or "none"
    return (
        f"{where}: paths {globs} select {len(files)} file{'s' if len(files) != 1 else ''} "
        f"({', '.join(found[:SHOWN_SUFFIXES])}{more}), none in a language it scans "
        f"(languages: {languages}), and it has no `patterns`: it declares no feature; "
        "add patterns with a named group `key` to find flags in these files"
    )
