"""The pre-commit hook manifest, exercised with the real pre-commit in a temporary repository.

pre-commit clones this repository at its HEAD commit (so the manifest must be committed) and
pip-installs rollbook into its own environment, as it would for any user.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.lint.conftest import GOOD

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")

pytestmark = pytest.mark.skipif(not Path(PRE_COMMIT).exists(), reason="pre-commit not installed")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    """One pre-commit cache for the module: the hook's environment is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def hooked_repo(repo: Path, home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Make ``repo`` a git repository using the hook at this checkout's HEAD, commit what it
    holds, and return a function that runs the real pre-commit there."""
    head = git(ROOT, "rev-parse", "HEAD")
    if not git(ROOT, "ls-tree", "--name-only", head, ".pre-commit-hooks.yaml"):
        pytest.fail(".pre-commit-hooks.yaml is not committed at HEAD")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT.as_uri()}\n    rev: {head}\n    hooks:\n"
        "      - id: rollbook-lint\n",
        encoding="utf-8",
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "T")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "ROLLBOOK_TODAY": "2026-03-01"}
    env.pop("GITHUB_ACTIONS", None)

    def pre_commit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PRE_COMMIT, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=900
        )

    return pre_commit


def test_hook_from_the_manifest(project, pre_commit_home):
    repo = project.root
    pre_commit = hooked_repo(repo, pre_commit_home)

    clean = pre_commit("run", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "rollbook lint" in clean.stdout and "Passed" in clean.stdout

    # A staged change to a file no source reads does not run the hook.
    (repo / "notes.md").write_text("hello\n")
    git(repo, "add", "notes.md")
    skipped = pre_commit("run")
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout, skipped.stdout

    # A staged runbook without an expected result fails the commit, with the finding shown.
    bad = GOOD.replace("      expect: The flag shows Off within a minute.\n", "")
    (repo / "runbooks" / "one-click-checkout.yaml").write_text(bad)
    git(repo, "add", "runbooks/one-click-checkout.yaml")
    failed = pre_commit("run")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "runbooks/one-click-checkout.yaml:37:7: RB201 [error]" in failed.stdout


# A commit that adds a flag in code, in each language the `code` source scans, or in a flag
# file: the hook runs (the file's type is in the manifest's `files`) and fails naming the flag.
FLAG_ADDITIONS = [
    ("src/pay/express.py", 'enabled = client.get_boolean_value("checkout.express", False)\n'),
    ("web/cart.ts", "const on = await client.getBooleanValue('cart.saved_for_later', false);\n"),
    ("web/Banner.tsx", "const show = useBooleanFlagValue('promo.banner_v2', false);\n"),
    ("svc/ship.go", 'on, _ := client.BooleanValue(ctx, "shipping.same_day", false, nil)\n'),
    ("svc/Stock.java", 'boolean on = client.getBooleanValue("stock.reserve", false);\n'),
    ("lib/legacy.mjs", 'const on = client.getBooleanValue("legacy.mjs_flag", false);\n'),
]

CODE_CONFIG = """\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"

[[sources]]
kind = "flagd"
paths = ["flags/*.flagd.json"]

[[sources]]
kind = "code"
paths = ["src/**/*.py", "web/**/*.ts", "web/**/*.tsx", "svc/**/*.go", "svc/**/*.java",
         "lib/**/*.mjs"]
"""


def _flag_key(text: str) -> str:
    return re.search(r"[\"']([a-z_.0-9]+)[\"']", text).group(1)


def test_hook_runs_on_a_commit_that_adds_a_flag_in_code(project, pre_commit_home):
    repo = project.root
    (repo / "rollbook.toml").write_text(CODE_CONFIG)
    pre_commit = hooked_repo(repo, pre_commit_home)
    assert pre_commit("run", "--all-files").returncode == 0

    for path, line in FLAG_ADDITIONS:
        file = repo / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(line)
        git(repo, "add", path)
        failed = pre_commit("run")
        key = _flag_key(line)
        assert failed.returncode == 1, (path, failed.stdout + failed.stderr)
        assert "Skipped" not in failed.stdout, path
        assert f"{path}:1:" in failed.stdout and "RB101" in failed.stdout, failed.stdout
        assert f"`{key}`" in failed.stdout, failed.stdout
        git(repo, "rm", "-q", "--cached", path)
        file.unlink()

    # A flag added to a flag file (JSON) runs the hook too.
    flags = repo / "flags/checkout.flagd.json"
    flags.write_text(
        flags.read_text().replace(
            '"checkout.one_click": {',
            '"checkout.gift_cards": {"state": "ENABLED", "variants": {"on": true, "off": false},'
            ' "defaultVariant": "off"},\n    "checkout.one_click": {',
        )
    )
    git(repo, "add", "flags/checkout.flagd.json")
    failed = pre_commit("run")
    assert failed.returncode == 1 and "`checkout.gift_cards`" in failed.stdout, failed.stdout
