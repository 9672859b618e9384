"""Two versions of the runbooks -> what changed, in the words a reviewer uses.

Not lines: features added or removed; rollback steps added, removed, reordered or reworded
(with the old and the new wording); the kill switch and its off value; signals, thresholds
and alerts; risk; rollout stages; contacts; review and drill dates. Runbooks are matched by
``id``, so a file that was renamed (and edited) is one changed runbook, not one removed and
one added.

Each change says whether it *weakens* the rollback: a removed step, a dropped kill switch, a
lowered risk, a removed signal or alert, a rollback that now needs a redeploy or an engineer,
a review or drill that goes stale. Those are what a second reviewer should look at first.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

from rollbook.config import Config
from rollbook.model.runbook import RISK_LEVELS, Flag, Runbook, Signal, Step
from rollbook.render.markdown import stage_text, value
from rollbook.review.snapshot import Placed, Snapshot

# How alike two steps' wording must be to count as the same step reworded (difflib ratio).
REWORDED_MIN_RATIO = 0.5
DRILL_RESULTS = ("fail", "partial", "pass")


@dataclass(frozen=True)
class Change:
    """One change to one runbook.

    ``kind`` is stable, for machines (``step-removed``, ``risk-lowered``, ...); ``what``
    names the part in words (``rollback step 3``); ``old`` and ``new`` are the values as text
    (None when absent); ``weakens`` says why it weakens the rollback, or is empty.
    """

    kind: str
    what: str
    old: str | None = None
    new: str | None = None
    weakens: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "what": self.what,
            "old": self.old,
            "new": self.new,
            "weakens": bool(self.weakens),
            "why": self.weakens or None,
        }


@dataclass
class RunbookDiff:
    """What happened to one runbook (by id): added, removed or changed, and how."""

    id: str
    title: str
    status: str  # added, removed, changed
    path: str | None
    old_path: str | None
    changes: list[Change] = field(default_factory=list)
    old: Runbook | None = None
    new: Runbook | None = None

    @property
    def renamed(self) -> bool:
        return self.path is not None and self.old_path is not None and self.path != self.old_path

    @property
    def weakening(self) -> list[Change]:
        return [c for c in self.changes if c.weakens]

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "path": self.path,
            "old_path": self.old_path,
            "renamed": self.renamed,
            "changes": [c.to_json() for c in self.changes],
        }


def compare_snapshots(
    old: Snapshot, new: Snapshot, config: Config, today: dt.date
) -> list[RunbookDiff]:
    """Every runbook that differs between ``old`` and ``new``, in id order."""
    out: list[RunbookDiff] = []
    for ident in sorted(old.runbooks.keys() | new.runbooks.keys()):
        if ident in new.invalid_ids or ident in old.invalid_ids:
            continue  # listed as not compared: its file has errors on one side
        before, after = old.runbooks.get(ident), new.runbooks.get(ident)
        diff = compare_placed(before, after, config, today)
        if diff is not None:
            out.append(diff)
    return out


def compare_placed(
    before: Placed | None, after: Placed | None, config: Config, today: dt.date
) -> RunbookDiff | None:
    """One runbook's diff, or None when nothing a reviewer would notice changed."""
    if before is None and after is None:
        return None
    if before is None:
        assert after is not None
        rb = after.runbook
        return RunbookDiff(rb.id, rb.title, "added", after.path, None, new=rb)
    if after is None:
        rb = before.runbook
        change = Change(
            "runbook-removed",
            "runbook",
            before.path,
            None,
            weakens="the feature's runbook and rollback are gone",
        )
        return RunbookDiff(rb.id, rb.title, "removed", None, before.path, [change], old=rb)
    changes = compare_runbooks(before.runbook, after.runbook, config, today)
    if not changes and before.runbook != after.runbook:
        # Something no reviewer term covers (a log's query, a risk's signals): still said.
        changes = [Change("other-changed", "other details (see the file's diff)", None, None)]
    if not changes and before.path == after.path:
        return None
    rb = after.runbook
    return RunbookDiff(
        rb.id, rb.title, "changed", after.path, before.path, changes, before.runbook, rb
    )


def compare_runbooks(old: Runbook, new: Runbook, config: Config, today: dt.date) -> list[Change]:
    """What changed from ``old`` to ``new`` (the same feature), rollback first."""
    out: list[Change] = []
    out += _rollback(old, new)
    out += _kill_switch(old, new)
    out += _flags(old, new)
    out += _risk(old, new)
    out += _signals(old.signals, new.signals)
    out += _rollout(old, new)
    out += _contacts(old, new)
    out += _freshness(old, new, config, today)
    out += _about(old, new)
    return out


