"""Freeze windows: when nothing may be deployed, whoever is around.

Four kinds, all in the configured time zone: date ranges with a reason (`guard.freezes`),
weekly windows such as Friday 15:00 to Monday 09:00 (`guard.weekly`), holidays (whole days,
`guard.holidays`) and the events of freeze calendars (`guard.freeze-calendars`, .ics).
A weekly window is laid on the wall clock of every week, so "Mon 09:00" stays 09:00 across a
daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rollbook.config import GuardConfig, weekly_time
from rollbook.guard.calendars import Calendar
from rollbook.guard.periods import Period, day_start, localize, moment_in


@dataclass
class FreezeCalendar:
    """Every freeze the configuration declares, laid out on request over a span of time."""

    config: GuardConfig
    zone: ZoneInfo
    where: str
    """The configuration file as people see it, for saying where a freeze comes from."""
    calendars: list[Calendar]
    span: tuple[dt.datetime, dt.datetime] | None = None
    """The times questions will be asked about: calendars are expanded over it once."""

    def periods(self, start: dt.datetime, end: dt.datetime) -> list[Period]:
        """Every freeze that overlaps [start, end), earliest first."""
        out: list[Period] = []
        for i, freeze in enumerate(self.config.freezes):
            period = Period(
                moment_in(freeze.start, self.zone),
                moment_in(freeze.end, self.zone, end=True),
                freeze.reason,
                f"{self.where}: guard.freezes[{i}]",
            )
            if period.overlaps(start, end):
                out.append(period)
        for i, holiday in enumerate(self.config.holidays):
            period = Period(
                day_start(holiday.date, self.zone),
                day_start(holiday.date + dt.timedelta(days=1), self.zone),
                f"holiday: {holiday.name}" if holiday.name != "holiday" else "holiday",
                f"{self.where}: guard.holidays[{i}]",
            )
            if period.overlaps(start, end):
                out.append(period)
        for i, weekly in enumerate(self.config.weekly):
            source = f"{self.where}: guard.weekly[{i}]"
            out.extend(
                p
                for p in _weekly_periods(
                    weekly.start, weekly.end, weekly.reason, source, self.zone, start, end
                )
                if p.overlaps(start, end)
            )
        for calendar in self.calendars:
            inside = self.span is not None and self.span[0] <= start and end <= self.span[1]
            over = self.span if inside else (start, end)
            out.extend(p for p in calendar.periods(*over, "freeze") if p.overlaps(start, end))
        out.sort(key=lambda p: (p.start, p.end))
        return out

    def in_force(self, moment: dt.datetime) -> list[Period]:
        """The freezes ``moment`` falls in."""
        return [
            p for p in self.periods(moment, moment + dt.timedelta(seconds=1)) if p.contains(moment)
        ]

    def opens(self, moment: dt.datetime, limit: dt.datetime) -> dt.datetime | None:
        """The first time at or after ``moment`` outside every freeze (None: not before limit).

        Freezes that meet or overlap are followed one after another: a weekend freeze that
        ends on a holiday Monday opens on Tuesday.
        """
        current = moment
        spans = self.periods(moment, limit)
        while current < limit:
            covering = [p for p in spans if p.contains(current)]
            if not covering:
                return current
            current = max(p.end for p in covering)
        return None


def _weekly_periods(
    start_text: str,
    end_text: str,
    reason: str,
    source: str,
    zone: ZoneInfo,
    start: dt.datetime,
    end: dt.datetime,
) -> list[Period]:
    """One period per week that may touch [start, end), on the wall clock of ``zone``."""
    from_day, from_hour, from_minute = weekly_time(start_text)
    to_day, to_hour, to_minute = weekly_time(end_text)
    length = (to_day - from_day) % 7
    from_minutes = from_hour * 60 + from_minute
    to_minutes = to_hour * 60 + to_minute
    if length == 0 and to_minutes <= from_minutes:
        length = 7  # "Mon 09:00" to "Mon 08:00": all week but an hour
    first = start.astimezone(zone).date() - dt.timedelta(days=8)
    last = end.astimezone(zone).date() + dt.timedelta(days=1)
    out = []
    day = first + dt.timedelta(days=(from_day - first.weekday()) % 7)
    while day <= last:
        begin = localize(dt.datetime.combine(day, dt.time(from_hour, from_minute)), zone)
        finish = localize(
            dt.datetime.combine(day + dt.timedelta(days=length), dt.time(to_hour, to_minute)),
            zone,
        )
        label = f"{reason} ({start_text} to {end_text})"
        out.append(Period(begin, finish, label, source))
        day += dt.timedelta(days=7)
    return out
