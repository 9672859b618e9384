"""The bundled demo (`runbooks/`) and the benchmark corpus generator keep their promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rollbook.commands.validate import validate
from rollbook.config import load_project
from rollbook.load.runbooks import load_project_runbooks
from rollbook.model.runbook import RISK_LEVELS, Runbook

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "runbooks"
MAKE_CORPUS = ROOT / "benchmarks" / "make_corpus.py"


@pytest.fixture(scope="module")
def demo() -> list[Runbook]:
    loaded = load_project_runbooks(load_project(ROOT))
    assert not loaded.all_problems, [p.render() for p in loaded.all_problems]
    return loaded.valid_runbooks


def test_demo_validates() -> None:
    report = validate(load_project(ROOT))
    assert [p.render() for p in report.problems] == []
    assert report.files >= 10  # runbooks plus the teams file


def test_demo_validates_from_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rollbook", "validate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("All ") and "files valid." in result.stdout


def test_demo_size_teams_and_risks(demo: list[Runbook]) -> None:
    assert len(demo) >= 9
    assert len({rb.owner for rb in demo}) >= 3
    assert {rb.risk for rb in demo} == set(RISK_LEVELS)


def test_demo_files_are_named_after_ids_and_point_at_the_schema() -> None:
    for path in sorted(DEMO.glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        if path.name == "teams.yaml":
            assert first == "# yaml-language-server: $schema=teams.schema.json"
            continue
        assert first == "# yaml-language-server: $schema=runbook.schema.json", path.name
        assert f"\nid: {path.stem}\n" in path.read_text(encoding="utf-8")
    assert (DEMO / "runbook.schema.json").is_file()
    assert (DEMO / "teams.schema.json").is_file()


def test_demo_has_a_pure_flag_flip_rollback(demo: list[Runbook]) -> None:
    flips = [
        rb
        for rb in demo
        if rb.rollback
        and rb.rollback.audience == "anyone"
        and rb.kill_switch_flag is not None
        and rb.rollback.steps
        and not any(s.engineer or s.command or s.irreversible for s in rb.rollback.steps)
    ]
    assert flips, "no rollback a non-engineer can do with the flag console alone"


def test_demo_has_an_irreversible_migration_rollback(demo: list[Runbook]) -> None:
    found = [
        (rb, step) for rb in demo if rb.rollback for step in rb.rollback.steps if step.irreversible
    ]
    assert found
    for rb, step in found:
        assert step.warning and step.backup and step.engineer
        assert rb.rollback is not None and rb.rollback.audience == "engineers"


def test_demo_high_risk_features_are_ready(demo: list[Runbook]) -> None:
    import datetime as dt

    today = dt.date(2026, 11, 27)
    for rb in demo:
        if rb.risk not in ("high", "critical"):
            continue
        assert rb.kill_switch_flag is not None, rb.id
        assert any(s.alert for s in rb.signals), rb.id
        assert rb.rollout and rb.rollout.stages[0].percent is not None, rb.id
        assert rb.rollout.stages[0].percent <= 10, rb.id
        assert any(t.kind in ("stress", "failure") for t in rb.tests), rb.id
        assert rb.drills and (today - rb.drills[0].date).days <= 180, rb.id
        assert rb.review and (today - rb.review.last_reviewed).days <= 180, rb.id


def test_demo_steps_signals_and_risks_are_complete(demo: list[Runbook]) -> None:
    vague = ("check logs", "investigate", "fix it", "todo", "tbd", "http://")
    for rb in demo:
        for signal in rb.signals:
            assert signal.threshold and signal.link, (rb.id, signal.name)
        for risk in rb.risks:
            assert risk.signals, (rb.id, risk.what)
        if rb.rollback:
            assert rb.rollback.verify and rb.rollback.after, rb.id
            for step in rb.rollback.steps:
                assert step.expect and step.if_not, (rb.id, step.do)
    for path in DEMO.glob("*.yaml"):
        text = path.read_text(encoding="utf-8").lower()
        for word in vague:
            assert word not in text, (path.name, word)


def test_demo_flags_exist_in_the_flagd_file(demo: list[Runbook]) -> None:
    data = json.loads((DEMO / "shop.flagd.json").read_text(encoding="utf-8"))
    defined = data["flags"]
    for rb in demo:
        if rb.deployable:
            assert rb.flags, f"{rb.id} has no flag"
        for flag in rb.flags:
            assert flag.key in defined, (rb.id, flag.key)
            # The runbook's off value is one of the flag's variants.
            assert flag.off in defined[flag.key]["variants"].values(), (rb.id, flag.key)


# ---------------------------------------------------------------------------------------------
# The corpus generator


def _make_corpus(n: int, out: Path, *extra: str) -> None:
    subprocess.run(
        [sys.executable, str(MAKE_CORPUS), str(n), str(out), *extra],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_corpus_is_valid_and_has_the_requested_count(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    _make_corpus(200, out)
    runbooks = [p for p in (out / "runbooks").glob("*.yaml") if p.name != "teams.yaml"]
    assert len(runbooks) == 200
    assert (out / "rollbook.toml").is_file()
    project = load_project(out)
    assert project.config_path == out / "rollbook.toml"
    report = validate(project)
    assert [p.render() for p in report.problems] == []
    assert report.files == 201

    loaded = load_project_runbooks(project).valid_runbooks
    assert {rb.risk for rb in loaded} == set(RISK_LEVELS)
    defined: set[str] = set()
    for path in (out / "runbooks").glob("flags-*.flagd.json"):
        defined |= set(json.loads(path.read_text(encoding="utf-8"))["flags"])
    used = {flag.key for rb in loaded for flag in rb.flags}
    assert used and used <= defined


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    _make_corpus(200, tmp_path / "a")
    _make_corpus(200, tmp_path / "b")
    _make_corpus(200, tmp_path / "c", "--seed", "2")
    a, b, c = (_tree(tmp_path / name) for name in "abc")
    assert a == b
    assert a != c
