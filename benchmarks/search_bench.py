"""Measure what one search downloads, in a real browser, at 1,000 and 10,000 runbooks.

Usage::

    python benchmarks/search_bench.py [--sizes 1000 10000] [--keep DIR] [--queries ...]

For each size: writes the corpus (``make_corpus.py``), loads and renders it as ``rollbook
build`` does, and writes the search index for those pages into a small site built by rollbook
(its search files replaced; the pages the results link to are not there, which search does not
need). Then, for each query, a fresh headless chromium (``/usr/bin/chromium``, or
``ROLLBOOK_CHROMIUM``) opens the site, types the query into the search box and records the
search files the worker fetched. Prints the size of the whole index, of what every page load
fetches, and per query: files fetched, their bytes (and gzipped, as a server would send them),
what the results say, and the true number of matching pages, counted here from the pages
themselves.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import pickle
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import generate  # noqa: E402 - a sibling script, not a package

QUERIES = ["ch", "check", "vouch", "addr", "vouchers", "refunds", "payments", "<flag key>"]
CHROMIUM = os.environ.get("ROLLBOOK_CHROMIUM", "/usr/bin/chromium")


def site_pages(corpus: Path, cache: Path | None = None) -> list:
    """The site's pages for ``corpus``, as ``rollbook build`` makes them (without HTML)."""
    import dataclasses

    from rollbook.commands.build import build_time, render_pages
    from rollbook.config import load_project
    from rollbook.load.runbooks import load_project_runbooks
    from rollbook.render import LintResults

    if cache is not None and cache.is_file():
        return pickle.loads(cache.read_bytes())
    loaded = load_project_runbooks(load_project(corpus))
    pages = render_pages(
        loaded, lint=LintResults(), built=build_time(), user_templates=None, jobs=2
    )
    pages = [dataclasses.replace(p, html="") for p in pages]
    if cache is not None:
        cache.write_bytes(pickle.dumps(pages))
    return pages


def small_site(work: Path) -> Path:
    """A site built by rollbook from `rollbook init`'s example: the search page and worker."""
    from rollbook.commands.build import build
    from rollbook.commands.scaffold import init_project
    from rollbook.config import load_project

    root, out = work / "small-project", work / "small-site"
    if not out.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        init_project(root, team="my-team", force=False)
        build(load_project(root), out)
    return out


def true_count(pages: list, query: str) -> int:
    """Pages holding, for every word of the query, a word that starts with it (or, where the
    index stems words, one of the same stem)."""
    from rollbook.site import search

    stem = getattr(search, "stem", lambda w: w)
    terms = list(dict.fromkeys(search.words(query)))
    count = 0
    for page in pages:
        held = set(search.words(page.title) + search.words(page.search_text))
        if all(any(w.startswith(t) or stem(w) == stem(t) for w in held) for t in terms):
            count += 1
    return count


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def measure(site: Path, queries: list[str]) -> list[dict]:
    """Type each query in a fresh browser; what it fetched and what the results said."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for query in queries:
                context = browser.new_context(service_workers="block")
                fetched: list[str] = []
                context.on(
                    "requestfinished",
                    lambda r, fetched=fetched: fetched.append(
                        unquote(urlsplit(r.url).path).lstrip("/")
                    ),
                )
                page = context.new_page()
                page.goto(url)
                page.locator("label.rb-search-icon").click()
                page.locator("input.md-search__input").press_sequentially(query)
                meta = page.locator(".md-search-result__meta")
                page.wait_for_function(
                    "m => /match|Showing|No /.test(m.textContent)",
                    arg=meta.element_handle(),
                    timeout=30_000,
                )
                page.wait_for_timeout(500)
                shown = page.locator(".md-search-result__item").count()
                files = sorted(
                    {f for f in fetched if f.startswith("search/") and f.endswith(".json")}
                    - {"search/search_index.json"}
                )
                existing = [site / f for f in files if (site / f).is_file()]
                rows.append(
                    {
                        "query": query,
                        "files": len(files),
                        "bytes": sum(f.stat().st_size for f in existing),
                        "gzip": sum(len(gzip.compress(f.read_bytes(), 6)) for f in existing),
                        "meta": meta.inner_text().strip(),
                        "shown": shown,
                    }
                )
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return rows


def flag_key(pages: list) -> str:
    """A flag key from the runbook in the middle of the corpus."""
    runbooks = [p for p in pages if p.kind == "runbook"]
    for page in runbooks[len(runbooks) // 2 :]:
        for word in page.search_text.split():
            if "." in word and "_" in word:
                return word
    raise SystemExit("no flag key in the corpus")


def main(argv: list[str] | None = None) -> int:
    from rollbook.site.search import write_search_index

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="keep corpora, pages and sites here")
    parser.add_argument("--queries", nargs="+", default=QUERIES)
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="rollbook-search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        base = small_site(work)
        for n in args.sizes:
            corpus = work / f"corpus-{n}"
            if not corpus.exists():
                generate(n, corpus)
            pages = site_pages(corpus, work / f"pages-{n}.pickle")
            site = work / f"search-site-{n}"
            shutil.rmtree(site, ignore_errors=True)
            shutil.copytree(base, site)
            shutil.rmtree(site / "search" / "t")
            shutil.rmtree(site / "search" / "d")
            write_search_index(site, pages)
            files = [p for p in (site / "search").rglob("*.json") if p.is_file()]
            index = (site / "search" / "search_index.json").stat().st_size
            total = sum(p.stat().st_size for p in files)
            total_gz = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
            print(
                f"\n{n} runbooks ({len(pages)} pages): index {total / 1e6:.2f} MB in "
                f"{len(files)} files ({total_gz / 1e6:.2f} MB gzipped); every page load "
                f"fetches {index} bytes"
            )
            queries = [flag_key(pages) if q == "<flag key>" else q for q in args.queries]
            header = f"{'query':<34}{'files':>6}{'KB':>8}{'KB gz':>8}{'true':>6}  results say"
            print(header)
            print("-" * len(header))
            for row in measure(site, queries):
                print(
                    f"{row['query']:<34}{row['files']:>6}{row['bytes'] / 1e3:>8.1f}"
                    f"{row['gzip'] / 1e3:>8.1f}{true_count(pages, row['query']):>6}  "
                    f"{row['meta']} ({row['shown']} shown)",
                    flush=True,
                )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
