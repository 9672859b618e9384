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

With ``--peer``, for each size it builds the corpus's real site with ``rollbook build``, indexes
that same site with Pagefind (``npx pagefind --site``; ``npm ci`` installs the version pinned in
package.json) and, for one query of each class (a flag key, an alert name, a feature title's
words, a team's name, a prefix, a plural), searches both in a fresh chromium: rollbook's search
box, and Pagefind's own JavaScript API (``pagefind.js``, ``search()``, then ``data()`` of the
first three results, which is what its UI loads to show them). It prints the bytes each
fetched for the query (gzipped as a server sends rollbook's JSON; Pagefind's index files are
compressed already), rollbook's share of Pagefind's (target: at most 1/3), and whether the
expected page is among each one's first three results.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import pickle
import re
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
    parser.add_argument(
        "--peer", action="store_true", help="compare with Pagefind on real built sites"
    )
    args = parser.parse_args(argv)
    if args.peer:
        return peer_main(args)
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


PAGEFIND = Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / "pagefind"
ALERT = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+){2,}\b")


def query_classes(pages: list) -> list[tuple[str, str, str]]:
    """(class, query, expected page's address) for one runbook in the middle of the corpus."""
    from rollbook.render.urls import src_uri_to_url

    runbooks = [p for p in pages if p.kind == "runbook"]
    page = next(
        p
        for p in runbooks[len(runbooks) // 2 :]
        if ALERT.search(p.search_text) and any("." in w and "_" in w for w in p.search_text.split())
    )
    url = src_uri_to_url(page.src_uri)
    key = next(w for w in page.search_text.split() if "." in w and "_" in w)
    alert = ALERT.search(page.search_text).group(0)  # type: ignore[union-attr]
    title = page.title
    # The title with its longest word in the other number: "reviews" for "review".
    word = max((w for w in title.split() if w.isalpha()), key=len)
    other = word[:-1] if word.endswith("s") else word + "s"
    plural = title.replace(word, other, 1)
    rows = [("flag key", key, url), ("feature title", title, url), ("plural", plural, url)]
    rows += [("alert name", alert, url), ("prefix", alert[: max(4, len(alert) - 4)], url)]
    teams = [p for p in pages if p.kind == "team"]
    if teams:
        team = teams[len(teams) // 2]
        rows.append(("team name", team.title, src_uri_to_url(team.src_uri)))
    return rows


def _same_page(href: str, url: str) -> bool:
    path = urlsplit(href).path.strip("/")
    return path.removesuffix("index.html").strip("/") == url.strip("/")


def peer_measure(site: Path, rows: list[tuple[str, str, str]]) -> list[dict]:
    """Each query in a fresh browser, through rollbook's search and through Pagefind's."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out = []

    def wire(path: str) -> int:
        file = site / path
        if not file.is_file():
            return 0
        data = file.read_bytes()
        compressed = path.endswith((".pf_meta", ".pf_index", ".pf_fragment", ".wasm"))
        return len(data) if compressed else len(gzip.compress(data, 6))

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for kind, query, url in rows:
                row = {"class": kind, "query": query}
                for engine in ("rollbook", "pagefind"):
                    context = browser.new_context(service_workers="block")
                    page = context.new_page()
                    page.goto(base)
                    page.wait_for_load_state("networkidle")
                    fetched: list[str] = []
                    context.on(
                        "requestfinished",
                        lambda r, fetched=fetched: fetched.append(
                            unquote(urlsplit(r.url).path).lstrip("/")
                        ),
                    )
                    if engine == "rollbook":
                        page.locator("label.rb-search-icon").click()
                        page.locator("input.md-search__input").press_sequentially(query)
                        meta = page.locator(".md-search-result__meta")
                        page.wait_for_function(
                            "m => /match|Showing|No /.test(m.textContent)",
                            arg=meta.element_handle(),
                            timeout=60_000,
                        )
                        page.wait_for_timeout(500)
                        links = page.locator(".md-search-result__item a").evaluate_all(
                            "els => els.map(e => e.href)"
                        )
                        files = [f for f in fetched if f.startswith("search/")]
                        files += [f for f in fetched if f.endswith("assets/search.js")]
                    else:
                        links = page.evaluate(
                            """async q => {
                              const pf = await import('/pagefind/pagefind.js');
                              const found = await pf.search(q);
                              const top = await Promise.all(
                                found.results.slice(0, 3).map(r => r.data()));
                              return top.map(d => d.url);
                            }""",
                            query,
                        )
                        files = [f for f in fetched if f.startswith("pagefind/")]
                    top = list(dict.fromkeys(links))[:3]
                    # Pagefind's own code (pagefind.js, its WebAssembly) is fetched at the
                    # first search; "data" leaves it out, as rollbook's worker script is
                    # fetched with the page.
                    data = {f for f in files if not f.endswith((".js", ".wasm"))}
                    row[engine] = {
                        "data": sum(wire(f) for f in data),
                        "bytes": sum(wire(f) for f in set(files)),
                        "files": len(set(files)),
                        "top3": any(_same_page(h, url) for h in top),
                    }
                    context.close()
                out.append(row)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def peer_main(args: argparse.Namespace) -> int:
    """Build each corpus's site, index it with Pagefind, and compare query by query."""
    import subprocess

    if not PAGEFIND.exists():
        raise SystemExit("Pagefind is not installed: run `npm ci` (or `make browser`)")
    work = args.keep or Path(tempfile.mkdtemp(prefix="rollbook-search-peer-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        for n in args.sizes:
            corpus = work / f"corpus-{n}"
            if not corpus.exists():
                generate(n, corpus)
            site = work / f"site-{n}"
            if not (site / "index.html").is_file():
                subprocess.run(
                    [sys.executable, "-m", "rollbook", "build", "--out", str(site)],
                    cwd=corpus,
                    check=True,
                    capture_output=True,
                )
            if not (site / "pagefind" / "pagefind.js").is_file():
                subprocess.run(
                    [str(PAGEFIND), "--site", str(site)], check=True, capture_output=True
                )
            pages = site_pages(corpus, work / f"pages-{n}.pickle")
            rows = peer_measure(site, query_classes(pages))
            print(f"\n{n} runbooks: bytes fetched by one query (as sent), first three results")
            header = (
                f"{'class':<14}{'query':<34}{'rollbook KB':>12}{'Pagefind KB':>12}"
                f"{'ratio':>7}{'PF data KB':>11}{'ratio':>7}  top 3: rollbook / Pagefind"
            )
            print(header)
            print("-" * len(header))
            worst = worst_data = 0.0
            for row in rows:
                ours, theirs = row["rollbook"], row["pagefind"]
                ratio = ours["bytes"] / theirs["bytes"] if theirs["bytes"] else float("inf")
                data_ratio = ours["bytes"] / theirs["data"] if theirs["data"] else float("inf")
                worst = max(worst, ratio)
                worst_data = max(worst_data, data_ratio)
                print(
                    f"{row['class']:<14}{row['query'][:33]:<34}{ours['bytes'] / 1e3:>12.1f}"
                    f"{theirs['bytes'] / 1e3:>12.1f}{ratio:>7.2f}"
                    f"{theirs['data'] / 1e3:>11.1f}{data_ratio:>7.2f}  "
                    f"{'yes' if ours['top3'] else 'NO'} / {'yes' if theirs['top3'] else 'NO'}",
                    flush=True,
                )
            print(
                f"largest share of Pagefind's download: {worst:.2f}; of its index data "
                f"alone: {worst_data:.2f} (target: at most 0.33)"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
