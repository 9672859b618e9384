"""Adoption aids: day one without runbooks, the baseline file (RB905) and exemptions (RB906-7)."""

from __future__ import annotations

import json

import pytest

from rollbook.cli import main
from tests.lint.conftest import FLAGS, FLAGS_PATH, GOOD, RUNBOOK_PATH, position

BASELINE = ".rollbook-baseline.json"
# Three more features in the flag file, none with a runbook.
MORE_FLAGS = FLAGS.replace(
    '  "flags": {\n',
    '  "flags": {\n    "gift_cards": {},\n    "loyalty.points": {},\n    "dark-mode": {},\n',
)
NO_EXPECT = GOOD.replace("      expect: The flag shows Off within a minute.\n", "")


@pytest.fixture
def cli(project, monkeypatch, capsys):
    """Run `rollbook ...` in-process in the project, returning (exit code, stdout, stderr)."""
    monkeypatch.chdir(project.root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("ROLLBOOK_TODAY", "2026-03-01")

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exc:
            main(list(args))
        out = capsys.readouterr()
        return exc.value.code, out.out, out.err

    return run


def rb(out: str) -> list[str]:
    """``path:line:col: CODE`` of each finding in a text report."""
    return [line.split(" [")[0] for line in out.splitlines() if ": RB" in line]


def json_findings(cli, *args: str) -> list[dict]:
    _, out, _ = cli("lint", "--output-format", "json", *args)
    return json.loads(out)["findings"]


# Day one: sources, no runbooks --------------------------------------------------------------


def test_sources_but_no_runbooks_lists_the_features_that_need_one(cli, project):
    (project.root / RUNBOOK_PATH).unlink()
    project.write(FLAGS_PATH, MORE_FLAGS)
    code, out, err = cli("lint")
    assert code == 1, err
    lines = [line for line in rb(out)]
    assert lines == [
        f"{FLAGS_PATH}:3:5: RB101",
        f"{FLAGS_PATH}:4:5: RB101",
        f"{FLAGS_PATH}:5:5: RB101",
        f"{FLAGS_PATH}:6:5: RB101",
    ]
    assert "`rollbook new KEY`" in out
    assert out.rstrip().endswith("in 0 runbook files; lint failed (fail-on: error).")


def test_sources_but_no_runbooks_with_nothing_declared_is_clean(cli, project):
    (project.root / RUNBOOK_PATH).unlink()
    project.write(FLAGS_PATH, '{"flags": {}}')
    code, out, _ = cli("lint")
    assert code == 0, out


def test_no_runbooks_in_paths_given_is_still_a_usage_error(cli, project):
    (project.root / RUNBOOK_PATH).unlink()
    (project.root / "runbooks" / "empty").mkdir()
    code, _, err = cli("lint", "runbooks/empty")
    assert code == 2 and "no runbooks found" in err


# The baseline ------------------------------------------------------------------------------


def test_write_baseline_then_only_new_findings_fail(cli, project):
    project.write(FLAGS_PATH, MORE_FLAGS)
    project.runbook(NO_EXPECT)
    code, out, _ = cli("lint")
    assert code == 1 and len(rb(out)) == 4  # three RB101, one RB201
    code, out, _ = cli("lint", "--write-baseline")
    assert code == 0
    assert out == (
        f"wrote {BASELINE}: 4 findings recorded; `rollbook lint` now reports only new findings.\n"
    )
    data = json.loads((project.root / BASELINE).read_text())
    assert data["version"] == 1
    assert sorted((e["code"], e["anchor"], e["count"]) for e in data["findings"]) == [
        ("RB101", "dark-mode", 1),
        ("RB101", "gift_cards", 1),
        ("RB101", "loyalty.points", 1),
        ("RB201", "rollback.steps[0]", 1),
    ]
    code, out, _ = cli("lint")
    assert code == 0, out
    assert f"note: 4 findings recorded in the baseline {BASELINE} not shown" in out
    # A new flag fails, named; the recorded ones stay hidden.
    project.write(
        FLAGS_PATH, MORE_FLAGS.replace('"gift_cards": {},', '"gift_cards": {},\n"vip": {},')
    )
    code, out, _ = cli("lint")
    assert code == 1
    assert rb(out) == [f"{FLAGS_PATH}:4:1: RB101"]
    assert "`vip`" in out
    # --no-baseline shows everything.
    code, out, _ = cli("lint", "--no-baseline")
    assert len(rb(out)) == 5


@pytest.mark.parametrize(
    "shift",
    [
        ("id: one-click-checkout\n", "id: one-click-checkout\n# a comment\n\n"),
        ("risk: critical\n", "risk: critical\ntags: [payments, checkout]\n"),
        ("rollback:\n", "rollback:\n  when:\n    - Errors above 2% for 5 minutes\n"),
    ],
    ids=["comment-above", "field-above", "list-above"],
)
def test_baseline_survives_lines_moving(cli, project, shift):
    project.runbook(NO_EXPECT)
    assert cli("lint", "--write-baseline")[0] == 0
    project.runbook(NO_EXPECT.replace(*shift))
    code, out, _ = cli("lint")
    assert code == 0, out


def test_baseline_counts_findings_per_fingerprint(cli, project):
    two_steps = NO_EXPECT.replace(
        "  verify:\n", "    - do: Page the payments on-call.\n      engineer: false\n  verify:\n"
    )
    project.runbook(two_steps)
    assert [f["code"] for f in json_findings(cli) if f["code"] == "RB201"] == ["RB201", "RB201"]
    assert cli("lint", "--write-baseline")[0] == 0
    entries = json.loads((project.root / BASELINE).read_text())["findings"]
    assert [(e["anchor"], e["count"]) for e in entries if e["code"] == "RB201"] == [
        ("rollback.steps[0]", 1),
        ("rollback.steps[1]", 1),
    ]
    # A third step without expect is new, though its rule and file are baselined.
    three = two_steps.replace("  verify:\n", "    - do: Post in the payments channel.\n  verify:\n")
    project.runbook(three)
    found = [(f["code"], f["line"]) for f in json_findings(cli)]
    assert found == [("RB201", position(three, "- do: Post")[0])]


def test_same_anchor_twice_is_counted(cli, project):
    # Two unused suppressions of the same code: their anchors differ only by line number,
    # which the baseline leaves out, so both land in one entry with count 2.
    text = GOOD.replace(
        "risk: critical\n", "risk: critical  # rollbook: ignore[RB201] x\n"
    ).replace("owner: payments\n", "owner: payments  # rollbook: ignore[RB201] y\n")
    project.runbook(text)
    assert [f["code"] for f in json_findings(cli)] == ["RB902", "RB902"]
    assert cli("lint", "--write-baseline")[0] == 0
    [entry] = json.loads((project.root / BASELINE).read_text())["findings"]
    assert (entry["code"], entry["anchor"], entry["count"]) == ("RB902", "unused:RB201:#", 2)
    assert cli("lint", "--fail-on", "warning")[0] == 0
    # A third one is new: the first in file order beyond the count is reported.
    third = text.replace(
        "id: one-click-checkout\n", "id: one-click-checkout  # rollbook: ignore[RB201] z\n"
    )
    project.runbook(third)
    code, out, _ = cli("lint", "--fail-on", "warning")
    assert code == 1 and len(rb(out)) == 1 and ": RB902" in rb(out)[0]


def test_stale_entries_are_reported_and_rewriting_drops_them(cli, project):
    project.write(FLAGS_PATH, MORE_FLAGS)
    assert cli("lint", "--write-baseline")[0] == 0
    baseline = (project.root / BASELINE).read_text()
    # gift_cards gets its runbook: its entry is stale.
    project.write(
        "runbooks/gift-cards.yaml",
        GOOD.replace("one-click-checkout", "gift-cards").replace(
            "checkout.one_click", "gift_cards"
        ),
    )
    code, out, _ = cli("lint")
    assert code == 0  # a warning does not fail the default gate
    line, column = position(
        baseline, '{"code": "RB101", "path": "flags/checkout.flagd.json", "anchor": "gift_cards"'
    )
    assert rb(out) == [f"{BASELINE}:{line}:{column}: RB905"]
    assert "matches no finding any more" in out and "`gift_cards`" in out
    assert cli("lint", "--fail-on", "warning")[0] == 1
    code, out, _ = cli("lint", "--write-baseline")
    assert out.startswith(f"wrote {BASELINE}: 2 findings recorded, 1 fixed since the last")
    assert "gift_cards" not in (project.root / BASELINE).read_text()
    code, out, _ = cli("lint", "--fail-on", "warning")
    assert code == 0, out


def test_stale_entries_are_not_judged_by_partial_runs(cli, project):
    project.write(FLAGS_PATH, MORE_FLAGS)
    assert cli("lint", "--write-baseline")[0] == 0
    project.write(FLAGS_PATH, FLAGS)  # every recorded finding fixed
    assert "RB905" in cli("lint")[1]
    assert "RB905" not in cli("lint", "runbooks")[1]  # paths: coverage is not checked
    assert "RB905" not in cli("lint", "--select", "RB2")[1]  # RB101 did not run


@pytest.mark.parametrize(
    "args",
    [("runbooks",), ("--since", "HEAD"), ("--select", "RB1"), ("--ignore", "RB201")],
    ids=["paths", "since", "select", "ignore"],
)
def test_write_baseline_refuses_a_partial_run(cli, project, args):
    code, _, err = cli("lint", *args, "--write-baseline")
    assert code == 2
    assert "--write-baseline records every finding of a full run" in err
    assert not (project.root / BASELINE).exists()


def test_write_baseline_to_another_file_and_configure_it(cli, project):
    project.write(FLAGS_PATH, MORE_FLAGS)
    code, out, _ = cli("lint", "--write-baseline=ci/baseline.json")
    assert code == 0
    assert 'set `baseline = "ci/baseline.json"`' in out
    assert cli("lint")[0] == 1  # not configured yet
    config = project.root / "rollbook.toml"
    config.write_text('baseline = "ci/baseline.json"\n' + config.read_text())
    assert cli("lint")[0] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", f"{BASELINE}:1:2: the baseline is not valid JSON"),
        ('{"version": 2, "findings": []}', "not a rollbook baseline of version 1"),
        ("[]", "not a rollbook baseline of version 1"),
        ('{"version": 1, "findings": {}}', "`findings` must be a list"),
        (
            '{"version": 1, "findings": [\n  {"code": "RB101", "path": "x", "count": 1}\n]}',
            f"{BASELINE}:2:3: findings[0] needs `code`, `path` and `anchor`",
        ),
        (
            '{"version": 1, "findings": [\n {"code": "RB101", "path": "x", "anchor": "y", '
            '"count": 0}]}',
            "`count` (a whole number from 1)",
        ),
        (
            '{"version": 1, "findings": [{"code": "RB101", "path": "x", "anchor": "y", '
            '"count": true}]}',
            "`count` (a whole number from 1)",
        ),
    ],
    ids=["syntax", "version", "not-object", "findings-type", "missing-anchor", "zero", "bool"],
)
def test_a_broken_baseline_is_a_usage_error(cli, project, text, message):
    project.write(BASELINE, text)
    code, _, err = cli("lint")
    assert code == 2
    assert message in err
    assert "--write-baseline" in err


