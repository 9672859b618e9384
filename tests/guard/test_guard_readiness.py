"""The runbook must be ready: no lint errors, a rollback, a recent drill, a stage that has run
its minimum time."""

from __future__ import annotations

import json

import pytest
from guard_project import FLAGS, FLAGS_PATH, RUNBOOK_PATH

from rollbook.config import ConfigError


def lines(run, check: str) -> list[str]:
    return [
        line
        for line in run.output.splitlines()
        if line.startswith(f"one-click-checkout: {check}: ")
    ]


def test_clean_runbook_goes(gp):
    run = gp.guard()
    assert run.exit_code == 0, run.output
    assert run.output.startswith(
        "go: one-click-checkout may be deployed at Wed 2026-12-02 10:00 Europe/Berlin"
    )


def test_lint_error_refuses_with_the_finding_and_its_line(gp, edit):
    gp.write(RUNBOOK_PATH, edit(("owner: payments", "owner: paymints")))
    run = gp.guard()
    assert run.exit_code == 1
    (line,) = lines(run, "lint")
    assert "runbooks/one-click-checkout.yaml:4:8: RB008 owner 'paymints' is not a team" in line
    assert line.endswith("fix it (rollbook lint runbooks/one-click-checkout.yaml)")


def test_runbook_that_does_not_load_is_refused_and_said_so(gp, edit):
    gp.write(RUNBOOK_PATH, edit(("risk: critical\n", "risk: catastrophic\n")))
    run = gp.guard()
    assert run.exit_code == 1
    assert "RB006" in lines(run, "lint")[0]
    assert run.output.splitlines()[-1] == (
        "one-click-checkout: note: the runbook does not load, so nothing else was checked"
    )


def test_lint_errors_in_a_loading_runbook_are_counted(gp, edit):
    gp.write(
        RUNBOOK_PATH,
        edit(
            ("      expect: The flag shows Off within a minute.\n", ""),
            (
                "    - do: Switch checkout.one_click Off in the flag console.\n",
                "    - do: Check the logs.\n    - do: Investigate.\n    - do: Fix it.\n"
                "    - do: Switch checkout.one_click Off in the flag console.\n",
            ),
        ),
    )
    (line,) = lines(gp.guard(), "lint")
    assert "the runbook has 7 lint errors: runbooks/one-click-checkout.yaml:37:7: RB201" in line
    assert line.endswith("; and 4 more; fix them (rollbook lint runbooks/one-click-checkout.yaml)")


def test_warnings_refuse_only_at_or_above_fail_on(gp):
    text = gp.root.joinpath(RUNBOOK_PATH).read_text()
    gp.write(
        RUNBOOK_PATH, text.replace("review:\n  last_reviewed: 2026-11-01\n  by: Amara Obi\n", "")
    )
    assert gp.guard().exit_code == 0
    config = gp.root.joinpath("rollbook.toml").read_text()
    gp.write("rollbook.toml", 'fail-on = "warning"\n' + config)
    (line,) = lines(gp.guard(), "lint")
    assert "the runbook has 1 lint finding: " in line
    assert "RB701 runbook has never been reviewed" in line


def test_no_rollback_is_refused(gp, edit):
    text = gp.root.joinpath(RUNBOOK_PATH).read_text()
    start = text.index("rollback:\n")
    end = text.index("tests:\n")
    gp.write(RUNBOOK_PATH, text[:start] + text[end:])
    run = gp.guard()
    assert run.exit_code == 1
    (line,) = lines(run, "rollback")
    assert line.endswith("write `rollback:` with `steps` (or a `kill_switch`) in the runbook")


@pytest.mark.parametrize(
    ("drills", "risk", "refused", "said"),
    [
        ("drills:\n  - date: 2026-11-10\n    result: pass\n    by: Jo\n", "critical", False, ""),
        (
            "drills:\n  - date: 2026-01-10\n    result: pass\n    by: Jo\n",
            "critical",
            True,
            "last passing rollback drill was on 2026-01-10, 326 days ago (the limit is 180 days)",
        ),
        (
            "drills:\n  - date: 2026-11-10\n    result: fail\n    by: Jo\n",
            "high",
            True,
            "high-risk feature has no passing rollback drill",
        ),
        ("drills: []\n", "critical", True, "critical-risk feature has no passing rollback drill"),
        ("drills: []\n", "medium", False, ""),
        # A drill dated after the time asked about has not happened yet.
        (
            "drills:\n  - date: 2026-12-24\n    result: pass\n    by: Jo\n",
            "critical",
            True,
            "no passing rollback drill",
        ),
    ],
)
def test_drill_age(gp, edit, drills, risk, refused, said):
    text = gp.root.joinpath(RUNBOOK_PATH).read_text()
    text = text[: text.index("drills:\n")] + drills
    gp.write(RUNBOOK_PATH, text.replace("risk: critical", f"risk: {risk}"))
    run = gp.guard()
    found = lines(run, "drill")
    assert bool(found) is refused, run.output
    if refused:
        assert said in found[0]
        assert found[0].endswith(
            "record a passing drill (under `drills`) dated 2026-06-05 or later"
        )


