"""Every rule: a failing runbook (code, line and column asserted) and a passing one."""

from __future__ import annotations

import pytest

from rollbook.lint import all_rules
from tests.lint.conftest import FLAGS, FLAGS_PATH, GOOD, RUNBOOK_PATH, TEAMS, position

STEP_EXPECT = "      expect: The flag shows Off within a minute.\n"

# (code, edits to the good runbook, text the finding must point at, which occurrence)
CASES: list[tuple[str, list[tuple[str, str]], str, int]] = [
    ("RB001", [("title: One-click checkout", "title: One-click: checkout")], ": checkout", 0),
    ("RB002", [("risk: critical\n", "risk: critical\nrisk: high\n")], "risk: high", 0),
    ("RB003", [("tests:", "testz:")], "testz", 0),
    ("RB004", [("  kill_switch: checkout.one_click\n", "  kill_switch: [a, b]\n")], "[a, b]", 0),
    ("RB005", [("    off: false\n", "")], "key: checkout.one_click", 0),
    ("RB006", [("risk: critical", "risk: severe")], "severe", 0),
    (
        "RB010",
        [
            (
                "    - Checkout error rate back",
                "    - Post in #payments-oncall, then: Checkout error rate back",
            )
        ],
        "#payments-oncall",
        0,
    ),
    (
        "RB011",
        [("Switch checkout.one_click Off", "Switch checkout.one_click \u202eOff")],
        "\u202e",
        0,
    ),
    (
        "RB012",
        [("  kill_switch: checkout.one_click", "  kill_switch: \u0441heckout.one_click")],
        "\u0441",
        0,
    ),
    (
        "RB008",
        [("  kill_switch: checkout.one_click", "  kill_switch: checkout_one_click")],
        "checkout_one_click",
        0,
    ),
    (
        "RB102",
        [
            (
                "  steps:\n    - do: Switch checkout.one_click Off in the flag console.\n"
                + STEP_EXPECT,
                "  steps: []\n",
            )
        ],
        "rollback:",
        0,
    ),
    (
        "RB103",
        [
            ("id: one-click-checkout", "id: mystery-feature"),
            ("- key: checkout.one_click", "- key: checkout.mystery"),
            ("kill_switch: checkout.one_click", "kill_switch: checkout.mystery"),
        ],
        "mystery-feature",
        0,
    ),
    (
        "RB104",
        [
            ("- key: checkout.one_click", "- key: checkout.oneClick"),
            ("kill_switch: checkout.one_click", "kill_switch: checkout.oneClick"),
        ],
        "checkout.oneClick",
        0,
    ),
    (
        "RB106",
        [
            ("id: one-click-checkout", "id: checkout-one-click"),
            ("- key: checkout.one_click", "- key: checkout.express"),
            ("kill_switch: checkout.one_click", "kill_switch: checkout.express"),
        ],
        "checkout-one-click",
        0,
    ),
    ("RB107", [("risk: critical\n", "deployable: false\nrisk: critical\n")], "false", 0),
    (
        "RB108",
        [
            ("- key: checkout.one_click", "- key: checkout.oneclick"),
            ("kill_switch: checkout.one_click", "kill_switch: checkout.oneclick"),
        ],
        "checkout.oneclick",
        1,
    ),
    ("RB109", [("    off: false\n", "    off: true\n")], "true", 0),
    ("RB110", [("    system: flagd\n", "    system: unleash\n")], "unleash", 0),
    ("RB201", [(STEP_EXPECT, "")], "do: Switch", 0),
    (
        "RB202",
        [
            (
                "- do: Switch checkout.one_click Off in the flag console.",
                "- do: Check the logs and fix it.",
            )
        ],
        "Check the logs",
        0,
    ),
    ("RB203", [("  kill_switch: checkout.one_click\n", "")], "rollback:", 0),
    ("RB204", [(STEP_EXPECT, STEP_EXPECT + "      engineer: true\n")], "true", 0),
    (
        "RB205",
        [(STEP_EXPECT, STEP_EXPECT + "      irreversible: true\n      warning: Data goes.\n")],
        "true",
        0,
    ),
    (
        "RB206",
        [("  verify:\n    - Checkout error rate back below 0.5% within 10 minutes.\n", "")],
        "rollback:",
        0,
    ),
    (
        "RB207",
        [
            (
                "- do: Switch checkout.one_click Off in the flag console.",
                "- do: Switch the new checkout off in the flag console.",
            )
        ],
        "steps:",
        0,
    ),
    ("RB301", [("    threshold: above 2% for 5 minutes\n", "")], "name: Checkout error", 0),
    (
        "RB302",
        [
            ("    query: sum(rate(checkout_errors_total[5m]))\n", ""),
            ("    link: https://grafana.example.com/d/checkout\n", ""),
        ],
        "name: Checkout error",
        0,
    ),
    ("RB303", [("    alert: CheckoutErrorRateHigh\n", "")], "signals:", 0),
    ("RB304", [("    signals: [Checkout error rate]\n", "")], "what: Customers", 0),
    (
        "RB401",
        [
            (
                "    - name: Staff only\n      audience: staff accounts\n    - percent: 5\n",
                "    - percent: 50\n",
            )
        ],
        "50",
        0,
    ),
    (
        "RB402",
        [("    - name: Staff only\n      audience: staff accounts\n    - percent: 5\n", "")],
        "percent: 100",
        0,
    ),
    ("RB501", [("  - kind: failure", "  - kind: unit")], "tests:", 0),
    ("RB602", [("- person: amara", "- person: jo")], "jo\n", 0),
    ("RB701", [("last_reviewed: 2026-02-01", "last_reviewed: 2025-01-01")], "2025-01-01", 0),
    ("RB702", [("  - date: 2026-02-10", "  - date: 2025-01-10")], "2025-01-10", 0),
    (
        "RB801",
        [
            (
                STEP_EXPECT,
                STEP_EXPECT + "      command: \"curl -H 'Authorization: Bearer "
                "9f8e7d6c5b4a39281706f5e4d3c2b1a0' https://flags.example.com/off\"\n",
            )
        ],
        '"curl -H',
        0,
    ),
    ("RB802", [("link: https://grafana", "link: http://grafana")], "http://grafana", 0),
    (
        "RB803",
        [("title: One-click checkout", "title:    # FILL IN: the feature's name")],
        "FILL IN",
        0,
    ),
]

