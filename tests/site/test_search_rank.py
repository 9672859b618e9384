"""The page a person is looking for comes first: for each kind of query people type in an
incident (a flag key, an alert name, a feature's title, its title with a word in the other
number, the start of an alert name, a team's name), the page it names is among the first
three results in the browser.

The site is a small one built by rollbook with the search index of a few hundred
runbook-like pages, and one page per team, written over its own (as in
test_search_browser.py). What is checked is the order the results are shown in: the
address each of the first three links to.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rollbook.render.urls import src_uri_to_url
from rollbook.render.views import SitePage
from rollbook.site.search import write_search_index
from tests.site.searchtools import _corpus_vocabulary, corpus_pages
from tests.site.sitetools import build_project, make_project, serve_folder

CHROMIUM = os.environ.get("ROLLBOOK_CHROMIUM", "/usr/bin/chromium")
RUNBOOKS = 300

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
if not Path(CHROMIUM).exists():  # pragma: no cover - `make test` installs it
    pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


def _pages() -> list[SitePage]:
    pages = corpus_pages(RUNBOOKS, seed=7)
    for team_id, team_name in _corpus_vocabulary().TEAMS:
        pages.append(
            SitePage(
                src_uri=f"teams/{team_id}.md",
                title=team_name,
                description="",
                html="",
                search_text=team_id,
                kind="team",
            )
        )
    return pages


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[SitePage]]]:
    tmp = tmp_path_factory.mktemp("searchrank")
    out = tmp / "site"
    build_project(make_project(tmp / "project"), out)
    for sub in ("t", "p", "d"):
        shutil.rmtree(out / "search" / sub, ignore_errors=True)
    pages = _pages()
    write_search_index(out, pages)
    with serve_folder(out) as url:
        yield url, pages


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        yield browser
        browser.close()


def _first_three(chromium: object, url: str, query: str) -> list[str]:
    """The addresses (paths) the first three results link to, as the browser shows them."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    try:
        page = context.new_page()
        page.goto(url)
        page.locator("label.rb-search-icon").click()
        page.locator("input.md-search__input").press_sequentially(query, delay=10)
        meta = page.locator(".md-search-result__meta")
        page.wait_for_function(
            "m => !/Initializing|Type to start/.test(m.textContent)",
            arg=meta.element_handle(),
            timeout=20_000,
        )
        page.wait_for_timeout(400)
        hrefs = page.locator(".md-search-result__item a").evaluate_all(
            "els => els.map(e => e.href)"
        )
    finally:
        context.close()
    paths = [urlsplit(h).path.strip("/") for h in hrefs]
    return list(dict.fromkeys(paths))[:3]


def _runbook(pages: list[SitePage], nth: int) -> SitePage:
    """The ``nth`` runbook from the middle on that has an alert name."""
    found = [p for p in pages[RUNBOOKS // 3 :] if p.kind == "runbook" and "Alert" in p.search_text]
    return found[nth]


def _cases(pages: list[SitePage]) -> list[tuple[str, str, SitePage]]:
    cases = []
    for nth in (0, 5):
        page = _runbook(pages, nth)
        key = next(w for w in page.search_text.split() if "." in w)
        alert = next(w for w in page.search_text.split() if "Alert" in w)
        adj, noun, number = page.title.split()
        plural = noun[:-1] if noun.endswith("s") else noun + "s"
        cases += [
            ("flag key", key, page),
            ("flag key, its last part", key.split(".")[-1], page),
            ("alert name", alert, page),
            ("alert name, lower case", alert.lower(), page),
            ("feature title", page.title, page),
            ("feature title words", f"{noun} {number}", page),
            ("plural", f"{adj} {plural} {number}", page),
            ("prefix", alert[: len(alert) - 3], page),
            ("prefix of a flag key", key[: len(key) - 2], page),
        ]
    for team in [p for p in pages if p.kind == "team"][:3]:
        cases.append(("team name", team.title, team))
        cases.append(("team name, lower case", team.title.lower(), team))
    return cases


def test_the_page_asked_for_is_in_the_first_three(site, chromium):
    url, pages = site
    misses = []
    cases = _cases(pages)
    assert {c[0] for c in cases} >= {
        "flag key",
        "alert name",
        "feature title words",
        "team name",
        "prefix",
        "plural",
    }
    for kind, query, page in cases:
        expected = src_uri_to_url(page.src_uri).strip("/")
        shown = _first_three(chromium, url, query)
        if expected not in shown:
            misses.append(f"{kind}: {query!r} -> {shown} (expected {expected})")
    assert not misses, "\n".join(misses)
