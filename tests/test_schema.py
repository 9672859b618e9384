"""The exported JSON Schema and the model are one source of truth: they agree."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rollbook.load.yaml_reader import read_yaml_file
from rollbook.model.runbook import Runbook
from rollbook.schema import runbook_schema, teams_schema
from tests.conftest import REPO, run_cli

VALIDATOR = jsonschema.Draft202012Validator(
    runbook_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)

BASE = {
    "id": "one-click-checkout",
    "title": "One-click checkout",
    "summary": "Lets returning customers buy with one tap.",
    "owner": "payments",
    "risk": "high",
    "tags": ["checkout"],
    "contacts": [{"team": "payments", "when": "First call"}, {"person": "amara"}],
    "flags": [
        {
            "key": "checkout.one_click",
            "system": "flagd",
            "off": False,
            "change": "Flag console > Off",
            "redeploy": False,
        }
    ],
    "signals": [
        {
            "name": "Errors",
            "kind": "metric",
            "query": "sum(rate(x[5m]))",
            "threshold": "above 2%",
            "alert": "CheckoutErrors",
            "link": "https://grafana.example.com/d/1",
        }
    ],
    "risks": [
        {"what": "Double charges", "likelihood": "low", "impact": "high", "signals": ["Errors"]}
    ],
    "rollout": {"stages": [{"percent": 5, "min_duration": "1d"}, {"audience": "everyone"}]},
    "rollback": {
        "when": ["Errors above 2%"],
        "kill_switch": "checkout.one_click",
        "steps": [{"do": "Switch the flag off.", "expect": "It shows Off.", "engineer": False}],
        "verify": "Errors fall.",
    },
    "tests": [{"kind": "stress", "link": "https://ci.example.com/1", "date": "2026-01-02"}],
    "review": {"last_reviewed": "2026-10-01", "by": "Ana"},
    "drills": [{"date": "2026-09-01", "result": "pass", "by": "Ben", "duration": "12m"}],
}


def model_accepts(doc: object) -> bool:
    try:
        Runbook.model_validate(doc)
    except ValidationError:
        return False
    return True


def schema_accepts(doc: object) -> bool:
    return VALIDATOR.is_valid(doc)


def test_base_document_is_valid_for_both():
    assert model_accepts(BASE)
    assert schema_accepts(BASE)


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(runbook_schema())
    jsonschema.Draft202012Validator.check_schema(teams_schema())


# Every place a value can stand in BASE, as a path.
def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*prefix, i)))
    return out


PATHS = [p for p in _paths(BASE) if p]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(-1, 150, allow_nan=False),
    st.sampled_from(
        [
            "",
            " ",
            "x",
            "low",
            "high",
            "flagd",
            "2026-13-01",
            "2026-02-28",
            "5m",
            "0m",
            "one-click",
            "Not A Slug",
            "https://ok.example.com",
            "javascript:x",
            "+44 20 7946 0000",
            "anyone",
            "pass",
            "stress",
            "payments",
        ]
    ),
    st.text(max_size=8),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["do", "key", "x", "team"]), inner, max_size=2),
    ),
    max_leaves=6,
)
mutation = st.tuples(
    st.sampled_from(PATHS), st.sampled_from(["set", "delete", "extra"]), json_values
)


def _apply(doc: dict, path: tuple, action: str, value: object) -> None:
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "set":
        parent[last] = value
    elif action == "delete":
        if isinstance(parent, dict):
            parent.pop(last, None)
        else:
            del parent[last]
    elif isinstance(parent, dict):
        parent["unexpected_key"] = value


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=3))
def test_model_and_schema_agree_on_mutated_documents(mutations):
    doc = copy.deepcopy(BASE)
    for path, action, value in mutations:
        try:
            _apply(doc, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced the parent
    assert model_accepts(doc) == schema_accepts(doc), json.dumps(doc, default=str)[:2000]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("risk",), "extreme"),
        (("id",), "Not A Slug"),
        (("signals", 0, "link"), "javascript:alert(1)"),
        (("review", "last_reviewed"), "2026-02-30"),
        (("rollout", "stages", 0, "percent"), 150),
        (("contacts", 0, "person"), "amara"),  # team and person together
        (("rollback", "steps", 0, "expect"), "   "),
        (("flags", 0, "redeploy"), "nope"),  # text that spells no boolean
    ],
)
def test_model_and_schema_both_reject(path, value):
    doc = copy.deepcopy(BASE)
    _apply(doc, path, "set", value)
    assert not model_accepts(doc)
    assert not schema_accepts(doc)


def test_bundled_runbooks_validate_against_exported_schema():
    """An independent validator (jsonschema) accepts every bundled runbook."""
    files = sorted((REPO / "runbooks").glob("*.yaml"))
    runbooks = [f for f in files if f.name != "teams.yaml"]
    assert len(runbooks) >= 8, "the bundled demo has at least 8 runbooks"
    for path in runbooks:
        data = read_yaml_file(path).data
        errors = [e.message for e in VALIDATOR.iter_errors(data)]
        assert errors == [], f"{path.name}: {errors}"
    teams = read_yaml_file(REPO / "runbooks" / "teams.yaml").data
    assert jsonschema.Draft202012Validator(teams_schema()).is_valid(teams)


def test_schema_command_prints_the_schema(tmp_path: Path):
    result = run_cli("schema", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout) == runbook_schema()
    out = tmp_path / "schema.json"
    result = run_cli("schema", "--teams", "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(out.read_text()) == teams_schema()


def test_committed_schema_files_are_current():
    """Editors read runbooks/*.schema.json; regenerate with `rollbook schema -o ...`."""
    assert json.loads((REPO / "runbooks" / "runbook.schema.json").read_text()) == runbook_schema()
    assert json.loads((REPO / "runbooks" / "teams.schema.json").read_text()) == teams_schema()


def test_check_jsonschema_accepts_bundled_runbooks(tmp_path: Path):
    """check-jsonschema (ECMA-262 regexes, its own YAML parser) agrees with rollbook."""
    import shutil
    import subprocess
    import sys

    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert tool, "check-jsonschema is in the test extra"
    runbooks = [
        str(p) for p in sorted((REPO / "runbooks").glob("*.yaml")) if p.name != "teams.yaml"
    ]
    result = subprocess.run(
        [tool, "--schemafile", str(REPO / "runbooks" / "runbook.schema.json"), *runbooks],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    bad = REPO / "runbooks" / "one-click-checkout.yaml"
    broken = tmp_path / "broken.yaml"
    broken.write_text(bad.read_text().replace("risk: critical", "risk: extreme"))
    result = subprocess.run(
        [tool, "--schemafile", str(REPO / "runbooks" / "runbook.schema.json"), str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "extreme" in result.stdout + result.stderr


@pytest.mark.parametrize("word", ["no", "Off", "YES", "y"])
def test_boolean_words_are_booleans_for_model_and_schema(word):
    doc = copy.deepcopy(BASE)
    _apply(doc, ("flags", 0, "redeploy"), "set", word)
    assert model_accepts(doc)
    assert schema_accepts(doc)
