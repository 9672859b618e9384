"""What a change does to the feature sources, and whether the runbook changed with it.

A branch that moves a flagd rollout from 5% to 25%, changes a default variant or targeting,
raises an Unleash gradual rollout or adds a flag key in code changes what customers get as
surely as a deploy does. When the feature's runbook did not change in the same diff, the
reviewer is told, with what the runbook's rollout plan says: "checkout.one_click: rollout
5% -> 25% in deploy/flags.flagd.json; its runbook's rollout plan says stage 2 is 5% for 2d".

Features are compared by key; each key is read from the first place a flag system declares
it (definition files before code), as the coverage rules read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rollbook.diagnostics import Location
from rollbook.model.runbook import Runbook, Stage
from rollbook.review.snapshot import Snapshot
from rollbook.sources import Feature


@dataclass(frozen=True)
class SourceChange:
    """One change to one feature key in the feature sources.

    ``kind``: ``added``, ``removed``, ``rollout``, ``default-variant``, ``targeting`` or
    ``enabled``. ``runbook`` is the id of the runbook that covers the key (its id or one of
    its flag keys), ``runbook_changed`` whether that runbook changed in the same diff, and
    ``plan`` what its rollout plan says about it (empty if nothing to say).
    """

    key: str
    kind: str
    location: Location
    old: str | None
    new: str | None
    runbook: str | None
    runbook_changed: bool
    plan: str = ""

    @property
    def unreviewed(self) -> bool:
        """A change to what customers get, with no change to the runbook that covers it."""
        return not self.runbook_changed

    def message(self) -> str:
        """``checkout.one_click: rollout 5% -> 25% in deploy/flags.flagd.json; ...``."""
        where = self.location.path
        if self.kind == "added":
            text = f"{self.key}: new {self.new} in {where}"
        elif self.kind == "removed":
            text = f"{self.key}: no longer in the feature sources (was in {self.old})"
        else:
            label = {
                "rollout": "rollout",
                "default-variant": "default variant",
                "targeting": "targeting",
                "enabled": "enabled",
            }[self.kind]
            text = f"{self.key}: {label} {self.old or 'none'} -> {self.new or 'none'} in {where}"
        if self.runbook is None:
            text += "; no runbook covers it"
        elif not self.runbook_changed:
            text += f"; its runbook {self.runbook} did not change"
        if self.plan:
            text += f"; {self.plan}"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "kind": self.kind,
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "old": self.old,
            "new": self.new,
            "runbook": self.runbook,
            "runbook_changed": self.runbook_changed,
            "plan": self.plan or None,
            "message": self.message(),
        }


def _by_key(features: list[Feature]) -> dict[str, Feature]:
    """One feature per key: the first declaration by a flag system, else the first place."""
    out: dict[str, Feature] = {}
    for feature in features:
        first = out.get(feature.key)
        if first is None or (first.system is None and feature.system is not None):
            out[feature.key] = feature
    return out


def percent(share: float | None) -> str | None:
    """``25%``, ``12.5%``; None stays None."""
    return None if share is None else f"{share:g}%"


def covering(runbooks: dict[str, Runbook], key: str) -> Runbook | None:
    """The runbook that covers feature ``key``: one listing it as a flag, else of that id."""
    for rb in runbooks.values():
        if any(flag.key == key for flag in rb.flags):
            return rb
    return runbooks.get(key)


@dataclass(frozen=True)
class Cover:
    """The runbook that covers a feature key: its id, whether it changed in the same diff,
    and the runbook itself when its rollout plan can be quoted."""

    id: str | None
    changed: bool = False
    runbook: Runbook | None = None


def snapshot_cover(old: Snapshot, new: Snapshot, changed: set[str]) -> Callable[[str], Cover]:
    """Who covers a key, read from both sides' runbooks (``changed``: ids changed)."""
    runbooks = {ident: placed.runbook for ident, placed in new.runbooks.items()}
    old_runbooks = {ident: placed.runbook for ident, placed in old.runbooks.items()}

    def cover(key: str) -> Cover:
        rb = covering(runbooks, key)
        if rb is None:
            was = covering(old_runbooks, key)
            if was is None:
                return Cover(None)
            # A runbook whose file now has errors was edited in this change: it is listed
            # as not compared, and its source change is not called unreviewed.
            return Cover(was.id, was.id in changed or was.id in new.invalid_ids)
        return Cover(rb.id, rb.id in changed, rb)

    return cover


def source_changes(
    old_features: list[Feature], new_features: list[Feature], cover: Callable[[str], Cover]
) -> list[SourceChange]:
    """Every change to a feature key between the ``old`` and ``new`` sources, by key."""
    before, after = _by_key(old_features), _by_key(new_features)
    out: list[SourceChange] = []

    def make(
        key: str, kind: str, where: Location, a: str | None, b: str | None, plan: str = ""
    ) -> None:
        found = cover(key)
        out.append(SourceChange(key, kind, where, a, b, found.id, found.changed, plan))

    for key in sorted(after.keys() - before.keys()):
        feature = after[key]
        kind = "flag key in code" if feature.source == "code" else f"{feature.source} flag"
        make(key, "added", feature.location, None, kind)
    for key in sorted(before.keys() - after.keys()):
        feature = before[key]
        make(key, "removed", feature.location, feature.location.path, None)
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        if a.enabled != b.enabled and a.enabled is not None and b.enabled is not None:
            make(key, "enabled", b.location, _yes(a.enabled), _yes(b.enabled))
        if a.default_variant != b.default_variant:
            make(key, "default-variant", b.location, a.default_variant, b.default_variant)
        where = b.rollout_location or b.location
        if a.rollout != b.rollout:
            plan = plan_note(cover(key).runbook, a.rollout, b.rollout)
            make(key, "rollout", where, percent(a.rollout), percent(b.rollout), plan)
        elif a.targeting != b.targeting:
            make(key, "targeting", where, _short(a.targeting), _short(b.targeting))
    return out


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _short(text: str, limit: int = 120) -> str | None:
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stage_phrase(n: int, stage: Stage) -> str:
    """``stage 2 is 5% for 2d`` (or its audience)."""
    who = f"{stage.percent:g}%" if stage.percent is not None else (stage.audience or "?")
    text = f"stage {n} is {who}"
    if stage.min_duration:
        text += f" for {stage.min_duration}"
    return text


def plan_note(rb: Runbook | None, old: float | None, new: float | None) -> str:
    """What the runbook's rollout plan says about a move from ``old`` to ``new`` percent."""
    if rb is None or new is None:
        return ""
    if rb.rollout is None:
        return "its runbook has no rollout plan" if 0 < new < 100 else ""
    stages = list(enumerate(rb.rollout.stages, start=1))
    at_new = [(n, s) for n, s in stages if s.percent is not None and s.percent == new]
    at_old = [(n, s) for n, s in stages if s.percent is not None and s.percent == old]
    if at_new:
        n, stage = at_new[0]
        if at_old and at_new[0][0] > at_old[0][0] + 1:
            skipped = ", ".join(str(m) for m in range(at_old[0][0] + 1, n))
            return f"its runbook's rollout plan has it as stage {n}, skipping stage {skipped}"
        return ""  # the plan's next stage: as planned
    if new == 0:
        return ""
    if at_old:
        n, stage = at_old[0]
        return f"its runbook's rollout plan says {stage_phrase(n, stage)}"
    plan = ", ".join(
        f"{s.percent:g}%" if s.percent is not None else (s.audience or "?") for _, s in stages
    )
    return f"its runbook's rollout plan has no {percent(new)} stage ({plan})"
