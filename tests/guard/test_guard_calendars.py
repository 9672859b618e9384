"""iCalendar files: freeze calendars and away calendars, recurring events and their exceptions,
and bad calendars, which stop the guard with an error naming the file (exit 2)."""

from __future__ import annotations

import pytest

from rollbook.config import ConfigError
from tests.conftest import run_cli


def ics(*events: str, extra: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rollbook tests//EN\r\n"
            + extra
            + body
            + "END:VCALENDAR\r\n"
        )
        .replace("\n", "\r\n")
        .replace("\r\r\n", "\r\n")
    )


# Every Tuesday 10:00-12:00 Berlin time is frozen (a release train), except 2026-12-08, and
# the 2026-12-15 occurrence is moved to Wednesday 2026-12-16 14:00-15:00.
TRAIN = ics(
    """
UID:train@example.com
SUMMARY:Release train
DTSTART;TZID=Europe/Berlin:20261201T100000
DTEND;TZID=Europe/Berlin:20261201T120000
RRULE:FREQ=WEEKLY;BYDAY=TU
EXDATE;TZID=Europe/Berlin:20261208T100000
""",
    """
UID:train@example.com
RECURRENCE-ID;TZID=Europe/Berlin:20261215T100000
SUMMARY:Release train (moved)
DTSTART;TZID=Europe/Berlin:20261216T140000
DTEND;TZID=Europe/Berlin:20261216T150000
""",
    """
UID:cancelled@example.com
SUMMARY:Cancelled freeze
STATUS:CANCELLED
DTSTART;TZID=Europe/Berlin:20261203T000000
DTEND;TZID=Europe/Berlin:20261204T000000
""",
)


def freezes(run) -> list[str]:
    return [line for line in run.output.splitlines() if ": freeze: " in line]


@pytest.fixture
def train(gp):
    gp.write("calendars/freezes.ics", TRAIN)
    gp.config('freeze-calendars = ["calendars/freezes.ics"]\n')
    return gp


@pytest.mark.parametrize(
    ("at", "frozen"),
    [
        ("2026-12-01T09:59", False),
        ("2026-12-01T10:00", True),  # the first occurrence
        ("2026-12-01T11:59", True),
        ("2026-12-01T12:00", False),
        ("2026-12-08T10:30", False),  # EXDATE: this Tuesday is free
        ("2026-12-15T10:30", False),  # moved away by RECURRENCE-ID...
        ("2026-12-16T14:30", True),  # ...to Wednesday afternoon
        ("2026-12-22T10:30", True),  # the rule goes on
        ("2026-12-03T10:00", False),  # a cancelled event freezes nothing
        ("2027-03-30T10:30", True),  # after the spring change, still 10:00 Berlin time
        ("2027-03-30T08:30:00+00:00", True),  # = 10:30 CEST
        ("2027-03-30T09:30:00+00:00", True),  # = 11:30 CEST
        ("2027-03-30T10:30:00+00:00", False),  # = 12:30 CEST
    ],
)
def test_recurring_freeze_with_exceptions(train, at, frozen):
    assert bool(freezes(train.guard(at=at))) is frozen


def test_calendar_freeze_names_the_event_and_the_next_window(train):
    (line,) = freezes(train.guard(at="2026-12-16T14:10"))
    assert "Release train (moved) (from calendars/freezes.ics)" in line
    assert line.endswith("next window opens Wed 2026-12-16 15:00 Europe/Berlin")


def test_next_skips_over_a_calendar_freeze(train):
    run = train.guard(at="2026-12-22T10:30", find_next=True)
    assert run.exit_code == 0
    assert run.output.splitlines()[-1] == "next: Tue 2026-12-22 12:00 Europe/Berlin"


AWAY = ics(
    """
UID:hike@example.com
SUMMARY:Hiking in the Alps
DTSTART;VALUE=DATE:20261203
DTEND;VALUE=DATE:20261207
""",
    """
UID:focus@example.com
SUMMARY:Focus time
TRANSP:TRANSPARENT
DTSTART:20261202T090000Z
DTEND:20261202T170000Z
""",
    """
UID:dentist@example.com
SUMMARY:Dentist
DTSTART:20261209T130000
DURATION:PT2H
""",
)


def test_person_away_calendar(gp):
    gp.write("calendars/ben.ics", AWAY)
    gp.config('min-contacts = 2\ncalendars = { ben-hale = "calendars/ben.ics" }\n')
    # Focus time is marked free: it does not count.
    assert gp.guard(at="2026-12-02T08:00", window="6h").exit_code == 0
    run = gp.guard(at="2026-12-02T10:00")
    assert run.exit_code == 1
    assert "Ben Hale is away from 2026-12-03 (Hiking in the Alps)" in run.output
    assert "Ben Hale is back on 2026-12-07" in run.output
    # A floating time (no zone) is in the configured zone: 13:00-15:00 Berlin.
    assert gp.guard(at="2026-12-09T15:00", window="1h").exit_code == 0
    assert gp.guard(at="2026-12-09T12:00", window="1h").exit_code == 0
    assert gp.guard(at="2026-12-09T12:30", window="1h").exit_code == 1


