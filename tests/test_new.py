"""`rollbook new` knows the project: a source's flag key fills in the runbook's flag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from rollbook.commands.scaffold import new_runbook, yaml_scalar
from rollbook.config import load_project
from rollbook.lint import LintOptions, lint
from rollbook.load.yaml_reader import read_yaml_text
from tests.conftest import run_cli

TEAM = """\
  - id: {id}
    name: {id} team
    oncall_phone: "+44 20 7946 0000"
    chat: "#{id}"
"""
CONFIG = """\
runbooks = ["runbooks"]

[[sources]]
kind = "flagd"
paths = ["flags/*.flagd.json"]

[[sources]]
kind = "openfeature"
paths = ["flags.json"]

[[sources]]
kind = "unleash"
paths = ["unleash.json"]

[[sources]]
kind = "code"
paths = ["src/**/*.py"]
"""


def make(root: Path, flagd: dict, *, teams=("payments",), manifest=None, unleash=None, code=""):
    (root / "runbooks").mkdir(parents=True)
    (root / "flags").mkdir()
    (root / "src").mkdir()
    (root / "rollbook.toml").write_text(CONFIG)
    (root / "runbooks" / "teams.yaml").write_text(
        "teams:\n" + "".join(TEAM.format(id=t) for t in teams)
    )
    (root / "flags" / "app.flagd.json").write_text(json.dumps({"flags": flagd}))
    (root / "flags.json").write_text(json.dumps({"flags": manifest or {}}))
    (root / "unleash.json").write_text(json.dumps({"features": unleash or []}))
    (root / "src" / "app.py").write_text(code)
    return load_project(root)


def flag_of(path: Path) -> dict:
    # rollbook's own reader: PyYAML's YAML 1.1 would read the key `off` as False.
    data = read_yaml_text(path.read_text(), path.name).data
    return {"flag": data["flags"][0], "kill_switch": data["rollback"]["kill_switch"], **data}


BOOL = {"state": "ENABLED", "variants": {"on": True, "off": False}, "defaultVariant": "off"}


@pytest.mark.parametrize(
    ("declared", "key", "system", "off"),
    [
        ({"flagd": {"new-checkout": BOOL}}, "new-checkout", "flagd", False),
        (
            {"flagd": {"dark": {"variants": {"enabled": True, "disabled": False}}}},
            "dark",
            "flagd",
            False,
        ),
        (
            {"flagd": {"theme": {"variants": {"on": "new", "off": "old"}}}},
            "theme",
            "flagd",
            "old",
        ),
        ({"flagd": {"limit": {"variants": {"high": 100, "off": 0}}}}, "limit", "flagd", 0),
        (
            {"unleash": [{"name": "gift.cards", "type": "release"}]},
            "gift.cards",
            "unleash",
            False,
        ),
        (
            {"unleash": [{"name": "panic", "type": "kill-switch"}]},
            "panic",
            "unleash",
            True,
        ),
        (
            {"manifest": {"enableBeta": {"flagType": "boolean", "defaultValue": False}}},
            "enableBeta",
            "openfeature",
            False,
        ),
    ],
    ids=[
        "flagd-on-off",
        "flagd-enabled",
        "flagd-text",
        "flagd-number",
        "unleash",
        "unleash-kill-switch",
        "manifest",
    ],
)
def test_a_flag_key_fills_in_the_flag(tmp_path, declared, key, system, off):
    project = make(
        tmp_path,
        declared.get("flagd", {}),
        manifest=declared.get("manifest"),
        unleash=declared.get("unleash"),
    )
    done = new_runbook(project, key)
    assert done.key == key
    data = flag_of(done.written[-1])
    assert (data["flag"]["key"], data["flag"]["system"], data["flag"]["off"]) == (key, system, off)
    assert data["kill_switch"] == key
    assert data["owner"] == "payments" and data["contacts"][0]["team"] == "payments"
    assert "off" not in done.placeholders
    # Only placeholders are left: lint finds nothing else in the new file.
    result = lint(project, LintOptions(today=None))
    mine = {(f.code) for f in result.findings if f.path == f"runbooks/{done.feature_id}.yaml"}
    assert mine == {"RB803"}
    placeholders = [
        f
        for f in result.findings
        if f.code == "RB803" and f.path.endswith(done.feature_id + ".yaml")
    ]
    assert len(placeholders) == len(done.placeholders)


@pytest.mark.parametrize(
    ("declared", "key"),
    [
        ({"flagd": {"level": {"variants": {"a": 1, "b": 2}}}}, "level"),
        ({"manifest": {"theme": {"flagType": "string", "defaultValue": "x"}}}, "theme"),
        ({"code": 'client.get_string_value("copy-text", "x")\n'}, "copy-text"),
    ],
    ids=["flagd-no-off-variant", "manifest-string", "code-only"],
)
def test_an_off_value_nobody_declared_is_left_to_fill_in(tmp_path, declared, key):
    project = make(
        tmp_path,
        declared.get("flagd", {}),
        manifest=declared.get("manifest"),
        code=declared.get("code", ""),
    )
    done = new_runbook(project, key)
    text = done.written[-1].read_text()
    assert "off:       # FILL IN" in text
    assert "off" in done.placeholders
    assert f"kill_switch: {key}" in text
    result = lint(project, LintOptions())
    mine = {f.code for f in result.findings if f.path == f"runbooks/{done.feature_id}.yaml"}
    assert mine == {"RB803"}


def test_a_key_only_code_knows_is_served_through_openfeature(tmp_path):
    project = make(tmp_path, {}, code='if client.get_boolean_value("py-flag", False): pass\n')
    done = new_runbook(project, "py-flag")
    text = done.written[-1].read_text()
    assert "    system: openfeature  # found in code calling OpenFeature" in text


@pytest.mark.parametrize(
    "key",
    ["on", "yes", "checkout: fast", "a #b", "null", "12", "-x", "'q'", 'd"q', "ü-flag"],
)
def test_keys_are_written_so_they_read_back_exactly(tmp_path, key):
    project = make(tmp_path, {key: BOOL})
    done = new_runbook(project, key)
    data = flag_of(done.written[-1])
    assert data["flag"]["key"] == key and data["kill_switch"] == key


@pytest.mark.parametrize("value", [True, False, 0, 2.5, "off", "yes", "a: b", "#x", "", "\u202e"])
def test_yaml_scalar_round_trips(value):
    assert yaml.safe_load(f"v: {yaml_scalar(value)}")["v"] == value
    if not isinstance(value, str) or value.isprintable():  # rollbook refuses U+202E (RB011)
        assert read_yaml_text(f"v: {yaml_scalar(value)}\n", "x.yaml").data["v"] == value


def test_the_slug_of_a_key_finds_the_key(tmp_path):
    project = make(tmp_path, {"checkout.one_click": BOOL})
    done = new_runbook(project, "checkout-one-click")
    assert (done.feature_id, done.key) == ("checkout-one-click", "checkout.one_click")
    done = new_runbook(project, "checkout.one_click", force=True)
    assert (done.feature_id, done.key) == ("checkout-one-click", "checkout.one_click")


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("Dark_Mode", "did you mean `dark-mode`?"),
        ("New Checkout!", "did you mean `new-checkout`?"),
        (
            "checkout.one-click",
            "did you mean `checkout-one-click` or the flag key `checkout.one_click`?",
        ),
        ("___", "e.g. one-click-checkout\n"),
    ],
    ids=["underscore", "spaces", "near-key", "nothing-to-suggest"],
)
def test_a_bad_id_gets_a_did_you_mean(tmp_path, typed, hint):
    make(tmp_path, {"checkout.one_click": BOOL, "dark-mode": BOOL})
    result = run_cli("new", typed, cwd=tmp_path)
    assert result.returncode == 2
    assert "is not a valid id" in result.stderr
    assert hint in result.stderr
    assert sorted(p.name for p in (tmp_path / "runbooks").iterdir()) == ["teams.yaml"]


def test_a_near_miss_of_a_key_is_noted(tmp_path):
    make(tmp_path, {"dark-mode": BOOL})
    result = run_cli("new", "dark-mod", cwd=tmp_path)
    assert result.returncode == 0
    assert "note: no source declares `dark-mod`; did you mean the flag key `dark-mode`?" in (
        result.stdout
    )


def test_the_owner_comes_from_codeowners_when_there_are_several_teams(tmp_path):
    project = make(tmp_path, {"new-checkout": BOOL}, teams=("payments", "search"))
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text(
        "# owners\n*  @shop/platform\n/flags/ @shop/search\n/flags/app.flagd.json @shop/payments\n"
    )
    done = new_runbook(project, "new-checkout")
    assert flag_of(done.written[-1])["owner"] == "payments"
    assert any("CODEOWNERS gives flags/app.flagd.json to @shop/payments" in n for n in done.notes)


def test_no_owner_is_guessed_without_a_reason(tmp_path):
    project = make(tmp_path, {"new-checkout": BOOL}, teams=("payments", "search"))
    done = new_runbook(project, "new-checkout")
    assert "owner:    # FILL IN" in done.written[-1].read_text()
    assert "owner" in done.placeholders
    done = new_runbook(project, "new-checkout", owner="search", force=True)
    assert flag_of(done.written[-1])["owner"] == "search"


def test_the_scaffold_shows_command_steps(tmp_path):
    project = make(tmp_path, {"new-checkout": BOOL})
    for typed in ("new-checkout", "something-else"):
        text = new_runbook(project, typed).written[-1].read_text()
        assert "#   command: kubectl rollout undo deployment/" in text
        assert "    # command: the command that switches it" in text


def test_the_cli_says_what_it_filled_in_and_what_is_left(tmp_path):
    make(tmp_path, {"new-checkout": BOOL})
    result = run_cli("new", "new-checkout", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "note: owner: payments (the only team in the teams file); --owner TEAM chooses another",
        "Wrote runbooks/new-checkout.yaml with flag new-checkout filled in. Fill in the 14 lines "
        "marked FILL IN (title, summary, risk, change, name, query, healthy, threshold, alert, "
        "link, when, expect, if_not, verify), then run: rollbook lint",
    ]