TEAMS_WITH_JO = TEAMS + "      - id: jo\n        name: Jo Park\n"


@pytest.mark.parametrize(("code", "edits", "needle", "nth"), CASES, ids=[c[0] for c in CASES])
def test_rule_fails_at_line_and_column(project, edit, code, edits, needle, nth):
    text = edit(*edits)
    project.runbook(text)
    if code == "RB602":
        project.write("runbooks/teams.yaml", TEAMS_WITH_JO)
    found = project.findings(code)
    assert found, f"{code} did not fire on:\n{text}"
    line, column = position(text, needle, nth)
    assert (found[0].path, found[0].line, found[0].column) == (RUNBOOK_PATH, line, column)


def test_good_runbook_passes_every_rule(project):
    assert project.findings() == []


@pytest.mark.parametrize("code", [r.code for r in all_rules()])
def test_rule_passes_on_the_good_runbook(project, code):
    assert project.findings(code) == []


def test_every_rule_has_a_failing_case():
    tested = {c[0] for c in CASES} | {"RB007", "RB009", "RB101", "RB105", "RB601"}
    tested |= {"RB901", "RB902", "RB903", "RB904"}  # see test_suppressions.py
    tested |= {"RB403", "RB404"}  # see tests/review/test_diff_sources.py
    tested |= {f"RB3{n:02d}" for n in range(5, 12)}  # see test_alert_rules.py

    tested |= {"RB905", "RB906", "RB907"}  # see test_baseline.py
    assert tested == {r.code for r in all_rules()}


def test_rb007_empty_file(project):
    project.runbook("")
    [found] = project.findings("RB007")
    assert (found.path, found.line, found.column) == (RUNBOOK_PATH, 1, 1)


def test_rb009_duplicate_id(project):
    project.write("runbooks/copy.yaml", GOOD)
    [found] = project.findings("RB009")
    assert (found.path, found.line, found.column) == ("runbooks/one-click-checkout.yaml", 1, 5)
    assert "runbooks/copy.yaml" in found.message


def test_rb101_points_at_the_feature_in_its_source(project):
    flags = FLAGS.replace('  "flags": {\n', '  "flags": {\n    "checkout.express": {},\n')
    project.write(FLAGS_PATH, flags)
    [found] = project.findings("RB101")
    line, column = position(flags, '"checkout.express"')
    assert (found.path, found.line, found.column) == (FLAGS_PATH, line, column)
    assert "checkout.express" in found.message


def test_rb101_a_matching_id_alone_no_longer_covers_the_feature(project, edit):
    # Before issue 8 a runbook whose id was the key as a slug covered the feature; now the
    # runbook must list the key (RB101 at the source, RB106 at the runbook).
    flags = FLAGS.replace("checkout.one_click", "oneClickCheckout")
    project.write(FLAGS_PATH, flags)
    project.runbook(edit(("    system: flagd\n", "    system: env\n")))
    [found] = project.findings("RB101")
    assert (found.path, found.line, found.column) == (FLAGS_PATH, *position(flags, '"oneClick'))
    assert found.message == (
        "deployable feature `oneClickCheckout` (flagd) has no runbook that lists it: "
        f"{RUNBOOK_PATH} has the id `one-click-checkout` but does not list `oneClickCheckout` "
        "under `flags:`"
    )
    [at_runbook] = project.findings("RB106")
    assert (at_runbook.path, at_runbook.line, at_runbook.column) == (RUNBOOK_PATH, 1, 5)


