"""Who can roll a feature back, and whether they can be reached during the window after a deploy.

A feature's contacts are the people its runbook names in `contacts`, the people of the teams
it names there, and the people of its owning team (a team's on-call phone counts as one
contact too when `guard.oncall-counts` is set). Each is away when the teams file says so
(`away` under the person or their team) or when an away calendar (`guard.calendars`, by
person or team id) has an event then. The person deploying (`--by`) counts as one more
contact, but only if they can be reached too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from rollbook.guard.calendars import Calendar
from rollbook.guard.periods import Duration, Period, moment_in
from rollbook.model.runbook import Away, Person, Runbook, Team, TeamsFile


@dataclass
class Contact:
    """Someone (or a team's on-call phone) who can perform a rollback."""

    key: str
    """The person's id, or `team-id:on-call`."""
    name: str
    team: str
    away: list[Period] = field(default_factory=list)
    deploying: bool = False

    def away_during(self, start: dt.datetime, end: dt.datetime) -> list[Period]:
        return [p for p in self.away if p.overlaps(start, end)]

    def reachable(self, start: dt.datetime, end: dt.datetime) -> bool:
        return not self.away_during(start, end)

    def back(self, moment: dt.datetime) -> dt.datetime:
        """When someone away at ``moment`` is back (away periods that meet are followed)."""
        current = moment
        while True:
            covering = [p for p in self.away if p.contains(current)]
            if not covering:
                return current
            current = max(p.end for p in covering)


@dataclass
class Availability:
    """The teams file and away calendars, asked about one window at a time."""

    teams: TeamsFile | None
    zone: ZoneInfo
    calendars: dict[str, list[Calendar]]
    oncall_counts: bool
    span: tuple[dt.datetime, dt.datetime]
    """The times questions will be asked about: calendars are expanded over it once."""
    teams_display: str = "teams file"

    def contacts(self, runbook: Runbook) -> list[Contact]:
        """The feature's contacts in escalation order: named contacts, then the owner's team."""
        if self.teams is None:
            return []
        out: dict[str, Contact] = {}
        teams: list[Team] = []
        for contact in runbook.contacts:
            if contact.person:
                found = self.teams.person(contact.person)
                if found:
                    self._add_person(out, *found)
            elif contact.team:
                team = self.teams.team(contact.team)
                if team:
                    teams.append(team)
        owner = self.teams.team(runbook.owner)
        if owner:
            teams.append(owner)
        for team in teams:
            for person in team.people:
                self._add_person(out, team, person)
            if self.oncall_counts and team.oncall_phone is not None:
                key = f"{team.id}:on-call"
                if key not in out:
                    out[key] = Contact(key, f"{team.name} on-call", team.id, self._away_of(team))
        return list(out.values())

    def deployer(self, who: str) -> Contact | None:
        """The person deploying, found by id, name or chat handle; None if not in the file."""
        if self.teams is None or not who.strip():
            return None
        wanted = who.strip().casefold().lstrip("@")
        for team in self.teams.teams:
            for person in team.people:
                names = {
                    person.id,
                    person.name.casefold(),
                    (person.chat or "").casefold().lstrip("@"),
                }
                if wanted in names:
                    contact = self._contact(team, person)
                    contact.deploying = True
                    return contact
        return None

    def _add_person(self, out: dict[str, Contact], team: Team, person: Person) -> None:
        if person.id not in out:
            # A person listed under several teams is away whenever any of them is.
            out[person.id] = self._contact(team, person)

    def _contact(self, team: Team, person: Person) -> Contact:
        away = self._periods(person.away, person.name, f"{self.teams_display}: {person.id}")
        away += self._calendar_periods(person.id)
        for other in self.teams.teams if self.teams else []:
            if any(p.id == person.id for p in other.people):
                away += self._away_of(other)
        return Contact(person.id, person.name, team.id, sorted(away, key=lambda p: p.start))

    def _away_of(self, team: Team) -> list[Period]:
        return self._periods(team.away, team.name, f"{self.teams_display}: {team.id}") + (
            self._calendar_periods(team.id)
        )

    def _periods(self, away: list[Away], who: str, source: str) -> list[Period]:
        return [
            Period(
                moment_in(a.start, self.zone),
                moment_in(a.end, self.zone, end=True),
                a.reason or "",
                source,
            )
            for a in away
        ]

    def _calendar_periods(self, key: str) -> list[Period]:
        out: list[Period] = []
        for calendar in self.calendars.get(key, []):
            out.extend(calendar.periods(*self.span, "away"))
        return out


@dataclass(frozen=True)
class Coverage:
    """Who can be reached throughout one window, and who cannot."""

    start: dt.datetime
    end: dt.datetime
    reachable: list[Contact]
    unreachable: list[Contact]
    needed: int

    @property
    def enough(self) -> bool:
        return len(self.reachable) >= self.needed


def coverage(
    contacts: list[Contact], start: dt.datetime, window: Duration, needed: int
) -> Coverage:
    """Who of ``contacts`` can be reached from ``start`` for ``window``."""
    end = window.after(start)
    reachable = [c for c in contacts if c.reachable(start, end)]
    unreachable = [c for c in contacts if not c.reachable(start, end)]
    return Coverage(start, end, reachable, unreachable, needed)


def first_covered(
    contacts: list[Contact],
    start: dt.datetime,
    window: Duration,
    needed: int,
    limit: dt.datetime,
) -> dt.datetime | None:
    """The first time from ``start`` whose window has ``needed`` contacts reachable throughout.

    Only the ends of away periods can turn a "no" into a "yes", so those are the times tried.
    """
    candidates = sorted(
        {start} | {p.end for c in contacts for p in c.away if start < p.end <= limit}
    )
    for moment in candidates:
        if coverage(contacts, moment, window, needed).enough:
            return moment
    return None
