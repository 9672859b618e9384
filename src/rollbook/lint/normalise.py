"""Text as rules should match it: what a reader sees, not the code points that were typed.

Rules that look for vague text (RB202), missing handles (RB207), placeholders (RB803) and
secrets (RB801) read words. A word can be hidden from a plain regular expression without
changing what a reader sees: a zero-width space inside `TODO`, a non-breaking space in
`check logs`, fullwidth `ＴＯＤＯ`, or Cyrillic `а` in `pаssword`. Every such rule matches on
:func:`fold` of the text, which undoes all of these at once:

1. NFKC compatibility normalisation, per character: fullwidth and styled letters (`Ｆ`, `𝐅`)
   become plain ones, ligatures (`ﬁ`) are split, most odd spaces become a space.
2. Invisible characters are removed: format characters (Unicode category Cf: zero-width
   spaces and joiners, soft hyphens, bidi controls, the byte order mark), control characters
   other than whitespace, and the other default-ignorable code points (variation selectors,
   the combining grapheme joiner, Hangul fillers).
3. Look-alike letters are mapped to their Latin skeleton, as Unicode TR39 describes: every
   character outside ASCII whose TR39 prototype is ASCII is replaced by that prototype
   (Cyrillic `а` -> `a`, Greek `Ο` -> `O`, `ı` -> `i`). ASCII itself is left alone: the
   patterns are written in ASCII, and TR39 would also map `0` -> `O` and `1` -> `l`, which
   breaks commands and tokens. The data are TR39's confusables.txt, as shipped by the
   `confusable-homoglyphs` package; letter case is kept through the mapping (`І` -> `I`).
4. Unicode case folding (unless ``keep_case``: markers such as `TODO` and `FILL IN` are only
   markers when shouted, and token formats such as `AKIA...` are case-sensitive).
5. Every run of whitespace, of any kind, becomes one space.

:func:`fold_with_offsets` gives the same text plus, for each of its characters, the index of
the character it came from, so a rule can report the column where a reader sees the match.
Pure-ASCII text, nearly all of it, takes a fast path that never leaves C code.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

# Default-ignorable code points that are not in category Cf (Unicode's
# DerivedCoreProperties.txt): they render as nothing, so they can hide inside a word.
_IGNORABLE = frozenset(
    [
        *(0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0, 0x2065),
        *range(0x180B, 0x1810),
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
    ]
)
# ASCII control characters other than whitespace: invisible in an editor.
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_WHITESPACE_RUN = re.compile(r"[ \t\n\r\f\v\x1c-\x1f]+")
# The LEFT-TO-RIGHT MARK the package wraps around right-to-left characters in its data.
_LRM = "\u200e"


def fold(text: str, *, keep_case: bool = False) -> str:
    """``text`` normalised for matching (see the module docstring)."""
    if text.isascii():
        if _ASCII_CONTROL.search(text):
            text = _ASCII_CONTROL.sub("", text)
        folded = text if keep_case else text.lower()
        return _WHITESPACE_RUN.sub(" ", folded)
    table = {ord(c): _fold_char(c) for c in set(text) if not c.isascii()}
    folded = _ASCII_CONTROL.sub("", text.translate(table))
    if not keep_case:
        folded = folded.casefold()
    return _WHITESPACE_RUN.sub(" ", folded)


def fold_with_offsets(text: str, *, keep_case: bool = False) -> tuple[str, list[int]]:
    """:func:`fold` of ``text``, and for each folded character the index it came from in ``text``.

    A character that folds to several (``ﬁ`` -> ``fi``) gives each the same index; a run of
    whitespace folded to one space points at the run's first character.
    """
    out: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        piece = _fold_char(char) if not char.isascii() else char
        if _ASCII_CONTROL.match(piece):
            piece = ""
        if not keep_case:
            piece = piece.casefold()
        for part in piece:
            if part.isspace() and part.isascii():
                if out and out[-1] == " ":
                    continue
                part = " "
            out.append(part)
            offsets.append(index)
    return "".join(out), offsets


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """One non-ASCII character through steps 1-3, case kept: what it reads as."""
    out = []
    for part in unicodedata.normalize("NFKC", char):
        if part.isspace():
            out.append(" ")
        elif unicodedata.category(part) in ("Cf", "Cc") or ord(part) in _IGNORABLE:
            continue
        elif part.isascii():
            out.append(part)
        else:
            out.append(_latin(part))
    return "".join(out)


def _latin(char: str) -> str:
    """The ASCII look-alike of ``char`` by TR39, keeping its case; ``char`` when it has none."""
    lower = char.casefold()
    if lower != char and len(lower) == 1:
        # TR39 maps some capitals to another letter than their small form (Cyrillic І -> l,
        # like ASCII I -> l); the small form's prototype, shouted again, reads as the reader
        # reads it.
        small = _prototype(lower)
        if small is not None:
            return small.upper()
    found = _prototype(char)
    return found if found is not None else char


def _prototype(char: str) -> str | None:
    entries = _confusables().get(char)
    if not entries:
        return None
    # The data list, for each character, its TR39 prototype and the characters whose
    # prototype it is: either way, each entry looks like it. One ASCII entry is the Latin
    # form a reader sees; several (a prototype many ASCII characters map to) say nothing.
    ascii_forms = {
        form
        for form in (entry["c"].replace(_LRM, "") for entry in entries)
        if form and form.isascii() and form.isprintable() and not form.isspace()
    }
    return ascii_forms.pop() if len(ascii_forms) == 1 else None


@cache
def _confusables() -> dict[str, list[dict[str, str]]]:
    # Loaded on the first non-ASCII character only: most runbooks never need it (70 ms).
    from confusable_homoglyphs.confusables import confusables_data

    return confusables_data
