"""Shared pieces of the tests of `rollbook show` and `rollbook card`."""

from __future__ import annotations

import os
from pathlib import Path

from rollbook.config import load_project
from rollbook.load.runbooks import load_project_runbooks
from rollbook.render.rollback import rollback_view
from rollbook.render.views import (
    ContactLine,
    KillSwitchView,
    PhoneView,
    RollbackView,
    StepView,
)
from tests.conftest import REPO

FIXTURE = Path(__file__).with_name("fixture")
GOLDEN = Path(__file__).with_name("golden")


def check_golden(name: str, text: str) -> None:
    """``text`` must equal the golden file ``name``; ROLLBOOK_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("ROLLBOOK_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}"


def demo_views(site_url: str | None = None) -> list[RollbackView]:
    """The rollback view of every demo runbook in runbooks/."""
    loaded = load_project_runbooks(load_project(REPO))
    teams = loaded.teams.model if loaded.teams else None
    return [
        rollback_view(item.runbook, teams, site_url=site_url)
        for item in loaded.runbooks
        if item.runbook is not None
    ]


# Strings a terminal would act on, or that hide or reorder text: CSI (clear screen, colour),
# OSC (hyperlink, window title), a lone C1 CSI, carriage return, backspace, bidi override
# and isolate, zero-width space, a tag character, a line separator.
TERMINAL_ATTACKS = [
    "\x1b[2J\x1b[H cleared",
    "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
    "\x1b]0;pwned title\x1b\\",
    "\x9b31m red without ESC",
    "safe text\rOVERWRITTEN",
    "abc\x08\x08\x08XYZ",
    "rm -rf /tmp/x \u202e\u2066gnp.exe\u2069",
    "zero\u200bwidth and tag \U000e0041",
    "line\u2028separator",
]


def hostile_view(attacks: list[str]) -> RollbackView:
    """A rollback view whose every string carries one of ``attacks`` (round robin)."""
    n = iter(range(10_000))

    def a(prefix: str) -> str:
        return f"{prefix} {attacks[next(n) % len(attacks)]}"

    steps = tuple(
        StepView(
            n=i,
            do=a(f"do{i}"),
            command=a("cmd"),
            link="https://example.com/x",
            expect=a("expect"),
            if_not=a("ifnot"),
            engineer=True,
            irreversible=True,
            warning=a("warn"),
            backup=a("backup"),
        )
        for i in (1, 2)
    )
    return RollbackView(
        id="hostile",
        title=a("title"),
        risk="critical",
        owner="evil",
        owner_name=a("owner"),
        summary=a("summary"),
        when=(a("when"),),
        kill_switch=KillSwitchView(
            key=a("key"), off=a("off"), system="other", change=a("change"), command=a("kcmd")
        ),
        steps=steps,
        verify=(a("verify"),),
        after=(a("after"),),
        contacts=(
            ContactLine(
                a("name"),
                a("role"),
                a("when"),
                PhoneView("+44 20 7946 0000", "+442079460000"),
                a("chat"),
            ),
        ),
        page_url="https://runbooks.example.com/runbooks/hostile/",
    )