def test_drill_age_from_guard_configuration(gp):
    gp.config("drill-max-age = 14\n")
    line = lines(gp.guard(), "drill")[0]
    assert "22 days ago (the limit is 14 days)" in line


STAGED = (
    "    - percent: 5\n",
    "    - percent: 5\n      name: Five percent\n      min_duration: 1d\n",
)


def test_stage_from_the_runbook(gp, edit):
    gp.write(
        RUNBOOK_PATH,
        edit(
            STAGED,
            (
                "    - percent: 100\n",
                "    - percent: 100\n  current_stage: Five percent\n"
                "  stage_started: 2026-12-01T14:00\n",
            ),
        ),
    )
    run = gp.guard(at="2026-12-02T10:00")
    assert run.exit_code == 1
    (line,) = lines(run, "rollout")
    assert "rollout stage 2 (Five percent) started Tue 2026-12-01 14:00 Europe/Berlin" in line
    assert "from the runbook (rollout.current_stage)" in line
    assert line.endswith("it may move on from Wed 2026-12-02 14:00 Europe/Berlin")
    assert gp.guard(at="2026-12-02T14:00").exit_code == 0


def test_stage_from_the_command_line_wins(gp, edit):
    gp.write(
        RUNBOOK_PATH,
        edit(
            STAGED,
            (
                "    - percent: 100\n",
                "    - percent: 100\n  current_stage: 1\n  stage_started: 2026-11-01T09:00\n",
            ),
        ),
    )
    assert gp.guard().exit_code == 0
    run = gp.guard(stage="2", stage_started="2026-12-02T09:00+01:00")
    assert "from the command line" in lines(run, "rollout")[0]
    run = gp.guard(stage="Five percent", stage_started="2026-12-01T09:00")
    assert run.exit_code == 0


@pytest.mark.parametrize(
    ("stage", "started", "expected"),
    [
        ("7", "2026-12-01T09:00", "has no rollout stage '7': give a number from 1 to 3"),
        ("Ten percent", "2026-12-01T09:00", "stages: 1 (Staff only), 2 (Five percent), 3"),
        ("2", None, "--stage and --stage-started go together"),
        ("2", "yesterday", "--stage-started: 'yesterday' is not a date and time"),
    ],
)
def test_bad_stage_on_the_command_line(gp, edit, stage, started, expected):
    gp.write(RUNBOOK_PATH, edit(STAGED))
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        gp.guard(stage=stage, stage_started=started)


def test_stage_from_the_flag_source(gp, edit):
    gp.write(RUNBOOK_PATH, edit(STAGED))
    flags = json.loads(FLAGS)
    flags["flags"]["checkout.one_click"]["metadata"] = {
        "rolloutStage": 2,
        "rolloutStageStarted": "2026-12-02T08:00:00Z",
    }
    gp.write(FLAGS_PATH, json.dumps(flags))
    run = gp.guard(at="2026-12-02T10:00")
    (line,) = lines(run, "rollout")
    assert (
        "started Wed 2026-12-02 09:00 Europe/Berlin "
        "(from flags/checkout.flagd.json: flag 'checkout.one_click' metadata)" in line
    )
    assert line.endswith("it may move on from Thu 2026-12-03 09:00 Europe/Berlin")
    flags["flags"]["checkout.one_click"]["metadata"]["rolloutStage"] = "Staff only"
    gp.write(FLAGS_PATH, json.dumps(flags))
    assert gp.guard().exit_code == 0  # the first stage has no minimum


def test_flag_source_stage_without_start_is_an_error(gp, edit):
    gp.write(RUNBOOK_PATH, edit(STAGED))
    flags = json.loads(FLAGS)
    flags["flags"]["checkout.one_click"]["metadata"] = {"rolloutStage": 2}
    gp.write(FLAGS_PATH, json.dumps(flags))
    with pytest.raises(ConfigError, match="rolloutStage needs rolloutStageStarted"):
        gp.guard()


@pytest.mark.parametrize(
    ("rollout", "message"),
    [
        ("  current_stage: 2\n", "`current_stage` and `stage_started` go together"),
        (
            "  current_stage: 9\n  stage_started: 2026-12-01\n",
            "`current_stage` is 9, but the rollout has 3 stages",
        ),
        (
            "  current_stage: Half\n  stage_started: 2026-12-01\n",
            "`current_stage` 'Half' is not the name of a stage",
        ),
        (
            "  current_stage: 2\n  stage_started: last tuesday\n",
            "expected a date (2026-12-07) or a date and time",
        ),
    ],
)
def test_bad_current_stage_in_the_runbook_is_a_lint_error(gp, edit, rollout, message):
    gp.write(RUNBOOK_PATH, edit(STAGED, ("    - percent: 100\n", "    - percent: 100\n" + rollout)))
    run = gp.guard()
    assert run.exit_code == 1
    assert message in lines(run, "lint")[0]