def test_baseline_keeps_hostile_text_visible(cli, project):
    project.write(
        FLAGS_PATH, FLAGS.replace('"flags": {\n', '"flags": {\n    "evil\\u202e.flag": {},\n')
    )
    assert cli("lint", "--write-baseline")[0] == 0
    text = (project.root / BASELINE).read_text()
    assert "\u202e" not in text and "\\u202e" in text
    assert cli("lint")[0] == 0


# Exemptions --------------------------------------------------------------------------------

EXEMPT = """
[[exempt]]
key = "gift_cards"
reason = "internal tool behind the VPN"
"""


def configure(project, extra: str) -> str:
    config = project.root / "rollbook.toml"
    text = config.read_text() + extra
    config.write_text(text)
    return text


def test_an_exemption_drops_one_key_only(cli, project):
    project.write(FLAGS_PATH, MORE_FLAGS)
    configure(project, EXEMPT)
    code, out, _ = cli("lint")
    assert code == 1
    assert "`gift_cards`" not in out
    assert "`loyalty.points`" in out and "`dark-mode`" in out
    assert "; 1 suppressed;" in out.splitlines()[-1]


def test_an_exemption_with_a_future_expiry_holds(cli, project):
    project.write(FLAGS_PATH, FLAGS.replace('"flags": {\n', '"flags": {\n    "gift_cards": {},\n'))
    configure(project, EXEMPT + "expires = 2026-03-01\n")  # today, in these tests
    code, out, _ = cli("lint")
    assert code == 0, out


