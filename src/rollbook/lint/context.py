"""What a rule sees: one runbook with its document and settings, or the project's summaries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from rollbook.alerts import AlertIndex
from rollbook.config import Config
from rollbook.diagnostics import Location
from rollbook.load.yaml_reader import YamlDocument
from rollbook.model.runbook import Runbook, TeamsFile
from rollbook.sources import Feature

if TYPE_CHECKING:
    from rollbook.review.sources import SourceChange

HIGH_RISKS = frozenset({"high", "critical"})


@dataclass(frozen=True)
class RunbookContext:
    """One valid runbook, the document it came from, and what rules need around it."""

    runbook: Runbook
    document: YamlDocument
    config: Config
    today: dt.date
    teams: TeamsFile | None = None
    alerts: AlertIndex | None = None
    """The configured alert rule files, read once per run (None when there are none)."""

    @property
    def high_risk(self) -> bool:
        return self.runbook.risk in HIGH_RISKS

    @cached_property
    def strings(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Every text value in the document with its field path (walked once, for all rules)."""
        if self.document.strings is not None:  # the reader collected them on its way
            return self.document.strings
        return list(_strings(self.document.data, ()))

    @cached_property
    def joined_strings(self) -> str:
        """Every text value of :attr:`strings`, one per line: rules that look for something
        in a few values ask this once (one search in C) before looking at each value."""
        return "\n".join(text for _, text in self.strings)


def _strings(data: object, path: tuple[str | int, ...]) -> Iterator[tuple[tuple, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))


# `off` or `on` not written in the runbook (None is not a YAML scalar a runbook can give).
NOT_GIVEN: object = None


@dataclass(frozen=True, slots=True)
class FlagSummary:
    """One flag of a runbook as coverage rules need it: key, system, values, and where."""

    key: str
    system: str
    key_location: Location
    off: object = NOT_GIVEN  # the scalar written, or NOT_GIVEN
    on: object = NOT_GIVEN
    off_location: Location | None = None
    on_location: Location | None = None
    system_location: Location | None = None

    def __reduce__(self):
        # As Location's: a call with the fields loads faster than dataclasses' state functions
        # (lint's workers send these to their parent).
        return (FlagSummary, tuple(getattr(self, name) for name in self.__slots__))


@dataclass(frozen=True, slots=True)
class RunbookSummary:
    """What coverage rules need to remember of a runbook once its document is dropped.

    Only small values are kept, so that linting ten thousand runbooks holds ten thousand of
    these rather than ten thousand parsed documents.
    """

    id: str
    path: str
    id_location: Location
    flags: tuple[FlagSummary, ...]
    deployable: bool
    checked: bool  # False when the runbook is loaded only to know what it covers (--since)
    has_rollback: bool = True  # a `rollback` with at least one step
    deployable_location: Location | None = None  # where `deployable: false` is written
    kill_switch: str | None = None
    kill_switch_location: Location | None = None
    # The rollout plan's stage percentages (None for an audience stage), for RB403.
    stage_percents: tuple[float | None, ...] = ()
    rollout_location: Location | None = None  # where `rollout` is written, if it is

    def __reduce__(self):
        return (RunbookSummary, tuple(getattr(self, name) for name in self.__slots__))

    @property
    def flag_keys(self) -> set[str]:
        return {flag.key for flag in self.flags}

    def locations(self) -> list[Location | None]:
        """Every place this summary records, in a fixed order of slots: the id, the
        ``deployable``, kill switch and rollout places, then each flag's key, off, on and
        system places (None where not written)."""
        found = [
            self.id_location,
            self.deployable_location,
            self.kill_switch_location,
            self.rollout_location,
        ]
        for flag in self.flags:
            found += (flag.key_location, flag.off_location, flag.on_location, flag.system_location)
        return found

    def without_positions(self) -> tuple:
        """Everything this summary says but where it is written (only whether each place
        is written): two summaries alike here give the project-scope rules the same
        findings, at their own places (:meth:`locations`, slot for slot)."""
        return (
            self.id,
            self.path,
            self.deployable,
            self.checked,
            self.has_rollback,
            self.kill_switch,
            self.stage_percents,
            tuple((f.key, f.system, f.off, f.on) for f in self.flags),
            tuple(place is not None for place in self.locations()),
        )


@dataclass
class ProjectContext:
    """Everything cross-file rules need: the runbooks' summaries and the sources' features."""

    summaries: list[RunbookSummary]
    features: list[Feature]
    sources_configured: bool
    config_path: str
    # Coverage of features is checked for these keys only (None: all): see --since.
    feature_filter: set[str] | None = None
    complete: bool = True  # False when only some runbooks were given on the command line
    by_key: dict[str, Feature] = field(default_factory=dict)
    # Every place a flag system declares a key (flagd, OpenFeature, Unleash), in source order:
    # what the runbook's `system` and `off` are checked against.
    declared: dict[str, list[Feature]] = field(default_factory=dict)
    # Keys that only plain feature lists know: ids, which a runbook's `id` may name.
    id_only: set[str] = field(default_factory=set)
    # With --since: what the feature sources changed since the base (rollout, targeting,
    # default variant, new keys), each saying whether its runbook changed too (RB404).
    source_changes: list[SourceChange] = field(default_factory=list)
    # What project rules derive from all of the above once per run and share (indexes).
    derived: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # One entry per key: the first place it is written (sources are read definition files
        # first), deployable if any occurrence is.
        keyed: set[str] = set()
        for feature in self.features:
            first = self.by_key.get(feature.key)
            if first is None:
                self.by_key[feature.key] = feature
            elif feature.deployable and not first.deployable:
                self.by_key[feature.key] = replace(first, deployable=True)
            if feature.system is not None:
                self.declared.setdefault(feature.key, []).append(feature)
            if feature.keyed:
                keyed.add(feature.key)
        self.id_only = set(self.by_key) - keyed
