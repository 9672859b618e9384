"""The checks: may these features be deployed at this time? Every reason to wait, and its cure.

:func:`decide` loads the project, reads the calendars and runs, for each feature:

- ``lint``: the feature's runbook file has lint findings at or above `fail-on`;
- ``rollback``: the runbook has no rollback (neither steps nor a kill switch);
- ``drill``: a high or critical risk feature has no passing drill within the drill age;
- ``rollout``: the current rollout stage has not run its `min_duration`;
- ``freeze``: the time falls in a freeze window;
- ``contacts``: too few of the feature's contacts can be reached throughout the window.

Each :class:`Reason` says what would make it pass and, when waiting alone would, from when
(``passes_at``); :func:`next_pass` follows those times forward to the first that passes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from rollbook.config import ConfigError, Project
from rollbook.diagnostics import Severity
from rollbook.guard.availability import Availability, Contact, coverage, first_covered
from rollbook.guard.calendars import Calendar, CalendarError, read_calendar
from rollbook.guard.freezes import FreezeCalendar
from rollbook.guard.periods import Duration, day_start, show
from rollbook.guard.rollout import CurrentStage, current_stage
from rollbook.model.runbook import Runbook, TeamsFile

SEARCH_DAYS = 60
"""How far `--next` looks ahead."""
CI_ACTOR_VARIABLES = ("GITHUB_ACTOR", "GITLAB_USER_LOGIN", "USER")
"""Where an override's person comes from when `--by` is not given, in this order."""
CHECKS = ("lint", "rollback", "drill", "rollout", "freeze", "contacts")


@dataclass(frozen=True)
class Reason:
    """One reason not to deploy a feature now, and what would make it pass."""

    check: str
    message: str
    fix: str
    passes_at: dt.datetime | None = None
    """When waiting alone makes this check pass; None when waiting does not help."""


