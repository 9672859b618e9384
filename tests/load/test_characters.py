"""RB011 and RB012: characters that make a page show something other than what is copied."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

from rollbook.load.characters import SUSPECT
from tests.conftest import run_cli
from tests.load.helpers import HEAD, TEAMS, runbook_problems, spot, teams_problems, where

# ---------------------------------------------------------------------------------------------
# RB011: invisible, direction-changing and control characters

HIDDEN = [
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE", "text direction character"),
    ("\u202b", "U+202B RIGHT-TO-LEFT EMBEDDING", "text direction character"),
    ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE", "text direction character"),
    ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE", "text direction character"),
    ("\u200f", "U+200F RIGHT-TO-LEFT MARK", "text direction character"),
    ("\u200b", "U+200B ZERO WIDTH SPACE", "invisible character"),
    ("\u200d", "U+200D ZERO WIDTH JOINER", "invisible character"),
    ("\u2060", "U+2060 WORD JOINER", "invisible character"),
    ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE", "invisible character"),
    ("\u00ad", "U+00AD SOFT HYPHEN", "invisible character"),
    ("\u3164", "U+3164 HANGUL FILLER", "invisible character"),
    ("\u115f", "U+115F HANGUL CHOSEONG FILLER", "invisible character"),
    ("\ufe0f", "U+FE0F VARIATION SELECTOR-16", "invisible character"),
    ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A", "invisible character"),
]

# Where the character is put: (name, text with {c} for it, what the message adds)
PLACES = [
    ("command", "rollback:\n  steps:\n    - do: x\n      command: flagctl set a {c}NO\n", ""),
    ("list-item", "rollback:\n  after:\n    - Tell sup{c}port\n", ""),
    ("flow-item", "tags: [checkout, pay{c}ments]\n", ""),
    ("quoted", 'rollback:\n  when: "rate above{c} 2%"\n', ""),
    ("key", "rollback:\n  kill{c}_switch: a.b\n", " in the key `kill\\"),
    ("comment", "# reviewed by{c} Amara\nrollback: {{}}\n", " in a comment"),
]


@pytest.mark.parametrize(("ch", "name", "kind"), HIDDEN, ids=[h[1] for h in HIDDEN])
@pytest.mark.parametrize(("place", "template", "extra"), PLACES, ids=[p[0] for p in PLACES])
def test_hidden_character_is_refused_at_its_own_position(
    tmp_path: Path, ch, name, kind, place, template, extra
):
    text = HEAD + template.format(c=ch)
    found = [p for p in runbook_problems(tmp_path, text) if p.code == "RB011"]
    assert [where(p) for p in found] == [f"{spot(text, ch)} RB011"]
    assert found[0].message.startswith(f"{kind} {name}")
    assert extra in found[0].message
    assert "delete it" in found[0].hint


def test_no_report_carries_a_hidden_character_to_the_terminal(project: Path):
    # Every loader message that quotes the file (unknown key, duplicate key, cut text, bad
    # slug) shows hidden characters as escapes.
    (project / "runbooks" / "quoting.yaml").write_text(
        HEAD.replace("one-click-checkout", "quoting")
        + "rollback:\n  kill\u202e_switch: a\n  after:\n    - Tell\u2066 #sup\u200bport\n"
        + "tags: [a\u202eb]\nrisk: high\u202e\n",
        encoding="utf-8",
    )
    result = run_cli("validate", "runbooks/quoting.yaml", cwd=project)
    assert result.returncode == 1
    assert "unknown key `kill\\u202e_switch`" in result.stdout
    for ch in "\u202e\u2066\u200b":
        assert ch not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("escape", "name"),
    [
        ("\\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\\U0000200B", "U+200B ZERO WIDTH SPACE"),
        ("\\e", "U+001B ESCAPE"),
        ("\\x1b", "U+001B ESCAPE"),
        ("\\r", "U+000D CARRIAGE RETURN"),
        ("\\b", "U+0008 BACKSPACE"),
        ("\\U000E0020", "U+E0020 TAG SPACE"),
        ("\\L", "U+2028 LINE SEPARATOR"),
    ],
)
def test_hidden_character_written_as_an_escape_is_refused_at_the_escape(
    tmp_path: Path, escape, name
):
    text = HEAD + f'rollback:\n  steps:\n    - do: x\n      command: "flagctl set a {escape}NO"\n'
    found = [p for p in runbook_problems(tmp_path, text) if p.code == "RB011"]
    assert [where(p) for p in found] == [f"{spot(text, escape)} RB011"]
    assert name in found[0].message
    assert "(written as an escape)" in found[0].message
    assert found[0].field == "rollback.steps[0].command"


def test_a_control_character_written_as_it_is(tmp_path: Path):
    text = HEAD + "rollback:\n  after:\n    - Tell\x1b[2K support\n"
    [problem] = runbook_problems(tmp_path, text)
    assert where(problem) == f"{spot(text, chr(27))} RB011"
    assert problem.message == "control character U+001B ESCAPE"


def test_hidden_characters_in_the_teams_file(tmp_path: Path):
    text = TEAMS.replace("Amara Obi", "Amara\u200b Obi").replace(
        '"+44 113 496 0001"', '"+44 113 496 0001\u202e"'
    )
    found = teams_problems(tmp_path, text)
    assert [where(p) for p in found] == [
        f"{spot(text, chr(0x200B))} RB011",
        f"{spot(text, chr(0x202E))} RB011",
    ]
    assert [p.field for p in found] == ["teams[0].people[0].name", "teams[0].people[0].phone"]


@pytest.mark.parametrize(
    "text",
    [
        "rollback:\n  after:\n    - Tell\u2028 support\n",
        "rollback:\n  steps:\n    - do: x\n      command: flagctl set a \u2028NO\n",
        "rollback:\n  after:\n    - Tell\u2029 support\n",
    ],
)
def test_a_line_separator_is_refused_even_where_it_breaks_the_yaml(tmp_path: Path, text: str):
    # YAML reads U+2028 and U+2029 as line breaks, so the file may not even parse; the
    # character is named all the same, at its place on the line as editors number lines.
    text = HEAD + text
    ch = "\u2028" if "\u2028" in text else "\u2029"
    found = [p for p in runbook_problems(tmp_path, text) if p.code == "RB011"]
    assert [where(p) for p in found] == [f"{spot(text, ch)} RB011"]
    assert f"line break character U+{ord(ch):04X}" in found[0].message


def test_every_hidden_character_of_a_file_is_reported(tmp_path: Path):
    text = HEAD + "rollback:\n  after:\n    - a\u200bb\u2066c\n    - d\u00ade\n"
    found = [p for p in runbook_problems(tmp_path, text) if p.code == "RB011"]
    assert [where(p) for p in found] == [
        f"{spot(text, chr(0x200B))} RB011",
        f"{spot(text, chr(0x2066))} RB011",
        f"{spot(text, chr(0xAD))} RB011",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "\u26a0\ufe0f Irreversible: the backup is the only copy.",  # emoji form of ⚠
        "Tell the team \U0001f469\u200d\U0001f4bb on call.",  # woman technologist
        "Send \U0001f44d\U0001f3fd when done.",  # thumbs up, skin tone
        "Press 1\ufe0f\u20e3 on the phone menu.",  # keycap one
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, with ZWNJ
        "\u0915\u094d\u200d\u0937",  # Devanagari with ZWJ
        "Café crème, naïve, Ошибки оплаты, 決済エラー",
    ],
)
def test_text_that_needs_its_joiners_and_selectors_is_accepted(tmp_path: Path, text: str):
    # False-positive guards: these uses hide nothing and real text needs them.
    found = runbook_problems(tmp_path, HEAD + f'rollback:\n  after:\n    - "{text}"\n')
    assert found == [], found


def test_every_format_character_this_python_knows_is_refused():
    # Drift guard: a newer Unicode (a newer Python) may add Cf characters.
    missing = [
        f"U+{c:04X}"
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) == "Cf" and not SUSPECT.match(chr(c))
    ]
    assert missing == []


def test_cli_names_the_character_like_rustc(project: Path):
    (project / "runbooks" / "bidi.yaml").write_text(
        HEAD.replace("one-click-checkout", "bidi")
        + "rollback:\n  steps:\n    - do: Set the flag\n      command: flagctl set a \u202eNO\n",
        encoding="utf-8",
    )
    result = run_cli("validate", "runbooks/bidi.yaml", cwd=project)
    assert result.returncode == 1
    assert (
        "runbooks/bidi.yaml:9:30: RB011 text direction character U+202E RIGHT-TO-LEFT "
        "OVERRIDE (rollback.steps[0].command)"
    ) in result.stdout
    # The report itself must not carry the character to the terminal.
    assert "\u202e" not in result.stdout


# ---------------------------------------------------------------------------------------------
# RB012: look-alike characters in names

LOOK_ALIKES = [
    (
        "flag-key",
        "flags:\n  - key: \u0441heckout.one_click\n    system: flagd\n    off: false\n"
        "    change: Flip it\n",
        "\u0441",
        "`\u0441heckout.one_click`: U+0441 CYRILLIC SMALL LETTER ES looks like Latin `c`",
        "flags[0].key",
    ),
    (
        "kill-switch",
        "rollback:\n  kill_switch: checkout.one_\u0441lick\n",
        "\u0441",
        "U+0441 CYRILLIC SMALL LETTER ES looks like Latin `c`",
        "rollback.kill_switch",
    ),
    (
        "signal-name-greek",
        "signals:\n  - name: Checkout \u0395rrors\n    kind: metric\n",
        "\u0395",
        "U+0395 GREEK CAPITAL LETTER EPSILON looks like Latin `E`",
        "signals[0].name",
    ),
    (
        "mixed-word-without-look-alike",
        "signals:\n  - name: Latency in \u03bcs\n    kind: metric\n",
        "\u03bc",
        "U+03BC GREEK SMALL LETTER MU is Greek inside a Latin word",
        "signals[0].name",
    ),
    (
        "gate-reference",
        "signals:\n  - name: Errors\n    kind: metric\nrollout:\n  stages:\n"
        "    - percent: 5\n      gate: [\u0415rrors]\n",
        "\u0415",
        "U+0415 CYRILLIC CAPITAL LETTER IE looks like Latin `E`",
        "rollout.stages[0].gate[0]",
    ),
    (
        "tag-slug",
        "tags: [p\u0430yments]\n",
        "\u0430",
        "U+0430 CYRILLIC SMALL LETTER A looks like Latin `a`",
        "tags[0]",
    ),
    (
        "fullwidth",
        "rollback:\n  kill_switch: \uff43heckout.one_click\n",
        "\uff43",
        "U+FF43 FULLWIDTH LATIN SMALL LETTER C looks like `c`",
        "rollback.kill_switch",
    ),
    (
        "mathematical",
        "rollback:\n  kill_switch: \U0001d41checkout.one_click\n",
        "\U0001d41c",
        "U+1D41C MATHEMATICAL BOLD SMALL C looks like `c`",
        "rollback.kill_switch",
    ),
    (
        "whole-word",
        "rollback:\n  kill_switch: \u0440\u0430\u0443.off\n",
        "\u0440",
        "is written in Cyrillic letters that look like Latin `pay`",
        "rollback.kill_switch",
    ),
    (
        "look-alike-hyphen",
        "rollback:\n  kill_switch: one\u2010click\n",
        "\u2010",
        "U+2010 HYPHEN looks like `-`",
        "rollback.kill_switch",
    ),
    (
        "quoted",
        'rollback:\n  kill_switch: "checkout.\u043ene_click"\n',
        "\u043e",
        "U+043E CYRILLIC SMALL LETTER O looks like Latin `o`",
        "rollback.kill_switch",
    ),
]


@pytest.mark.parametrize(
    ("name", "body", "char", "message", "field"), LOOK_ALIKES, ids=[c[0] for c in LOOK_ALIKES]
)
def test_name_with_a_look_alike_is_refused_with_the_look_alike_named(
    tmp_path: Path, name, body, char, message, field
):
    text = HEAD + body
    found = runbook_problems(tmp_path, text)
    rb012 = [p for p in found if p.code == "RB012"]
    assert [where(p) for p in rb012] == [f"{spot(text, char)} RB012"]
    assert message in rb012[0].message
    assert rb012[0].field == field
    # Not reported a second time as a mere bad slug.
    assert [p for p in found if p.field == field and p.code == "RB006"] == []


def test_the_hint_gives_the_name_in_latin(tmp_path: Path):
    text = HEAD + "rollback:\n  kill_switch: \u0441heckout.one_click\n"
    [problem] = [p for p in runbook_problems(tmp_path, text) if p.code == "RB012"]
    assert problem.hint.endswith("retype it in one script: `checkout.one_click`")


@pytest.mark.parametrize(
    ("old", "new", "char"),
    [
        ("  - id: payments", "  - id: p\u0430yments", "\u0430"),
        ('    chat: "#payments-oncall"', '    chat: "#p\u0430yments-oncall"', "\u0430"),
        ("      - id: amara", "      - id: \u0430mara", "\u0430"),
    ],
)
def test_look_alikes_in_the_teams_file(tmp_path: Path, old, new, char):
    text = TEAMS.replace(old, new)
    found = teams_problems(tmp_path, text)
    assert [where(p) for p in found] == [f"{spot(text, char)} RB012"]


@pytest.mark.parametrize(
    "body",
    [
        "signals:\n  - name: \u041e\u0448\u0438\u0431\u043a\u0438 "
        "\u043e\u043f\u043b\u0430\u0442\u044b\n    kind: metric\n",  # Ошибки оплаты: one script
        "signals:\n  - name: \u6c7a\u6e08\u30a8\u30e9\u30fc checkout\n    kind: metric\n",
        "signals:\n  - name: Latency in \u00b5s\n    kind: metric\n",  # MICRO SIGN
        "signals:\n  - name: \u0417\u0430\u043a\u0430\u0437\u044b checkout\n    kind: metric\n",
        "summary: \u0421\u0431\u043e\u0439 checkout, Cyrillic and Latin mixed in prose.\n",
        "signals:\n  - name: Caf\u00e9 orders\n    kind: metric\n",
    ],
)
def test_honest_names_and_prose_are_accepted(tmp_path: Path, body: str):
    # False-positive guards: one other script, CJK with Latin, accents, and free text.
    text = HEAD.replace("summary: Lets returning customers buy with one tap.\n", "") + body
    if "summary" not in body:
        text += "summary: S\n"
    found = runbook_problems(tmp_path, text)
    assert found == [], found


def test_a_windows_file_with_accents_is_not_refused(tmp_path: Path):
    # A file's own \r\n line ends are not control characters in a value.
    text = (HEAD + "rollback:\n  after:\n    - Tell the café team.\n").replace("\n", "\r\n")
    assert runbook_problems(tmp_path, text) == []


def test_positions_in_a_windows_file(tmp_path: Path):
    text = (HEAD + "rollback:\n  after:\n    - Tell\u200b support\n").replace("\n", "\r\n")
    [problem] = runbook_problems(tmp_path, text)
    assert where(problem) == "8:11 RB011"


def test_a_key_with_a_look_alike_is_named_in_the_unknown_key_hint(tmp_path: Path):
    text = HEAD + "r\u043ellback:\n  after: [Tell support]\n"
    [problem] = runbook_problems(tmp_path, text)
    assert where(problem) == "6:1 RB003"
    assert problem.hint == (
        "did you mean `rollback`? U+043E CYRILLIC SMALL LETTER O looks like Latin `o`"
    )