# -- rollback ---------------------------------------------------------------------------------


def _rollback(old: Runbook, new: Runbook) -> list[Change]:
    a, b = old.rollback, new.rollback
    if a is None and b is None:
        return []
    if b is None:
        return [Change("rollback-removed", "rollback", "present", None, "the rollback is gone")]
    if a is None:
        return [Change("rollback-added", "rollback", None, f"{len(b.steps)} steps")]
    out: list[Change] = []
    if a.audience != b.audience:
        weak = "the rollback now needs an engineer" if b.audience == "engineers" else ""
        out.append(
            Change("rollback-audience-changed", "who can roll back", a.audience, b.audience, weak)
        )
    out += _text_list("rollback-when", "when to roll back", a.when, b.when)
    out += _steps(a.steps, b.steps)
    out += _text_list("rollback-verify", "how to check it worked", a.verify, b.verify)
    out += _text_list("rollback-after", "what to do afterwards", a.after, b.after)
    return out


def _text_list(kind: str, what: str, old: list[str], new: list[str]) -> list[Change]:
    if old == new:
        return []
    return [Change(f"{kind}-changed", what, _join(old), _join(new))]


def _join(items: list[str]) -> str | None:
    return "; ".join(items) if items else None


def _steps(old: list[Step], new: list[Step]) -> list[Change]:
    """Steps matched by wording: the same words, else the most alike (reworded)."""
    pairs: dict[int, int] = {}  # old index -> new index
    used: set[int] = set()
    for i, step in enumerate(old):
        j = next((j for j, s in enumerate(new) if j not in used and s.do == step.do), None)
        if j is not None:
            pairs[i] = j
            used.add(j)
    candidates = sorted(
        (
            (difflib.SequenceMatcher(None, old[i].do, new[j].do).ratio(), i, j)
            for i in range(len(old))
            if i not in pairs
            for j in range(len(new))
            if j not in used
        ),
        reverse=True,
    )
    for ratio, i, j in candidates:
        if ratio < REWORDED_MIN_RATIO:
            break
        if i in pairs or j in used:
            continue
        pairs[i] = j
        used.add(j)
    out: list[Change] = []
    for i, step in enumerate(old):
        if i not in pairs:
            out.append(
                Change(
                    "step-removed",
                    f"rollback step {i + 1} (of {len(old)})",
                    step.do,
                    None,
                    "a rollback step is gone",
                )
            )
    for j, step in enumerate(new):
        if j not in used:
            out.append(
                Change("step-added", f"rollback step {j + 1} (of {len(new)})", None, step.do)
            )
    order = [pairs[i] for i in sorted(pairs)]
    if order != sorted(order):
        was = ", ".join(str(i + 1) for i in sorted(pairs, key=pairs.__getitem__))
        out.append(
            Change(
                "steps-reordered",
                "rollback steps",
                ", ".join(str(i + 1) for i in sorted(pairs)),
                f"now in the old order {was}",
            )
        )
    for i in sorted(pairs):
        j = pairs[i]
        out += _step(i, j, old[i], new[j])
    return out


def _step(i: int, j: int, a: Step, b: Step) -> list[Change]:
    what = f"rollback step {j + 1}" if i == j else f"rollback step {j + 1} (was {i + 1})"
    out: list[Change] = []
    if a.do != b.do:
        out.append(Change("step-reworded", what, a.do, b.do))
    for name in ("command", "expect", "if_not", "link", "warning", "backup"):
        before, after = getattr(a, name), getattr(b, name)
        if before != after:
            weak = ""
            if name in ("warning", "backup") and after is None and b.irreversible:
                weak = f"an irreversible step lost its {name}"
            if name == "expect" and after is None:
                weak = "the step no longer says what you should see"
            out.append(
                Change(
                    f"step-{name.replace('_', '-')}-changed", f"{what} {name}", before, after, weak
                )
            )
    if a.engineer != b.engineer:
        weak = "the step now needs an engineer" if b.engineer else ""
        out.append(
            Change(
                "step-engineer-changed",
                f"{what} needs an engineer",
                _yes(a.engineer),
                _yes(b.engineer),
                weak,
            )
        )
    if a.irreversible != b.irreversible:
        weak = "the step can no longer be undone" if b.irreversible else ""
        out.append(
            Change(
                "step-irreversible-changed",
                f"{what} cannot be undone",
                _yes(a.irreversible),
                _yes(b.irreversible),
                weak,
            )
        )
    return out


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


# -- kill switch and flags --------------------------------------------------------------------


