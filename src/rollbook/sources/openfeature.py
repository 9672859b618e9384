"""OpenFeature CLI flag manifests (the CLI's default file name is ``flags.json``).

``flags`` maps each flag key to ``{flagType, defaultValue, description}``; the CLI generates
typed SDK accessors from it. Fields beyond those (``schema`` for object flags, ``$schema``) are
left alone. ``flagType`` (boolean, string, integer, float, object) is the type a runbook's
``off`` value must have, and ``defaultValue`` the value the generated code falls back to.

Passing example (one feature, ``enableBeta``, at line 3)::

    {
      "flags": {
        "enableBeta": {"flagType": "boolean", "defaultValue": false, "description": "Beta UI"}
      }
    }
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook.sources.documents import (
    PositionedDocument,
    kind_name,
    read_document,
    required_member,
)
from rollbook.sources.feature import Feature, SourceError

if TYPE_CHECKING:
    from rollbook.sources.spec import SourceSpec

SOURCE = "openfeature-manifest"
SYSTEM = "openfeature"
FLAG_TYPES = frozenset({"boolean", "string", "integer", "float", "object"})
DEFAULT_PATHS = ("flags.json",)

EXAMPLE_PATH = DEFAULT_PATHS[0]
OPTIONS: tuple[str, ...] = ()
RESPECTS_GITIGNORE = False

_SHAPE_HINT = (
    'an OpenFeature CLI manifest looks like {"flags": {"my-flag": {"flagType": "boolean", '
    '"defaultValue": false, "description": "..."}}}'
)


def read(file: Path, name: str) -> list[Feature]:
    """The flags declared in the OpenFeature CLI manifest ``file`` (shown as ``name``)."""
    return features_from(read_document(file, name))


def features_from(doc: PositionedDocument) -> list[Feature]:
    """The flags of an already-parsed manifest."""
    flags = required_member(
        doc,
        "flags",
        dict,
        "an OpenFeature CLI manifest: an object whose 'flags' maps flag keys to "
        "{flagType, defaultValue, description}",
        _SHAPE_HINT,
    )
    features = []
    for key, flag in flags.items():
        if not isinstance(flag, dict):
            raise SourceError(
                f"flag '{key}' must be an object with flagType, defaultValue and description, "
                f"found {kind_name(flag)}",
                doc.locate(("flags", key)),
                _SHAPE_HINT,
            )
        description = flag.get("description")
        flag_type = flag.get("flagType")
        known_type = flag_type if flag_type in FLAG_TYPES else None
        features.append(
            Feature(
                key=str(key),
                location=doc.locate(("flags", key), key=True),
                source=SOURCE,
                description=description if isinstance(description, str) else "",
                system=SYSTEM,
                value_type=known_type,
                default_value=flag.get("defaultValue"),
                values_location=doc.locate(("flags", key, "flagType")) if known_type else None,
            )
        )
    return features


def read_files(spec: SourceSpec, files: Iterable[tuple[Path, str]]) -> Iterator[Feature]:
    """The features of each of ``files`` (see :class:`rollbook.sources.kinds.SourceKind`)."""
    for file, name in files:
        yield from read(file, name)
