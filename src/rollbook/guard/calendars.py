"""iCalendar (.ics) files: freezes and away times that people keep in their calendar programs.

Parsing is icalendar's (RFC 5545, with VTIMEZONE and TZID); recurring events (RRULE, RDATE,
EXDATE and RECURRENCE-ID overrides) are expanded by recurring-ical-events, as calendar
programs show them. What a calendar says must not be lost on the way, so anything that would
make a period vanish or move is an error naming the file, never a silent pass: a file that is
not iCalendar, one too large to be a person's calendar, an event whose time zone is unknown,
an event with a start time but no end, a recurrence that cannot be expanded.

A cancelled event (STATUS:CANCELLED) and one marked free (TRANSP:TRANSPARENT) is not a
period. Times without a zone ("floating") are in the configured time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from rollbook.guard.periods import Period, day_start, localize
from rollbook.safe_text import for_terminal

MAX_CALENDAR_BYTES = 5 * 1024 * 1024
"""A year of a busy person's calendar is a few hundred KB; more is most likely a wrong file."""
MAX_OCCURRENCES = 5_000
"""Occurrences read from one file over the two months a question looks at: an event every
hour is 1,500; a rule repeating every minute is a mistake."""


class CalendarError(Exception):
    """A calendar file cannot be used: the message starts with the file (and line if known)."""


@dataclass
class Calendar:
    """One .ics file, parsed: its events are expanded on demand over a span of time."""

    path: Path
    display: str
    zone: ZoneInfo
    configured_by: str = ""
    """The configuration key and file that name this calendar, for error messages."""
    _calendar: object = None
    _text: str = ""
    _cache: dict[tuple[dt.datetime, dt.datetime], list[Period]] = field(default_factory=dict)

    def periods(self, start: dt.datetime, end: dt.datetime, default_reason: str) -> list[Period]:
        """Every event that overlaps [start, end), recurring ones expanded, as periods."""
        key = (start, end)
        if key not in self._cache:
            try:
                self._cache[key] = self._expand(start, end, default_reason)
            except CalendarError as exc:
                where = f"\n    (configured by {self.configured_by})" if self.configured_by else ""
                raise CalendarError(f"{exc}{where}") from None
        return self._cache[key]

    def _expand(self, start: dt.datetime, end: dt.datetime, default_reason: str) -> list[Period]:
        import recurring_ical_events

        out: list[Period] = []
        try:
            self._count_occurrences(start, end)
            query = recurring_ical_events.of(self._calendar, components=["VEVENT"])
            for event in query.between(start, end):
                period = self._period(event, default_reason)
                if period is not None and period.overlaps(start, end):
                    out.append(period)
        except CalendarError:
            raise
        except Exception as exc:  # the libraries' errors are many; each means "cannot read"
            raise CalendarError(
                f"{self.display}: cannot expand its recurring events: {type(exc).__name__}: {exc}"
            ) from None
        return out

    def _count_occurrences(self, start: dt.datetime, end: dt.datetime) -> None:
        """Refuse a calendar whose rules repeat more than :data:`MAX_OCCURRENCES` times in
        [start, end), counting lazily with dateutil before anything is expanded whole."""
        from dateutil.rrule import rrulestr

        total = 0
        for event in self._calendar.walk("VEVENT"):  # type: ignore[attr-defined]
            rule = event.get("RRULE")
            if rule is None:
                continue
            first = event["DTSTART"].dt
            if not isinstance(first, dt.datetime):
                first = dt.datetime.combine(first, dt.time())
            if first.tzinfo is None:
                first = localize(first, self.zone)
            text = rule.to_ical().decode()
            if "UNTIL=" in text and not re.search(r"UNTIL=\d{8}T\d{6}Z", text):
                # dateutil wants UNTIL in the zone of DTSTART: an all-day or floating UNTIL
                # is read as the end of that day in UTC, which only matters for counting.
                text = re.sub(r"UNTIL=(\d{8})(T\d{6})?", r"UNTIL=\1T235959Z", text)
            dates = rrulestr(text, dtstart=first.astimezone(dt.UTC))
            for moment in dates.xafter(start.astimezone(dt.UTC), count=MAX_OCCURRENCES + 1):
                if moment >= end:
                    break
                total += 1
                if total > MAX_OCCURRENCES:
                    raise CalendarError(
                        f"{self.display}: more than {MAX_OCCURRENCES} events between "
                        f"{start:%Y-%m-%d} and {end:%Y-%m-%d}: check the RRULE of "
                        f"{_name(event)!r}"
                    )

    def _period(self, event, default_reason: str) -> Period | None:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            return None
        if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
            return None
        begin = event["DTSTART"].dt
        finish = event["DTEND"].dt if event.get("DTEND") is not None else None
        if finish is None:
            # Only an all-day event may leave its end out (RFC 5545: it lasts the day); the
            # check at load time refuses the rest.
            finish = begin + dt.timedelta(days=1)
        # A summary is shown in refusals and on pages: hidden and control characters are
        # shown as escapes (\u202e), as everywhere else, and a long one is cut.
        summary = " ".join(str(event.get("SUMMARY") or "").split())[:200]
        reason = for_terminal(summary, lines=False) or default_reason
        return Period(self._aware(begin), self._aware(finish, end=True), reason, self.display)

    def _aware(self, value: dt.date | dt.datetime, *, end: bool = False) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return localize(value, self.zone) if value.tzinfo is None else value
        return day_start(value, self.zone)