@dataclass
class FeatureDecision:
    """The answer for one feature."""

    id: str
    title: str
    runbook: str
    reasons: list[Reason] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    reachable: list[str] = field(default_factory=list)
    """Keys of the contacts reachable throughout the window."""
    stage: CurrentStage | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def go(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class Override:
    """A person's decision to deploy anyway, on the record."""

    reason: str
    by: str
    by_from: str
    """Where the name came from: `--by` or an environment variable such as GITHUB_ACTOR."""


@dataclass
class Decision:
    """The answer for every feature asked about, at one time."""

    at: dt.datetime
    zone: ZoneInfo
    window: Duration
    end: dt.datetime
    features: list[FeatureDecision]
    by: str | None = None
    by_contact: Contact | None = None
    override: Override | None = None
    next_at: dt.datetime | None = None
    next_searched: bool = False
    next_blockers: list[Reason] = field(default_factory=list)
    limit: dt.datetime | None = None

    @property
    def go(self) -> bool:
        return all(f.go for f in self.features)

    @property
    def outcome(self) -> str:
        """``go``, ``refused`` or ``overridden`` (refused, and deployed anyway)."""
        if self.go:
            return "go"
        return "overridden" if self.override else "refused"


@dataclass
class GuardRequest:
    """What `rollbook guard` is asked; the command line's options, callable from Python."""

    features: list[str]
    at: dt.datetime | None = None
    window: str | None = None
    by: str | None = None
    override: str | None = None
    stage: str | None = None
    stage_started: str | None = None
    find_next: bool = False
    env: Mapping[str, str] | None = None


@dataclass
class _Context:
    """What every check needs, read once."""

    project: Project
    zone: ZoneInfo
    window: Duration
    freezes: FreezeCalendar
    availability: Availability
    min_contacts: int
    drill_max_age: int
    limit: dt.datetime


def zone_of(project: Project) -> ZoneInfo:
    """The configured time zone (checked when the configuration was read)."""
    return ZoneInfo(project.config.guard.time_zone)


def decide(project: Project, request: GuardRequest) -> Decision:
    """Answer ``request``; ConfigError (exit 2) for usage errors and unusable calendars."""
    try:
        return _decide(project, request)
    except CalendarError as exc:
        # Recurring events are expanded when a question needs them, so a calendar can fail
        # late: still a configuration error, never a pass.
        raise ConfigError(str(exc)) from None


def _decide(project: Project, request: GuardRequest) -> Decision:
    if not request.features:
        raise ConfigError("name at least one feature: rollbook guard FEATURE...")
    guard = project.config.guard
    zone = zone_of(project)
    at = (request.at or dt.datetime.now(dt.UTC)).astimezone(zone)
    try:
        window = Duration.parse(request.window or guard.window)
    except ValueError as exc:
        raise ConfigError(f"--window: {exc}") from None
    env = os.environ if request.env is None else request.env
    override = _override(request, env)

    from rollbook.load.runbooks import load_project_runbooks

    loaded = load_project_runbooks(project)
    teams = (
        loaded.teams.model if loaded.teams and isinstance(loaded.teams.model, TeamsFile) else None
    )
    limit = at + dt.timedelta(days=SEARCH_DAYS)
    span = (at - dt.timedelta(days=1), window.after(limit) + dt.timedelta(days=1))
    config_name = project.display(project.config_path) if project.config_path else "rollbook.toml"
    ctx = _Context(
        project,
        zone,
        window,
        FreezeCalendar(
            guard, zone, config_name, freeze_calendars(project, zone, config_name), span
        ),
        Availability(
            teams,
            zone,
            away_calendars(project, zone, config_name, teams),
            guard.oncall_counts,
            span,
            loaded.teams.display if loaded.teams else "teams file",
        ),
        guard.min_contacts,
        guard.drill_max_age or project.config.drill_max_age,
        limit,
    )
    found = _find_runbooks(loaded, request.features)
    by_contact = ctx.availability.deployer(request.by) if request.by else None
    decisions = []
    for ident in request.features:
        item = found[ident]
        runbook = item.runbook
        decision = FeatureDecision(ident, runbook.title if runbook else ident, item.display)
        decision.reasons.extend(_lint_reasons(project, item.path, item.display, at, zone))
        if runbook is None:
            decision.notes.append("the runbook does not load, so nothing else was checked")
        else:
            decision.stage = current_stage(
                project, runbook, zone, request.stage, request.stage_started
            )
            decision.contacts = ctx.availability.contacts(runbook)
            decision.reasons.extend(_rollback_reasons(runbook))
            decision.reasons.extend(
                _timed_reasons(ctx, runbook, decision, at, request.by, by_contact)
            )
        decisions.append(decision)
    result = Decision(
        at,
        zone,
        window,
        window.after(at),
        decisions,
        request.by,
        by_contact,
        override,
        limit=limit,
    )
    if request.find_next:
        _search_next(ctx, result, found, request.by, by_contact)
    return result


def _override(request: GuardRequest, env: Mapping[str, str]) -> Override | None:
    if request.override is None:
        return None
    reason = request.override.strip()
    if not reason:
        raise ConfigError('--override needs a reason people can read later: --override "why"')
    if request.by and request.by.strip():
        return Override(reason, request.by.strip(), "--by")
    for name in CI_ACTOR_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            return Override(reason, value, name)
    raise ConfigError(
        "--override needs the name of the person deciding: give --by NAME (in CI, "
        f"{', '.join('$' + n for n in CI_ACTOR_VARIABLES)} are read when set)"
    )


def _calendar(project: Project, rel: str, key: str, zone: ZoneInfo, config_name: str) -> Calendar:
    path = project.resolve(rel)
    display = project.display(path)
    if not path.is_file():
        raise ConfigError(
            f"{config_name}: {key}: the calendar {display} does not exist "
            "(paths are relative to the configuration file)"
        )
    configured_by = f"{key} in {config_name}"
    try:
        return read_calendar(path, display, zone, configured_by)
    except CalendarError as exc:
        raise ConfigError(f"{exc}\n    (configured by {configured_by})") from None


def freeze_calendars(project: Project, zone: ZoneInfo, config_name: str) -> list[Calendar]:
    """Every `guard.freeze-calendars` file, read and checked (ConfigError naming it if bad)."""
    return [
        _calendar(project, rel, f"guard.freeze-calendars[{i}]", zone, config_name)
        for i, rel in enumerate(project.config.guard.freeze_calendars)
    ]


def away_calendars(
    project: Project, zone: ZoneInfo, config_name: str, teams: TeamsFile | None
) -> dict[str, list[Calendar]]:
    """Every `guard.calendars` file by person or team id (ConfigError naming it if bad)."""
    out: dict[str, list[Calendar]] = {}
    for ident, paths in project.config.guard.calendars.items():
        if teams is not None and teams.team(ident) is None and teams.person(ident) is None:
            people = [p.id for t in teams.teams for p in t.people] + [t.id for t in teams.teams]
            close = difflib.get_close_matches(ident, people, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"{config_name}: guard.calendars.{ident}: {ident!r} is neither a person nor a "
                f"team in the teams file{hint}"
            )
        rels = [paths] if isinstance(paths, str) else paths
        out[ident] = [
            _calendar(project, rel, f"guard.calendars.{ident}", zone, config_name) for rel in rels
        ]
    return out


@dataclass
class _Found:
    path: Path
    display: str
    runbook: Runbook | None


def _find_runbooks(loaded, features: list[str]) -> dict[str, _Found]:
    from rollbook.load.yaml_reader import YamlError, read_yaml_file

    by_id: dict[str, _Found] = {}
    for item in loaded.runbooks:
        ident = item.runbook.id if item.runbook else None
        if ident is None and any(f not in by_id for f in features):
            # A runbook with errors still covers its feature: read its id to say so.
            try:
                data = read_yaml_file(item.path, item.display).data
            except (YamlError, OSError):
                data = None
            raw = data.get("id") if isinstance(data, dict) else None
            ident = raw if isinstance(raw, str) else None
        if ident is not None and ident not in by_id:
            by_id[ident] = _Found(item.path, item.display, item.runbook)
    missing = [f for f in features if f not in by_id]
    if missing:
        lines = []
        for name in missing:
            close = difflib.get_close_matches(name, sorted(by_id), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            lines.append(f"no runbook has the id {name!r}{hint}")
        raise ConfigError("; ".join(lines) + ": give feature ids as runbooks write `id:`")
    return by_id


def _lint_reasons(
    project: Project, path: Path, display: str, at: dt.datetime, zone: ZoneInfo
) -> list[Reason]:
    from rollbook.lint.engine import LintOptions, lint

    result = lint(project, LintOptions(paths=[path], today=at.astimezone(zone).date()))
    failing = [
        f for f in result.findings if f.severity.rank >= result.fail_on.rank and f.path == display
    ]
    if not failing:
        return []
    errors = sum(1 for f in failing if f.severity is Severity.ERROR)
    shown = "; ".join(f"{f.location}: {f.code} {f.message}" for f in failing[:3])
    more = f"; and {len(failing) - 3} more" if len(failing) > 3 else ""
    kind = "error" if errors == len(failing) else "finding"
    return [
        Reason(
            "lint",
            f"the runbook has {len(failing)} lint {kind}{'s' if len(failing) != 1 else ''}: "
            f"{shown}{more}",
            f"fix {'them' if len(failing) != 1 else 'it'} (rollbook lint {display})",
        )
    ]


def _rollback_reasons(runbook: Runbook) -> list[Reason]:
    rollback = runbook.rollback
    if rollback is not None and (rollback.steps or rollback.kill_switch):
        return []
    return [
        Reason(
            "rollback",
            "the runbook has no rollback: nobody could undo this deploy from it",
            "write `rollback:` with `steps` (or a `kill_switch`) in the runbook",
        )
    ]


def _timed_reasons(
    ctx: _Context,
    runbook: Runbook,
    decision: FeatureDecision,
    at: dt.datetime,
    by: str | None,
    by_contact: Contact | None,
) -> list[Reason]:
    """The checks whose answer depends on the time: drill, rollout, freeze, contacts."""
    reasons: list[Reason] = []
    reasons.extend(_drill_reasons(ctx, runbook, at))
    reasons.extend(_rollout_reasons(ctx, decision.stage, at))
    reasons.extend(_freeze_reasons(ctx, at))
    reasons.extend(_contact_reasons(ctx, runbook, decision, at, by, by_contact))
    return reasons


def _drill_reasons(ctx: _Context, runbook: Runbook, at: dt.datetime) -> list[Reason]:
    if runbook.risk not in ("high", "critical"):
        return []
    today = at.astimezone(ctx.zone).date()
    limit = ctx.drill_max_age
    passed = [d.date for d in runbook.drills if d.result == "pass" and d.date <= today]
    latest = max(passed, default=None)
    oldest_ok = today - dt.timedelta(days=limit)
    fix = (
        f"rehearse the rollback and record a passing drill (under `drills`) dated "
        f"{oldest_ok.isoformat()} or later"
    )
    if latest is None:
        return [Reason("drill", f"{runbook.risk}-risk feature has no passing rollback drill", fix)]
    age = (today - latest).days
    if age > limit:
        return [
            Reason(
                "drill",
                f"{runbook.risk}-risk feature's last passing rollback drill was on "
                f"{latest.isoformat()}, {age} days ago (the limit is {limit} days)",
                fix,
            )
        ]
    return []


def _rollout_reasons(ctx: _Context, stage: CurrentStage | None, at: dt.datetime) -> list[Reason]:
    if stage is None or stage.stage.min_duration is None:
        return []
    minimum = Duration.parse(stage.stage.min_duration)
    ready = minimum.after(stage.started)
    if at >= ready:
        return []
    return [
        Reason(
            "rollout",
            f"rollout {stage.label} started {show(stage.started, ctx.zone)} (from "
            f"{stage.source}) and has not run its minimum {stage.stage.min_duration}",
            f"it may move on from {show(ready, ctx.zone)}",
            ready,
        )
    ]


def _freeze_reasons(ctx: _Context, at: dt.datetime) -> list[Reason]:
    active = ctx.freezes.in_force(at)
    if not active:
        return []
    opens = ctx.freezes.opens(at, ctx.limit)
    what = "; ".join(f"{p.reason} (from {p.source})" for p in active)
    until = max(p.end for p in active)
    fix = (
        f"next window opens {show(opens, ctx.zone)}"
        if opens is not None
        else f"no window opens in the next {SEARCH_DAYS} days"
    )
    return [
        Reason(
            "freeze",
            f"deploys are frozen: {what}, until {show(until, ctx.zone)}",
            fix,
            opens,
        )
    ]


def _contact_reasons(
    ctx: _Context,
    runbook: Runbook,
    decision: FeatureDecision,
    at: dt.datetime,
    by: str | None,
    by_contact: Contact | None,
) -> list[Reason]:
    contacts = list(decision.contacts)
    notes: list[str] = []
    if by_contact is not None:
        known = next((c for c in contacts if c.key == by_contact.key), None)
        if known is not None:
            known.deploying = True
        else:
            contacts.append(by_contact)
    elif by:
        notes.append(f"{by} (deploying) is not in the teams file, so does not count")
    decision.contacts = contacts
    covered = coverage(contacts, at, ctx.window, ctx.min_contacts)
    decision.reachable = [c.key for c in covered.reachable]
    if covered.enough:
        return []
    for contact in covered.unreachable:
        periods = contact.away_during(covered.start, covered.end)
        why = ", ".join(dict.fromkeys(p.reason for p in periods if p.reason))
        first = min(p.start for p in periods)
        back = contact.back(max(first, at))
        who = f"{contact.name} (deploying)" if contact.deploying else contact.name
        leaves = "is away" if first <= at else f"is away from {_when(first, ctx.zone)}"
        why = f" ({why})" if why else ""
        notes.append(f"{who} {leaves}{why}: {contact.name} is back {_back(back, ctx.zone)}")
    if not contacts and ctx.availability.teams is None:
        notes.append("there is no teams file, so nobody is known who could roll back")
    elif not contacts:
        notes.append(
            f"the runbook names no one who could roll back (no people in team {runbook.owner!r} "
            "or its contacts)"
        )
    when = first_covered(contacts, at, ctx.window, ctx.min_contacts, ctx.limit)
    needed = ctx.min_contacts
    message = (
        f"{len(covered.reachable)} of the {needed} contact{'s' if needed != 1 else ''} needed "
        f"can be reached from {show(at, ctx.zone)} until {show(covered.end, ctx.zone)} "
        f"({ctx.window} window): " + "; ".join(notes)
    )
    if when is not None:
        fix = f"enough of them can be reached for a deploy from {show(when, ctx.zone)}"
    elif not contacts:
        fix = "add people to the owning team in the teams file (`rollbook init` writes one)"
    else:
        fix = (
            f"not within the next {SEARCH_DAYS} days: add contacts who stay reachable, or "
            "lower guard.min-contacts"
        )
    return [Reason("contacts", message, fix, when)]


def _when(moment: dt.datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    if local == day_start(local.date(), zone):
        return local.date().isoformat()
    return show(moment, zone)


def _back(moment: dt.datetime, zone: ZoneInfo) -> str:
    """``on 2026-12-07`` for a whole day, ``at Mon 2026-12-07 14:00 Europe/Berlin`` else."""
    text = _when(moment, zone)
    return f"on {text}" if len(text) == 10 else f"at {text}"


def _search_next(
    ctx: _Context,
    result: Decision,
    found: dict[str, _Found],
    by: str | None,
    by_contact: Contact | None,
) -> None:
    """The first time from ``result.at`` at which every feature would pass.

    Each failing check says from when waiting makes it pass; the search jumps to the latest
    of those and asks again, until all pass, one check cannot pass by waiting (a lint error,
    an old drill), or the limit of :data:`SEARCH_DAYS` days is passed.
    """
    result.next_searched = True
    blockers = [r for f in result.features for r in f.reasons if r.check in ("lint", "rollback")]
    blockers += [
        r for f in result.features for r in f.reasons if r.passes_at is None and r not in blockers
    ]
    if blockers or any(found[f.id].runbook is None for f in result.features):
        result.next_blockers = blockers
        return
    moment = result.at
    for _ in range(1000):
        failing: list[Reason] = []
        for feature in result.features:
            runbook = found[feature.id].runbook
            assert runbook is not None
            probe = FeatureDecision(feature.id, feature.title, feature.runbook)
            probe.stage = feature.stage
            probe.contacts = ctx.availability.contacts(runbook)
            failing += _timed_reasons(ctx, runbook, probe, moment, by, by_contact)
        if not failing:
            result.next_at = moment
            return
        stuck = [r for r in failing if r.passes_at is None]
        if stuck:
            result.next_blockers = stuck
            return
        later = max(r.passes_at for r in failing if r.passes_at is not None)
        # Always move on: a check that says "now" again is asked a quarter of an hour later.
        moment = later if later > moment else moment + dt.timedelta(minutes=15)
        if moment > ctx.limit:
            return


__all__ = [
    "CHECKS",
    "Decision",
    "FeatureDecision",
    "GuardRequest",
    "Override",
    "Reason",
    "decide",
]
