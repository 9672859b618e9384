"""The README's examples of `rollbook show` are what the command prints for the demo."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO, run_cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def _example(command: str) -> str:
    match = re.search(r"```text\n\$ " + re.escape(command) + r"\n(.*?)```", README, re.S)
    assert match, f"the README shows no example of `{command}`"
    return match.group(1)


@pytest.mark.parametrize("args", [(), ("--say",), ("--sms",)])
def test_readme_shows_what_rollbook_show_prints(args: tuple[str, ...]) -> None:
    command = " ".join(("rollbook", "show", "loyalty-points", *args))
    result = run_cli("show", "loyalty-points", *args, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert _example(command) == result.stdout + result.stderr


def test_readme_shows_a_card_example() -> None:
    shown = _example("rollbook card loyalty-points one-click-checkout -o cards.html")
    assert re.search(r"^wrote cards\.html: 2 cards, \d+ KB$", shown, re.M)
