"""Spans of time in a time zone: what freezes and away periods are made of.

Everything is compared as aware datetimes. A whole day in a time zone runs from its local
midnight to the next one, which is 23 or 25 hours on the days clocks change; adding a
duration of days keeps the wall-clock time (a deploy at 09:00 with a one-day window is covered
until 09:00 the next day, whatever daylight saving does), while minutes and hours are
elapsed time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_DURATION = re.compile(r"\s*([1-9][0-9]{0,5})\s*([mhdw])\s*\Z")
_UNIT_WORDS = {"m": "minute", "h": "hour", "d": "day", "w": "week"}


@dataclass(frozen=True)
class Period:
    """From ``start`` (included) to ``end`` (excluded), with why, and where that was said."""

    start: dt.datetime
    end: dt.datetime
    reason: str
    source: str
    """Where the period comes from: `rollbook.toml: guard.weekly[0]`, `calendars/ben.ics`."""

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and start < self.end

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Duration:
    """A window such as ``24h`` or ``2d``, as written, and added to times as people expect."""

    amount: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Duration:
        """``"24h"`` -> Duration(24, "h"); ValueError with how to write it otherwise."""
        match = _DURATION.match(text or "")
        if match is None:
            raise ValueError(
                f"{text!r} is not a duration: write a number and m, h, d or w, "
                'e.g. "90m", "24h", "2d", "1w"'
            )
        return cls(int(match.group(1)), match.group(2))

    def after(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` plus this duration: days and weeks on the wall clock of its zone."""
        if self.unit in "dw":
            days = self.amount * (7 if self.unit == "w" else 1)
            local = moment.replace(tzinfo=None) + dt.timedelta(days=days)
            return localize(local, moment.tzinfo)  # type: ignore[arg-type]
        minutes = self.amount * (60 if self.unit == "h" else 1)
        return (moment.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)).astimezone(moment.tzinfo)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def words(self) -> str:
        word = _UNIT_WORDS[self.unit]
        return f"{self.amount} {word}{'s' if self.amount != 1 else ''}"


def localize(local: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A wall-clock time in ``zone``; a time the clocks skip is moved past the gap, as a
    person setting a clock would, and a time they pass twice is its first occurrence."""
    aware = local.replace(tzinfo=zone, fold=0)
    # A skipped time (02:30 on the spring change) does not survive the round trip: it comes
    # back as the time the clock shows an hour on (03:30), which is where it is moved to.
    return aware.astimezone(dt.UTC).astimezone(zone)


def day_start(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """Local midnight that begins ``day`` in ``zone``."""
    return localize(dt.datetime.combine(day, dt.time()), zone)


def moment_in(value: dt.date | dt.datetime, zone: dt.tzinfo, *, end: bool = False) -> dt.datetime:
    """A date or a date and time from a file as an aware time: a date is its local midnight
    (``end``: the midnight after it, so that a last day is included); a time without an offset
    is in ``zone``."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return localize(value, zone)
        return value
    return day_start(value + dt.timedelta(days=1) if end else value, zone)


def parse_at(text: str, zone: ZoneInfo) -> dt.datetime:
    """The command line's ``--at``: ISO 8601, with or without an offset (then in ``zone``).

    ``2026-12-04T16:00``, ``2026-12-04 16:00``, ``2026-12-04T16:00+01:00``, ``...Z`` and a bare
    date (its midnight) are accepted; ValueError otherwise.
    """
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return day_start(dt.date.fromisoformat(value), zone)
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date and time: write e.g. 2026-12-04T16:00 (in the "
            "configured time zone) or 2026-12-04T16:00+01:00"
        ) from None
    return localize(parsed, zone) if parsed.tzinfo is None else parsed.astimezone(zone)


def show(moment: dt.datetime, zone: ZoneInfo) -> str:
    """How a time is written to people: ``Mon 2026-12-07 09:00 Europe/Berlin``."""
    local = moment.astimezone(zone)
    return f"{local:%a %Y-%m-%d %H:%M} {zone.key}"


def iso(moment: dt.datetime, zone: ZoneInfo) -> str:
    """RFC 3339 with the offset of ``zone``: ``2026-12-07T09:00:00+01:00``."""
    return moment.astimezone(zone).isoformat(timespec="seconds")
