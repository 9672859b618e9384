"""Characters that make a page lie: invisible, direction-changing and look-alike characters.

A runbook is shown on a page and its commands are copied from it. Some characters change what a
person sees without changing what is copied or run ("Trojan Source", CVE-2021-42574):

- direction overrides and isolates (U+202A..U+202E, U+2066..U+2069) reorder the text around
  them, so ``ON`` can be shown where the file says ``NO``;
- zero-width and other invisible format characters (Unicode category Cf: U+200B ZERO WIDTH
  SPACE, U+2060 WORD JOINER, U+00AD SOFT HYPHEN, tag characters, ...) and the other
  default-ignorable characters (Hangul fillers, variation selectors used on their own, ...)
  hide text from the reader;
- control characters that YAML's double-quoted escapes can produce (``"\\e"``, ``"\\x1b"``,
  ``"\\r"``) rewrite a terminal line or hide what follows;
- U+2028 and U+2029 break a line where the file shows none.

They are refused wherever they occur in a runbook or the teams file, as rustc refuses direction
characters in source code. Three uses are allowed because real text needs them and they hide
nothing: a variation selector right after a symbol or other non-ASCII character (the emoji
form of ⚠️), U+200D ZERO WIDTH JOINER inside an emoji sequence (👩‍💻), and U+200C/U+200D between
two letters of a script that uses them (Persian, Indic scripts).

Names that people type or compare (flag keys, signal names, team ids, tags, chat handles) are
held to a stricter rule: no character from another script that looks like one of theirs
(``сheckout`` with a Cyrillic ``с``), no compatibility look-alike (``ｃheckout``), no word that
mixes scripts. The look-alike data come from Unicode's confusables.txt and Scripts.txt through
the ``confusable-homoglyphs`` package, loaded only when a name holds a non-ASCII character.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Every Unicode 15.1 format character (category Cf) and every other default-ignorable code point
# (DerivedCoreProperties.txt), plus U+2028/U+2029 and the control characters that only escapes
# can bring in (libyaml refuses them written literally). A test checks that every Cf character
# the running Python knows is in this class, so a newer Unicode cannot slip one past it.
_FORMAT = (
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\ufff0-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
SUSPECT = re.compile(f"[{_FORMAT}{_CONTROL}]")
"""Characters that are refused unless :func:`allowed_here` says their context needs them."""

_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}
_VARIATION = set(range(0xFE00, 0xFE10)) | set(range(0xE0100, 0xE01F0))
_JOINERS = {0x200C, 0x200D}
_C0_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
}
# Letters of these scripts never need a joiner; between them a joiner only hides.
_NO_JOINER_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "ARMENIAN", "FULLWIDTH", "MODIFIER")


def char_name(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: the code point and its Unicode name."""
    code = ord(ch)
    name = unicodedata.name(ch, "") or _C0_NAMES.get(code, "")
    if not name and unicodedata.category(ch) == "Cc":
        name = "CONTROL CHARACTER"
    return f"U+{code:04X} {name}".rstrip()


def char_kind(ch: str) -> str:
    """What the character does, in a few words, for the message."""
    code = ord(ch)
    if code in _BIDI:
        return "text direction character"
    if unicodedata.category(ch) == "Cc":
        return "control character"
    if code in (0x2028, 0x2029):
        return "line break character"
    return "invisible character"


