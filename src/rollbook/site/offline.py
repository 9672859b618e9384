"""Offline support: a service worker and the list of files it saves on the first visit.

Material has no service worker (it declined one), and its offline plugin targets file://
and loads a script from unpkg, so rollbook writes its own: small, versioned by the site's
content, caching the pages and the search files so that a phone that lost its network
mid-incident still opens every runbook.

The worker's version is a hash of every file of the site, and the list ranks pages by the
risk their page shows: at 10,000 runbooks that is 200 MB to read on every build. With a
build cache, what was read of each file (its hash, the risk its page shows) is kept in
``files.json`` under the file's identity (device, inode, size, modification time): the
pages a build takes from the page cache are hard links to its entries, the same files from
build to build, so only the files a build wrote are read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from pathlib import Path

from jinja2 import Environment

from rollbook.site.links import site_entries
from rollbook.site.state import BuildState, read_json, write_json

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
    return _rank(url, _risk(head))


def _risk(head: bytes) -> str:
    """The risk a page shows in its first bytes (the runbook's badge), or ""."""
    match = _RISK.search(head)
    return match.group(1).decode("ascii") if match else ""


def _rank(url: str, risk: str) -> int:
    if url == CARDS_FILE:
        return -2
    if url.startswith("runbooks/"):
        return _RISK_ORDER[risk.encode("ascii")] if risk else 4
    for rank, prefix in enumerate(("teams/", "tags/", "rules/"), start=5):
        if url.startswith(prefix):
            return rank
    return 8


class FileFacts:
    """What :func:`precache_manifest` reads of each file, kept by the file's identity in the
    build cache (see the module's docs); without a cache file, every file is read."""

    def __init__(self, path: Path | None = None, state: BuildState | None = None) -> None:
        self.path = path
        self.state = state
        self.known: dict[str, list] = {}
        self.seen: dict[str, list] = {}
        if path is not None:
            try:
                data = read_json(path, state)
                self.known = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                pass

    def of(self, path: Path, rel: str, stat: os.stat_result) -> tuple[bytes, str]:
        """The file's SHA-256 and the risk its first bytes show."""
        identity = [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns]
        known = self.known.get(rel)
        if known is not None and known[0] == identity:
            try:
                facts = bytes.fromhex(known[1]), str(known[2])
                self.seen[rel] = known
                return facts
            except (ValueError, TypeError, IndexError):
                pass
        data = path.read_bytes()
        facts = hashlib.sha256(data).digest(), _risk(data[:8192])
        if len(data) == stat.st_size:  # not written to while read
            self.seen[rel] = [identity, facts[0].hex(), facts[1]]
        return facts

    def save(self) -> None:
        """Keep what this build read, for the files it has (a cache that cannot be written
        costs time only)."""
        if self.path is None:
            return
        with contextlib.suppress(OSError):
            write_json(self.path, self.seen, self.state)


def site_files(site: Path) -> dict[str, os.stat_result]:
    """Every file of ``site`` by its path in the site, with its status (one walk)."""
    return {name: entry.stat() for name, entry in site_entries(site)}


def precache_manifest(
    site: Path,
    budget: int | None = None,
    *,
    facts: FileFacts | None = None,
    files: dict[str, os.stat_result] | None = None,
) -> dict[str, object]:
    """The files a visitor's browser saves: core assets first, then pages within ``budget``.

    Page URLs are written as directory URLs (``runbooks/x/``) because that is what links and
    address bars request. Pages left out are listed by count only; the worker saves each of
    them when it is first opened. ``facts``: what earlier builds read of the same files;
    ``files``: the site's files (:func:`site_files`), if known.
    """
    budget = PRECACHE_BUDGET if budget is None else budget
    facts = facts or FileFacts()
    files = site_files(site) if files is None else files
    core: list[str] = []
    candidates: list[tuple[int, str, int]] = []
    digest = hashlib.sha256()
    # In the order of the paths' parts, as sorting paths does ("a/b" before "a-c").
    for rel in sorted(files, key=lambda rel: rel.split("/")):
        if rel in _SKIP_NAMES or rel.endswith(_SKIP_SUFFIXES) or rel.startswith(_SKIP_PARTS):
            continue
        stat = files[rel]
        sha, risk = facts.of(site / rel, rel, stat)
        size = stat.st_size
        digest.update(rel.encode() + b"\0" + sha)
        if rel == "404.html" or rel.startswith(NEVER_CACHED):
            continue
        if rel.endswith("index.html"):
            url = rel[: -len("index.html")] or "./"
            if url in {"./", "teams/", "tags/", "rules/"}:
                core.append(url)
            else:
                candidates.append((_rank(url, risk), url, size))
        elif rel.endswith(".html"):
            candidates.append((_rank(rel, risk), rel, size))
        elif rel.startswith(_SEARCH_PARTS):
            # The split search index: thousands of small files at scale, fetched by a search
            # as it needs them. Saved first of all, so that search works offline, but not
            # in the core, which must arrive whole before anything is saved.
            candidates.append((-1, rel, size))
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


def write_service_worker(
    site: Path,
    env: Environment,
    *,
    enabled: bool = True,
    facts: FileFacts | None = None,
    files: dict[str, os.stat_result] | None = None,
) -> str:
    """Write ``sw.js`` and ``precache.json`` at the site root; return the version.

    With ``enabled=False`` (``rollbook serve``) the worker written removes itself and its
    caches, so a preview never shows a copy saved by an earlier visit. ``facts`` and
    ``files``: see :func:`precache_manifest`.
    """
    manifest = (
        precache_manifest(site, facts=facts, files=files)
        if enabled
        else {"version": "preview", "core": [], "pages": []}
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
