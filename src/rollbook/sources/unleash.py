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

import json
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
    served = _Served(doc.data)
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
                rollout_location=doc.locate(("features", index)),
                **served.of(name, toggle),
            )
        )
    return found_features


# Strategies that roll out to a share of users, and the parameter that gives the share.
_PERCENT_PARAMETERS = {
    "flexibleRollout": "rollout",
    "gradualRolloutRandom": "percentage",
    "gradualRolloutUserId": "percentage",
    "gradualRolloutSessionId": "percentage",
}
PRODUCTION = "production"


class _Served:
    """What each toggle serves now: enabled, its strategies (canonical JSON), its rollout.

    The current export lists strategies and per-environment state beside the features
    (``featureStrategies``, ``featureEnvironments``); the legacy export puts ``enabled`` and
    ``strategies`` on each feature. Where there are several environments, ``production`` is
    read when the export has it, else all of them. The rollout is the largest share any
    strategy gives (strategies add up: a user who matches any gets the toggle): a gradual
    rollout's percentage, 100 for ``default``; a strategy with constraints or of another
    kind (user ids, hosts) selects an audience, not a share, and gives none.
    """

    def __init__(self, data: object) -> None:
        self.strategies: dict[str, list[dict]] = {}
        self.environments: dict[str, list[dict]] = {}
        if isinstance(data, dict):
            for key, into in (
                ("featureStrategies", self.strategies),
                ("featureEnvironments", self.environments),
            ):
                items = data.get(key)
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict) and isinstance(item.get("featureName"), str):
                        into.setdefault(item["featureName"], []).append(item)

    def of(self, name: str, toggle: dict) -> dict:
        strategies = toggle.get("strategies")
        if not isinstance(strategies, list):
            strategies = _in_production(self.strategies.get(name, []))
        strategies = [s for s in strategies if isinstance(s, dict)]
        enabled = toggle.get("enabled")
        if not isinstance(enabled, bool):
            envs = _in_production(self.environments.get(name, []))
            states = [e.get("enabled") for e in envs if isinstance(e.get("enabled"), bool)]
            enabled = any(states) if states else None
        shares = [_share(s) for s in strategies]
        known = [s for s in shares if s is not None]
        rollout: float | None
        if enabled is False:
            rollout = 0.0
        elif not strategies:
            rollout = 100.0 if enabled else None
        else:
            rollout = max(known) if known else None
        canonical = sorted(
            json.dumps(
                {
                    k: v
                    for k, v in s.items()
                    if k not in ("id", "featureName", "sortOrder", "environment")
                },
                sort_keys=True,
                separators=(",", ":"),
            )
            for s in strategies
        )
        return {
            "enabled": enabled,
            "rollout": rollout,
            "targeting": "[" + ",".join(canonical) + "]" if canonical else "",
        }


def _in_production(items: list[dict]) -> list[dict]:
    chosen = [i for i in items if i.get("environment") == PRODUCTION]
    return chosen or items


def _share(strategy: dict) -> float | None:
    if strategy.get("constraints"):
        return None
    name = strategy.get("name")
    if name == "default":
        return 100.0
    parameter = _PERCENT_PARAMETERS.get(name) if isinstance(name, str) else None
    params = strategy.get("parameters")
    if parameter is None or not isinstance(params, dict):
        return None
    raw = params.get(parameter)
    try:
        share = float(raw) if isinstance(raw, int | float | str) else None
    except ValueError:
        return None
    return share if share is not None and 0 <= share <= 100 else None


def read_files(spec: SourceSpec, files: Iterable[tuple[Path, str]]) -> Iterator[Feature]:
    """The features of each of ``files`` (see :class:`rollbook.sources.kinds.SourceKind`)."""
    for file, name in files:
        yield from read(file, name)