def test_an_expired_exemption_brings_the_finding_back_and_is_reported(cli, project):
    project.write(FLAGS_PATH, FLAGS.replace('"flags": {\n', '"flags": {\n    "gift_cards": {},\n'))
    text = configure(project, EXEMPT + "expires = 2026-02-28\n")
    code, out, _ = cli("lint")
    assert code == 1
    line = position(text, "[[exempt]]")[0]
    assert rb(out) == [f"{FLAGS_PATH}:3:5: RB101", f"rollbook.toml:{line}:1: RB906"]
    assert "expired on 2026-02-28" in out


def test_an_unused_exemption_is_reported_in_full_runs_only(cli, project):
    text = configure(project, '\n[[exempt]]\nkey = "checkout.one_click"\nreason = "x"\n' + EXEMPT)
    code, out, _ = cli("lint", "--fail-on", "warning")
    assert code == 1
    lines = [position(text, "[[exempt]]", n)[0] for n in (0, 1)]
    # checkout.one_click has a runbook; gift_cards is declared by no source.
    assert rb(out) == [f"rollbook.toml:{lines[0]}:1: RB907", f"rollbook.toml:{lines[1]}:1: RB907"]
    assert "RB907" not in cli("lint", "runbooks")[1]
    assert "RB907" not in cli("lint", "--select", "RB2")[1]


