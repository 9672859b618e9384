"""Offline support: a service worker and the list of files it saves on the first visit.

Material has no service worker (it declined one), and its offline plugin targets file://
and loads a script from unpkg, so rollbook writes its own: small, versioned by the site's
content, caching the pages and the search files so that a phone that lost its network
mid-incident still opens every runbook.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from jinja2 import Environment

# What the worker never saves: source maps and lunr's language packs are only fetched by
# developer tools or non-English search; the sitemap is for crawlers.
_SKIP_SUFFIXES = (".map", ".gz", ".xml")
_SKIP_PARTS = ("assets/javascripts/lunr/",)
_SKIP_NAMES = {"sw.js", "precache.json", ".rollbook-site"}
_SEARCH_PARTS = ("search/t/", "search/p/", "search/d/")
# Never saved, neither on the first visit nor when opened: the list of files with errors is
# for whoever fixes them, can be long, and a saved copy would outlive the fix.
NEVER_CACHED = ("problems/",)


# How much a first visit saves for offline use, beyond the core. A demo-sized site fits many
# times over; at 10,000 runbooks the pages alone are about 180 MB, which no phone on a poor
# network should fetch on its first visit. Within the budget, the riskiest features come
# first; any other page is saved the first time it is opened.
PRECACHE_BUDGET = 40 * 1024 * 1024

_RISK = re.compile(rb'class="rb-risk rb-risk--(critical|high|medium|low)"')
_RISK_ORDER = {b"critical": 0, b"high": 1, b"medium": 2, b"low": 3}


# The offline rollback cards (rollbook.render.card.SITE_PATH): the file people save before
# they lose the network, so the worker saves it before anything else beyond the core.
CARDS_FILE = "rollback-cards.html"


def _page_rank(url: str, head: bytes) -> int:
    """Lower first: the offline cards, runbooks by risk, then team, tag and rule pages, then
    the rest."""
    if url == CARDS_FILE:
        return -2
    if url.startswith("runbooks/"):
        match = _RISK.search(head)
        return _RISK_ORDER[match.group(1)] if match else 4
    for rank, prefix in enumerate(("teams/", "tags/", "rules/"), start=5):
        if url.startswith(prefix):
            return rank
    return 8


def precache_manifest(site: Path, budget: int | None = None) -> dict[str, object]:
    """The files a visitor's browser saves: core assets first, then pages within ``budget``.

    Page URLs are written as directory URLs (``runbooks/x/``) because that is what links and
    address bars request. Pages left out are listed by count only; the worker saves each of
    them when it is first opened.
    """
    budget = PRECACHE_BUDGET if budget is None else budget
    core: list[str] = []
    candidates: list[tuple[int, str, int]] = []
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel in _SKIP_NAMES or rel.endswith(_SKIP_SUFFIXES) or rel.startswith(_SKIP_PARTS):
            continue
        data = path.read_bytes()
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
        if rel == "404.html" or rel.startswith(NEVER_CACHED):
            continue
        if rel.endswith("index.html"):
            url = rel[: -len("index.html")] or "./"
            if url in {"./", "teams/", "tags/", "rules/"}:
                core.append(url)
            else:
                candidates.append((_page_rank(url, data[:8192]), url, len(data)))
        elif rel.endswith(".html"):
            candidates.append((_page_rank(rel, data[:8192]), rel, len(data)))
        elif rel.startswith(_SEARCH_PARTS):
            # The split search index: thousands of small files at scale, fetched by a search
            # as it needs them. Saved first of all, so that search works offline, but not
            # in the core, which must arrive whole before anything is saved.
            candidates.append((-1, rel, len(data)))
        else:
            core.append(rel)
    pages: list[str] = []
    used = 0
    for _, url, size in sorted(candidates):
        if used + size > budget:
            continue
        pages.append(url)
        used += size
    return {
        "version": digest.hexdigest()[:16],
        "core": core,
        "pages": pages,
        "not_precached": len(candidates) - len(pages),
    }


def write_service_worker(site: Path, env: Environment, *, enabled: bool = True) -> str:
    """Write ``sw.js`` and ``precache.json`` at the site root; return the version.

    With ``enabled=False`` (``rollbook serve``) the worker written removes itself and its
    caches, so a preview never shows a copy saved by an earlier visit.
    """
    manifest = (
        precache_manifest(site) if enabled else {"version": "preview", "core": [], "pages": []}
    )
    version = str(manifest["version"])
    (site / "precache.json").write_text(
        json.dumps(manifest, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    script = env.get_template("assets/sw.js").render(
        version=version, kill=not enabled, never_cached=list(NEVER_CACHED)
    )
    (site / "sw.js").write_text(script + "\n", encoding="utf-8")
    return version
