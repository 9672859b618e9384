"""The site's view of the guard: who is reachable for the next 24 hours, and freezes in force.

Worked out once, when the site is built, for every runbook page; the page states the build
time, since it is stale as soon as it is published (`rollbook guard` answers for now). Shown
only in projects that use the guard: a `[guard]` table, or `away` times in the teams file.
A calendar that cannot be read does not stop the build: each page says what went wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rollbook.config import ConfigError, Project
from rollbook.guard.availability import Availability, coverage
from rollbook.guard.calendars import CalendarError
from rollbook.guard.periods import Duration, show
from rollbook.model.runbook import Runbook, TeamsFile
from rollbook.render.views import OutlookView

HORIZON = Duration(24, "h")


def uses_guard(project: Project, teams: TeamsFile | None) -> bool:
    """Whether the project declares anything the guard reads: `[guard]` or `away` times."""
    if "guard" in project.config.model_fields_set:
        return True
    return teams is not None and any(
        team.away or any(person.away for person in team.people) for team in teams.teams
    )


def outlook_provider(
    project: Project, teams: TeamsFile | None, teams_display: str, built: dt.datetime
) -> Callable[[Runbook], OutlookView] | None:
    """A function giving each runbook's outlook at ``built``; None when the guard is unused."""
    if not uses_guard(project, teams):
        return None
    from rollbook.guard.decide import away_calendars, freeze_calendars, zone_of
    from rollbook.guard.freezes import FreezeCalendar

    zone = zone_of(project)
    start = built.astimezone(zone)
    end = HORIZON.after(start)
    as_of = {
        "as_of_text": show(start, zone),
        "as_of_iso": start.isoformat(timespec="seconds"),
        "until_text": show(end, zone),
    }
    guard = project.config.guard
    config_name = project.display(project.config_path) if project.config_path else "rollbook.toml"
    span = (start - dt.timedelta(days=1), end + dt.timedelta(days=1))
    try:
        freezes = FreezeCalendar(
            guard, zone, config_name, freeze_calendars(project, zone, config_name), span
        )
        in_force = tuple(f"{p.reason}, until {show(p.end, zone)}" for p in freezes.in_force(start))
        availability = Availability(
            teams,
            zone,
            away_calendars(project, zone, config_name, teams),
            guard.oncall_counts,
            span,
            teams_display,
        )
    except (ConfigError, CalendarError) as exc:
        failed = OutlookView(**as_of, error=str(exc).split("\n")[0])
        return lambda runbook: failed

    def outlook(runbook: Runbook) -> OutlookView:
        try:
            contacts = availability.contacts(runbook)
            covered = coverage(contacts, start, HORIZON, guard.min_contacts)
        except CalendarError as exc:
            return OutlookView(**as_of, error=str(exc).split("\n")[0])
        away = []
        for contact in covered.unreachable:
            periods = contact.away_during(start, end)
            why = ", ".join(dict.fromkeys(p.reason for p in periods if p.reason))
            why = f" ({why})" if why else ""
            back = contact.back(max(min(p.start for p in periods), start))
            away.append(f"{contact.name}: away{why}, back {show(back, zone)}")
        return OutlookView(
            **as_of,
            reachable=tuple(c.name for c in covered.reachable),
            away=tuple(away),
            freezes=in_force,
            needed=guard.min_contacts,
        )

    return outlook
