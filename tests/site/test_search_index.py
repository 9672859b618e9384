"""The split search index: what a phone downloads to search, however many runbooks there are,
and that what it downloads is enough to find, and count, every page a query matches.

The unit tests write the index from made-up pages; the browser test builds a 400-runbook
corpus and watches what one search really fetches (test_search_browser.py searches 10,000).
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rollbook.render.views import SitePage
from rollbook.site import search
from rollbook.site.search import (
    ALL_PAGES,
    STEM_SUFFIXES,
    query_files,
    stem,
    term_file_prefix,
    words,
    write_search_index,
)
from tests.site.searchtools import IndexReader, corpus_pages, matching_pages, page_words
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
    reader = IndexReader(large)
    found = reader.query("shop.flag_04321")
    assert (found.total, found.titles) == (1, ["Feature number 4321"])
    assert found.read < 40_000, f"{found.read} bytes read of {everything}"
    # A team's name matches a quarter of the runbooks: all are counted, the best 20 shown,
    # and they come from few files.
    found = reader.query("payments")
    assert found.total == 1250
    assert len(found.titles) == search.RESULTS
    assert found.read < 40_000, (found.read, found.files)
    assert max(large_files[f] for f in large_files if f.startswith("search/d/")) < 20_000


def _split_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> tuple:
    """An index of ``n`` runbook-like pages with a small file limit, so that term files split
    as in a site of many thousand runbooks, some prefixes several times over."""
    monkeypatch.setattr(search, "TERM_FILE_LIMIT", 1500)
    pages = corpus_pages(n)
    write_search_index(tmp_path, pages)
    reader = IndexReader(tmp_path)
    assert max(map(len, reader.split)) >= 6, "some prefixes are split four times or more"
    return pages, page_words(pages), reader


@functools.cache
def _decoded(reader: IndexReader, name: str, word: str) -> frozenset[int]:
    """The pages listed under ``word`` in the file ``name``."""
    gaps = (reader.file(name) or {}).get(word, [])
    return frozenset(e >> 1 for e in itertools.accumulate(gaps))


def test_every_prefix_of_every_word_reads_files_that_hold_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, held, reader = _split_index(tmp_path, monkeypatch, 1500)
    # Every indexed word, typed letter by letter from the second: the files the worker reads
    # hold that word with all its pages, or (for a split prefix) list all its pages.
    checked = 0
    for word, where in held.items():
        for end in range(2, len(word) + 1):
            typed = word[:end]
            names = query_files(typed, reader.split)
            has_word = any(word in (reader.file(n) or {}) for n in names)
            listed = any(
                n.startswith("p/") and where <= _decoded(reader, n, ALL_PAGES) for n in names
            )
            assert has_word or listed, (typed, word, names)
            checked += 1
    assert checked > 30_000
    # The prefixes this issue was about, in a big site: they are split, and still find pages.
    for typed in ("ch", "check", "vouch", "addr"):
        assert term_file_prefix(typed, reader.split) in reader.split or typed == "addr"
        assert reader.query(typed).total > 0, typed


def test_every_form_of_a_word_finds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, held, reader = _split_index(tmp_path, monkeypatch, 1500)
    forms = elsewhere = 0
    for word in held:
        base = stem(word)
        # Other forms of the word, indexed or not: `vouchers` finds `voucher`, `refund`
        # finds `refunded`, `refunds` finds both.
        for other in {base, word, *(base + s for s in STEM_SUFFIXES)}:
            if stem(other) != base:
                continue
            names = query_files(other, reader.split)
            assert any(word in (reader.file(n) or {}) for n in names), (other, word, names)
            forms += 1
            # The word is in the file of the stem, not in that of the form typed.
            elsewhere += word not in (reader.file(names[0]) or {})
    assert forms > 5_000
    assert elsewhere > 100


def test_counts_are_the_true_number_of_matching_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages, held, reader = _split_index(tmp_path, monkeypatch, 1500)
    rng = random.Random(5)
    vocabulary = sorted(held)
    queries = sorted({w[:2] for w in vocabulary})  # every two-letter prefix
    queries += [w[: rng.randint(2, len(w))] for w in rng.sample(vocabulary, 300)]
    queries += ["ch", "check", "vouch", "addr", "vouchers", "refund", "refunds", "refunded"]
    queries += ["addresses", "checking", "payment", "saving", "redeem", "issue", "fail"]
    queries += ["check addr", "payments refunded", "voucher pay", "express ch", "zz"]
    for query in queries:
        expected = matching_pages(held, query)
        found = reader.query(query)
        assert found.total == len(expected), query
        assert len(found.titles) == min(len(expected), search.RESULTS), query
        assert {pages[n].title for n in expected} >= set(found.titles), query
    # The stemmer joins forms both ways, and a query finds more than its letters alone would.
    refunds = matching_pages(held, "refunds")
    assert refunds == matching_pages(held, "refunded") == matching_pages(held, "refund")
    assert refunds > {n for w, ns in held.items() if w.startswith("refunds") for n in ns}


def test_a_short_prefix_reads_one_file_not_every_file_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, held, reader = _split_index(tmp_path, monkeypatch, 1500)
    under_ch = [
        name
        for name in _files(tmp_path)
        if name.startswith("search/t/ch") and name != "search/t/ch.json"
    ]
    assert len(under_ch) > 10
    found = reader.query("ch")
    assert [f for f in found.files if not f.startswith("d/")] == ["p/ch.json"]
    assert found.total == len(matching_pages(held, "ch"))


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
        assert re.fullmatch(r"search/(search_index|[tpd]/[a-z0-9_]+)\.json", name), name
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
