"""Find a runbook by what a person types: its id, its title or one of its flag keys.

``rollbook render checkout`` should find the runbook whether the person remembers the id
(``one-click-checkout``), the title (``One-click checkout``, any case) or the flag key
(``checkout.one_click``). When nothing matches exactly, the error names the nearest ids,
titles and keys, so that a typo costs one more try, not a search through the folder.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TypeVar

from rollbook.config import ConfigError
from rollbook.model.runbook import Runbook

T = TypeVar("T")
MAX_SUGGESTIONS = 5


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def names_of(runbook: Runbook) -> list[str]:
    """Everything a person may call this runbook: id, title and flag keys."""
    return [runbook.id, runbook.title, *(flag.key for flag in runbook.flags)]


def find_features(wanted: str, items: Iterable[tuple[Runbook, T]]) -> list[tuple[Runbook, T]]:
    """The runbooks ``wanted`` names (id, then title, then flag key; case-insensitive).

    ``items`` pairs each runbook with whatever the caller keeps beside it. An id or title
    names one runbook; a flag key may be shared by several, which are all returned. Raises
    ConfigError (exit 2) with the nearest names when nothing matches.
    """
    pairs = list(items)
    key = _fold(wanted)
    for pick in (
        lambda rb: _fold(rb.id) == key,
        lambda rb: _fold(rb.title) == key,
        lambda rb: any(_fold(f.key) == key for f in rb.flags),
    ):
        found = [pair for pair in pairs if pick(pair[0])]
        if found:
            return found
    raise ConfigError(no_match_message(wanted, [rb for rb, _ in pairs]))


def no_match_message(wanted: str, runbooks: list[Runbook]) -> str:
    """Nothing is called ``wanted``: the message, with the nearest names if any."""
    names: dict[str, str] = {}
    for rb in runbooks:
        for name in names_of(rb):
            names.setdefault(_fold(name), name)
    close = difflib.get_close_matches(_fold(wanted), list(names), n=MAX_SUGGESTIONS, cutoff=0.5)
    # A part of a name is a near match too: `checkout` for `one-click-checkout`.
    key = _fold(wanted)
    if key:
        close += [n for n in names if key in n and n not in close][: MAX_SUGGESTIONS - len(close)]
    message = f"no runbook has the id, title or flag key {wanted!r}"
    if close:
        message += "; did you mean: " + ", ".join(repr(names[n]) for n in close)
    elif not runbooks:
        message += " (the project has no valid runbook)"
    return message
