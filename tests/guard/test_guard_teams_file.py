"""`away` in the teams file: checked when the file loads, with the line of the mistake."""

from __future__ import annotations

import pytest
from guard_project import TEAMS

from rollbook.config import load_project
from rollbook.load.runbooks import load_teams

BEN = '        chat: "@ben"\n'


@pytest.mark.parametrize(
    ("away", "line", "message"),
    [
        (
            "          - {start: 2026-12-06, end: 2026-12-03}\n",
            15,
            "`end` (2026-12-03) is before `start` (2026-12-06)",
        ),
        (
            "          - {start: next week, end: 2026-12-03}\n",
            15,
            "expected a date (2026-12-07) or a date and time",
        ),
        (
            "          - {start: 2026-02-30, end: 2026-03-03}\n",
            15,
            "'2026-02-30' is not a real date",
        ),
        ("          - {start: 2026-12-01}\n", 15, "end"),
        ("          - {start: 2026-12-01, end: 2026-12-02, why: hiking}\n", 15, "why"),
    ],
)
def test_bad_away_is_a_problem_at_its_line(gp, away, line, message):
    gp.write("runbooks/teams.yaml", TEAMS.replace(BEN, BEN + "        away:\n" + away))
    loaded = load_teams(load_project(gp.root))
    assert loaded is not None and loaded.model is None
    assert any(p.location.line == line and message in p.message for p in loaded.problems), [
        p.render() for p in loaded.problems
    ]


def test_good_away_loads(gp):
    gp.write(
        "runbooks/teams.yaml",
        TEAMS.replace(
            BEN,
            BEN
            + "        away:\n          - start: 2026-12-01\n            end: 2026-12-01\n"
            + "          - start: 2026-12-02T09:00+01:00\n            end: 2026-12-02T17:00Z\n"
            + "            reason: Training\n",
        ),
    )
    loaded = load_teams(load_project(gp.root))
    assert loaded.problems == []
    ben = loaded.model.person("ben-hale")[1]
    assert [a.reason for a in ben.away] == [None, "Training"]
