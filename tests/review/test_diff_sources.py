"""Feature-source changes in `rollbook diff` and `rollbook lint --since` (RB403, RB404)."""

from __future__ import annotations

import copy

import pytest
from click.testing import CliRunner

from rollbook.cli import cli
from rollbook.config import load_project
from rollbook.lint import LintOptions, lint
from tests.review.conftest import FLAGS, RUNBOOK_PATH, TODAY, UNLEASH, Repo

FLAGS_PATH = "flags/checkout.flagd.json"


def flags_with(**changes) -> dict:
    data = copy.deepcopy(FLAGS)
    data["flags"]["checkout.one_click"].update(changes)
    return data


def sources(repo: Repo, base: str = "HEAD~1") -> list[dict]:
    return repo.data(base)["sources"]


def test_flagd_rollout_without_runbook_change(repo: Repo):
    repo.write(FLAGS_PATH, flags_with(targeting={"fractional": [["on", 25], ["off", 75]]}))
    repo.commit("25%")
    [change] = sources(repo)
    assert change["kind"] == "rollout"
    assert (change["old"], change["new"]) == ("5%", "25%")
    assert (change["runbook"], change["runbook_changed"]) == ("one-click-checkout", False)
    assert (change["path"], change["line"]) == (FLAGS_PATH, 10)  # its "targeting"
    assert change["message"] == (
        "checkout.one_click: rollout 5% -> 25% in flags/checkout.flagd.json; its runbook "
        "one-click-checkout did not change; its runbook's rollout plan says stage 2 is 5% for 2d"
    )
    data = repo.data()
    assert data["summary"]["unreviewed_source_changes"] == 1
    text = repo.diff(fmt="text").output
    assert (
        "FEATURE SOURCES CHANGED WITHOUT THEIR RUNBOOK\n  checkout.one_click: rollout 5% -> 25%"
        in text
    )


def test_flagd_rollout_with_the_runbook_changed_too(repo: Repo):
    repo.write(FLAGS_PATH, flags_with(targeting={"fractional": [["on", 50], ["off", 50]]}))
    repo.edit(RUNBOOK_PATH, ("last_reviewed: 2026-02-01", "last_reviewed: 2026-02-28"))
    repo.commit("50% and reviewed")
    [change] = sources(repo)
    assert (change["old"], change["new"], change["runbook_changed"]) == ("5%", "50%", True)
    assert change["plan"] is None  # the plan's next stage: as planned
    assert repo.data()["summary"]["unreviewed_source_changes"] == 0


def test_flagd_default_variant_and_state(repo: Repo):
    repo.write(FLAGS_PATH, flags_with(defaultVariant="on", state="DISABLED"))
    repo.commit("default on, disabled")
    kinds = {(c["kind"], c["old"], c["new"]) for c in sources(repo)}
    assert ("default-variant", "off", "on") in kinds
    assert ("enabled", "yes", "no") in kinds


def test_flagd_targeting_that_is_not_a_share(repo: Repo):
    # Same 5% share, but only for staff e-mail addresses now: targeting changed.
    targeting = {
        "if": [
            {"ends_with": [{"var": "email"}, "@example.com"]},
            {"fractional": [["on", 5], ["off", 95]]},
            "off",
        ]
    }
    repo.write(FLAGS_PATH, flags_with(targeting=targeting))
    repo.commit("targeting")
    [change] = sources(repo)
    assert change["kind"] == "targeting"
    assert change["old"] == '{"fractional":[["on",5],["off",95]]}'
    assert change["new"].startswith('{"if":[{"ends_with"')


def test_unleash_rollout_percentage(repo: Repo):
    data = copy.deepcopy(UNLEASH)
    data["features"][0]["strategies"][0]["parameters"]["rollout"] = "30"
    repo.write("flags/unleash.json", data)
    repo.commit("30%")
    [change] = sources(repo)
    assert (change["key"], change["kind"], change["old"], change["new"]) == (
        "search.ranking_v2",
        "rollout",
        "10%",
        "30%",
    )
    assert change["plan"] == "its runbook's rollout plan says stage 1 is 10%"


def test_unleash_v5_export_strategies_by_environment(repo: Repo):
    data = {
        "features": [{"name": "search.ranking_v2", "type": "release"}],
        "featureStrategies": [
            {
                "featureName": "search.ranking_v2",
                "environment": "development",
                "name": "default",
                "parameters": {},
            },
            {
                "featureName": "search.ranking_v2",
                "environment": "production",
                "name": "flexibleRollout",
                "parameters": {"rollout": "10", "stickiness": "default"},
            },
        ],
        "featureEnvironments": [
            {"featureName": "search.ranking_v2", "environment": "production", "enabled": True}
        ],
    }
    repo.write("flags/unleash.json", data)
    repo.commit("v5 export, same rollout")
    assert sources(repo) == []  # production still at 10%: nothing changed for customers
    data["featureStrategies"][1]["parameters"]["rollout"] = "100"
    repo.write("flags/unleash.json", data)
    repo.commit("everyone")
    [change] = sources(repo)
    assert (change["kind"], change["old"], change["new"]) == ("rollout", "10%", "100%")


