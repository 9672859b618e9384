"""Where each generated page lives and how pages link to each other.

Every path the site writes is built here from ids the model has already restricted to
slugs; :func:`safe_name` checks again, because a file name is the one place where a stray
``../`` would write outside the site.
"""

from __future__ import annotations

import hashlib
import posixpath
import re

from rollbook.model.runbook import RESERVED_PAGE_NAMES

_SAFE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")


def safe_name(ident: str) -> str:
    """``ident`` if it is a safe file name (a slug), else a stable hash-based stand-in.

    Slugs are already enforced by the model; anything else reaching here (a rule code in
    odd case, a future field) is lower-cased or replaced, never used raw as a path.
    """
    lowered = ident.lower()
    if _SAFE.match(lowered):
        return lowered
    return "id-" + hashlib.sha256(ident.encode("utf-8")).hexdigest()[:16]


def src_uri_to_url(src_uri: str) -> str:
    """The directory URL MkDocs gives ``src_uri`` (``runbooks/x.md`` -> ``runbooks/x/``)."""
    stem = src_uri[: -len(".md")]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative_url(from_url: str, to_url: str) -> str:
    """A relative link from the page at ``from_url`` to ``to_url`` (both site-relative).

    Relative links keep the site working under any base path and from a service worker
    cache, where absolute links to a guessed host would break.
    """
    base = posixpath.dirname(from_url.rstrip("/") + "/x") if from_url else ""
    target_dir, _, fragment = to_url.partition("#")
    rel = _relpath(target_dir or ".", base or ".")
    if target_dir.endswith("/") or target_dir == "":
        rel = "./" if rel == "." else rel + "/"
    return rel + (f"#{fragment}" if fragment else "")


def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath(path, start)`` for two relative paths, without asking the operating
    system for the working directory (twice per link, thousands of links per build).

    Both are normalised as relpath does; a path that climbs out of its root (``..`` first) or
    is absolute goes to relpath itself, whose answer then depends on the working directory.
    """
    path, start = posixpath.normpath(path), posixpath.normpath(start)
    if path.startswith(("/", "..")) or start.startswith(("/", "..")):
        return posixpath.relpath(path, start)
    path_parts = [part for part in path.split("/") if part and part != "."]
    start_parts = [part for part in start.split("/") if part and part != "."]
    common = 0
    for a, b in zip(start_parts, path_parts, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(start_parts) - common) + path_parts[common:]
    return "/".join(parts) if parts else "."


# A folder's own page (the list of teams is teams/index/) takes the name the model refuses
# as a team id or tag (RESERVED_PAGE_NAMES), so no team or tag page can take its place.
LISTING = "index"
if LISTING not in RESERVED_PAGE_NAMES:  # pragma: no cover - a guard for whoever edits these
    raise ImportError(f"the model must refuse {LISTING!r} as an id: it names pages")

HOME = f"{LISTING}.md"
TEAMS = f"teams/{LISTING}.md"
TAGS = f"tags/{LISTING}.md"
RULES = f"rules/{LISTING}.md"
PROBLEMS = f"problems/{LISTING}.md"
COVERAGE = f"coverage/{LISTING}.md"


def runbook_page(runbook_id: str) -> str:
    return f"runbooks/{safe_name(runbook_id)}.md"


def team_page(team_id: str) -> str:
    return f"teams/{safe_name(team_id)}.md"


def tag_page(tag: str) -> str:
    return f"tags/{safe_name(tag)}.md"


def rule_page(code: str) -> str:
    return f"rules/{safe_name(code)}.md"
