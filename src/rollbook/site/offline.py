"""Offline support: a service worker and the list of files it saves on the first visit.

Material has no service worker (it declined one), and its offline plugin targets file://
and loads a script from unpkg, so rollbook writes its own: small, versioned by the site's
content, caching the pages and the search index so that a phone that lost its network
mid-incident still opens every runbook.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from jinja2 import Environment

# What the worker never saves: source maps and lunr's language packs are only fetched by
# developer tools or non-English search; the sitemap is for crawlers.
_SKIP_SUFFIXES = (".map", ".gz", ".xml")
_SKIP_PARTS = ("assets/javascripts/lunr/",)
_SKIP_NAMES = {"sw.js", "precache.json", ".rollbook-site"}


def precache_manifest(site: Path) -> dict[str, object]:
    """The files a visitor's browser saves: core assets first, then every page.

    Page URLs are written as directory URLs (``runbooks/x/``) because that is what links and
    address bars request.
    """
    core: list[str] = []
    pages: list[str] = []
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel in _SKIP_NAMES or rel.endswith(_SKIP_SUFFIXES) or rel.startswith(_SKIP_PARTS):
            continue
        digest.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        if rel == "404.html":
            continue
        if rel.endswith("index.html"):
            url = rel[: -len("index.html")] or "./"
            (core if url in {"./", "teams/", "tags/", "rules/"} else pages).append(url)
        elif rel.endswith(".html"):
            pages.append(rel)
        else:
            core.append(rel)
    return {"version": digest.hexdigest()[:16], "core": core, "pages": pages}


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
    script = env.get_template("assets/sw.js").render(version=version, kill=not enabled)
    (site / "sw.js").write_text(script + "\n", encoding="utf-8")
    return version
