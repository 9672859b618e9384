"""`rollbook show FEATURE`: the terminal card, the telephone script and the text message."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest

from rollbook.render.telephone import render_script, spell
from rollbook.render.terminal import render_terminal
from rollbook.safe_text import is_terminal_safe
from tests.conftest import run_cli
from tests.outputs.outputs_tools import (
    FIXTURE,
    TERMINAL_ATTACKS,
    check_golden,
    demo_views,
    hostile_view,
)


@pytest.mark.parametrize(
    ("args", "golden"),
    [((), "show.txt"), (("--say",), "say.txt"), (("--sms",), "sms.txt")],
)
def test_golden_outputs_of_the_fixture(args: tuple[str, ...], golden: str) -> None:
    result = run_cli("show", "tea-timer", *args, cwd=FIXTURE)
    assert result.returncode == 0, result.stderr
    check_golden(golden, result.stdout)


@pytest.mark.parametrize("query", ["tea-timer", "Tea timer", "TEA  TIMER", "brew.tea_timer"])
def test_a_feature_is_found_by_id_title_or_flag_key(query: str) -> None:
    result = run_cli("show", query, cwd=FIXTURE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ROLL BACK: Tea timer\n")


@pytest.mark.parametrize(
    ("query", "near"),
    [
        ("tea-timr", "tea-timer"),
        ("brew.tea_timr", "tea-timer (flag 'brew.tea_timer')"),
        ("timer", "tea-timer"),
    ],
)
def test_nothing_matching_is_a_usage_error_with_near_matches(query: str, near: str) -> None:
    result = run_cli("show", query, cwd=FIXTURE)
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"error: no feature matches {query!r}" in result.stderr
    assert f"did you mean: {near}" in result.stderr
    assert "Traceback" not in result.stderr


def test_nothing_near_says_how_to_list_features() -> None:
    result = run_cli("show", "zzzz", cwd=FIXTURE)
    assert result.returncode == 2
    assert "`rollbook show --list` lists every feature" in result.stderr
    listed = run_cli("show", "--list", cwd=FIXTURE)
    assert listed.returncode == 0
    assert listed.stdout == "tea-timer  high      Tea timer\n"


def test_a_hostile_query_is_shown_escaped_in_the_error() -> None:
    result = run_cli("show", "\x1b]0;pwned\x07\x1b[2J", cwd=FIXTURE)
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\x1b]0;pwned\\x07" in result.stderr


def test_no_feature_named_is_a_usage_error() -> None:
    result = run_cli("show", cwd=FIXTURE)
    assert result.returncode == 2
    assert "name a FEATURE" in result.stderr


def _run_on_a_terminal(*args: str, no_color: bool) -> str:
    """`rollbook show` with standard output on a pseudo-terminal, as a person runs it."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["COLUMNS"] = "80"
    if no_color:
        env["NO_COLOR"] = "1"
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "rollbook", "show", *args],
            cwd=FIXTURE,
            stdout=follower,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 0, proc.stderr
    return b"".join(chunks).decode("utf-8")


def test_colour_on_a_terminal_only_and_never_with_no_color() -> None:
    coloured = _run_on_a_terminal("tea-timer", no_color=False)
    assert "\x1b[1mROLL BACK: Tea timer\x1b[0m" in coloured
    plain = _run_on_a_terminal("tea-timer", no_color=True)
    assert "\x1b" not in plain and "ROLL BACK: Tea timer" in plain
    piped = run_cli("show", "tea-timer", cwd=FIXTURE)
    assert "\x1b" not in piped.stdout
    # The text itself is the same, colour or not.
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def _long_line_allowed(line: str, commands: list[str]) -> bool:
    """A line may pass 80 columns only if it is a link or a line of a command."""
    text = line.strip()
    if text.startswith(("Link: ", "Page: ")):
        return True
    text = text.removeprefix("$ ")
    return any(text == part.strip() for command in commands for part in command.splitlines())


def test_every_line_fits_80_columns_except_commands_and_links() -> None:
    long_commands = 0
    for view in demo_views("https://runbooks.example.com/"):
        text = render_terminal(view)
        commands = [s.command for s in view.steps if s.command]
        if view.kill_switch and view.kill_switch.command:
            commands.append(view.kill_switch.command)
        for line in text.splitlines():
            if len(line) > 80:
                assert _long_line_allowed(line, commands), (view.id, line)
                long_commands += 1
        # Commands are set apart whole after `$`, never wrapped.
        for command in commands:
            first = command.strip().splitlines()[0]
            assert f"$ {first}" in text, (view.id, first)
    assert long_commands > 0, "the demo has long commands: the rule above was exercised"


