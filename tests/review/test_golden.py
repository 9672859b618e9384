"""Golden files pin the Markdown and text a reviewer reads, for one small change.

Regenerate after an intended change of the output with ROLLBOOK_UPDATE_GOLDEN=1, and read
the difference before committing it.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

from rollbook.commands.render import render_features
from rollbook.config import load_project
from tests.review.conftest import RUNBOOK_PATH, UNLEASH, Repo

GOLDEN = Path(__file__).parent / "golden"


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ROLLBOOK_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (see the module doc)"


@pytest.fixture
def changed(repo: Repo) -> Repo:
    repo.edit(
        RUNBOOK_PATH,
        ("risk: high", "risk: medium"),
        ("    alert: CheckoutErrorRateHigh\n", ""),
        ("    - percent: 50\n", "    - percent: 25\n"),
        (
            "Press the switch so it shows Off, then press Save.",
            "Press the switch so it shows Off, press Save, then wait 2 minutes.",
        ),
        (
            "    - do: Purge the checkout cache from the admin page.\n"
            "      expect: The admin page says the cache is empty.\n",
            "",
        ),
    )
    data = copy.deepcopy(UNLEASH)
    data["features"][0]["strategies"][0]["parameters"]["rollout"] = "40"
    repo.write("flags/unleash.json", data)
    repo.commit("a change a reviewer should look at twice")
    return repo


def test_diff_markdown(changed: Repo):
    check("diff.md", changed.diff(fmt="markdown").output)


def test_diff_text(changed: Repo):
    check("diff.txt", changed.diff(fmt="text").output)


def test_render_markdown(repo: Repo):
    check("render.md", render_features(load_project(repo.root), ["One-click checkout"]))


def test_render_rollback_markdown(repo: Repo):
    project = load_project(repo.root)
    check("rollback.md", render_features(project, ["checkout.one_click"], rollback=True))
