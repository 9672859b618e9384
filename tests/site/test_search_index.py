"""The split search index: what a phone downloads to search, however many runbooks there are.

The unit tests write the index from made-up pages; the browser test builds a 400-runbook
corpus and watches what one search really fetches.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rollbook.render.views import SitePage
from rollbook.site import search
from rollbook.site.search import term_file_key, term_file_prefix, words, write_search_index
from tests.site.sitetools import REPO, build_project, serve_folder


def _pages(n: int) -> list[SitePage]:
    teams = ["payments", "search", "growth", "platform"]
    return [
        SitePage(
            src_uri=f"runbooks/feature-{i:05d}.md",
            title=f"Feature number {i}",
            description="",
            html="",
            search_text=(
                f"feature-{i:05d} shop.flag_{i:05d} errors_{i:05d} Err{i:05d}Alert "
                f"{teams[i % 4]} team"
            ),
            kind="runbook",
        )
        for i in range(n)
    ]


def _files(site: Path) -> dict[str, int]:
    return {
        p.relative_to(site).as_posix(): p.stat().st_size
        for p in (site / "search").rglob("*")
        if p.is_file()
    }


def _fetched_for(site: Path, query: str) -> tuple[int, list[str]]:
    """Bytes a search for ``query`` reads (as the worker does), and the pages it finds."""
    config = json.loads((site / "search" / "search_index.json").read_text())["config"]
    chunk = config["rollbook"]["chunk"]
    split = set(config["rollbook"]["split"])
    total = (site / "search" / "search_index.json").stat().st_size
    found: set[int] | None = None
    for term in words(query):
        path = site / "search" / "t" / f"{term_file_key(term_file_prefix(term, split))}.json"
        total += path.stat().st_size
        entries = json.loads(path.read_text())
        pages = {
            e >> 1
            for word, gaps in entries.items()
            if word.startswith(term)
            for e in itertools.accumulate(gaps)
        }
        found = pages if found is None else found & pages
    titles = []
    for chunk_no in sorted({page // chunk for page in found or ()}):
        path = site / "search" / "d" / f"{chunk_no}.json"
        total += path.stat().st_size
        docs = json.loads(path.read_text())
        titles += [docs[p % chunk][1] for p in sorted(found) if p // chunk == chunk_no]
    return total, titles


def test_one_search_reads_little_however_many_runbooks(tmp_path: Path) -> None:
    small, large = tmp_path / "small", tmp_path / "large"
    for site, n in ((small, 20), (large, 5000)):
        site.mkdir()
        write_search_index(site, _pages(n))
    small_files, large_files = _files(small), _files(large)
    # What every page load fetches does not grow with the number of runbooks.
    assert small_files["search/search_index.json"] < 1000
    assert large_files["search/search_index.json"] < 1000
    # The whole index is large; one search for a flag key reads a sliver of it.
    everything = sum(large_files.values())
    assert everything > 500_000
    read, titles = _fetched_for(large, "shop.flag_04321")
    assert titles == ["Feature number 4321"]
    assert read < 40_000, f"{read} bytes read of {everything}"
    # A team's name matches a quarter of the runbooks: the first results come from one file.
    read, titles = _fetched_for(large, "payments")
    assert len(titles) == 1250
    assert max(large_files[f] for f in large_files if f.startswith("search/d/")) < 20_000


def test_every_word_is_in_the_file_a_query_for_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small limit splits many term files, some more than once.
    monkeypatch.setattr(search, "TERM_FILE_LIMIT", 2000)
    write_search_index(tmp_path, _pages(3000))
    config = json.loads((tmp_path / "search" / "search_index.json").read_text())["config"]
    split = set(config["rollbook"]["split"])
    assert any(len(prefix) > 2 for prefix in split), "some prefixes are split twice"
    files = list((tmp_path / "search" / "t").glob("*.json"))
    for path in files:
        for word in json.loads(path.read_text()):
            assert path.stem == term_file_key(term_file_prefix(word, split)), word
    # And a query by prefix reads one file that holds every word it can match.
    everything = {w for p in files for w in json.loads(p.read_text())}
    for query in ("fe", "fea", "featu", "shop", "err0123", "0421"):
        path = tmp_path / "search" / "t" / f"{term_file_key(term_file_prefix(query, split))}.json"
        held = set(json.loads(path.read_text())) if path.is_file() else set()
        expected = {w for w in everything if w.startswith(query)}
        if query in split:
            expected = {query} & everything  # a split prefix's own file: that word only
        assert {w for w in held if w.startswith(query)} == expected, query


def test_term_file_names_are_safe_for_any_word(tmp_path: Path) -> None:
    hostile = SitePage(
        src_uri="runbooks/x.md",
        title="../../etc/passwd <script>alert(1)</script> CON nul . ..",
        description="",
        html="",
        search_text="..\\..\\windows %2e%2e/ é日本 \x00zero \u202eright-to-left",
    )
    write_search_index(tmp_path, [hostile])
    names = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
    assert names, "the index was written"
    for name in names:
        assert re.fullmatch(r"search/(search_index|[td]/[a-z0-9_]+)\.json", name), name
    # The page file keeps the text as it is (the worker escapes it for display).
    assert "<script>alert(1)</script>" in (tmp_path / "search" / "d" / "0.json").read_text()


playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
CHROMIUM = os.environ.get("ROLLBOOK_CHROMIUM", "/usr/bin/chromium")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}")
def test_a_search_in_the_browser_fetches_only_what_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small limit splits term files as a site of many thousand runbooks would.
    monkeypatch.setattr(search, "TERM_FILE_LIMIT", 1000)
    corpus = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "make_corpus.py"), "400", str(corpus)],
        check=True,
        capture_output=True,
    )
    out = tmp_path / "site"
    outcome = build_project(corpus, out)
    assert outcome.unreadable == 0
    runbooks = [i.runbook for i in outcome.loaded.runbooks if i.runbook and i.runbook.flags]
    target = runbooks[len(runbooks) // 2]
    key = target.flags[0].key
    search_files = _files(out)
    config = json.loads((out / "search" / "search_index.json").read_text())["config"]
    split = set(config["rollbook"]["split"])
    assert any(term_file_prefix(word, split) != word[:2] for word in words(key)), (key, split)

    with playwright_api.sync_playwright() as p, serve_folder(out) as url:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, service_workers="block"
        )
        fetched: list[str] = []
        context.on(
            "requestfinished",
            lambda request: fetched.append(urlsplit(request.url).path.lstrip("/")),
        )
        page = context.new_page()
        page.goto(url)
        page.locator("label.rb-search-icon").click()
        page.locator("input.md-search__input").press_sequentially(key, delay=150)
        first = page.locator(".md-search-result__item").first
        first.wait_for(timeout=10_000)
        page.wait_for_timeout(300)
        shown = first.inner_text()
        browser.close()

    assert target.title in shown
    searched = [f for f in fetched if f.startswith("search/")]
    assert "search/search_index.json" in searched
    # (A word no page has is a file that does not exist: the worker's fetch gets a 404.)
    read = sum(search_files.get(f, 0) for f in set(searched))
    # Typing the key fetches the term files of its words' first letters, and one page file.
    assert read < sum(search_files.values()) / 4, (read, sorted(set(searched)))