def test_rb101_skipped_when_only_some_paths_are_linted(project):
    project.write(
        FLAGS_PATH, FLAGS.replace('  "flags": {\n', '  "flags": {\n    "checkout.express": {},\n')
    )
    assert project.findings("RB101", paths=[project.root / RUNBOOK_PATH]) == []


def test_invalid_runbook_still_covers_its_feature(project, edit):
    project.runbook(edit(("risk: critical", "risk: severe")))
    assert project.findings("RB101") == []


def test_rb105_no_sources(project):
    project.write("rollbook.toml", 'runbooks = ["runbooks"]\n')
    [found] = project.findings("RB105")
    assert (found.path, found.line, found.severity.value) == ("rollbook.toml", 0, "info")
    assert project.findings("RB103") == project.findings("RB104") == []


def test_rb601_owner_without_phone_or_chat(project):
    project.write(
        "runbooks/teams.yaml",
        TEAMS.replace('    oncall_phone: "+44 20 7946 0000"\n    chat: "#payments-oncall"\n', ""),
    )
    [found] = project.findings("RB601")
    assert (found.path, found.line, found.column) == (RUNBOOK_PATH, *position(GOOD, "payments"))


def test_rb701_never_reviewed_points_at_id(project, edit):
    project.runbook(edit(("review:\n  last_reviewed: 2026-02-01\n  by: Amara Obi\n", "")))
    [found] = project.findings("RB701")
    assert (found.line, found.column) == (1, 1)


def test_review_and_drill_ages_come_from_configuration(project, edit):
    project.write(
        "rollbook.toml",
        "review-max-age = 10\ndrill-max-age = 10\n"
        + project.root.joinpath("rollbook.toml").read_text(),
    )
    codes = {f.code for f in project.findings()}
    assert {"RB701", "RB702"} <= codes


def test_placeholder_folds_the_loader_problem_on_its_line(project, edit):
    project.runbook(edit(("title: One-click checkout", "title:    # FILL IN: the name")))
    codes = [f.code for f in project.findings()]
    assert codes == ["RB803"]


def test_placeholder_in_prose_is_not_reported(project):
    project.runbook("# Fill in every line marked FILL IN: `rollbook validate` fails.\n" + GOOD)
    assert project.findings("RB803") == []


@pytest.mark.parametrize(
    "text",
    [
        "curl -H 'Authorization: Bearer $TOKEN' https://x.example.com",
        "export API_KEY=${API_KEY}",
        "Reset the customer's password in the admin console.",
        "psql postgres://app:$PGPASSWORD@db/app",
    ],
)
def test_secret_rule_passes_variables_and_prose(project, edit, text):
    project.runbook(edit((STEP_EXPECT, STEP_EXPECT + f'      command: "{text}"\n')))
    assert project.findings("RB801") == []


@pytest.mark.parametrize(
    "text",
    [
        "AKIAIOSFODNN7EXAMPLE",
        "-----BEGIN RSA PRIVATE KEY-----",
        "mysql -u root --password=hunter2hunter2",
        "https://admin:s3cretpass@db.example.com",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    ],
)
def test_secret_rule_finds_secrets_and_never_repeats_them(project, edit, text):
    project.runbook(edit((STEP_EXPECT, STEP_EXPECT + f'      command: "{text}"\n')))
    [found] = project.findings("RB801")
    assert text not in found.message


def test_documented_examples_are_yaml():
    import yaml

    from rollbook.lint.examples import split_marker

    for item in all_rules():
        examples = item.example_blocks()
        assert {"failing", "passing"} <= set(examples), item.code
        for name, blocks in examples.items():
            for block in blocks:
                path, text = split_marker(block)  # a `# rollbook.toml` block is TOML
                if path.endswith((".yaml", ".yml")) and (
                    item.code not in {"RB001", "RB007"} or name == "passing"
                ):
                    yaml.safe_load(text)


def test_rb802_finds_every_plain_http_link_in_any_case(project, edit):
    # The rule passes a runbook without `http://` (in any case) in one search of all its
    # values: a link written in capitals, and one in a later value, are still each found.
    text = edit(
        ("link: https://grafana", "link: http://grafana"),
        ("nobody can pay.", "nobody can pay (see HTTP://Wiki.example/checkout)."),
    )
    project.runbook(text)
    found = project.findings("RB802")
    assert [(f.line, f.message) for f in found] == [
        (position(text, "HTTP://Wiki")[0], "`summary` links over plain http://"),
        (position(text, "http://grafana")[0], "`signals[0].link` links over plain http://"),
    ]
