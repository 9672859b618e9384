"""Freeze windows: date ranges, weekly windows, holidays, in the configured time zone."""

from __future__ import annotations

import json

import pytest
from guard_project import RUNBOOK_PATH


def reasons(run, check: str) -> list[str]:
    lines = run.output.splitlines()
    return [line for line in lines if line.startswith(f"one-click-checkout: {check}: ")]


WEEKEND = """
[[guard.weekly]]
from = "Fri 15:00"
to = "Mon 09:00"
reason = "Weekend"
"""


@pytest.mark.parametrize(
    ("at", "refused"),
    [
        ("2026-12-04T14:59", False),  # Friday, a minute before
        ("2026-12-04T15:00", True),  # Friday, the freeze starts
        ("2026-12-05T12:00", True),  # Saturday
        ("2026-12-07T08:59", True),  # Monday, a minute before it opens
        ("2026-12-07T09:00", False),  # Monday, it opens
        ("2026-12-04T14:30Z", True),  # 15:30 in Berlin, written in UTC
    ],
)
def test_weekly_freeze_edges(gp, at, refused):
    gp.config(WEEKEND)
    run = gp.guard(at=at)
    assert run.exit_code == (1 if refused else 0), run.output
    assert bool(reasons(run, "freeze")) is refused


def test_weekly_freeze_says_when_the_next_window_opens(gp):
    gp.config(WEEKEND)
    run = gp.guard(at="2026-12-05T12:00")
    (line,) = reasons(run, "freeze")
    assert "Weekend (Fri 15:00 to Mon 09:00)" in line
    assert "rollbook.toml: guard.weekly[0]" in line
    assert line.endswith("; next window opens Mon 2026-12-07 09:00 Europe/Berlin")


def test_date_range_freeze_includes_its_last_day(gp):
    gp.config(
        """
[[guard.freezes]]
from = 2026-12-21
to = 2027-01-03
reason = "Year-end freeze"
"""
    )
    assert gp.guard(at="2026-12-20T23:59").exit_code == 0
    last_day = gp.guard(at="2027-01-03T23:59")
    assert last_day.exit_code == 1
    (line,) = reasons(last_day, "freeze")
    assert "Year-end freeze" in line
    assert line.endswith("next window opens Mon 2027-01-04 00:00 Europe/Berlin")
    assert gp.guard(at="2027-01-04T00:00").exit_code == 0


def test_freeze_between_moments_with_offsets(gp):
    gp.config(
        """
[[guard.freezes]]
from = 2026-12-02T09:00:00+01:00
to = 2026-12-02T11:30:00Z
reason = "Database migration"
"""
    )
    assert gp.guard(at="2026-12-02T08:59").exit_code == 0
    run = gp.guard(at="2026-12-02T12:00")
    assert run.exit_code == 1
    assert reasons(run, "freeze")[0].endswith(
        "next window opens Wed 2026-12-02 12:30 Europe/Berlin"
    )


def test_holidays_chain_with_the_weekend(gp):
    """A weekend freeze that ends on a holiday Monday opens on Tuesday, not Monday 09:00."""
    gp.config('holidays = [2026-12-07, {date = 2026-12-25, name = "Christmas Day"}]\n' + WEEKEND)
    run = gp.guard(at="2026-12-05T10:00")
    assert reasons(run, "freeze")[0].endswith(
        "next window opens Tue 2026-12-08 00:00 Europe/Berlin"
    )
    xmas = gp.guard(at="2026-12-25T10:00")
    assert "holiday: Christmas Day" in reasons(xmas, "freeze")[0]
    assert gp.guard(at="2026-12-24T23:59").exit_code == 0


@pytest.mark.parametrize(
    ("zone", "at", "refused"),
    [
        # New York: clocks go back on Sunday 2026-11-01. Monday 09:00 is still 09:00 local,
        # not 66 elapsed hours after Friday 15:00 (which would be 08:00).
        ("America/New_York", "2026-11-02T08:30", True),
        ("America/New_York", "2026-11-02T09:00", False),
        # Berlin: clocks go back on Sunday 2026-10-25.
        ("Europe/Berlin", "2026-10-26T08:30", True),
        ("Europe/Berlin", "2026-10-26T09:00", False),
        # Sydney: clocks go forward on Sunday 2026-10-04.
        ("Australia/Sydney", "2026-10-05T08:30", True),
        ("Australia/Sydney", "2026-10-05T09:00", False),
        # Tokyo has no daylight saving; Friday 15:00 there is 06:00 UTC.
        ("Asia/Tokyo", "2026-12-04T05:59:00+00:00", False),
        ("Asia/Tokyo", "2026-12-04T06:00:00+00:00", True),
    ],
)
def test_weekly_freeze_keeps_wall_clock_across_daylight_saving(gp, zone, at, refused):
    gp.config(WEEKEND, zone=zone)
    run = gp.guard(at=at)
    assert bool(reasons(run, "freeze")) is refused, run.output
    if refused:
        assert f"09:00 {zone}" in reasons(run, "freeze")[0]


def test_time_zone_decides_which_day_a_holiday_is(gp):
    """The same instant is Christmas Day in Berlin and still Christmas Eve in New York."""
    instant = "2026-12-25T03:00:00+00:00"
    gp.config("holidays = [2026-12-25]\n")
    assert gp.guard(at=instant).exit_code == 1
    gp.config("holidays = [2026-12-25]\n", zone="America/New_York")
    assert gp.guard(at=instant).exit_code == 0


def test_next_across_a_daylight_saving_change(gp, edit):
    """Asked on Saturday 2026-10-31 in New York, the window opens Monday 09:00 local (EST)."""
    gp.config(WEEKEND, zone="America/New_York")
    gp.write(RUNBOOK_PATH, edit(("  - date: 2026-11-10\n", "  - date: 2026-10-10\n")))
    run = gp.guard(at="2026-10-31T12:00", find_next=True, output_format="json")
    data = json.loads(run.output)
    assert data["next"]["at"] == "2026-11-02T09:00:00-05:00"
    assert data["at"] == "2026-10-31T12:00:00-04:00"
