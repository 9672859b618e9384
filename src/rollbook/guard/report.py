"""What `rollbook guard` prints: one line per reason for people, JSON for pipelines.

The JSON follows ``rollbook/schemas/guard.schema.json``, shipped in the package, so that a
pipeline can check what it parses; :func:`schema` returns it. An override is in both forms
with its reason and person: the pipeline's log is the audit trail.
"""

from __future__ import annotations

import json
from importlib import resources

from rollbook.guard.decide import Decision, FeatureDecision, Reason
from rollbook.guard.periods import iso, show

JSON_VERSION = 1


def schema() -> dict:
    """The JSON Schema of :func:`to_json`'s output."""
    text = resources.files("rollbook.schemas").joinpath("guard.schema.json").read_text("utf-8")
    return json.loads(text)


def reason_line(feature: FeatureDecision, reason: Reason) -> str:
    """``one-click-checkout: freeze: deploys are frozen: ...; next window opens ...``."""
    return f"{feature.id}: {reason.check}: {reason.message}; {reason.fix}"


def to_text(decision: Decision) -> str:
    """The answer as lines for a terminal or a CI log."""
    zone = decision.zone
    names = ", ".join(f.id for f in decision.features)
    when = (
        f"at {show(decision.at, zone)} (window {decision.window}, until {show(decision.end, zone)})"
    )
    lines: list[str] = []
    if decision.go:
        lines.append(f"go: {names} may be deployed {when}")
    elif decision.override:
        lines.append(f"overridden: {names} refused {when}, deployed anyway")
    else:
        lines.append(f"refused: do not deploy {names} {when}")
    for feature in decision.features:
        for reason in feature.reasons:
            lines.append(reason_line(feature, reason))
        for note in feature.notes:
            lines.append(f"{feature.id}: note: {note}")
        if feature.go:
            reachable = [
                c.name + (" (deploying)" if c.deploying else "")
                for c in feature.contacts
                if c.key in feature.reachable
            ]
            who = ", ".join(reachable) or "nobody needed"
            lines.append(f"{feature.id}: reachable until {show(decision.end, zone)}: {who}")
    if decision.override:
        o = decision.override
        lines.append(f"override by {o.by} (from {o.by_from}): {o.reason}")
    if decision.next_searched:
        lines.append(next_line(decision))
    return "\n".join(lines) + "\n"


def next_line(decision: Decision) -> str:
    """What `--next` found: the time, or why there is none."""
    zone = decision.zone
    if decision.next_at is not None:
        if decision.next_at == decision.at:
            return f"next: now, {show(decision.at, zone)}"
        return f"next: {show(decision.next_at, zone)}"
    if decision.next_blockers:
        checks = ", ".join(dict.fromkeys(r.check for r in decision.next_blockers))
        return f"next: none: waiting does not help ({checks}): fix that first"
    limit = decision.limit
    return f"next: none before {show(limit, zone) if limit else 'the limit'} (searched 60 days)"


def to_json(decision: Decision) -> str:
    """The answer as JSON (see :func:`schema`)."""
    zone = decision.zone

    def when(value):
        return iso(value, zone) if value is not None else None

    features = []
    for feature in decision.features:
        contacts = [
            {
                "id": c.key,
                "name": c.name,
                "team": c.team,
                "reachable": c.key in feature.reachable,
                "deploying": c.deploying,
            }
            for c in feature.contacts
        ]
        stage = feature.stage
        features.append(
            {
                "id": feature.id,
                "title": feature.title,
                "runbook": feature.runbook,
                "decision": "go" if feature.go else "refused",
                "reasons": [
                    {
                        "check": r.check,
                        "message": r.message,
                        "fix": r.fix,
                        "passes_at": when(r.passes_at),
                    }
                    for r in feature.reasons
                ],
                "contacts": contacts,
                "stage": None
                if stage is None
                else {
                    "number": stage.index + 1,
                    "name": stage.stage.name,
                    "started": when(stage.started),
                    "min_duration": stage.stage.min_duration,
                    "source": stage.source,
                },
                "notes": feature.notes,
            }
        )
    out: dict = {
        "version": JSON_VERSION,
        "decision": decision.outcome,
        "at": when(decision.at),
        "time_zone": zone.key,
        "window": {
            "duration": str(decision.window),
            "start": when(decision.at),
            "end": when(decision.end),
        },
        "deployer": None
        if decision.by is None
        else {
            "name": decision.by,
            "in_teams_file": decision.by_contact is not None,
            "id": decision.by_contact.key if decision.by_contact else None,
        },
        "override": None
        if decision.override is None
        else {
            "reason": decision.override.reason,
            "by": decision.override.by,
            "by_from": decision.override.by_from,
        },
        "features": features,
    }
    if decision.next_searched:
        out["next"] = {
            "at": when(decision.next_at),
            "searched_until": when(decision.limit),
            "message": next_line(decision),
        }
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
