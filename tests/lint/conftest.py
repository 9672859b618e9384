"""A small, clean project for lint tests: every rule passes on it until a test breaks one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from rollbook.config import load_project
from rollbook.lint import Finding, LintOptions, LintResult, lint

TODAY = dt.date(2026, 3, 1)
RUNBOOK_PATH = "runbooks/one-click-checkout.yaml"
FLAGS_PATH = "flags/checkout.flagd.json"

CONFIG = """\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"

[[sources]]
kind = "flagd"
paths = ["flags/*.flagd.json"]
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
"""

FLAGS = """\
{
  "flags": {
    "checkout.one_click": {
      "state": "ENABLED",
      "variants": {"on": true, "off": false},
      "defaultVariant": "off"
    }
  }
}
"""

# A critical-risk runbook that passes every rule, so that each rule's checks run on it.
GOOD = """\
id: one-click-checkout
title: One-click checkout
summary: Lets returning customers pay with one tap. If it breaks, nobody can pay.
owner: payments
risk: critical
contacts:
  - team: payments
    when: First call
  - person: amara
    when: If the on-call does not answer within 10 minutes
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
    link: https://grafana.example.com/d/checkout
risks:
  - what: Customers are charged twice.
    likelihood: low
    impact: high
    signals: [Checkout error rate]
rollout:
  stages:
    - name: Staff only
      audience: staff accounts
    - percent: 5
    - percent: 100
rollback:
  kill_switch: checkout.one_click
  steps:
    - do: Switch checkout.one_click Off in the flag console.
      expect: The flag shows Off within a minute.
  verify:
    - Checkout error rate back below 0.5% within 10 minutes.
tests:
  - kind: failure
    what: Flag service down during checkout; checkout falls back to the old button.
review:
  last_reviewed: 2026-02-01
  by: Amara Obi
drills:
  - date: 2026-02-10
    result: pass
    by: Jo Park
"""


def position(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column where the ``nth`` occurrence of ``needle`` starts."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass
class Project:
    """A temporary project on disk, with helpers to change a file and lint."""

    root: Path

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def runbook(self, text: str) -> Path:
        return self.write(RUNBOOK_PATH, text)

    def lint(self, **options: object) -> LintResult:
        options.setdefault("today", TODAY)
        return lint(load_project(self.root), LintOptions(**options))  # type: ignore[arg-type]

    def findings(self, code: str | None = None, **options: object) -> list[Finding]:
        found = self.lint(**options).findings
        return [f for f in found if code is None or f.code == code]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    proj = Project(tmp_path)
    proj.write("rollbook.toml", CONFIG)
    proj.write("runbooks/teams.yaml", TEAMS)
    proj.write(FLAGS_PATH, FLAGS)
    proj.runbook(GOOD)
    return proj


@pytest.fixture
def edit() -> Callable[..., str]:
    """Replace text in the good runbook; fails when the text to replace is not there."""

    def apply(*pairs: tuple[str, str], base: str = GOOD) -> str:
        text = base
        for old, new in pairs:
            assert old in text, f"{old!r} is not in the runbook"
            text = text.replace(old, new, 1)
        return text

    return apply
