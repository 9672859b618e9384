"""The guard tests' project: a small project: a clean critical runbook, two people, a Berlin clock.

Every check passes on it at :data:`CALM` (a Wednesday morning in December 2026) until a test
adds a freeze, sends someone away or breaks the runbook.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rollbook.commands.guard import GuardRun, run_guard
from rollbook.config import load_project

RUNBOOK_PATH = "runbooks/one-click-checkout.yaml"
FLAGS_PATH = "flags/checkout.flagd.json"

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

# A critical-risk runbook that passes every lint rule (as in tests/lint/conftest.py).
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


CALM = "2026-12-02T10:00"
"""A Wednesday when nothing is frozen and everyone is in."""

CONFIG = """\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"

[[sources]]
kind = "flagd"
paths = ["flags/*.flagd.json"]

[guard]
time-zone = "Europe/Berlin"
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
      - id: ben-hale
        name: Ben Hale
        phone: "+44 113 496 0002"
        chat: "@ben"
"""

# The lint project's runbook, with a drill recent enough for December 2026.
RUNBOOK = GOOD.replace("  - date: 2026-02-10\n", "  - date: 2026-11-10\n").replace(
    "  last_reviewed: 2026-02-01\n", "  last_reviewed: 2026-11-01\n"
)


@dataclass
class GuardProject:
    """A temporary project on disk, with helpers to change a file and ask the guard."""

    root: Path

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def config(self, extra: str, zone: str = "Europe/Berlin") -> None:
        """The project's configuration with ``extra`` added to its `[guard]` table."""
        self.write("rollbook.toml", CONFIG.replace("Europe/Berlin", zone) + extra)

    def guard(self, *features: str, **options: object) -> GuardRun:
        options.setdefault("at", CALM)
        options.setdefault("env", {})
        return run_guard(
            load_project(self.root), list(features or ["one-click-checkout"]), **options
        )  # type: ignore[arg-type]

    def json(self, *features: str, **options: object) -> dict:
        return json.loads(self.guard(*features, output_format="json", **options).output)
