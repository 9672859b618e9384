"""The bundled demo passes `rollbook lint`; deleting a runbook makes it fail at the feature."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rollbook.config import load_project
from rollbook.lint import lint
from rollbook.lint.rules.coverage import slug
from rollbook.load.runbooks import load_runbook

ROOT = Path(__file__).resolve().parents[2]
_SKIP = {
    ".git",
    ".venv",
    "node_modules",
    "site",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    "tests",
    "benchmarks",
}


def _demo_copy(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(ROOT, target, ignore=lambda folder, names: [n for n in names if n in _SKIP])
    return target


def test_demo_lints_clean():
    result = subprocess.run(
        [sys.executable, "-m", "rollbook", "lint"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_lints_with_coverage_checked():
    result = lint(load_project(ROOT))
    assert "RB105" not in {f.code for f in result.findings}  # the demo configures sources
    assert len(result.files) >= 2


def test_deleting_a_runbook_fails_at_the_features_source_line(tmp_path):
    root = _demo_copy(tmp_path)
    project = load_project(root)
    result = lint(project)
    assert not result.failed
    # Pick a runbook that covers a feature some source declares.
    from rollbook.lint.engine import _features

    features = {f.key: f for f in _features(project, "pyproject.toml")}
    victim, feature = None, None
    for path in sorted((root / "runbooks").glob("*.yaml")):
        rb = load_runbook(path, path.name).runbook
        if rb is None:
            continue
        keys = [f.key for f in rb.flags if f.key in features]
        keys += [k for k in features if slug(k) == rb.id]
        if keys:
            victim, feature = path, features[keys[0]]
            break
    if victim is None:
        pytest.fail("no demo runbook covers a feature from the configured sources")
    # Other runbooks may cover the same feature; delete every one that does.
    for path in sorted((root / "runbooks").glob("*.yaml")):
        rb = load_runbook(path, path.name).runbook
        if rb and (feature.key in {f.key for f in rb.flags} or rb.id == slug(feature.key)):
            path.unlink()
    run = subprocess.run(
        [sys.executable, "-m", "rollbook", "lint"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    where = f"{feature.location.path}:{feature.location.line}:{feature.location.column}"
    assert f"{where}: RB101 [error] deployable feature `{feature.key}`" in run.stdout