def _kill_switch(old: Runbook, new: Runbook) -> list[Change]:
    a, b = old.kill_switch_flag, new.kill_switch_flag
    out: list[Change] = []
    if a is not None and b is None:
        out.append(
            Change("kill-switch-removed", "kill switch", a.key, None, "the kill switch is gone")
        )
        return out
    if a is None and b is not None:
        weak = "the new kill switch needs a redeploy" if b.redeploy else ""
        out.append(Change("kill-switch-added", "kill switch", None, b.key, weak))
        return out
    if a is None or b is None:
        return out
    if a.key != b.key:
        out.append(Change("kill-switch-changed", "kill switch", a.key, b.key))
    if not _same_value(a.off, b.off):
        out.append(
            Change(
                "off-value-changed", f"kill switch {b.key} off value", value(a.off), value(b.off)
            )
        )
    if a.redeploy != b.redeploy:
        weak = "rolling back now needs a redeploy" if b.redeploy else ""
        out.append(
            Change(
                "kill-switch-redeploy-changed",
                f"kill switch {b.key} needs a redeploy",
                _yes(a.redeploy),
                _yes(b.redeploy),
                weak,
            )
        )
    return out


def _same_value(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def _flags(old: Runbook, new: Runbook) -> list[Change]:
    before = {f.key: f for f in old.flags}
    after = {f.key: f for f in new.flags}
    kills = {
        k
        for k in (
            old.rollback and old.rollback.kill_switch,
            new.rollback and new.rollback.kill_switch,
        )
        if k
    }
    out: list[Change] = []
    for key in before.keys() - after.keys():
        out.append(Change("flag-removed", f"flag {key}", before[key].system, None))
    for key in after.keys() - before.keys():
        out.append(Change("flag-added", f"flag {key}", None, after[key].system))
    for key in sorted(before.keys() & after.keys()):
        out += _flag(before[key], after[key], key in kills)
    return sorted(out, key=lambda c: c.what)


def _flag(a: Flag, b: Flag, kill: bool) -> list[Change]:
    out: list[Change] = []
    for name in (
        "system",
        "off",
        "on",
        "change",
        "link",
        "command",
        "redeploy",
        "who",
        "when_unavailable",
    ):
        if kill and name in ("off", "redeploy"):
            continue  # said under the kill switch
        before, after = getattr(a, name), getattr(b, name)
        if name in ("off", "on"):
            if _same_value(before, after):
                continue
            before = None if before is None else value(before)
            after = None if after is None else value(after)
        elif before == after:
            continue
        if isinstance(before, bool) or isinstance(after, bool):
            before, after = _yes(bool(before)), _yes(bool(after))
        out.append(
            Change(f"flag-{name.replace('_', '-')}-changed", f"flag {b.key} {name}", before, after)
        )
    return out


# -- risk, signals, rollout, contacts ----------------------------------------------------------


def _risk(old: Runbook, new: Runbook) -> list[Change]:
    out: list[Change] = []
    if old.risk != new.risk:
        lower = RISK_LEVELS.index(new.risk) < RISK_LEVELS.index(old.risk)
        if lower:
            out.append(Change("risk-lowered", "risk", old.risk, new.risk, "the risk was lowered"))
        else:
            out.append(Change("risk-raised", "risk", old.risk, new.risk))
    before = {r.what: r for r in old.risks}
    after = {r.what: r for r in new.risks}
    for what in before.keys() - after.keys():
        out.append(Change("risk-item-removed", "what can go wrong", what, None))
    for what in after.keys() - before.keys():
        out.append(Change("risk-item-added", "what can go wrong", None, what))
    for what in sorted(before.keys() & after.keys()):
        a, b = before[what], after[what]
        if a != b:
            out.append(
                Change(
                    "risk-item-changed",
                    "what can go wrong",
                    f"{what} (likelihood {a.likelihood}, impact {a.impact})",
                    f"{what} (likelihood {b.likelihood}, impact {b.impact})",
                )
            )
    return out


def _signals(old: list[Signal], new: list[Signal]) -> list[Change]:
    before = {s.name: s for s in old}
    after = {s.name: s for s in new}
    removed = [before[n] for n in before if n not in after]
    added = [after[n] for n in after if n not in before]
    out: list[Change] = []
    # A signal renamed, with the same query: one change, not a removal and an addition.
    for signal in list(removed):
        twin = next((s for s in added if signal.query and s.query == signal.query), None)
        if twin is not None:
            removed.remove(signal)
            added.remove(twin)
            out.append(Change("signal-renamed", "signal", signal.name, twin.name))
            out += _signal(signal, twin)
    for signal in removed:
        out.append(
            Change("signal-removed", f"signal {signal.name}", signal.kind, None, "a signal is gone")
        )
    for signal in added:
        out.append(Change("signal-added", f"signal {signal.name}", None, signal.kind))
    for name in before.keys() & after.keys():
        out += _signal(before[name], after[name])
    return out


def _signal(a: Signal, b: Signal) -> list[Change]:
    out: list[Change] = []
    for name in ("kind", "threshold", "healthy", "alert", "query", "link", "no_data"):
        before, after = getattr(a, name), getattr(b, name)
        if before == after:
            continue
        weak = ""
        if name == "alert" and after is None:
            weak = "an alert is gone"
        elif name == "threshold" and after is None:
            weak = "the signal no longer says what means trouble"
        kind = f"signal-{name.replace('_', '-')}-changed"
        if name == "alert" and after is None:
            kind = "alert-removed"
        out.append(Change(kind, f"signal {b.name} {name}", before, after, weak))
    return out


def _rollout(old: Runbook, new: Runbook) -> list[Change]:
    a = [stage_text(s) for s in old.rollout.stages] if old.rollout else []
    b = [stage_text(s) for s in new.rollout.stages] if new.rollout else []
    if a == b:
        return []
    numbered = lambda items: "; ".join(f"{n}. {t}" for n, t in enumerate(items, 1)) or None  # noqa: E731
    return [Change("rollout-changed", "rollout stages", numbered(a), numbered(b))]


def _contacts(old: Runbook, new: Runbook) -> list[Change]:
    def said(rb: Runbook) -> list[str]:
        return [
            (f"team {c.team}" if c.team else f"person {c.person}")
            + (f" ({c.when})" if c.when else "")
            for c in rb.contacts
        ]

    out: list[Change] = []
    if old.owner != new.owner:
        out.append(Change("owner-changed", "owner", old.owner, new.owner))
    a, b = said(old), said(new)
    if a != b:
        out.append(Change("contacts-changed", "contacts", _join(a), _join(b)))
    return out


# -- freshness --------------------------------------------------------------------------------


def _freshness(old: Runbook, new: Runbook, config: Config, today: dt.date) -> list[Change]:
    out: list[Change] = []
    a, b = old.review, new.review
    if a != b:
        before = f"{a.last_reviewed.isoformat()} by {a.by}" if a else None
        after = f"{b.last_reviewed.isoformat()} by {b.by}" if b else None
        weak = ""
        if b is None:
            weak = "the review record is gone"
        elif a is not None and b.last_reviewed < a.last_reviewed:
            weak = "the last review date moved back"
        if (
            b is not None
            and (today - b.last_reviewed).days > config.review_max_age
            and (a is None or (today - a.last_reviewed).days <= config.review_max_age)
        ):
            weak = (
                weak
                or f"the review is now older than review-max-age ({config.review_max_age} days)"
            )
        out.append(Change("review-changed", "last review", before, after, weak))
    da, db = _latest_drill(old), _latest_drill(new)
    if old.drills != new.drills:
        before = _drill_text(da)
        after = _drill_text(db)
        weak = ""
        if da is not None and db is None:
            weak = "no rollback drill is recorded any more"
        elif da is not None and db is not None:
            if db.date < da.date:
                weak = "the latest rollback drill is older"
            elif (
                DRILL_RESULTS.index(db.result) < DRILL_RESULTS.index(da.result)
                and db.date <= da.date
            ):
                weak = "the latest rollback drill's result is worse"
        out.append(Change("drills-changed", "latest rollback drill", before, after, weak))
    return out


def _latest_drill(rb: Runbook):
    return max(rb.drills, key=lambda d: d.date, default=None)


def _drill_text(drill) -> str | None:
    if drill is None:
        return None
    return f"{drill.date.isoformat()} {drill.result} by {drill.by}"


def _about(old: Runbook, new: Runbook) -> list[Change]:
    out: list[Change] = []
    for name in ("title", "summary", "deployable"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            if isinstance(a, bool):
                a, b = _yes(a), _yes(b)
            out.append(Change(f"{name}-changed", name, a, b))
    if old.tags != new.tags:
        out.append(
            Change("tags-changed", "tags", ", ".join(old.tags) or None, ", ".join(new.tags) or None)
        )
    if old.tests != new.tests:
        out.append(
            Change(
                "tests-changed",
                "how it was tested",
                ", ".join(t.kind for t in old.tests) or None,
                ", ".join(t.kind for t in new.tests) or None,
            )
        )
    if old.logs != new.logs:
        out.append(
            Change(
                "logs-changed",
                "logs",
                ", ".join(lg.name for lg in old.logs) or None,
                ", ".join(lg.name for lg in new.logs) or None,
            )
        )
    return out
