"""The text message: counted in segments as phones count them, within 3, and its sms: link."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from rollbook.render.sms import (
    GSM_BASIC,
    GSM_EXTENDED,
    count,
    plain,
    sms_body_href,
    sms_text,
)
from rollbook.render.views import StepView
from tests.outputs.outputs_tools import demo_views, hostile_view

# ---------------------------------------------------------------------------------------------
# Counting


def test_the_gsm_alphabet_has_128_characters_less_the_escape_and_9_extensions() -> None:
    assert len(GSM_BASIC) == 127  # 128 codes, one of them the escape to the extension table
    assert set("^{}\\[~]|€\f") == GSM_EXTENDED
    assert not GSM_BASIC & GSM_EXTENDED


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("a" * 459, "GSM-7", 459, 3),
        ("a" * 460, "GSM-7", 460, 4),
        # Letters of the default alphabet beyond ASCII are one septet.
        ("é£¥ÑüΔΩ@" * 20, "GSM-7", 160, 1),
        # Extension characters take two septets each.
        ("{" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 159 + "[", "GSM-7", 161, 2),
        # ... and are never split between segments: 152 + 2 does not fit 153, so 306
        # septets (two full segments' worth) need three.
        ("a" * 152 + "|" + "a" * 152, "GSM-7", 306, 3),
        ("a" * 151 + "|" + "a" * 152, "GSM-7", 305, 2),
        # One character outside GSM-7 makes the whole message UCS-2.
        ("a" * 69 + "ą", "UCS-2", 70, 1),
        ("a" * 70 + "ą", "UCS-2", 71, 2),
        ("я" * 134, "UCS-2", 134, 2),
        ("я" * 135, "UCS-2", 135, 3),
        ("a" * 10 + "’", "UCS-2", 11, 1),
        # Characters beyond the BMP are two UTF-16 units, never split.
        ("😀" * 35, "UCS-2", 70, 1),
        ("я" * 66 + "😀" + "я" * 60, "UCS-2", 128, 2),
        # 134 units is two full segments' worth, but the emoji does not fit the first.
        ("я" * 66 + "😀" + "я" * 66, "UCS-2", 134, 3),
    ],
)
def test_segments_are_counted_as_phones_count_them(
    text: str, encoding: str, units: int, segments: int
) -> None:
    counted = count(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)
    if segments > 1:
        assert counted.per_segment == {"GSM-7": 153, "UCS-2": 67}[encoding]


def test_typographic_punctuation_is_written_in_gsm_so_the_message_stays_gsm() -> None:
    text = plain("It’s “on” – now… see\u00a0https://x.example")
    assert text == 'It\'s "on" - now... see https://x.example'
    assert count(text).encoding == "GSM-7"


def test_letters_outside_gsm_are_kept_and_counted_as_ucs2() -> None:
    assert plain("Откатить флаг") == "Откатить флаг"
    assert count(plain("Откатить флаг")).encoding == "UCS-2"


# ---------------------------------------------------------------------------------------------
# The message


@pytest.mark.parametrize("site_url", [None, "https://runbooks.example.com/"])
def test_every_demo_runbook_fits_three_segments(site_url: str | None) -> None:
    views = demo_views(site_url)
    assert len(views) >= 10
    for view in views:
        text = sms_text(view)
        assert count(text).segments <= 3, (view.id, count(text))
        lines = text.splitlines()
        # The kill switch and the check first, then the steps, then whom to call.
        assert lines[0] == f"ROLL BACK {view.title}"
        if view.kill_switch:
            assert lines[1].startswith(f"OFF: set {view.kill_switch.key} to ")
        if view.verify:
            assert any(line.startswith("CHECK: ") for line in lines[1:3]), view.id
        assert any(
            line.startswith("STOP if unsure, call ") and line.endswith(view.first_phone.phone.e164)
            for line in lines
        ), view.id
        if site_url:
            assert view.page_url in lines, view.id


def test_a_long_rollback_is_shortened_not_cut_off() -> None:
    view = hostile_view(["plain words " * 300])
    view = replace(
        view,
        steps=tuple(
            StepView(n=i, do=f"Step number {i} does this: " + "word " * 500) for i in range(1, 31)
        ),
    )
    text = sms_text(view)
    assert count(text).segments <= 3
    assert text.startswith("ROLL BACK title")
    assert re.search(r"^\+\d+ more steps$", text, re.M)
    assert "1. Step number 1 does this" in text


@pytest.mark.parametrize(
    "script",
    ["Откатить", "回滾功能", "😀 emoji 😀", "ΔΩ ελληνικά"],
    ids=["cyr", "cjk", "emoji", "gr"],
)
def test_a_ucs2_rollback_fits_three_segments_too(script: str) -> None:
    view = hostile_view([f"{script} " * 60])
    text = sms_text(view)
    counted = count(text)
    assert counted.encoding == "UCS-2" and counted.segments <= 3, counted


# ---------------------------------------------------------------------------------------------
# The sms: link

HOSTILE_BODIES = [
    "a&body=evil",
    "x&to=+441234567890",
    "?body=second",
    "+447700900000?body=x",
    "#fragment",
    "100% done %0A%26",
    "line one\nline two\r\nthree",
    "semi;colon,comma=equals",
    "bidi \u202eevil\u202c \u2066iso\u2069",
    "sms:+15555550100?body=pwned",
    "tab\tand space",
    "quote\" and ' and < >",
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_the_sms_link_carries_exactly_the_body_and_nothing_else(body: str) -> None:
    href = sms_body_href(body)
    assert href.startswith("sms:?body=")
    # Only unreserved characters and escapes follow: nothing can end the body or add a
    # parameter, a fragment or a recipient.
    assert re.fullmatch(r"sms:\?body=[A-Za-z0-9._~%-]*", href), href
    parts = urlsplit(href)
    assert parts.scheme == "sms" and parts.path == "" and parts.fragment == ""
    assert parse_qs(parts.query, keep_blank_values=True) == {"body": [body]}
    assert unquote(href.removeprefix("sms:?body=")) == body


@pytest.mark.parametrize("attack", HOSTILE_BODIES)
def test_a_hostile_runbook_cannot_inject_through_the_send_link(attack: str) -> None:
    view = hostile_view([attack])
    text = sms_text(view)
    href = sms_body_href(text)
    assert re.fullmatch(r"sms:\?body=[A-Za-z0-9._~%-]*", href)
    assert parse_qs(urlsplit(href).query) == {"body": [text]}
    # Direction controls are shown as escapes in the message itself.
    assert "\u202e" not in text and "\u2066" not in text


@pytest.mark.parametrize("script", ["plain ", "Откатить "], ids=["gsm", "ucs2"])
def test_the_number_to_call_survives_any_shortening(script: str) -> None:
    view = hostile_view([script * 200])
    text = sms_text(view)
    assert count(text).segments <= 3
    assert re.search(r"^STOP if unsure, call .* \+442079460000$", text, re.M), text
