"""Helpers for the search tests: runbook-like pages by the thousand, what should match a query
(counted from the pages themselves), and a Python reading of the index as the worker reads it.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from rollbook.render.views import SitePage
from rollbook.site.search import ALL_PAGES, RESULTS, query_files, stem, words
from tests.site.sitetools import REPO


def _corpus_vocabulary() -> object:
    """benchmarks/make_corpus.py, for its words: the pages below look like its runbooks."""
    spec = importlib.util.spec_from_file_location(
        "make_corpus", REPO / "benchmarks" / "make_corpus.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Signal names: make_corpus's, and a few with plurals and verb forms for the stemmer.
SIGNALS = (
    "error rate",
    "latency",
    "volume",
    "refunds issued",
    "payments refunded",
    "addresses saved",
    "vouchers redeemed",
    "checks failing",
)


def corpus_pages(n: int, seed: int = 1) -> list[SitePage]:
    """``n`` runbook pages whose title and search words are shaped as rollbook writes them
    (:func:`rollbook.render.pages.search_text`: id, flag keys, signal and alert names, team,
    tags) from make_corpus's vocabulary; quick to make, unlike loading 10,000 YAML files."""
    corpus = _corpus_vocabulary()
    rng = random.Random(seed)
    pages = []
    for i in range(n):
        adj, noun = rng.choice(corpus.ADJECTIVES), rng.choice(corpus.NOUNS)
        team_id, team_name = rng.choice(corpus.TEAMS)
        fid = f"{adj}-{noun}-{i:05d}"
        parts = [fid]
        parts += [f"{team_id}.{noun}_{adj}_{i:05d}_{k}" for k in range(rng.randint(1, 4))]
        for k in range(rng.randint(1, 4)):
            parts.append(f"{rng.choice(corpus.NOUNS).title()} {rng.choice(SIGNALS)} {k}")
            if rng.random() < 0.4:
                parts.append(f"{noun.title()}{adj.title()}Alert{i}x{k}")
        parts.append(team_name)
        if rng.random() < 0.8:
            parts += sorted(rng.sample(corpus.TAGS, rng.randint(1, 3)))
        pages.append(
            SitePage(
                src_uri=f"runbooks/{fid}.md",
                title=f"{adj.title()} {noun} {i}",
                description="",
                html="",
                search_text=" ".join(dict.fromkeys(parts)),
                kind="runbook",
            )
        )
    return pages


def page_words(pages: list[SitePage]) -> dict[str, set[int]]:
    """Every indexed word and the pages holding it, straight from the pages."""
    held: dict[str, set[int]] = {}
    for number, page in enumerate(pages):
        for word in words(page.title) + words(page.search_text):
            held.setdefault(word, set()).add(number)
    return held


def matching_pages(held: dict[str, set[int]], query: str) -> set[int]:
    """Pages holding, for every word of ``query``, a word that starts with it or has its stem."""
    found: set[int] | None = None
    for term in dict.fromkeys(words(query)):
        base = stem(term)
        pages: set[int] = set()
        for word, where in held.items():
            if word.startswith(term) or stem(word) == base:
                pages |= where
        found = pages if found is None else found & pages
    return found or set()


@dataclass
class Reading:
    """What the worker would make of a query: bytes of search files read, how many pages
    match, the best :data:`RESULTS` of them (titles), and the files read."""

    read: int
    total: int
    titles: list[str]
    files: list[str] = field(default_factory=list)


class IndexReader:
    """The index in ``site/search`` read as search.js reads it (same files, same matching)."""

    def __init__(self, site: Path) -> None:
        self.folder = site / "search"
        config = json.loads((self.folder / "search_index.json").read_text())["config"]
        self.settings = config["rollbook"]
        self.split = set(self.settings["split"])
        self._files: dict[str, dict | None] = {}

    def file(self, name: str) -> dict | None:
        if name not in self._files:
            path = self.folder / name
            self._files[name] = json.loads(path.read_text()) if path.is_file() else None
        return self._files[name]

    def size(self, name: str) -> int:
        path = self.folder / name
        return path.stat().st_size if path.is_file() else 0

    def scores(self, term: str) -> dict[int, int]:
        """Page number -> score for one query word (search.js's ``scores``)."""
        base = stem(term)
        best: dict[int, int] = {}
        for name in query_files(term, self.split):
            for word, gaps in (self.file(name) or {}).items():
                if word == ALL_PAGES:
                    whole = 0
                elif word == term or stem(word) == base:
                    whole = 1
                elif word.startswith(term):
                    whole = 0
                else:
                    continue
                for entry in itertools.accumulate(gaps):
                    score = 1 + whole + (entry & 1)
                    if best.get(entry >> 1, 0) < score:
                        best[entry >> 1] = score
        return best

    def query(self, query: str) -> Reading:
        terms = list(dict.fromkeys(words(query)))
        names = list(dict.fromkeys(n for t in terms for n in query_files(t, self.split)))
        found: dict[int, list[int]] = {}
        for term in terms:
            for page, score in self.scores(term).items():
                hit = found.setdefault(page, [0, 0])
                hit[0] += 1
                hit[1] += score
        most = max((hit[0] for hit in found.values()), default=0)
        matching = [(page, hit) for page, hit in found.items() if hit[0] == most]
        ranked = sorted(matching, key=lambda item: (-item[1][1], item[0]))[:RESULTS]
        chunk = self.settings["chunk"]
        titles = []
        for page, _ in ranked:
            name = f"d/{page // chunk}.json"
            names.append(name)
            titles.append((self.file(name) or [])[page % chunk][1])
        names = list(dict.fromkeys(names))
        return Reading(sum(map(self.size, names)), len(matching), titles, names)