def test_team_calendar_with_its_own_vtimezone(gp):
    """Outlook writes Windows zone names with a VTIMEZONE: they must be honoured."""
    vtimezone = (
        "BEGIN:VTIMEZONE\nTZID:W. Europe Standard Time\n"
        "BEGIN:STANDARD\nDTSTART:16010101T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\n"
        "BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\nEND:DAYLIGHT\nEND:VTIMEZONE\n"
    )
    gp.write(
        "calendars/payments.ics",
        ics(
            """
UID:offsite@example.com
SUMMARY:Team offsite
DTSTART;TZID=W. Europe Standard Time:20261202T090000
DTEND;TZID=W. Europe Standard Time:20261202T180000
""",
            extra=vtimezone,
        ),
    )
    gp.config('calendars = { payments = ["calendars/payments.ics"] }\n', zone="UTC")
    assert gp.guard(at="2026-12-02T07:00Z", window="1h").exit_code == 0
    run = gp.guard(at="2026-12-02T07:30Z", window="1h")  # 08:30-09:30 in Berlin
    assert run.exit_code == 1
    assert "Amara Obi is away from Wed 2026-12-02 08:00 UTC (Team offsite)" in run.output
    assert "is back at Wed 2026-12-02 17:00 UTC" in run.output


# Bad calendars: each one stops the guard (exit 2) with the file's name, never a pass.

NO_END = ics("UID:x@example.com\nSUMMARY:Away, no end\nDTSTART:20261203T090000Z")
UNKNOWN_ZONE = ics(
    "UID:y@example.com\nSUMMARY:On Mars\nDTSTART;TZID=Mars/Olympus:20261203T090000\n"
    "DTEND;TZID=Mars/Olympus:20261203T100000"
)
UNKNOWN_EXDATE_ZONE = ics(
    "UID:z@example.com\nSUMMARY:Weekly\nDTSTART:20261203T090000Z\nDTEND:20261203T100000Z\n"
    "RRULE:FREQ=WEEKLY\nEXDATE;TZID=Atlantis/Capital:20261210T090000"
)
BACKWARDS = ics(
    "UID:b@example.com\nSUMMARY:Backwards\nDTSTART:20261203T090000Z\nDTEND:20261202T090000Z"
)
EVERY_SECOND = ics(
    "UID:s@example.com\nSUMMARY:Oops\nDTSTART:20261201T000000Z\nDTEND:20261201T000001Z\n"
    "RRULE:FREQ=SECONDLY"
)

QUARTER_HOURLY = ics(
    "UID:q@example.com\nSUMMARY:Every quarter\nDTSTART:20261201T000000Z\n"
    "DTEND:20261201T000500Z\nRRULE:FREQ=HOURLY;BYMINUTE=0,15,30,45"
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("hello, this is not a calendar\n", "not an iCalendar file"),
        ("", "not an iCalendar file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not an iCalendar file"),
        ("BEGIN:VCALENDAR\r\nthis line has no colon\r\nEND:VCALENDAR\r\n", "not a valid iCalendar"),
        (NO_END, "calendars/bad.ics:5: event 'Away, no end' has a start time but no end"),
        (UNKNOWN_ZONE, "calendars/bad.ics:5: event 'On Mars': unknown time zone 'Mars/Olympus'"),
        (UNKNOWN_EXDATE_ZONE, "unknown time zone 'Atlantis/Capital' in EXDATE"),
        (BACKWARDS, "event 'Backwards' ends before it starts"),
        (EVERY_SECOND, "calendars/bad.ics:5: event 'Oops' repeats secondly"),
        (EVERY_SECOND.replace("SECONDLY", "MINUTELY"), "event 'Oops' repeats minutely"),
        (QUARTER_HOURLY, "calendars/bad.ics: more than 5000 events"),
    ],
)
@pytest.mark.parametrize("kind", ["freeze", "away"])
def test_bad_calendar_is_an_error_naming_the_file(gp, content, expected, kind):
    gp.write("calendars/bad.ics", content)
    if kind == "freeze":
        gp.config('freeze-calendars = ["calendars/bad.ics"]\n')
        key = "guard.freeze-calendars[0]"
    else:
        gp.config('calendars = { ben-hale = "calendars/bad.ics" }\n')
        key = "guard.calendars.ben-hale"
    with pytest.raises(ConfigError) as caught:
        gp.guard()
    assert expected in str(caught.value)
    assert f"configured by {key} in rollbook.toml" in str(caught.value)


def test_twenty_megabyte_calendar_is_refused_unread(gp):
    event = "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261203\r\nEND:VEVENT\r\n"
    text = "BEGIN:VCALENDAR\r\n" + event
    text += "X-PAD:" + "x" * (20 * 1024 * 1024 - len(text) - 23) + "\r\nEND:VCALENDAR\r\n"
    assert len(text) == 20 * 1024 * 1024
    gp.write("calendars/big.ics", text)
    gp.config('freeze-calendars = ["calendars/big.ics"]\n')
    result = run_cli("guard", "one-click-checkout", "--at", "2026-12-02T10:00", cwd=gp.root)
    assert result.returncode == 2, result.stdout
    assert "calendars/big.ics: the file is 20.0 MB; calendars are read up to 5 MB" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            'freeze-calendars = ["calendars/missing.ics"]\n',
            "rollbook.toml: guard.freeze-calendars[0]: the calendar calendars/missing.ics "
            "does not exist",
        ),
        (
            'calendars = { ben-hail = "calendars/ben.ics" }\n',
            "guard.calendars.ben-hail: 'ben-hail' is neither a person nor a team in the teams "
            "file; did you mean 'ben-hale'?",
        ),
    ],
)
def test_calendar_configuration_errors_exit_2(gp, extra, expected):
    gp.write("calendars/ben.ics", AWAY)
    gp.config(extra)
    result = run_cli("guard", "one-click-checkout", cwd=gp.root)
    assert result.returncode == 2
    assert expected in result.stderr


def test_unknown_zone_through_the_cli(gp):
    gp.write("calendars/bad.ics", UNKNOWN_ZONE)
    gp.config('calendars = { payments = "calendars/bad.ics" }\n')
    result = run_cli("guard", "one-click-checkout", "--format", "json", cwd=gp.root)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: calendars/bad.ics:5: event 'On Mars'")
