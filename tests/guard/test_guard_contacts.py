"""Someone able to roll back must be reachable throughout the window after the deploy."""

from __future__ import annotations

from guard_project import TEAMS


def away(person_block: str, *periods: str) -> str:
    """The teams file with ``periods`` (YAML list items) as the away list of one person."""
    lines = "".join(f"          - {p}\n" for p in periods)
    return TEAMS.replace(person_block, person_block + "        away:\n" + lines)


BEN = '        chat: "@ben"\n'
AMARA = '        phone: "+44 113 496 0001"\n'


def contact_lines(run) -> list[str]:
    return [line for line in run.output.splitlines() if ": contacts: " in line]


def test_two_needed_one_away_is_refused_with_the_day_they_are_back(gp):
    gp.config("min-contacts = 2\n")
    gp.write(
        "runbooks/teams.yaml", away(BEN, "{start: 2026-12-03, end: 2026-12-06, reason: Hiking}")
    )
    run = gp.guard(at="2026-12-04T16:00")
    assert run.exit_code == 1
    (line,) = contact_lines(run)
    assert "1 of the 2 contacts needed can be reached" in line
    assert "Ben Hale is away (Hiking)" in line
    assert "Ben Hale is back on 2026-12-07" in line
    assert line.endswith(
        "enough of them can be reached for a deploy from Mon 2026-12-07 00:00 Europe/Berlin"
    )


def test_leaving_inside_the_window_counts_as_away(gp):
    """ "I am off tomorrow" is a reason to wait: the window reaches into tomorrow."""
    gp.config("min-contacts = 2\n")
    gp.write("runbooks/teams.yaml", away(BEN, "{start: 2026-12-03, end: 2026-12-03}"))
    assert gp.guard(at="2026-12-02T10:00").exit_code == 1
    assert gp.guard(at="2026-12-02T10:00", window="12h").exit_code == 0
    line = contact_lines(gp.guard(at="2026-12-02T10:00"))[0]
    assert "Ben Hale is away from 2026-12-03: Ben Hale is back on 2026-12-04" in line
    assert "back on 2026-12-04" in line


def test_one_contact_is_enough_by_default(gp):
    gp.write("runbooks/teams.yaml", away(BEN, "{start: 2026-12-01, end: 2026-12-31}"))
    run = gp.guard(at="2026-12-04T10:00")
    assert run.exit_code == 0
    assert run.output.splitlines()[-1] == (
        "one-click-checkout: reachable until Sat 2026-12-05 10:00 Europe/Berlin: Amara Obi"
    )


def test_everyone_away_names_each_and_the_first_covered_time(gp):
    gp.write(
        "runbooks/teams.yaml",
        away(
            AMARA.replace("0001", "0001"),
            '{start: "2026-12-04T12:00", end: "2026-12-05T18:30", reason: Conference}',
        ).replace(BEN, BEN + "        away:\n          - {start: 2026-12-04, end: 2026-12-04}\n"),
    )
    run = gp.guard(at="2026-12-04T13:00")
    (line,) = contact_lines(run)
    assert "0 of the 1 contact needed" in line
    assert "Amara Obi is back at Sat 2026-12-05 18:30 Europe/Berlin" in line
    assert "Ben Hale is back on 2026-12-05" in line
    assert line.endswith("from Sat 2026-12-05 00:00 Europe/Berlin")


def test_deployer_counts_only_when_reachable(gp):
    gp.config("min-contacts = 3\n")
    base = TEAMS + (
        "  - id: platform\n    name: Platform\n    people:\n"
        "      - id: cleo\n        name: Cleo Marsh\n"
    )
    gp.write("runbooks/teams.yaml", base)
    # Cleo is not a contact of the feature; deploying, she is a third pair of hands.
    assert gp.guard(by="cleo").exit_code == 0
    assert gp.guard(by="Cleo Marsh").exit_code == 0
    assert gp.guard().exit_code == 1
    gp.write(
        "runbooks/teams.yaml",
        base + "        away:\n          - {start: 2026-12-03, end: 2026-12-10, reason: Leave}\n",
    )
    run = gp.guard(by="cleo")
    assert run.exit_code == 1
    assert "Cleo Marsh (deploying) is away from 2026-12-03 (Leave)" in contact_lines(run)[0]