def test_exemptions_in_pyproject(cli, project):
    (project.root / "rollbook.toml").unlink()
    project.write(
        "pyproject.toml",
        "[tool.rollbook]\n"
        + '\n[[tool.rollbook.sources]]\nkind = "flagd"\npaths = ["flags/*.flagd.json"]\n'
        + '\n[[tool.rollbook.exempt]]\nkey = "gift_cards"\nreason = "r"\nexpires = 2020-01-01\n',
    )
    project.write(FLAGS_PATH, FLAGS.replace('"flags": {\n', '"flags": {\n    "gift_cards": {},\n'))
    code, out, _ = cli("lint")
    assert code == 1
    assert f"{FLAGS_PATH}:3:5: RB101" in rb(out)
    line = position((project.root / "pyproject.toml").read_text(), "[[tool.rollbook.exempt]]")[0]
    assert f"pyproject.toml:{line}:1: RB906" in rb(out)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[exempt]]\nkey = "x"\n', "rollbook.toml:8:1: RB000 `exempt.0.reason`: Field required"),
        ('[[exempt]]\nkey = "x"\nreason = " "\n', "`exempt.0.reason` is empty"),
        ('[[exempt]]\nkey = ""\nreason = "r"\n', "`exempt.0.key` is empty"),
        (
            '[[exempt]]\nkey = "x"\nreason = "r"\nexpires = "2027-01-01"\n',
            "`exempt.0.expires`: Input should be a valid date",
        ),
        ('[[exempt]]\nkey = "x"\nreason = "r"\nexpire = 2027-01-01\n', "did you mean `expires`?"),
        ('[[exempt]]\nkey = 3\nreason = "r"\n', "`exempt.0.key`: Input should be a valid string"),
        ('exempt = "x"\n', "`exempt`: Input should be a valid list"),
        ("baseline = 1\n", "`baseline`: Input should be a valid string"),
    ],
    ids=[
        "no-reason",
        "blank-reason",
        "blank-key",
        "quoted-date",
        "typo",
        "key-type",
        "not-list",
        "baseline-type",
    ],
)
def test_bad_exemptions_are_configuration_errors(cli, project, extra, message):
    if extra.startswith("[["):
        configure(project, "\n" + extra)
    else:  # a top-level key: before the first table
        config = project.root / "rollbook.toml"
        config.write_text(extra + config.read_text())
    code, _, err = cli("lint")
    assert code == 2
    assert message in err


@pytest.mark.parametrize(
    ("target", "content", "message"),
    [
        ("README.md", "# my notes\n", "README.md exists and is not a rollbook baseline"),
        (BASELINE, "<<<<<<< HEAD\n", f"{BASELINE} exists and is not a rollbook baseline"),
        ("runbooks", None, "runbooks: that is a folder"),
    ],
    ids=["other-file", "conflicted-baseline", "folder"],
)
def test_write_baseline_never_replaces_another_file(cli, project, target, content, message):
    if content is not None:
        project.write(target, content)
    code, _, err = cli("lint", f"--write-baseline={target}")
    assert code == 2
    assert message in err
    if content is not None:
        assert (project.root / target).read_text() == content