def read_calendar(path: Path, display: str, zone: ZoneInfo, configured_by: str = "") -> Calendar:
    """Read and check one .ics file, or raise :class:`CalendarError` naming it."""
    import icalendar

    try:
        size = path.stat().st_size
        if size > MAX_CALENDAR_BYTES:
            raise CalendarError(
                f"{display}: the file is {size / 1024 / 1024:.1f} MB; calendars are read up to "
                f"{MAX_CALENDAR_BYTES // 1024 // 1024} MB: export only the coming months, or "
                "only the freeze or away events"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CalendarError(f"{display}: cannot read: {exc.strerror or exc}") from None
    text = raw.decode("utf-8-sig", errors="replace")
    if not re.match(r"\s*BEGIN:VCALENDAR\b", text, re.IGNORECASE):
        raise CalendarError(
            f"{display}: not an iCalendar file (it does not start with BEGIN:VCALENDAR): "
            "export the calendar as .ics"
        )
    try:
        parsed = icalendar.Calendar.from_ical(raw)
    except Exception as exc:
        raise CalendarError(f"{display}: not a valid iCalendar file: {exc}") from None
    if isinstance(parsed, list):  # several VCALENDARs in one file
        raise CalendarError(f"{display}: holds {len(parsed)} calendars; give each its own file")
    calendar = Calendar(path, display, zone, configured_by, parsed, text)
    _check_events(calendar, text)
    return calendar


def _check_events(calendar: Calendar, text: str) -> None:
    """Refuse what would silently drop or shift a period: unknown zones, events without end."""
    for event in calendar._calendar.walk("VEVENT"):  # type: ignore[attr-defined]
        where = f"{calendar.display}:{_line_of(text, event)}"
        start = event.get("DTSTART")
        if start is None:
            raise CalendarError(
                f"{where}: event {_name(event)!r} has no DTSTART: say when it starts"
            )
        for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            value = event.get(prop)
            tzid = value.params.get("TZID") if value is not None else None
            if tzid and isinstance(value.dt, dt.datetime) and value.dt.tzinfo is None:
                raise CalendarError(
                    f"{where}: event {_name(event)!r}: unknown time zone {str(tzid)!r} in "
                    f"{prop}: use an IANA name (Europe/Berlin) or include its VTIMEZONE"
                )
        for exdate in _as_list(event.get("EXDATE")):
            tzid = exdate.params.get("TZID")
            if tzid and any(
                isinstance(d.dt, dt.datetime) and d.dt.tzinfo is None for d in exdate.dts
            ):
                raise CalendarError(
                    f"{where}: event {_name(event)!r}: unknown time zone {str(tzid)!r} in "
                    "EXDATE: use an IANA name (Europe/Berlin) or include its VTIMEZONE"
                )
        rule = event.get("RRULE")
        for freq in rule.get("FREQ", []) if rule is not None else []:
            if str(freq).upper() in ("SECONDLY", "MINUTELY"):
                raise CalendarError(
                    f"{where}: event {_name(event)!r} repeats {str(freq).lower()} (RRULE "
                    "FREQ): freezes and absences are hours or days long; check the rule"
                )
        timed = isinstance(start.dt, dt.datetime)
        if timed and event.get("DTEND") is None and event.get("DURATION") is None:
            raise CalendarError(
                f"{where}: event {_name(event)!r} has a start time but no end (no DTEND or "
                "DURATION): say when it ends, or make it an all-day event"
            )
        end = event.get("DTEND")
        if end is not None and type(end.dt) is type(start.dt):
            try:
                backwards = end.dt < start.dt
            except TypeError:
                backwards = False
            if backwards:
                raise CalendarError(
                    f"{where}: event {_name(event)!r} ends before it starts: check DTEND"
                )


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _name(event) -> str:
    return str(event.get("SUMMARY") or event.get("UID") or "(no summary)")


def _line_of(text: str, event) -> int:
    """The line of the event's UID (or SUMMARY) in the file, so the error points at it."""
    for prop in ("UID", "SUMMARY"):
        value = event.get(prop)
        if value:
            found = re.search(rf"^{prop}[;:][^\r\n]*{re.escape(str(value)[:40])}", text, re.M)
            if found:
                return text.count("\n", 0, found.start()) + 1
    return 1
