"""Unleash exports: the current export/import file and the legacy state export.

Both give ``features`` as a list of objects with a ``name``. The current (v5) export adds
``featureStrategies``, ``featureEnvironments`` and ``featureTags`` beside it; the legacy state
export gives each feature ``enabled`` and ``strategies``. Archived toggles (``archived: true``
or an ``archivedAt`` date) are still reported, because runbooks may still mention them, but
as not deployable: they cannot be switched on until someone revives them.

A toggle is on or off, whatever variants it serves when on: a runbook switches it off with
``off: false`` (or ``off: "off"``). A toggle of type ``kill-switch`` works the other way round:
turning it on turns the feature off, so its ``off`` value is ``true``.

Passing example (one feature, ``checkout.one_click``, at line 2)::

    {"features": [
      {"name": "checkout.one_click", "type": "release", "description": "One-click checkout"}
    ]}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook.sources.documents import PositionedDocument, read_document, required_member
from rollbook.sources.feature import Feature, SourceError, Variant

if TYPE_CHECKING:
    from rollbook.sources.spec import SourceSpec

SOURCE = "unleash"
KILL_SWITCH_TYPE = "kill-switch"
# Unleash shows each toggle as a switch: enabled (on) or disabled (off).
_STATES = (Variant("on", True), Variant("off", False))
DEFAULT_PATHS: tuple[str, ...] = ()  # exports have no conventional name: paths are required

EXAMPLE_PATH = "unleash/export.json"
OPTIONS: tuple[str, ...] = ()
RESPECTS_GITIGNORE = False

_SHAPE_HINT = (
    'an Unleash export looks like {"features": [{"name": "my-toggle", "type": "release"}], ...}; '
    "export it with the Unleash admin UI or API"
)


def read(file: Path, name: str) -> list[Feature]:
    """The toggles in the Unleash export ``file`` (shown as ``name``)."""
    return features_from(read_document(file, name))


def features_from(doc: PositionedDocument) -> list[Feature]:
    """The toggles of an already-parsed Unleash export."""
    features = required_member(
        doc, "features", list, "an Unleash export: an object with a 'features' list", _SHAPE_HINT
    )
    found_features = []
    for index, toggle in enumerate(features):
        name = toggle.get("name") if isinstance(toggle, dict) else None
        if not isinstance(name, str) or not name:
            raise SourceError(
                f"features[{index}] must be an object with a 'name' (text)",
                doc.locate(("features", index)),
                _SHAPE_HINT,
            )
        assert isinstance(toggle, dict)
        archived = toggle.get("archived") is True or bool(toggle.get("archivedAt"))
        description = toggle.get("description")
        found_features.append(
            Feature(
                key=name,
                location=doc.locate(("features", index, "name")),
                source=SOURCE,
                deployable=not archived,
                description=description if isinstance(description, str) else "",
                system=SOURCE,
                variants=_STATES,
                # A kill switch turns the feature on by being off.
                on_variant="off" if toggle.get("type") == KILL_SWITCH_TYPE else "on",
                value_type="boolean",
                values_location=doc.locate(("features", index)),
            )
        )
    return found_features


def read_files(spec: SourceSpec, files: Iterable[tuple[Path, str]]) -> Iterator[Feature]:
    """The features of each of ``files`` (see :class:`rollbook.sources.kinds.SourceKind`)."""
    for file, name in files:
        yield from read(file, name)
