"""The text normaliser the vague-text, placeholder and secret rules match on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rollbook.lint.normalise import fold, fold_with_offsets

# (what a reader sees, typed with tricks) -> the folded text. Built from escapes so that
# this file itself holds no invisible or look-alike characters.
HIDDEN = [
    ("TO\u200bDO", "todo"),  # zero-width space
    ("TO\u200dDO", "todo"),  # zero-width joiner
    ("TO\u2060DO", "todo"),  # word joiner
    ("TO\u00adDO", "todo"),  # soft hyphen
    ("\ufeffTODO", "todo"),  # byte order mark
    ("TO\u202eDO", "todo"),  # right-to-left override
    ("TO\u034fDO", "todo"),  # combining grapheme joiner (not Cf, still invisible)
    ("TO\ufe0fDO", "todo"),  # variation selector
    ("TO\x07DO", "todo"),  # a control character
    ("check\u00a0logs", "check logs"),  # no-break space
    ("check\u2003logs", "check logs"),  # em space
    ("check\u3000logs", "check logs"),  # ideographic space
    ("check\u202flogs", "check logs"),  # narrow no-break space
    ("check\u2028logs", "check logs"),  # line separator
    ("check \t\n  logs", "check logs"),  # runs of ordinary whitespace
    ("\uff34\uff2f\uff24\uff2f", "todo"),  # fullwidth
    ("\U0001d413\U0001d40e\U0001d403\U0001d40e", "todo"),  # mathematical bold
    ("\ufb01x it", "fix it"),  # ligature
    ("\u0422\u041e\u0044\u041e", "todo"),  # Cyrillic capitals Te, O
    ("\u0441heck logs", "check logs"),  # Cyrillic small es
    ("p\u0430ssword", "password"),  # Cyrillic small a
    ("\u039f\u039a", "ok"),  # Greek capitals Omicron, Kappa
    ("F\u0406LL IN", "fill in"),  # Cyrillic capital Byelorussian-Ukrainian I
    ("\u0131t works", "it works"),  # dotless i
]


@pytest.mark.parametrize(("typed", "folded"), HIDDEN)
def test_fold_undoes_invisible_spaces_width_and_look_alikes(typed: str, folded: str) -> None:
    assert fold(typed) == folded
    assert fold_with_offsets(typed)[0] == folded


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\u0422\u041e\u0044\u041e", "TODO"),
        ("F\u0406LL\u00a0IN", "FILL IN"),
        ("\uff26\uff29\uff2c\uff2c \uff29\uff2e", "FILL IN"),
        ("todo", "todo"),
        ("AKIA\u200bIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ],
)
def test_keep_case_folds_everything_but_case(typed: str, kept: str) -> None:
    assert fold(typed, keep_case=True) == kept


@pytest.mark.parametrize(
    "text",
    [
        "kubectl -n orders rollout restart deploy/orders-api",
        "AKIAIOSFODNN7EXAMPLE 0123456789 l1I|O0",
        "https://grafana.example.com/d/checkout?viewPanel=2",
    ],
)
def test_ascii_is_left_alone_but_for_case_and_spaces(text: str) -> None:
    # TR39 maps 0 -> O and 1 -> l; commands and tokens must keep their digits.
    assert fold(text, keep_case=True) == text
    assert fold(text) == text.lower()


def test_offsets_point_at_the_character_a_reader_sees() -> None:
    text = "a\u200b\u00a0\u00a0# \uff26ILL IN"
    folded, offsets = fold_with_offsets(text, keep_case=True)
    assert folded == "a # FILL IN"
    start = folded.index("FILL")
    assert offsets[start] == text.index("\uff26")
    assert offsets[folded.index(" ")] == 2  # the first of the two spaces


@given(st.text(max_size=60))
def test_fold_and_fold_with_offsets_agree(text: str) -> None:
    for keep_case in (False, True):
        folded, offsets = fold_with_offsets(text, keep_case=keep_case)
        assert folded == fold(text, keep_case=keep_case)
        assert len(offsets) == len(folded)
        assert offsets == sorted(offsets)
        assert all(0 <= i < len(text) for i in offsets)


@given(st.text(max_size=60))
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
