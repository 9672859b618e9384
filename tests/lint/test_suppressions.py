"""Inline suppressions: on the line, on the line above, with reasons, expiry and mistakes."""

from __future__ import annotations

import datetime as dt

from rollbook.lint.suppressions import parse_suppressions
from tests.lint.conftest import GOOD, position

NO_EXPECT = GOOD.replace("      expect: The flag shows Off within a minute.\n", "")
STEP = "    - do: Switch checkout.one_click Off in the flag console."


def codes(project, **options):
    return sorted(f.code for f in project.findings(**options))


def test_suppression_on_the_same_line(project):
    project.runbook(NO_EXPECT.replace(STEP, STEP + "  # rollbook: ignore[RB201] flag page says"))
    assert codes(project) == []
    assert project.lint().suppressed == 1


def test_suppression_on_the_line_above(project):
    project.runbook(
        NO_EXPECT.replace(STEP, "    # rollbook: ignore[RB201] flag page says\n" + STEP)
    )
    assert codes(project) == []


def test_suppressions_stack_above_a_line(project):
    text = NO_EXPECT.replace(
        STEP,
        "    # rollbook: ignore[RB201] obvious\n"
        "    # rollbook: ignore[RB202] Check logs is the point here\n"
        # The key keeps a handle in the rollback (RB207), which is not what this is about.
        + STEP.replace(
            "Switch checkout.one_click Off in the flag console",
            "Check the logs of checkout.one_click",
        ),
    )
    project.runbook(text)
    assert codes(project) == []


def test_suppression_by_rule_name_and_several_codes(project):
    project.runbook(
        NO_EXPECT.replace(
            STEP, STEP + "  # rollbook: ignore[step-without-expect, RB202] the console shows it"
        )
    )
    assert codes(project) == ["RB902"]  # RB202 had nothing to suppress


def test_suppression_does_not_reach_two_lines_down(project):
    text = NO_EXPECT.replace("  steps:\n", "  steps:  # rollbook: ignore[RB201] nope\n")
    project.runbook(text)
    assert codes(project) == ["RB201", "RB902"]


def test_suppression_without_reason_still_suppresses_but_is_reported(project):
    text = NO_EXPECT.replace(STEP, STEP + "  # rollbook: ignore[RB201]")
    project.runbook(text)
    [found] = project.findings()
    assert found.code == "RB901"
    assert (found.line, found.column) == position(text, "# rollbook")


def test_unused_suppression(project):
    text = GOOD.replace(STEP, STEP + "  # rollbook: ignore[RB201] obvious")
    project.runbook(text)
    [found] = project.findings()
    assert (found.code, found.line, found.column) == ("RB902", *position(text, "# rollbook"))


def test_unused_suppression_of_a_rule_that_is_not_selected_is_not_reported(project):
    project.runbook(GOOD.replace(STEP, STEP + "  # rollbook: ignore[RB201] obvious"))
    assert codes(project, ignore=["RB201"]) == []


def test_suppression_until_a_future_date(project):
    project.runbook(
        NO_EXPECT.replace(
            STEP, STEP + "  # rollbook: ignore[RB201] until=2026-03-01 fixing this week"
        )
    )
    assert codes(project) == []  # today is 2026-03-01: still valid on the day itself


def test_expired_suppression_no_longer_suppresses(project):
    text = NO_EXPECT.replace(STEP, STEP + "  # rollbook: ignore[RB201] until=2026-02-28 soon")
    project.runbook(text)
    found = {f.code: f for f in project.findings()}
    assert sorted(found) == ["RB201", "RB903"]
    assert (found["RB903"].line, found["RB903"].column) == position(text, "# rollbook")
    assert "2026-02-28" in found["RB903"].message


def test_invalid_suppressions(project):
    text = NO_EXPECT.replace(STEP, STEP + "  # rollbook: ignore[RB2O1] until=2026-13-01 typo")
    project.runbook(text)
    found = [f for f in project.findings() if f.code == "RB904"]
    assert len(found) == 2
    assert {(f.line, f.column) for f in found} == {position(text, "# rollbook")}
    assert "RB201" in codes(project)  # the typo suppressed nothing


def test_no_inline_ignores_reports_everything_and_no_suppression_findings(project):
    project.runbook(NO_EXPECT.replace(STEP, STEP + "  # rollbook: ignore[RB201]"))
    assert codes(project, inline_ignores=False) == ["RB201"]


def test_suppression_in_a_feature_source_file(project):
    config = project.root / "rollbook.toml"
    config.write_text(
        config.read_text().replace(
            '"flags/*.flagd.json"', '"flags/*.flagd.json", "flags/*.flagd.yaml"'
        )
    )
    project.write(
        "flags/more.flagd.yaml",
        "flags:\n  # rollbook: ignore[RB101] internal tool, no rollout\n"
        "  internal.tool: {state: ENABLED}\n",
    )
    assert codes(project) == []
    project.write("flags/more.flagd.yaml", "flags:\n  internal.tool: {state: ENABLED}\n")
    assert codes(project) == ["RB101"]


def test_parse_suppressions_details():
    text = "a: 1  # rollbook: ignore[RB201,vague-step] until=2026-01-02 - why not\n"
    [sup] = parse_suppressions(text, "x.yaml")
    assert sup.codes.keys() == {"RB201", "RB202"}
    assert sup.until == dt.date(2026, 1, 2)
    assert sup.reason == "why not"
    assert sup.target_line == 1
    assert parse_suppressions("a: 1  # rollbook: ignore[] x\n", "x.yaml")[0].problems
