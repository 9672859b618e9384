"""A plain list of feature ids: a YAML list, a JSON list, or text with one id per line.

Teams without a flag service often keep ``features.txt`` or ``features.yaml`` by hand. In
text files blank lines and ``#`` comments (whole-line, or after whitespace) are ignored; an
id cannot contain whitespace, since that almost always means two ids were joined on a line.

Passing example (``features.txt``: two features, at lines 2 and 3)::

    # features that ship behind a flag
    checkout.one_click
    search.v2   # owned by the search team
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook.diagnostics import Location
from rollbook.sources.documents import (
    YAML_SUFFIXES,
    PositionedDocument,
    kind_name,
    read_document,
    read_file_text,
)
from rollbook.sources.feature import Feature, SourceError

if TYPE_CHECKING:
    from rollbook.sources.spec import SourceSpec

SOURCE = "list"
DEFAULT_PATHS: tuple[str, ...] = ()  # no conventional name: paths are required

EXAMPLE_PATH = "features.txt"
OPTIONS: tuple[str, ...] = ()
RESPECTS_GITIGNORE = False


def read(file: Path, name: str) -> list[Feature]:
    """The ids in list file ``file`` (shown as ``name``); JSON and YAML by suffix, else text."""
    suffix = file.suffix.lower()
    if suffix in YAML_SUFFIXES or suffix == ".json":
        return features_from(read_document(file, name))
    return _read_lines(read_file_text(file, name), name)


def features_from(doc: PositionedDocument) -> list[Feature]:
    """The ids of an already-parsed JSON or YAML list."""
    data = doc.data
    if not isinstance(data, list):
        raise SourceError(
            f"expected a list of feature ids, found {kind_name(data)}",
            doc.locate(()),
            'write the ids as a list, e.g. ["checkout.one_click", "search.v2"] or one "- id" '
            "per line in YAML",
        )
    features = []
    for index, item in enumerate(data):
        if not isinstance(item, str) or not item.strip():
            raise SourceError(
                f"item {index + 1} must be a feature id (text), found {kind_name(item)}",
                doc.locate((index,)),
                "quote ids that look like numbers or booleans",
            )
        features.append(Feature(key=str(item), location=doc.locate((index,)), source=SOURCE))
    return features


def _read_lines(text: str, name: str) -> list[Feature]:
    features = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line
        hash_at = _comment_start(line)
        if hash_at >= 0:
            content = line[:hash_at]
        stripped = content.strip()
        if not stripped:
            continue
        column = len(content) - len(content.lstrip()) + 1
        if any(ch.isspace() for ch in stripped):
            raise SourceError(
                f"'{stripped}' is not one feature id: ids cannot contain spaces",
                Location(name, number, column),
                "put each id on its own line",
            )
        features.append(
            Feature(key=stripped, location=Location(name, number, column), source=SOURCE)
        )
    return features


def _comment_start(line: str) -> int:
    """Index of a ``#`` that starts a comment (at line start or after whitespace), else -1."""
    index = line.find("#")
    while index > 0 and not line[index - 1].isspace():
        index = line.find("#", index + 1)
    return index


def read_files(spec: SourceSpec, files: Iterable[tuple[Path, str]]) -> Iterator[Feature]:
    """The features of each of ``files`` (see :class:`rollbook.sources.kinds.SourceKind`)."""
    for file, name in files:
        yield from read(file, name)