def test_new_flag_key_in_code(repo: Repo):
    repo.write("src/express.py", 'client.get_boolean_value("checkout.express", False)\n')
    repo.commit("new flag in code")
    [change] = sources(repo)
    assert change == {
        "key": "checkout.express",
        "kind": "added",
        "path": "src/express.py",
        "line": 1,
        "column": 26,
        "old": None,
        "new": "flag key in code",
        "runbook": None,
        "runbook_changed": False,
        "plan": None,
        "message": "checkout.express: new flag key in code in src/express.py; no runbook covers it",
    }


# -- lint --since ------------------------------------------------------------------------------


def lint_since(repo: Repo, ref: str = "HEAD~1", select=None):
    return lint(
        load_project(repo.root), LintOptions(since=ref, today=TODAY, select=select)
    ).findings


def test_lint_since_reports_a_rollout_change_without_runbook_change(repo: Repo):
    repo.write(FLAGS_PATH, flags_with(targeting={"fractional": [["on", 25], ["off", 75]]}))
    repo.commit("25%")
    found = lint_since(repo, select=["RB404"])
    assert [(f.code, f.path, f.line) for f in found] == [("RB404", FLAGS_PATH, 10)]
    assert found[0].message.startswith("checkout.one_click: rollout 5% -> 25%")


def test_lint_since_is_quiet_when_the_runbook_changed_too(repo: Repo):
    repo.write(FLAGS_PATH, flags_with(targeting={"fractional": [["on", 50], ["off", 50]]}))
    repo.edit(RUNBOOK_PATH, ("last_reviewed: 2026-02-01", "last_reviewed: 2026-02-28"))
    repo.commit("50% and reviewed")
    assert lint_since(repo, select=["RB404"]) == []


def test_lint_since_quiet_without_source_changes(repo: Repo):
    repo.commit("nothing")
    assert lint_since(repo, select=["RB404"]) == []


def test_lint_since_cli_exit_code_and_line(repo: Repo):
    repo.write(FLAGS_PATH, flags_with(targeting={"fractional": [["on", 25], ["off", 75]]}))
    repo.commit("25%")
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(repo.root / "rollbook.toml"),
            "lint",
            "--since",
            "HEAD~1",
            "--select",
            "RB404",
            "--fail-on",
            "warning",
            "--output-format",
            "text",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    assert f"{FLAGS_PATH}:10:" in result.output and "RB404" in result.output


# -- RB403: the plan against the source -------------------------------------------------------


def lint_all(repo: Repo, select):
    return lint(load_project(repo.root), LintOptions(today=TODAY, select=select)).findings


@pytest.mark.parametrize(
    ("share", "fires"), [(5, False), (50, False), (25, True), (12.5, True), (0, False)]
)
def test_rb403_share_that_is_no_stage_of_the_plan(repo: Repo, share, fires):
    buckets = [["on", share], ["off", 100 - share]]
    repo.write(FLAGS_PATH, flags_with(targeting={"fractional": buckets}))
    found = lint_all(repo, ["RB403"])
    if not fires:
        assert found == []
        return
    [finding] = found
    text = repo.read(RUNBOOK_PATH)
    line = text[: text.index("rollout:")].count("\n") + 1
    assert (finding.path, finding.line, finding.column) == (RUNBOOK_PATH, line, 1)
    assert finding.message == (
        f"flagd serves checkout.one_click to {share:g}% ({FLAGS_PATH}:3:5), which is no stage "
        "of the rollout plan (audience, 5%, 50%, 100%)"
    )


def test_rb403_without_a_plan(repo: Repo):
    repo.edit(
        RUNBOOK_PATH,
        (
            "rollout:\n  stages:\n    - name: Staff\n      audience: staff accounts\n"
            "      min_duration: 1d\n    - percent: 5\n      min_duration: 2d\n"
            "    - percent: 50\n      min_duration: 2d\n    - percent: 100\n",
            "",
        ),
        ("risk: high", "risk: low"),
    )
    [finding] = lint_all(repo, ["RB403"])
    assert (finding.path, finding.line, finding.column) == (RUNBOOK_PATH, 1, 5)
    assert finding.message.endswith("but the runbook has no rollout plan")


def test_rb403_unleash(repo: Repo):
    data = copy.deepcopy(UNLEASH)
    data["features"][0]["strategies"][0]["parameters"]["rollout"] = "20"
    repo.write("flags/unleash.json", data)
    [finding] = lint_all(repo, ["RB403"])
    assert finding.path == "runbooks/search-ranking-v2.yaml"
    assert "unleash serves search.ranking_v2 to 20%" in finding.message