@pytest.mark.parametrize("attack", TERMINAL_ATTACKS)
def test_no_terminal_escape_reaches_the_terminal(attack: str) -> None:
    view = hostile_view([attack])
    for text in (render_terminal(view), render_script(view)):
        assert is_terminal_safe(text), repr(attack)
        assert "\x1b" not in text and "\x9b" not in text and "\r" not in text
    # Coloured: only the card's own SGR sequences, nothing from the runbook.
    coloured = render_terminal(view, color=True)
    assert set(re.findall(r"\x1b\[[0-9;]*m", coloured)) <= {"\x1b[1m", "\x1b[31m", "\x1b[0m"}
    assert is_terminal_safe(re.sub(r"\x1b\[[0-9;]*m", "", coloured))


def test_hostile_escapes_are_visible_not_dropped() -> None:
    view = hostile_view(["\x1b[2J then \u202e"])
    text = render_terminal(view)
    assert "\\x1b[2J then \\u202e" in " ".join(text.split())


def test_spelling_of_identifiers() -> None:
    assert spell("checkout.one_click") == "checkout, dot, one, underscore, click"
    assert spell("v2") == "v, 2"
    assert spell("OneClick") == "capital One, capital Click"
    assert spell("--timeout=5m") == "dash, dash, timeout, equals, 5, m"
    assert spell("ORDER_ID") == "capitals O R D E R, underscore, capitals I D"
    assert spell("a\u202eb") == "a, the character \\u202e (right-to-left override), b"


def test_telephone_script_structure() -> None:
    for view in demo_views():
        script = render_script(view)
        total = len(view.steps)
        headings = re.findall(r"^STEP (\d+) OF (\d+)$", script, re.M)
        assert headings == [(str(n), str(total)) for n in range(1, total + 1)], view.id
        blocks = re.split(r"^STEP \d+ OF \d+$", script, flags=re.M)[1:]
        for step, block in zip(view.steps, blocks, strict=True):
            # One action, said as written; a way to confirm it back; what to do if not.
            flat = " ".join(block.split())
            assert f'Say: "{" ".join(step.do.split())}"' in flat
            assert 'Confirm: ask "' in flat
            assert "If not:" in flat
            if step.expect:
                assert f'They should see: "{" ".join(step.expect.split())}"' in flat
            if step.command:
                assert "Read one group at a time" in flat
                assert "read the whole command back" in flat
        # Whom to call, with the number read in groups.
        assert "WHEN TO STOP AND WHOM TO CALL" in script
        first = view.first_phone
        assert first is not None and first.phone is not None
        groups = ", ".join(first.phone.international.lstrip("+").split())
        assert f"on plus {groups}" in " ".join(script.split())
        # The kill switch's key is spelled out.
        if view.kill_switch:
            key = view.kill_switch.key
            assert f'Spell {key} as: "' in " ".join(script.split())


def test_telephone_scripts_are_short_enough_to_read_aloud() -> None:
    """Rollbacks anyone can follow read in a few minutes (at 130 words a minute); engineers'
    rollbacks with long commands may take longer, and say so."""
    for view in demo_views():
        script = render_script(view)
        minutes = int(re.search(r"About (\d+) minutes? to read aloud", script).group(1))
        if view.audience == "anyone" and not any(s.command for s in view.steps):
            assert minutes <= 5, (view.id, minutes)
        assert minutes == max(1, round(len(script.rsplit("\n\n", 1)[0].split()) / 130))


def test_the_card_wraps_hostile_long_words_within_the_width() -> None:
    view = hostile_view(["x" * 300])
    commands = [s.command for s in view.steps] + [view.kill_switch.command]
    for line in render_terminal(view).splitlines():
        assert len(line) <= 80 or _long_line_allowed(line, commands), line


def test_a_runbook_without_a_rollback_says_so_everywhere() -> None:
    from rollbook.render.card import render_cards
    from rollbook.render.sms import sms_text
    from rollbook.render.views import RollbackView

    view = RollbackView(
        id="bare", title="Bare", risk="low", owner="team", owner_name="Team", summary="s",
        has_rollback=False,
    )  # fmt: skip
    assert "This runbook has no rollback yet. Call the owner." in render_terminal(view)
    assert "has no rollback steps written down" in " ".join(render_script(view).split())
    assert "No rollback written: call the owner." in sms_text(view)
    assert "This runbook has no rollback yet. Call the owner." in render_cards([view])
