"""Each runbook page says who can be reached for the next 24 hours and which freeze is in
force, as of the time the site was built."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from guard_project import RUNBOOK_PATH, TEAMS
from markupsafe import escape

from rollbook.config import load_project
from rollbook.load.runbooks import load_project_runbooks
from rollbook.render import render_site

BUILT = dt.datetime(2026, 12, 4, 15, 30, tzinfo=dt.UTC)  # Friday 16:30 in Berlin


def page(gp, built: dt.datetime = BUILT) -> str:
    loaded = load_project_runbooks(load_project(gp.root))
    pages = render_site(loaded, built=built)
    (found,) = [p for p in pages if p.kind == "runbook"]
    return found.html


def outlook(text: str) -> str:
    match = re.search(r'<section class="rb-outlook".*?</section>', text, re.S)
    assert match is not None, "no outlook on the page"
    return match.group(0)


def away_ben(reason: str = "Hiking") -> str:
    return TEAMS.replace(
        '        chat: "@ben"\n',
        '        chat: "@ben"\n        away:\n'
        f"          - {{start: 2026-12-05, end: 2026-12-06, reason: {reason}}}\n",
    )


def test_reachable_and_freeze_as_of_build_time(gp):
    gp.config('[[guard.weekly]]\nfrom = "Fri 15:00"\nto = "Mon 09:00"\nreason = "Weekend"\n')
    gp.write("runbooks/teams.yaml", away_ben())
    section = outlook(page(gp))
    assert (
        'As of build time <time datetime="2026-12-04T16:30:00+01:00">Fri 2026-12-04 16:30 '
        "Europe/Berlin</time>, for the next 24 hours"
    ) in section
    assert (
        "<strong>Freeze in force:</strong> Weekend (Fri 15:00 to Mon 09:00), until Mon "
        "2026-12-07 09:00 Europe/Berlin"
    ) in section
    assert (
        "<strong>Reachable until Sat 2026-12-05 16:30 Europe/Berlin:</strong> Amara Obi</p>"
        in section
    )
    assert "<li>Ben Hale: away (Hiking), back Mon 2026-12-07 00:00 Europe/Berlin</li>" in section


def test_no_freeze_and_everyone_in(gp):
    section = outlook(page(gp, dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)))
    assert "<p>No freeze in force.</p>" in section
    assert "Amara Obi, Ben Hale</p>" in section
    assert "<li>" not in section


def test_nobody_reachable_says_so(gp):
    gp.config("min-contacts = 2\n")
    teams = away_ben().replace(
        '        phone: "+44 113 496 0001"\n',
        '        phone: "+44 113 496 0001"\n        away:\n'
        "          - {start: 2026-12-01, end: 2026-12-31}\n",
    )
    gp.write("runbooks/teams.yaml", teams)
    section = outlook(page(gp))
    assert "nobody who can roll back" in section
    assert '<span class="rb-warn">(2 needed)</span>' in section


def test_projects_without_the_guard_get_no_outlook(gp):
    gp.write("rollbook.toml", gp.root.joinpath("rollbook.toml").read_text().split("[guard]")[0])
    assert 'class="rb-outlook"' not in page(gp)
    gp.write("runbooks/teams.yaml", away_ben())
    assert 'class="rb-outlook"' in page(gp)


def test_bad_calendar_is_said_on_the_page_not_passed_over(gp):
    gp.write("calendars/bad.ics", "not a calendar")
    gp.config('freeze-calendars = ["calendars/bad.ics"]\n')
    section = outlook(page(gp))
    assert "Not worked out: calendars/bad.ics: not an iCalendar file" in section
    assert "No freeze in force" not in section


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "</section><h1>Fake</h1>",
        "&lt;b&gt; already escaped",
    ],
)
def test_names_and_reasons_are_escaped(gp, hostile):
    gp.config(
        "[[guard.freezes]]\nfrom = 2026-12-01\nto = 2026-12-31\nreason = "
        + '"'
        + hostile.replace('"', '\\"')
        + '"\n'
    )
    gp.write(
        "runbooks/teams.yaml",
        away_ben(reason=repr(hostile)).replace("name: Ben Hale", f"name: {hostile!r}"),
    )
    gp.write(RUNBOOK_PATH, gp.root.joinpath(RUNBOOK_PATH).read_text())
    section = outlook(page(gp))
    assert hostile not in section
    assert f"Freeze in force:</strong> {escape(hostile)}, until" in section
    assert f"<li>{escape(hostile)}: away ({escape(hostile)}), back" in section


def test_built_site_keeps_the_outlook_through_the_sanitiser(gp, tmp_path, monkeypatch):
    from rollbook.commands.build import build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(BUILT.timestamp())))
    gp.config('[[guard.weekly]]\nfrom = "Fri 15:00"\nto = "Mon 09:00"\nreason = "Weekend"\n')
    gp.write("runbooks/teams.yaml", away_ben())
    out = tmp_path / "site"
    build(load_project(gp.root), out)
    (index,) = [p for p in out.rglob("index.html") if "one-click-checkout" in p.parent.name]
    text = index.read_text(encoding="utf-8")
    section = outlook(text)
    assert "As of build time" in section and "Fri 2026-12-04 16:30 Europe/Berlin" in section
    assert "Freeze in force:</strong> Weekend (Fri 15:00 to Mon 09:00)" in section
    assert "Ben Hale: away (Hiking), back Mon 2026-12-07 00:00 Europe/Berlin" in section


@pytest.mark.parametrize(
    ("summary", "shown"),
    [
        ("Release \u202efreeze", "Release \\u202efreeze"),
        ("Hidden\u200bword", "Hidden\\u200bword"),
        ("<b>Freeze</b>\u2066", "&lt;b&gt;Freeze&lt;/b&gt;\\u2066"),
        ("Line\\nbreak", "Line break"),  # an iCalendar escape: a line break, made a space
    ],
)
def test_calendar_summaries_cannot_hide_or_reorder_text(gp, summary, shown):
    calendar = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        f"SUMMARY:{summary}\r\nDTSTART;VALUE=DATE:20261204\r\nDTEND;VALUE=DATE:20261205\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    gp.write("calendars/freezes.ics", calendar)
    gp.config('freeze-calendars = ["calendars/freezes.ics"]\n')
    section = outlook(page(gp))
    assert f"Freeze in force:</strong> {shown}, until" in section
    for hidden in ("\u202e", "\u200b", "\u2066", "\n<"):
        assert hidden not in section.split("Freeze in force:")[1].split("</p>")[0]
