"""Search in a real browser over 10,000 runbooks: every query that matches pages shows them,
with the true number of matches, and reads little.

The site is a small one built by rollbook (its pages, Material's search box, rollbook's page
script and search worker) with the search index of 10,000 runbook-like pages written over
its own: what search needs, without the minute a full build of 10,000 runbooks takes. The
results link to pages that are not there, which these tests do not follow.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rollbook.site.search import RESULTS, stem, term_file_prefix, words, write_search_index
from tests.site.searchtools import corpus_pages, matching_pages, page_words
from tests.site.sitetools import build_project, make_project, serve_folder

CHROMIUM = os.environ.get("ROLLBOOK_CHROMIUM", "/usr/bin/chromium")
RUNBOOKS = 10_000
# Most a single query may download (its term and page files, after the settings every page
# load fetches): a phone on a poor network searches with a few round trips of small files.
QUERY_BUDGET = 64_000

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
if not Path(CHROMIUM).exists():  # pragma: no cover - `make test` installs it
    pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, list]]:
    """(URL, folder, pages) of the site searching 10,000 runbooks, served on 127.0.0.1."""
    tmp = tmp_path_factory.mktemp("search10k")
    site = tmp / "site"
    build_project(make_project(tmp / "project"), site)
    for sub in ("t", "p", "d"):
        shutil.rmtree(site / "search" / sub, ignore_errors=True)
    pages = corpus_pages(RUNBOOKS)
    write_search_index(site, pages)
    with serve_folder(site) as url:
        yield url, site, pages


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        yield browser
        browser.close()


def _type_query(chromium: object, url: str, query: str, *, offline: bool = False) -> tuple:
    """Open the site in a fresh phone-sized browser, type ``query`` into the search box; the
    results' summary line, the results' text, and the search files fetched."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    fetched: list[str] = []
    context.on("requestfinished", lambda r: fetched.append(urlsplit(r.url).path.lstrip("/")))
    if offline:
        # The network drops after the page and the search settings have arrived.
        context.route(re.compile(r".*/search/[tpd]/.*"), lambda route: route.abort())
    try:
        page = context.new_page()
        page.goto(url)
        page.locator("label.rb-search-icon").click()
        page.locator("input.md-search__input").press_sequentially(query, delay=20)
        meta = page.locator(".md-search-result__meta")
        page.wait_for_function(
            "m => !/Initializing|Type to start/.test(m.textContent)",
            arg=meta.element_handle(),
            timeout=20_000,
        )
        page.wait_for_timeout(400)  # a later rewrite of the line would show by now
        items = page.locator(".md-search-result__item").all_inner_texts()
        marked = page.locator(".md-search-result__item mark").all_inner_texts()
        return meta.inner_text().strip(), items, marked, fetched
    finally:
        context.close()


def _flag_key(pages: list) -> str:
    """The first flag key of the runbook in the middle (a `team.noun_adj_00042_0` word)."""
    return next(w for w in pages[len(pages) // 2].search_text.split() if "." in w)


def test_prefixes_plurals_and_keys_find_every_page_and_say_how_many(
    big_site: tuple[str, Path, list], chromium: object
) -> None:
    url, site, pages = big_site
    held = page_words(pages)
    settings = json.loads((site / "search" / "search_index.json").read_text())["config"]
    split = set(settings["rollbook"]["split"])
    # The site is big enough that the prefixes typed below are split (where they found
    # nothing before), some many times over.
    assert {"ch", "che", "check", "vou", "vouch", "addr"} <= split
    key = _flag_key(pages)
    sizes = {
        f"search/{p.relative_to(site / 'search').as_posix()}": p.stat().st_size
        for p in (site / "search").rglob("*.json")
    }
    queries = ("ch", "check", "vouch", "addr", "coupons", "refunds", "refunded", "addresses", key)
    for query in queries:
        expected = matching_pages(held, query)
        assert expected, query
        summary, items, marked, fetched = _type_query(chromium, url, query)
        if len(expected) > RESULTS:
            assert summary == f"Showing the best {RESULTS} of {len(expected):,} matches", query
        else:
            assert summary == (
                f"{len(expected)} matching document" + ("s" if len(expected) > 1 else "")
            ), query
        # Results are shown (Material shows the first ten, then more as the reader scrolls),
        # each a page that matches, with the words found marked.
        titles = {pages[n].title for n in expected}
        assert items and all(item.splitlines()[0] in titles for item in items), query
        terms = words(query)
        assert marked and all(
            any(m.lower().startswith(t) or stem(m.lower()) == stem(t) for t in terms)
            for m in marked
        ), (query, marked)
        read = sum(
            sizes.get(f, 0) for f in set(fetched) if f.startswith("search/") and "index" not in f
        )
        assert 0 < read < QUERY_BUDGET, (query, read, sorted(set(fetched)))
    # A plural no page holds found the pages with the singular, from another file.
    assert "coupons" not in held
    assert held["coupon"] <= matching_pages(held, "coupons")
    assert term_file_prefix("coupons", split) != term_file_prefix("coupon", split)
    # The forms find each other: what the browser counted above includes them.
    assert held["refund"] | held["refunded"] <= matching_pages(held, "refunds")
    assert held["refund"] | held["refunds"] <= matching_pages(held, "refunded")


def test_single_letters_and_a_lost_network_are_not_no_matches(
    big_site: tuple[str, Path, list], chromium: object
) -> None:
    url, _, _ = big_site
    summary, items, _, _ = _type_query(chromium, url, "c")
    assert (summary, items) == ("Type two or more letters to search", [])
    summary, items, _, _ = _type_query(chromium, url, "checkout", offline=True)
    assert summary.startswith("Search could not load its index"), summary
    assert items == []
