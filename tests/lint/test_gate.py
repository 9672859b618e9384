"""The gate cannot be talked past: coverage, kill switches, off values and systems (issue 8).

Projects are built in temporary folders from the clean project of conftest.py, with flag files
of several kinds: hand-written ones and the real files in tests/fixtures/flag-sources.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.lint.conftest import FLAGS, FLAGS_PATH, GOOD, RUNBOOK_PATH, position

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "flag-sources"

SOURCES = """\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"

[[sources]]
kind = "flagd"
paths = ["flags/*.flagd.json"]

[[sources]]
kind = "openfeature"
paths = ["flags/flags.json"]

[[sources]]
kind = "unleash"
paths = ["flags/unleash.json"]

[[sources]]
kind = "list"
paths = ["flags/features.txt"]

[[sources]]
kind = "code"
paths = ["src/**/*.py"]
"""

FLAGD = {
    "flags": {
        "checkout.one_click": {
            "state": "ENABLED",
            "variants": {"on": True, "off": False},
            "defaultVariant": "off",
        },
        "search.ranking": {
            "state": "ENABLED",
            "variants": {"v1": "v1", "v2": "v2"},
            "defaultVariant": "v1",
        },
        "checkout.disable_wallets": {
            "state": "ENABLED",
            "variants": {"on": True, "off": False},
            "defaultVariant": "off",
        },
        "checkout.old_flow": {"state": "DISABLED", "variants": {"enabled": 1, "disabled": 0}},
    }
}
UNLEASH = {
    "features": [
        {"name": "loyalty.points", "type": "release"},
        {"name": "payments.kill_gift_cards", "type": "kill-switch"},
        {"name": "payments.old_wallet", "type": "release", "archived": True},
    ]
}


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def for_flag(key: str, system: str = "flagd", off: str = "false", on: str | None = None) -> str:
    """The good runbook, switched to flag ``key`` of ``system`` with these values."""
    text = GOOD.replace("checkout.one_click", key)
    values = f"    system: {system}\n    off: {off}\n" + (f"    on: {on}\n" if on else "")
    return edit(text, ("    system: flagd\n    off: false\n", values))


@pytest.fixture
def many(project):
    """The clean project with five sources: flagd, OpenFeature, Unleash, a list and code."""
    project.write("rollbook.toml", SOURCES)
    project.write(FLAGS_PATH, json.dumps(FLAGD, indent=2))
    shutil.copy(FIXTURES / "openfeature" / "cli-flag-manifest.flags.json", project.root / "flags")
    (project.root / "flags" / "cli-flag-manifest.flags.json").rename(
        project.root / "flags" / "flags.json"
    )
    project.write("flags/unleash.json", json.dumps(UNLEASH, indent=2))
    project.write("flags/features.txt", "nightly-stock-sync\nwarehouse.picking_v2\n")
    project.write("src/app.py", 'client.get_string_value("emails.digest", "weekly")\n')
    return project


def only(findings, key: str):
    return [f for f in findings if f"`{key}`" in f.message]


# --- coverage: a matching id is not a runbook ------------------------------------------------


@pytest.mark.parametrize(
    ("source_file", "content", "key"),
    [
        (
            FLAGS_PATH,
            FLAGS.replace("checkout.one_click", "checkout.express_pay"),
            "checkout.express_pay",
        ),
        (FLAGS_PATH, FLAGS.replace("checkout.one_click", "expressPay"), "expressPay"),
        (FLAGS_PATH, FLAGS.replace("checkout.one_click", "EXPRESS_PAY"), "EXPRESS_PAY"),
    ],
)
def test_an_id_that_is_the_key_as_a_slug_fails_at_both_ends(project, source_file, content, key):
    from rollbook.lint.rules.coverage import slug

    project.write(source_file, content)
    # The runbook keeps its own flag, but under an env system: only its id names the feature.
    text = edit(
        for_flag("CHECKOUT_FALLBACK", system="env"),
        ("id: one-click-checkout", f"id: {slug(key)}"),
    )
    project.runbook(text)
    result = project.lint()
    assert result.failed
    [at_source] = [f for f in result.findings if f.code == "RB101"]
    assert (at_source.path, at_source.line, at_source.column) == (
        source_file,
        *position(content, f'"{key}"'),
    )
    assert at_source.severity.value == "error"
    assert f"has the id `{slug(key)}` but does not list `{key}`" in at_source.message
    [at_runbook] = [f for f in result.findings if f.code == "RB106"]
    assert (at_runbook.path, at_runbook.line, at_runbook.column) == (RUNBOOK_PATH, 1, 5)
    assert at_runbook.severity.value == "error"


@pytest.mark.parametrize(
    ("fixture", "kind", "key"),
    [
        ("flagd/otel-demo.flagd.json", "flagd", "adFailure"),
        ("openfeature/cli-flag-manifest.flags.json", "openfeature", "enableBeta"),
        ("unleash/import-data.json", "unleash", "first_feature"),
    ],
)
def test_id_only_match_fails_for_real_flag_files(project, fixture, kind, key):
    from rollbook.lint.rules.coverage import slug

    name = Path(fixture).name
    shutil.copy(FIXTURES / fixture, project.root / "flags" / name)
    project.write(
        "rollbook.toml",
        'runbooks = ["runbooks"]\nteams = "runbooks/teams.yaml"\n\n'
        f'[[sources]]\nkind = "{kind}"\npaths = ["flags/{name}"]\n',
    )
    project.runbook(
        edit(for_flag("FALLBACK", system="env"), ("id: one-click-checkout", f"id: {slug(key)}"))
    )
    result = project.lint()
    assert [f.code for f in result.findings if f.code == "RB106"] == ["RB106"]
    [uncovered] = only([f for f in result.findings if f.code == "RB101"], key)
    assert uncovered.path == f"flags/{name}"
    assert "does not list" in uncovered.message


@pytest.mark.parametrize("written", ["deployable: false", "deployable: no", "deployable: False"])
def test_deployable_false_on_a_deployed_feature_fails(project, written):
    text = edit(GOOD, ("risk: critical\n", f"{written}\nrisk: critical\n"))
    project.runbook(text)
    result = project.lint()
    assert result.failed
    [marked] = [f for f in result.findings if f.code == "RB107"]
    value = written.split(": ")[1]
    line, _ = position(text, f"{written}\n")
    assert (marked.line, marked.column) == (line, 13)  # the value, after `deployable: `
    assert text.splitlines()[marked.line - 1][marked.column - 1 :] == value
    assert "flags/checkout.flagd.json:3:5" in marked.message
    [uncovered] = [f for f in result.findings if f.code == "RB101"]
    assert "says `deployable: false`" in uncovered.message


def test_deployable_false_by_id_alone_fails_too(project):
    text = edit(
        for_flag("FALLBACK", system="env"),
        ("id: one-click-checkout", "id: checkout-one-click"),
        ("risk: critical\n", "deployable: false\nrisk: critical\n"),
    )
    project.runbook(text)
    codes = {f.code for f in project.findings()}
    assert {"RB101", "RB107"} <= codes
    assert "RB106" not in codes  # RB107 says it, once


def test_deployable_false_for_an_archived_toggle_is_fine(many):
    text = edit(
        for_flag("payments.old_wallet", system="unleash"),
        ("risk: critical\n", "deployable: false\nrisk: critical\n"),
    )
    many.runbook(text)
    assert many.findings("RB107") == []


def test_a_runbook_without_rollback_steps_covers_nothing(project):
    text = edit(
        GOOD,
        (
            "  steps:\n    - do: Switch checkout.one_click Off in the flag console.\n"
            "      expect: The flag shows Off within a minute.\n",
            "  steps: []\n",
        ),
    )
    project.runbook(text)
    [uncovered] = project.findings("RB101")
    assert uncovered.message.endswith(f"{RUNBOOK_PATH} lists it but has no rollback steps")


def test_a_misspelt_key_is_named_everywhere(project):
    text = GOOD.replace("checkout.one_click", "checkout.oneclick")
    project.runbook(text)
    found = {f.code: f for f in project.findings()}
    assert "did you mean `checkout.oneclick`, which" in found["RB101"].message
    assert found["RB104"].message.endswith("did you mean `checkout.one_click`?")
    assert found["RB108"].message.endswith("did you mean `checkout.one_click`?")
    assert found["RB108"].severity.value == "error"
    assert (found["RB108"].line, found["RB108"].column) == position(
        text, "checkout.oneclick", text.count("checkout.oneclick", 0, text.index("kill_switch"))
    )


def test_feature_list_ids_are_covered_by_the_exact_id_only(many):
    # "nightly-stock-sync" is an id in a list: a runbook with that id covers it.
    many.runbook(GOOD)
    many.write(
        "runbooks/nightly-stock-sync.yaml",
        GOOD.replace("one-click-checkout", "nightly-stock-sync")
        .replace("checkout.one_click", "search.ranking")
        .replace("off: false", "off: v1"),
    )
    findings = many.findings("RB101")
    assert only(findings, "nightly-stock-sync") == []
    # "warehouse.picking_v2" has no runbook; one with the id as a slug does not count.
    assert len(only(findings, "warehouse.picking_v2")) == 1
    many.write(
        "runbooks/warehouse-picking-v2.yaml",
        GOOD.replace("one-click-checkout", "warehouse-picking-v2").replace(
            "checkout.one_click", "checkout.disable_wallets"
        ),
    )
    assert len(only(many.findings("RB101"), "warehouse.picking_v2")) == 1


# --- kill switches ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("checkout.one_clik", "did you mean `checkout.one_click`?"),
        ("CHECKOUT.ONE_CLICK", "did you mean `checkout.one_click`?"),
        ("payments.refunds", "is not declared by any feature source"),
    ],
)
def test_kill_switch_not_in_any_source(project, key, says):
    text = GOOD.replace("checkout.one_click", key)
    project.runbook(text)
    [found] = project.findings("RB108")
    assert found.severity.value == "error"
    assert found.message.endswith(says)
    line = text.splitlines().index(f"  kill_switch: {key}") + 1
    assert (found.line, found.column) == (line, 16)


def test_kill_switch_on_an_archived_toggle(many):
    many.runbook(for_flag("payments.old_wallet", system="unleash"))
    [found] = many.findings("RB108")
    assert "archived in unleash" in found.message


@pytest.mark.parametrize("system", ["env", "config"])
def test_kill_switch_outside_any_flag_system_is_not_checked(project, system):
    project.runbook(for_flag("CHECKOUT_ONE_CLICK", system=system, off='"0"'))
    assert project.findings("RB108") == []


def test_kill_switch_is_not_checked_without_sources(project):
    project.write("rollbook.toml", 'runbooks = ["runbooks"]\nteams = "runbooks/teams.yaml"\n')
    project.runbook(GOOD.replace("checkout.one_click", "checkout.unknown"))
    assert project.findings("RB108") == []


# --- off values ------------------------------------------------------------------------------

# (key, system, off, on, fails?) against FLAGD, the OpenFeature manifest and UNLEASH.
OFF_VALUES = [
    # flagd, boolean variants named on/off
    ("checkout.one_click", "flagd", "false", None, False),
    ("checkout.one_click", "flagd", "off", None, False),  # the variant's name
    ("checkout.one_click", "flagd", "Off", None, False),  # the name, any case
    ("checkout.one_click", "flagd", "true", None, True),  # the "on" variant's value
    ("checkout.one_click", "flagd", "on", None, True),  # the "on" variant's name
    ("checkout.one_click", "flagd", '"false"', None, True),  # text, not the boolean
    ("checkout.one_click", "flagd", "0", None, True),  # a number, not the boolean
    ("checkout.one_click", "flagd", "disabled", None, True),
    ("checkout.one_click", "flagd", "false", "false", True),  # off == on
    # an inverted flag that says so with `on:`
    ("checkout.disable_wallets", "flagd", "true", "false", False),
    ("checkout.disable_wallets", "flagd", "true", None, True),
    # flagd, text variants without an "on" name
    ("search.ranking", "flagd", "v1", "v2", False),
    ("search.ranking", "flagd", "v1", None, False),
    ("search.ranking", "flagd", "v3", None, True),
    ("search.ranking", "flagd", "v1", "v3", True),
    ("search.ranking", "flagd", "v2", "v2", True),
    # flagd, numbers with enabled/disabled names
    ("checkout.old_flow", "flagd", "0", None, False),
    ("checkout.old_flow", "flagd", "0.0", None, False),
    ("checkout.old_flow", "flagd", "disabled", None, False),
    ("checkout.old_flow", "flagd", "1", None, True),
    ("checkout.old_flow", "flagd", '"0"', None, True),
    # OpenFeature manifest: types
    ("enableBeta", "openfeature", "false", None, False),
    ("enableBeta", "openfeature", '"false"', None, True),
    ("enableBeta", "openfeature", "false", "false", True),
    ("greeting", "openfeature", "Hello", None, False),
    ("greeting", "openfeature", "false", None, True),
    ("greeting", "openfeature", "12", None, True),
    ("untypedObject", "openfeature", "anything", None, False),  # objects are not checked
    # Unleash: on or off, the other way round for a kill switch
    ("loyalty.points", "unleash", "false", None, False),
    ("loyalty.points", "unleash", "off", None, False),
    ("loyalty.points", "unleash", "true", None, True),
    ("loyalty.points", "unleash", "maybe", None, True),
    ("payments.kill_gift_cards", "unleash", "true", None, False),
    ("payments.kill_gift_cards", "unleash", "false", None, True),
    # no source knows it: only off == on is checked
    ("CHECKOUT_ONE_CLICK", "env", "no", "no", True),
    ("CHECKOUT_ONE_CLICK", "env", "no", "yes", False),
]


@pytest.mark.parametrize(("key", "system", "off", "on", "fails"), OFF_VALUES)
def test_off_value_against_the_flag_system(many, key, system, off, on, fails):
    text = for_flag(key, system=system, off=off, on=on)
    many.runbook(text)
    found = many.findings("RB109")
    if not fails:
        assert found == [], found
        return
    [finding] = found
    assert finding.severity.value == "error"
    assert finding.path == RUNBOOK_PATH
    on_wrong = on is not None and "`on:" in finding.message
    needle = f"    on: {on}\n" if on_wrong else f"    off: {off}\n"
    line, _ = position(text, needle)
    # The value, after `    off: ` (column 10) or `    on: ` (column 9).
    assert (finding.line, finding.column) == (line, 9 if on_wrong else 10)


def test_off_value_message_names_the_source_and_its_variants(many):
    many.runbook(for_flag("checkout.one_click", off="true"))
    [found] = many.findings("RB109")
    assert found.message == (
        "`off: true` is the value that turns `checkout.one_click` on (variant `on`): flagd "
        "declares it at flags/checkout.flagd.json:3:5 with variants on (true), off (false), "
        "default off"
    )


def test_quoted_boolean_gets_a_hint(many):
    many.runbook(for_flag("checkout.one_click", off='"false"'))
    [found] = many.findings("RB109")
    assert "in quotes is text; write it without quotes" in found.message


def test_off_values_of_real_flagd_files(project):
    # The OpenTelemetry demo's flags: booleans named on/off, and percentages with "off": 0.
    shutil.copy(FIXTURES / "flagd" / "otel-demo.flagd.json", project.root / "flags")
    for key, off, fails in [
        ("adFailure", "false", False),
        ("adFailure", "true", True),
        ("cartFailure", "0", False),
        ("cartFailure", "off", False),
        ("cartFailure", "0.5", False),
        ("cartFailure", "0.3", True),
    ]:
        project.runbook(for_flag(key, off=off))
        assert bool(project.findings("RB109")) is fails, (key, off)


# --- systems ---------------------------------------------------------------------------------

SYSTEMS = [
    ("checkout.one_click", "flagd", False),
    ("checkout.one_click", "unleash", True),
    ("checkout.one_click", "env", True),
    ("checkout.one_click", "openfeature", True),
    ("loyalty.points", "unleash", False),
    ("loyalty.points", "flagd", True),
    ("enableBeta", "openfeature", False),
    ("enableBeta", "flagd", False),  # a manifest says how code reads it, not who serves it
    ("enableBeta", "launchdarkly", False),
    ("enableBeta", "env", True),
    ("enableBeta", "config", True),
    ("emails.digest", "env", False),  # code only: no system declared
    ("warehouse.picking_v2", "config", False),  # a list: no system declared
]


@pytest.mark.parametrize(("key", "system", "fails"), SYSTEMS)
def test_system_must_agree_with_the_declaring_source(many, key, system, fails):
    off = {"enableBeta": "false", "emails.digest": "daily"}.get(key, "false")
    text = for_flag(key, system=system, off=off)
    many.runbook(text)
    found = many.findings("RB110")
    if not fails:
        assert found == []
        return
    [finding] = found
    assert finding.severity.value == "error"
    line, _ = position(text, f"system: {system}\n")
    assert (finding.line, finding.column) == (line, 13)  # the value, after `    system: `
    assert "write `system:" in finding.message


# --- did you mean ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "near"),
    [
        ("checkout.oneClick", "checkout.one_click"),
        ("checkout-one-click", "checkout.one_click"),
        ("checkout.one_clik", "checkout.one_click"),
        ("search.ranking_v2", "search.ranking"),
        ("orders.address_split", None),
        ("payments.refunds", None),
    ],
)
def test_did_you_mean(word, near):
    from rollbook.lint.rules.coverage import did_you_mean

    assert did_you_mean(word, ["checkout.one_click", "search.ranking", "loyalty.points"]) == near