def test_deployer_not_in_teams_file_is_said_and_not_counted(gp):
    gp.config("min-contacts = 3\n")
    run = gp.guard(by="octocat")
    assert run.exit_code == 1
    assert (
        "octocat (deploying) is not in the teams file, so does not count" in contact_lines(run)[0]
    )


def test_team_away_takes_its_people_and_oncall(gp):
    gp.config("oncall-counts = true\nmin-contacts = 1\n")
    gp.write(
        "runbooks/teams.yaml",
        TEAMS.replace(
            "    people:\n",
            "    away:\n      - {start: 2026-12-02, end: 2026-12-02, reason: Team offsite}\n"
            "    people:\n",
            1,
        ),
    )
    run = gp.guard(at="2026-12-02T10:00")
    assert run.exit_code == 1
    line = contact_lines(run)[0]
    for name in ("Amara Obi", "Ben Hale", "Payments on-call"):
        assert f"{name} is away (Team offsite)" in line
    assert gp.guard(at="2026-12-03T00:00").exit_code == 0


def test_oncall_counts_only_when_configured(gp):
    gp.config("min-contacts = 3\n")
    assert gp.guard().exit_code == 1
    gp.config("min-contacts = 3\noncall-counts = true\n")
    assert gp.guard().exit_code == 0


def test_window_across_daylight_saving_change_keeps_wall_clock_days(gp):
    """Berlin goes back an hour on Sunday 2026-10-25: one day from Saturday 10:00 is Sunday
    10:00 local, 25 hours later; 24h is Sunday 09:00 local. Ben leaves at 09:30."""
    gp.config("min-contacts = 2\n")
    gp.write("runbooks/teams.yaml", away(BEN, '{start: "2026-10-25T09:30", end: 2026-10-26}'))
    # (The drill is dated in November, so October answers are refused for that too.)
    assert contact_lines(gp.guard(at="2026-10-24T10:00", window="24h")) == []
    one_day = gp.guard(at="2026-10-24T10:00", window="1d")
    assert "until Sun 2026-10-25 10:00 Europe/Berlin (1d window)" in contact_lines(one_day)[0]


def test_away_times_without_offset_are_in_the_configured_zone(gp):
    gp.config("min-contacts = 2\n", zone="America/New_York")
    gp.write(
        "runbooks/teams.yaml", away(BEN, '{start: "2026-12-02T18:00", end: "2026-12-02T20:00"}')
    )
    # 17:00 UTC is 12:00 in New York: Ben leaves at 18:00 New York time, inside a 12h window.
    assert gp.guard(at="2026-12-02T17:00:00+00:00", window="12h").exit_code == 1
    assert gp.guard(at="2026-12-02T17:00:00+00:00", window="5h").exit_code == 0
    gp.write(
        "runbooks/teams.yaml",
        away(BEN, '{start: "2026-12-02T18:00+00:00", end: "2026-12-02T20:00Z"}'),
    )
    assert gp.guard(at="2026-12-02T17:00:00+00:00", window="5h").exit_code == 1


def test_team_without_people_has_nobody_to_roll_back(gp):
    gp.write(
        "runbooks/teams.yaml",
        'teams:\n  - id: payments\n    name: Payments\n    oncall_phone: "+44 20 7946 0000"\n',
    )
    text = gp.root.joinpath("runbooks/one-click-checkout.yaml").read_text()
    gp.write(
        "runbooks/one-click-checkout.yaml",
        text.replace(
            "  - person: amara\n    when: If the on-call does not answer within 10 minutes\n", ""
        ),
    )
    run = gp.guard()
    (line,) = contact_lines(run)
    assert "0 of the 1 contact needed" in line
    assert "the runbook names no one who could roll back (no people in team 'payments'" in line
    assert line.endswith(
        "add people to the owning team in the teams file (`rollbook init` writes one)"
    )
    gp.config("oncall-counts = true\n")
    assert gp.guard().exit_code == 0


def test_no_teams_file_means_nobody_is_known(gp):
    gp.root.joinpath("runbooks/teams.yaml").unlink()
    gp.write(
        "rollbook.toml",
        gp.root.joinpath("rollbook.toml")
        .read_text()
        .replace('teams = "runbooks/teams.yaml"\n', ""),
    )
    run = gp.guard()
    assert run.exit_code == 1
    assert "there is no teams file, so nobody is known who could roll back" in contact_lines(run)[0]
