"""The rollback as a text message: the kill switch and the check first, within three segments.

Someone with one bar of signal can still send and receive a text. The message is counted as
phones count it (3GPP TS 23.038): when every character is in the GSM 7-bit default alphabet
a message holds 160 septets in one segment, or 153 per segment when it is split (the rest
carries the concatenation header); the extension table's characters (``{ } [ ] ~ \\ | ^ €``
and form feed) take two septets each, and a segment never ends between the two. One
character outside GSM-7 turns the whole message into UCS-2: 70 UTF-16 code units in one
segment, 67 per segment when split, and a surrogate pair (an emoji) is never split.

Runbook text is full of typographic punctuation that would push a message into UCS-2 and
cut its room by more than half for nothing, so curly quotes, dashes, ellipses and unusual
spaces are written as their plain GSM forms first; letters are never changed. Control,
format and direction-changing characters are shown as escapes (``\\u202e``), as the
terminal shows them: a text message is read by a person, who must see they are there.

What goes in, in this order, as room allows (:func:`sms_text`): the title; the kill switch
(the flag key, its off value and the flag system); the first check of ``verify``; the steps'
actions, numbered; whom to call and their number; the feature's page. The title, the kill
switch, the check and the contact are kept whole when they fit; when the whole does not fit
the limit, the steps' actions are shortened evenly (each keeps its start, cut at a word and
marked ``...``), then the check and the title; a step's action is never dropped while the
message has room for its first words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from rollbook.render.views import RollbackView
from rollbook.safe_text import for_terminal

# The GSM 7-bit default alphabet (3GPP TS 23.038, 6.2.1), in code order; "\x1b" is the escape
# to the extension table and is not a character of its own.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
) - {"\x1b"}
# The extension table: each is sent as ESC and a code, two septets.
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
CONCATENATED = {"GSM-7": 153, "UCS-2": 67}
MAX_SEGMENTS = 3

# Typographic characters with a plain GSM form: a curly quote must not cost half the message.
_PLAIN = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "…": "...",
        "•": "-",
        "·": "-",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\t": " ",
    }
)


@dataclass(frozen=True)
class SmsCount:
    """How a phone sends a text: its encoding, its length in units, and its segments."""

    encoding: str
    """``GSM-7`` or ``UCS-2``."""
    units: int
    """Septets (GSM-7) or UTF-16 code units (UCS-2)."""
    segments: int
    per_segment: int
    """Units a segment holds: 160 or 70 alone, 153 or 67 when the message is split."""


_NOT_GSM = re.compile("[^" + re.escape("".join(sorted(GSM_BASIC | GSM_EXTENDED))) + "]")
_EXTENDED = re.compile("[" + re.escape("".join(sorted(GSM_EXTENDED))) + "]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


# The only ASCII characters outside GSM-7: the backtick and the controls but LF, FF and CR.
_ASCII_NOT_GSM = re.compile("[`\x00-\x09\x0b\x0e-\x1f\x7f]")


def is_gsm(text: str) -> bool:
    """Whether every character of ``text`` is in the GSM-7 alphabet or its extension."""
    if text.isascii():  # nearly every message: a much smaller class to test against
        return _ASCII_NOT_GSM.search(text) is None
    return _NOT_GSM.search(text) is None


def _units(text: str, encoding: str) -> list[int]:
    """The size of each character: septets, or UTF-16 code units."""
    if encoding == "GSM-7":
        return [2 if c in GSM_EXTENDED else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def _measure(text: str) -> tuple[str, int, int, int]:
    """(encoding, units, segments, units per segment) of ``text``."""
    encoding = "GSM-7" if is_gsm(text) else "UCS-2"
    wide = _EXTENDED if encoding == "GSM-7" else _ASTRAL
    doubled = len(wide.findall(text)) if not text.isascii() or encoding == "GSM-7" else 0
    total = len(text) + doubled
    if total <= SINGLE[encoding]:
        return encoding, total, 1 if text else 0, SINGLE[encoding]
    room = CONCATENATED[encoding]
    if not doubled:  # every character one unit: nothing can straddle two segments
        return encoding, total, -(-total // room), room
    segments, used = 1, 0
    for size in _units(text, encoding):  # a character is never split between two segments
        if used + size > room:
            segments += 1
            used = 0
        used += size
    return encoding, total, segments, room


def count(text: str) -> SmsCount:
    """``text`` counted as a phone sends it (see the module's documentation)."""
    return SmsCount(*_measure(text))


def fits(text: str, segments: int = MAX_SEGMENTS) -> bool:
    """Whether ``text`` is sent in at most ``segments`` segments."""
    return _measure(text)[2] <= segments


def plain(text: str) -> str:
    """``text`` on one line, typographic punctuation in its GSM form, controls as escapes."""
    # Line breaks and spaces of every kind become one space first: YAML folds long text
    # with them. What is left that a reader cannot see is shown as an escape.
    return for_terminal(" ".join(text.translate(_PLAIN).split()), lines=False)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word, marked with ``...``."""
    if len(text) <= limit:
        return text
    if limit <= 3:
        return ""
    cut = text[: limit - 3]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "..."


@dataclass
class _Parts:
    title: str
    kill: str
    check: str
    steps: list[str]
    call: str
    page: str
    more: str = ""

    def text(self, steps: list[str] | None = None) -> str:
        lines = [self.title]
        if self.kill:
            lines.append(self.kill)
        if self.check:
            lines.append(self.check)
        lines.extend(
            f"{n}. {s}" for n, s in enumerate(self.steps if steps is None else steps, start=1)
        )
        if self.more:
            lines.append(self.more)
        if self.call:
            lines.append(self.call)
        if self.page:
            lines.append(self.page)
        return "\n".join(line for line in lines if line)


# The shortest start of a step's action that still says what to do.
STEP_FLOOR = 32
# A check longer than this is cut before any step is.
CHECK_LIMIT = 80


def sms_text(view: RollbackView, segments: int = MAX_SEGMENTS) -> str:
    """The rollback of ``view`` as one text message of at most ``segments`` segments."""
    kill = view.kill_switch
    parts = _Parts(
        title=f"ROLL BACK {plain(view.title)}",
        kill=(
            f"OFF: set {plain(kill.key)} to {plain(kill.off)} ({plain(kill.system)})"
            + (", then redeploy" if kill.redeploy else "")
            if kill
            else ""
        ),
        check=f"CHECK: {plain(view.verify[0])}" if view.verify else "",
        steps=[plain(s.do) for s in view.steps],
        call="",
        page=view.page_url,
    )
    if not view.has_rollback:
        parts.check = "No rollback written: call the owner."
    first = view.first_phone
    if first is not None and first.phone is not None:
        # The name is cut, never the number: the number is what the reader needs.
        parts.call = f"STOP if unsure, call {clip(plain(first.name), 40)} {first.phone.e164}"
    if fits(parts.text(), segments):
        return parts.text()
    # Too long: a long check is cut first (its start says what to look at), then the steps
    # are shortened evenly, longest first, down to STEP_FLOOR characters each.
    parts.check = clip(parts.check, CHECK_LIMIT)
    steps = _shorten_steps(parts, parts.steps, segments)
    if fits(parts.text(steps), segments):
        return parts.text(steps)
    # Still too long: the title, the kill switch's wording and the check give way too.
    for part, limit in (("title", 50), ("kill", 70), ("check", 50)):
        setattr(parts, part, clip(getattr(parts, part), limit))
        if fits(parts.text(steps), segments):
            return parts.text(steps)
    # Then the last steps give way to a line saying how many are left out.
    total = len(steps)
    for keep in range(total - 1, -1, -1):
        parts.more = f"+{total - keep} more step{'s' if total - keep != 1 else ''}"
        kept = _shorten_steps(parts, parts.steps[:keep], segments)
        if fits(parts.text(kept), segments):
            return parts.text(kept)
    steps = []
    # Hostile sizes only (a UCS-2 message holds 201 characters): the page link goes, then
    # the longest line is cut until the message fits.
    parts.page = ""
    while not fits(parts.text(steps), segments):
        # The contact line (with its number) is cut last of all.
        names = [n for n in ("title", "kill", "check") if getattr(parts, n)] or ["call"]
        name = max(names, key=lambda n: len(getattr(parts, n)))
        longest = getattr(parts, name)
        setattr(parts, name, clip(longest, len(longest) - max(4, len(longest) // 8)))
    return parts.text(steps)


def _shorten_steps(parts: _Parts, steps: list[str], segments: int) -> list[str]:
    """``steps`` cut evenly (the longest first) to the longest that fits, but each to no
    fewer than :data:`STEP_FLOOR` characters."""
    if not steps:
        return steps
    # The largest per-step limit that fits, by bisection over the limit.
    low, high = STEP_FLOOR, max(len(s) for s in steps)
    best = [clip(s, low) for s in steps]
    while low <= high:
        mid = (low + high) // 2
        trial = [clip(s, mid) for s in steps]
        if fits(parts.text(trial), segments):
            best, low = trial, mid + 1
        else:
            high = mid - 1
    return best


# What may follow `body=` unencoded: letters, digits and `-._~` only. Everything else,
# `&`, `?`, `#`, `%`, `+`, `=`, `;`, `,` and every space, line break and non-ASCII character,
# is percent-encoded as UTF-8, so no text can end the body or start another parameter
# (`&to=`, `&body=`) or recipient.
def sms_body_href(text: str) -> str:
    """An ``sms:`` link that opens the messaging app with ``text`` and no recipient."""
    return "sms:?body=" + quote(text, safe="")
