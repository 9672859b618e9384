"""Untrusted text printed to a terminal, or written as JSON or XML, cannot act on the reader."""

from __future__ import annotations

import json
import sys
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from rollbook.safe_text import escape, for_json, for_terminal, for_xml, is_terminal_safe

# What a hostile runbook, flag file or file name can hold, and what the reader must see.
HOSTILE = {
    "csi-clear-screen": ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
    "csi-colour": ("\x1b[31;1mRED\x1b[0m", "\\x1b[31;1mRED\\x1b[0m"),
    "osc-title-bel": ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    "osc-hyperlink-st": (
        "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
        "\\x1b]8;;https://evil.example/\\x1b\\click\\x1b]8;;\\x1b\\",
    ),
    "c1-csi": ("\x9b2J", "\\x9b2J"),
    "c1-osc-st": ("\x9d0;title\x9c", "\\x9d0;title\\x9c"),
    "carriage-return": ("ok\rFAKE", "ok\\x0dFAKE"),
    "backspaces": ("abc\x08\x08\x08xyz", "abc\\x08\\x08\\x08xyz"),
    "delete": ("a\x7fb", "a\\x7fb"),
    "nel": ("a\x85b", "a\\x85b"),
    "bidi-override": ("\u202eevil\u202c", "\\u202eevil\\u202c"),
    "bidi-isolate": ("\u2066x\u2069", "\\u2066x\\u2069"),
    "bidi-marks": ("\u200ea\u200f\u061c", "\\u200ea\\u200f\\u061c"),
    "zero-width": ("a\u200bb\u2060c\ufeff", "a\\u200bb\\u2060c\\ufeff"),
    "line-separators": ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),
    "tag-characters": ("\U000e0041\U000e0042", "\\U000e0041\\U000e0042"),
    "undecodable-file-name-byte": ("bad\udcffname", "bad\\xffname"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_terminal_sees_escapes_instead_of_controls(case: str) -> None:
    text, shown = HOSTILE[case]
    assert for_terminal(text) == shown
    assert is_terminal_safe(for_terminal(text))
    assert not is_terminal_safe(text)


def test_ordinary_text_is_unchanged() -> None:
    text = "Zurück: 回滚 — 100% ✓ 😀 naïve\tcolumns\nnext line"
    assert for_terminal(text) is text
    assert for_terminal("é\u0301") == "é\u0301"  # combining marks are not format characters


def test_one_line_fields_cannot_start_a_new_line() -> None:
    name = "a.yaml\nrunbooks/b.yaml:1:1: RB000 [error] forged"
    assert for_terminal(name, lines=False) == (
        "a.yaml\\x0arunbooks/b.yaml:1:1: RB000 [error] forged"
    )
    assert for_terminal(name) == name  # a whole message keeps its lines


def test_every_control_format_and_separator_character_is_escaped() -> None:
    # The character class is written out (computing it costs a second at start-up); this
    # keeps it complete for the Unicode version of the running Python.
    missed = [
        f"U+{code:04X} ({unicodedata.category(chr(code))})"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in {"Cc", "Cf", "Cs", "Zl", "Zp"}
        and chr(code) not in "\t\n"
        and is_terminal_safe(chr(code))
    ]
    assert missed == [], f"add to safe_text._CLASS: {', '.join(missed)}"


def test_nothing_else_is_escaped() -> None:
    # Unassigned code points are allowed to be listed: a later Unicode may make them format
    # characters. Everything assigned outside those categories prints as it is.
    wrongly = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) not in {"Cc", "Cf", "Cs", "Zl", "Zp", "Cn"}
        and not is_terminal_safe(chr(code))
    ]
    assert wrongly == []


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_json_reports_keep_the_value_and_print_safely(case: str) -> None:
    text, _ = HOSTILE[case]
    data = {"message": f"before {text} after", "path": text}
    document = for_json(json.dumps(data, indent=2, ensure_ascii=False))
    assert is_terminal_safe(document)
    assert json.loads(document) == data
    document.encode("utf-8")  # a lone surrogate would fail here, and so would the report


@pytest.mark.parametrize(
    "case", [c for c in HOSTILE if not c.startswith(("csi", "osc", "backspaces", "undecodable"))]
)
def test_xml_reports_keep_the_value_and_print_safely(case: str) -> None:
    text, _ = HOSTILE[case]
    element = ET.Element("failure", message=text)
    element.text = text
    document = for_xml(ET.tostring(element, encoding="unicode"))
    assert is_terminal_safe(document)
    parsed = ET.fromstring(document)
    assert parsed.text == text
    # Attribute values normalise CR to a space in XML parsers unless written as a reference.
    assert parsed.get("message") == text


def test_xml_shows_what_it_cannot_hold() -> None:
    element = ET.Element("case", file="bad\udcffname")
    document = for_xml(ET.tostring(element, encoding="unicode"))
    assert ET.fromstring(document).get("file") == "bad\\xffname"


def test_escape_names_each_character() -> None:
    assert [escape(c) for c in "\x00\x1b\x9b\u202e\U000e0001\udc80"] == [
        "\\x00",
        "\\x1b",
        "\\x9b",
        "\\u202e",
        "\\U000e0001",
        "\\x80",
    ]


@pytest.mark.parametrize("char", [chr(c) for c in range(128)])
def test_json_and_xml_documents_of_ascii_are_escaped_as_any_other(char: str) -> None:
    """Documents of ASCII only are checked by a faster path: every ASCII character must get
    the same treatment there as the character class gives it."""
    from rollbook.safe_text import _UNSAFE

    document = f'{{"a": "x{char}y"}}'
    unsafe = _UNSAFE.match(char) is not None
    assert (for_json(document) != document) is unsafe
    assert (for_xml(document) != document) is unsafe


@pytest.mark.parametrize("char", [chr(c) for c in range(128)])
def test_a_long_ascii_text_printed_is_escaped_as_any_other(char: str) -> None:
    """A printed report of megabytes takes the ASCII path too: same escapes as the class."""
    from rollbook.safe_text import _UNSAFE

    text = "finding\n" * 1000 + f"x{char}y" + "\tend\n" * 1000
    shown = for_terminal(text)
    assert (shown != text) is (_UNSAFE.match(char) is not None)
    assert is_terminal_safe(shown)
    assert for_terminal(text, lines=False) == for_terminal(text, lines=False).replace("\n", "")
