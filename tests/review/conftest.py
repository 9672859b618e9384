"""A small project in a real git repository: each test commits its own kinds of change."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from rollbook.commands.diff import run_diff
from rollbook.config import load_project

TODAY = dt.date(2026, 3, 1)
RUNBOOK_PATH = "runbooks/one-click-checkout.yaml"

CONFIG = """\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"

[[sources]]
kind = "flagd"
paths = ["flags/*.flagd.json"]

[[sources]]
kind = "unleash"
paths = ["flags/unleash.json"]

[[sources]]
kind = "code"
paths = ["src/**/*.py"]
"""

TEAMS = """\
teams:
  - id: payments
    name: Payments
    oncall_phone: "+44 20 7946 0000"
    chat: "#payments-oncall"
    people:
      - id: amara
        name: Amara Obi
        phone: "+44 113 496 0001"
      - id: jo
        name: Jo Park
"""

FLAGS = {
    "flags": {
        "checkout.one_click": {
            "state": "ENABLED",
            "variants": {"on": True, "off": False},
            "defaultVariant": "off",
            "targeting": {"fractional": [["on", 5], ["off", 95]]},
        }
    }
}

UNLEASH = {
    "version": 1,
    "features": [
        {
            "name": "search.ranking_v2",
            "type": "release",
            "enabled": True,
            "strategies": [
                {
                    "name": "flexibleRollout",
                    "parameters": {"rollout": "10", "stickiness": "default"},
                }
            ],
        }
    ],
}

CODE = 'client.get_boolean_value("checkout.one_click", False)\n'

RUNBOOK = """\
id: one-click-checkout
title: One-click checkout
summary: Lets returning customers pay with one tap.
owner: payments
risk: high
contacts:
  - team: payments
    when: First call
  - person: amara
    when: If the on-call does not answer
flags:
  - key: checkout.one_click
    system: flagd
    off: false
    change: Flag console > checkout.one_click > Off
signals:
  - name: Checkout error rate
    kind: metric
    query: sum(rate(checkout_errors_total[5m]))
    threshold: above 2% for 5 minutes
    alert: CheckoutErrorRateHigh
  - name: Payment latency
    kind: metric
    query: histogram_quantile(0.95, payment_seconds_bucket)
    threshold: above 2 seconds
rollout:
  stages:
    - name: Staff
      audience: staff accounts
      min_duration: 1d
    - percent: 5
      min_duration: 2d
    - percent: 50
      min_duration: 2d
    - percent: 100
rollback:
  when: Checkout error rate above 2% for 5 minutes.
  kill_switch: checkout.one_click
  steps:
    - do: Open the flag console and find checkout.one_click.
      expect: The flag page shows On.
    - do: Press the switch so it shows Off, then press Save.
      expect: The switch shows Off.
    - do: Purge the checkout cache from the admin page.
      expect: The admin page says the cache is empty.
  verify: Checkout error rate falls below 0.5% within 10 minutes.
review:
  last_reviewed: 2026-02-01
  by: Amara Obi
drills:
  - date: 2026-01-15
    result: pass
    by: Jo Park
"""

SEARCH = """\
id: search-ranking-v2
title: Search ranking v2
summary: Ranks search results by what customers bought.
owner: payments
risk: low
flags:
  - key: search.ranking_v2
    system: unleash
    off: false
    change: Unleash > search.ranking_v2 > Off
rollout:
  stages:
    - percent: 10
    - percent: 100
rollback:
  kill_switch: search.ranking_v2
  steps:
    - do: Switch search.ranking_v2 off in Unleash.
      expect: The toggle shows Off.
"""

# Fixed identities and dates: the commits, and so the diff's base commit, are reproducible.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "rollbook",
    "GIT_AUTHOR_EMAIL": "dev@rollbook.invalid",
    "GIT_COMMITTER_NAME": "rollbook",
    "GIT_COMMITTER_EMAIL": "dev@rollbook.invalid",
    "GIT_AUTHOR_DATE": "2026-03-01T12:00:00Z",
    "GIT_COMMITTER_DATE": "2026-03-01T12:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@dataclass
class Repo:
    root: Path

    def write(self, rel: str, text: str | dict) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, dict):
            text = json.dumps(text, indent=2) + "\n"
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def edit(self, rel: str, *pairs: tuple[str, str]) -> None:
        text = self.read(rel)
        for old, new in pairs:
            assert old in text, old
            text = text.replace(old, new, 1)
        self.write(rel, text)

    def commit(self, message: str = "change") -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.root, "rev-parse", "HEAD").strip()

    def diff(self, base: str = "HEAD~1", fmt: str = "json", **kwargs):
        project = load_project(self.root)
        return run_diff(project, base, fmt, today=TODAY, env={}, **kwargs)

    def data(self, base: str = "HEAD~1") -> dict:
        return json.loads(self.diff(base).output)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    root = tmp_path / "shop"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    r = Repo(root)
    r.write("rollbook.toml", CONFIG)
    r.write("runbooks/teams.yaml", TEAMS)
    r.write("runbooks/one-click-checkout.yaml", RUNBOOK)
    r.write("runbooks/search-ranking-v2.yaml", SEARCH)
    r.write("flags/checkout.flagd.json", FLAGS)
    r.write("flags/unleash.json", UNLEASH)
    r.write("src/app.py", CODE)
    r.commit("base")
    return r


EditFn = Callable[..., None]