def char_harm(ch: str) -> str:
    """Why it is refused: the hint's first half."""
    code = ord(ch)
    if code in _BIDI:
        return (
            "it reorders how the text around it is displayed, so a page can show one thing "
            "while Copy gives another"
        )
    if unicodedata.category(ch) == "Cc":
        return "it can rewrite or hide text in a terminal and is invisible on a page"
    if code in (0x2028, 0x2029):
        return "it breaks the line on some screens and not on others"
    return "it cannot be seen, so the page shows different text from what is copied or compared"


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def allowed_here(text: str, i: int) -> bool:
    """Whether the suspect character at ``text[i]`` is one of the few harmless uses."""
    code = ord(text[i])
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if code in _VARIATION:
        # After an emoji or another visible non-ASCII character it picks a glyph form; after a
        # keycap digit it starts the keycap sequence (1️⃣). Anywhere else it only hides.
        if before and not before.isascii() and not before.isspace() and not SUSPECT.match(before):
            return True
        return code == 0xFE0F and before in "0123456789#*" and before != "" and after == "\u20e3"
    if code in _JOINERS:
        if not before or not after:
            return False
        if code == 0x200D and _emoji_side(before) and _emoji_side(after):
            return True
        return (
            _is_letter(before)
            and _is_letter(after)
            and not before.isascii()
            and not after.isascii()
            and not unicodedata.name(before, "LATIN").startswith(_NO_JOINER_SCRIPTS)
            and not unicodedata.name(after, "LATIN").startswith(_NO_JOINER_SCRIPTS)
        )
    return False


def _emoji_side(ch: str) -> bool:
    # Emoji are symbols (So), skin-tone modifiers are Sk, and a variation selector may end the
    # emoji before the joiner.
    return unicodedata.category(ch) in ("So", "Sk") or ord(ch) == 0xFE0F


def refused_in(text: str) -> list[int]:
    """Indexes of the refused characters in ``text`` (a decoded value), in order."""
    return [m.start() for m in SUSPECT.finditer(text) if not allowed_here(text, m.start())]


_WRITTEN = re.compile(f"[{_FORMAT}\x80-\x9f]")
"""The refused characters that can stand in a file as they are (libyaml refuses the ASCII
control characters itself, and a file's own line ends are ``\r\n`` or ``\n``)."""


def refused_in_file(text: str) -> list[int]:
    """Indexes of the refused characters written in a file's ``text``, in order.

    Every refused character is non-ASCII, so only the lines that are not ASCII are searched:
    testing each line with ``str.isascii`` is many times faster than one regex over the text.
    """
    out: list[int] = []
    start = 0
    for line in text.split("\n"):
        if not line.isascii():
            out.extend(
                start + m.start()
                for m in _WRITTEN.finditer(line)
                if not allowed_here(line, m.start())
            )
        start += len(line) + 1
    return out


def non_ascii_lines(text: str) -> set[int]:
    """1-based numbers of the lines of ``text`` that hold a non-ASCII character."""
    return {n for n, line in enumerate(text.split("\n"), 1) if not line.isascii()}


# ---------------------------------------------------------------------------------------------
# Look-alikes in names


@dataclass(frozen=True)
class LookAlike:
    """One deceptive character in a name, and why."""

    index: int
    """Where in the name."""
    message: str
    """``U+0441 CYRILLIC SMALL LETTER ES looks like Latin `c```."""


_WORD = re.compile(r"[^\W_]+")
# Writing systems that mix scripts by nature (UTS #39, "highly restrictive").
_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
_NEUTRAL = {"COMMON", "INHERITED", "Unknown"}


@lru_cache(maxsize=1)
def _library():
    # About 80 ms and 1 MB of tables: loaded only when a name holds a non-ASCII character.
    from confusable_homoglyphs import categories, confusables

    return categories, confusables


def _script(ch: str) -> str:
    categories, _ = _library()
    return categories.alias(ch)


def _look_alike(ch: str, script: str) -> str | None:
    """A character of ``script`` that ``ch`` looks like (preferring ASCII), if any."""
    categories, confusables = _library()
    found = confusables.confusables_data.get(ch)
    if not found:
        return None
    glyphs = [g["c"] for g in found if all(categories.alias(c) == script for c in g["c"])]
    if not glyphs:
        return None
    ascii_glyphs = [g for g in glyphs if g.isascii()]
    return (ascii_glyphs or glyphs)[0]


def _ascii_twin(ch: str) -> str | None:
    """The ASCII character ``ch`` imitates (NFKC or Unicode's confusables), if any."""
    twin = unicodedata.normalize("NFKC", ch)
    if twin != ch and len(twin) == 1 and twin.isascii() and twin.isprintable():
        return twin
    _, confusables = _library()
    for glyph in confusables.confusables_data.get(ch) or ():
        if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isprintable():
            return glyph["c"]
    return None


