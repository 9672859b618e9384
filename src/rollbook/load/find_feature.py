"""Finding a feature's runbook by what a person types: its id, its title or a flag key.

At 3 a.m. people type what they heard: the alert said ``checkout.one_click``, the chat said
"one-click checkout". Each of those names the runbook: an exact id, a title in any case, or
the key of one of its flags. Nothing else is guessed (a guessed runbook is the wrong
rollback): when nothing matches, the error lists the nearest names, so the next try is right.
"""

from __future__ import annotations

import difflib

from rollbook.config import ConfigError
from rollbook.model.runbook import Runbook

NEAR_MATCHES = 5


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def find_features(runbooks: list[Runbook], query: str) -> list[Runbook]:
    """The runbooks ``query`` names: by id, title (any case) or flag key, in that order.

    Raises :class:`ConfigError` naming the nearest ids, titles and flag keys when nothing
    matches.
    """
    wanted = query.strip()
    folded = _fold(wanted)
    found: list[Runbook] = []
    for match in (
        lambda rb: rb.id == wanted,
        lambda rb: _fold(rb.title) == folded,
        lambda rb: any(f.key == wanted for f in rb.flags),
    ):
        found.extend(rb for rb in runbooks if match(rb) and rb not in found)
    if found:
        return found
    raise ConfigError(_nothing_matches(runbooks, wanted))


def find_feature(runbooks: list[Runbook], query: str) -> Runbook:
    """The one runbook ``query`` names; :class:`ConfigError` when none or several do."""
    found = find_features(runbooks, query)
    if len(found) > 1:
        listed = ", ".join(f"{rb.id} ({rb.title!r})" for rb in found)
        raise ConfigError(
            f"{query!r} names {len(found)} features: {listed}; give the id of the one you mean"
        )
    return found[0]


def near_matches(runbooks: list[Runbook], query: str) -> list[str]:
    """The features whose id, title or a flag key is closest to ``query``, each once, as
    ``id`` or ``id (how it matched)``."""
    names: dict[str, tuple[str, str]] = {}
    for rb in runbooks:
        names.setdefault(rb.id.casefold(), (rb.id, rb.id))
        names.setdefault(_fold(rb.title), (rb.id, f"{rb.id} ({rb.title!r})"))
        for flag in rb.flags:
            names.setdefault(flag.key.casefold(), (rb.id, f"{rb.id} (flag {flag.key!r})"))
    folded = _fold(query)
    contained = [name for name in names if folded and folded in name]
    close = difflib.get_close_matches(folded, list(names), n=NEAR_MATCHES * 3, cutoff=0.6)
    out: dict[str, str] = {}
    for name in [*contained, *close]:
        ident, shown = names[name]
        out.setdefault(ident, shown)
    return list(out.values())[:NEAR_MATCHES]


def _nothing_matches(runbooks: list[Runbook], query: str) -> str:
    if not runbooks:
        return f"no feature matches {query!r}: the project has no valid runbook"
    near = near_matches(runbooks, query)
    message = f"no feature matches {query!r} (an id, a title or a flag key)"
    if near:
        return f"{message}; did you mean: {', '.join(near)}?"
    return f"{message}; `rollbook show --list` lists every feature"
