"""Untrusted text made safe for where rollbook prints or writes it.

Runbooks, flag files, code, configuration and file names may hold characters that a terminal
acts on instead of showing: ESC starts CSI and OSC sequences (``ESC [ 2 J`` clears the screen,
``ESC ] 8 ; ; URL BEL`` hides a link behind text, ``ESC ] 0 ; ... ST`` sets the window
title), U+009B is a CSI on its own, CR and BS overwrite what was printed, and bidirectional
controls reorder what a reader sees without changing the bytes (CVE-2021-42574, "Trojan
Source"). Invisible characters (zero-width spaces, tags) hide text.

:func:`for_terminal` shows each such character as an escape (``\\x1b``, ``\\u202e``), so a
reader sees that it is there and which it is, and nothing acts on it. Escaping ESC and the C1
controls is enough to defuse every CSI and OSC sequence: what follows them is plain text. The
command line prints everything through it; reports written as JSON or XML escape the same
characters in their own syntax (:func:`for_json`, :func:`for_xml`), which keeps the values.

Undecodable bytes in file names reach Python as lone surrogates (``surrogateescape``); they are
shown as the byte they stand for (``\\xff``) instead of failing to print.
"""

from __future__ import annotations

import re

# Every character of the Unicode categories Cc (controls), Cf (format: bidi controls,
# zero-width characters, tags), Cs (surrogates), Zl and Zp (line and paragraph separators),
# except tab and newline. tests/test_safe_text.py checks this list against unicodedata.
_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\ud800-\udfff"
)
_UNSAFE = re.compile(f"[{_CLASS}]")
_UNSAFE_IN_LINE = re.compile(f"[\n{_CLASS}]")


def escape(char: str) -> str:
    """One unsafe character as a visible escape: ``\\x1b``, ``\\u202e``, ``\\U000e0041``."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def for_terminal(text: str, *, lines: bool = True) -> str:
    """``text`` with every control, format and separator character shown as an escape.

    Tabs are kept, and newlines when ``lines`` (a whole message); a single field that must
    stay on one line (a file name, a finding's message) passes ``lines=False``, so that it
    cannot start a line that looks like another finding.
    """
    pattern = _UNSAFE if lines else _UNSAFE_IN_LINE
    if lines and len(text) > 4096 and _safe_ascii(text):  # a report of megabytes, printed
        return text
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda m: escape(m.group()), text)


def is_terminal_safe(text: str) -> bool:
    """Whether ``text`` prints as it reads: no character :func:`for_terminal` would escape."""
    return _UNSAFE.search(text) is None


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def for_json(document: str) -> str:
    """A JSON document (from ``json.dumps(..., ensure_ascii=False)``) with the same values.

    JSON already escapes C0 controls in strings; DEL, C1, format characters, separators and
    lone surrogates are written as ``\\uXXXX`` escapes too, which decode to the same text.
    Outside strings a JSON document holds only tabs, newlines and spaces, so nothing else
    changes.
    """
    if _safe_ascii(document) or _UNSAFE.search(document) is None:
        return document
    return _UNSAFE.sub(lambda m: _json_escape(m.group()), document)


def for_xml(document: str) -> str:
    """An XML document with unsafe characters as character references (``&#x202e;``).

    Surrogates and the C0 controls XML 1.0 cannot hold even as references become visible
    escapes (``\\x1b``) instead.
    """
    if _safe_ascii(document) or _UNSAFE.search(document) is None:
        return document
    return _UNSAFE.sub(lambda m: _xml_escape(m.group()), document)


# The ASCII characters _UNSAFE does not match: a document of only these is safe. Deleting
# them from its bytes is twenty times faster than the regex's search of a report of
# megabytes (whose character class spans all of Unicode).
_SAFE_ASCII = bytes(c for c in range(128) if _UNSAFE.match(chr(c)) is None)


def _safe_ascii(document: str) -> bool:
    """Whether ``document`` is ASCII without a character :data:`_UNSAFE` matches."""
    return document.isascii() and not document.encode("ascii").translate(None, _SAFE_ASCII)


def _xml_escape(char: str) -> str:
    code = ord(char)
    if (code < 0x20 and char != "\r") or 0xD800 <= code <= 0xDFFF:
        return escape(char)
    return f"&#x{code:x};"