def _compatibility_twin(ch: str) -> str | None:
    # Fullwidth and mathematical letters (ｃ, 𝐜, ℓ) normalise (NFKC) to a plain letter: they are
    # that letter in disguise. Superscripts and fractions (², ½) are left alone: they mean
    # something of their own.
    if unicodedata.category(ch) == "No":
        return None
    twin = unicodedata.normalize("NFKC", ch)
    if twin != ch and len(twin) == 1 and twin.isascii() and twin.isalnum():
        return twin
    return None


def _title(script: str) -> str:
    return script.replace("_", " ").title()


def look_alikes(name: str) -> LookAlike | None:
    """The first deceptive character of ``name``, or None when the name is honest.

    ASCII names are honest by definition: call this only for names with other characters.
    """
    token = not any(ch.isspace() for ch in name)
    for i, ch in enumerate(name):
        if ch.isascii():
            continue
        twin = _compatibility_twin(ch)
        if twin is None and token and _script(ch) in _NEUTRAL:
            # In a name typed into a console (no spaces: a flag key, a handle) punctuation
            # counts too: `checkout‐one` with U+2010 HYPHEN is not `checkout-one`.
            twin = _ascii_twin(ch)
        if twin is not None:
            return LookAlike(i, f"{char_name(ch)} looks like `{twin}`")
    latin_in_name = any(ch.isascii() and ch.isalpha() for ch in name)
    words = list(_WORD.finditer(name))
    for word in words:
        found = _word_problem(word.group(), word.start(), latin_in_name, len(words))
        if found is not None:
            return found
    return None


def _word_problem(word: str, offset: int, latin_in_name: bool, n_words: int) -> LookAlike | None:
    scripts = [_script(ch) for ch in word]
    used = {s for s in scripts if s not in _NEUTRAL}
    if len(used) > 1 and not any(used <= mix for mix in _MIXES):
        # The word's main script is the one most of its letters are in (Latin on a tie).
        main = max(sorted(used), key=lambda s: (scripts.count(s), s == "LATIN"))
        stray = [i for i, s in enumerate(scripts) if s in used and s != main]
        for i in stray:
            twin = _look_alike(word[i], main)
            if twin is not None:
                return LookAlike(
                    offset + i, f"{char_name(word[i])} looks like {_title(main)} `{twin}`"
                )
        i = stray[0]
        return LookAlike(
            offset + i,
            f"{char_name(word[i])} is {_title(scripts[i])} inside a {_title(main)} word",
        )
    if len(used) == 1:
        (script,) = used
        if script == "LATIN" or (not latin_in_name and n_words > 1):
            return None
        # A whole word of another script that reads as Latin (Cyrillic `рау` for `pay`), in a
        # name that is Latin otherwise or is that one word.
        twins = [_look_alike(ch, "LATIN") for ch in word]
        if all(twins):
            return LookAlike(
                offset,
                f"`{word}` is written in {_title(script)} letters that look like Latin "
                f"`{''.join(t or '' for t in twins)}` ({char_name(word[0])}, ...)",
            )
    return None


def latin_twin(name: str) -> str | None:
    """``name`` with each look-alike replaced by the Latin letter it imitates, if all have one."""
    out = []
    for ch in name:
        if ch.isascii():
            out.append(ch)
            continue
        twin = _compatibility_twin(ch) or _look_alike(ch, "LATIN") or _ascii_twin(ch)
        if twin is None or not twin.isascii():
            return None
        out.append(twin)
    return "".join(out)


def visible(text: str) -> str:
    """``text`` safe to print: hidden and control characters written as ``\\u202e`` escapes.

    Messages quote what a file says; a direction override or an escape sequence copied into
    them would reorder or rewrite the report itself in a terminal.
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        ch
        if ch in "\n\t" or (ch.isprintable() and not SUSPECT.match(ch))
        else f"\\u{ord(ch):04x}"
        if ord(ch) <= 0xFFFF
        else f"\\U{ord(ch):08x}"
        for ch in text
    )
