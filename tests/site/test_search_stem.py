"""The search stemmer: plurals and simple word forms meet, the same way in Python (which writes
the index) and in the browser's search worker (which reads queries), and the worker reads the
files Python says hold a query's words."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from rollbook.site.search import STEM_SUFFIXES, query_files, stem, words
from tests.site.searchtools import corpus_pages
from tests.site.sitetools import REPO

SEARCH_JS = REPO / "templates" / "site" / "assets" / "search.js"

# Forms that must meet: (forms, their common stem).
SAME_STEM = [
    (["refund", "refunds", "refunded", "refunding"], "refund"),
    (["voucher", "vouchers"], "voucher"),
    (["address", "addresses"], "address"),
    (["check", "checks", "checked", "checking"], "check"),
    (["payment", "payments"], "payment"),
    (["query", "queries", "queried", "querying"], "quer"),
    (["retry", "retries", "retried", "retrying"], "retr"),
    (["delivery", "deliveries", "delivered", "delivering"], "deliver"),
    (["price", "prices", "priced", "pricing"], "pric"),
    (["image", "images"], "imag"),
    (["box", "boxes"], "box"),
    (["batch", "batches"], "batch"),
    (["status", "statuses"], "status"),
    (["class", "classes"], "class"),
    (["run", "runs", "running"], "run"),
    (["stop", "stops", "stopped", "stopping"], "stop"),
    (["call", "calls", "called", "calling"], "call"),
    (["pass", "passes", "passed", "passing"], "pass"),
    (["key", "keys"], "key"),
    (["delay", "delays", "delayed", "delaying"], "delay"),
    (["play", "plays", "played", "playing"], "play"),
    (["speed", "speeds"], "speed"),
    (["exceed", "exceeds", "exceeded", "exceeding"], "exceed"),
    (["latency", "latencies"], "latenc"),
    (["add", "adds", "added", "adding"], "add"),
    (["cdn", "cdns"], "cdn"),
]

# Words the stemmer leaves alone, and why.
UNCHANGED = [
    "status",  # -us
    "analysis",  # -is
    "address",  # -ss
    "string",  # no vowel would remain before -ing
    "thing",  # fewer than three letters would remain
    "bus",  # fewer than three letters would remain
    "need",  # -eed
    "key",  # vowel before -y
    "err00042alert",  # not letters only
    "00042",
    "one_click",
    "café",  # not a-z only
    "straße",
    "日本",
    "payments2",
    "is",
    "ok",
]

# Stems the rules give on purpose, though a dictionary would know better: they are what the
# documentation promises, and what both sides must agree on.
PREDICTABLE = {"cookies": "cook", "cookie": "cooki", "news": "new", "theme": "them"}


@pytest.mark.parametrize(("forms", "expected"), SAME_STEM, ids=[f[0] for f, _ in SAME_STEM])
def test_forms_of_a_word_share_a_stem(forms: list[str], expected: str) -> None:
    assert {form: stem(form) for form in forms} == dict.fromkeys(forms, expected)


@pytest.mark.parametrize("word", UNCHANGED)
def test_words_left_alone(word: str) -> None:
    assert stem(word) == word


def test_rules_as_documented() -> None:
    assert {word: stem(word) for word in PREDICTABLE} == PREDICTABLE
    # Distinct words stay distinct.
    assert len({stem(w) for w in ("refund", "review", "receipt", "route", "region")}) == 5


def _word_list() -> list[str]:
    """Words to run through both stemmers: the examples above, every suffix on a set of
    bases, the corpus's words, and words that are not plain a-z."""
    listed = [w for forms, _ in SAME_STEM for w in forms] + UNCHANGED + list(PREDICTABLE)
    bases = [
        "refund",
        "check",
        "voucher",
        "address",
        "stop",
        "fill",
        "buzz",
        "see",
        "free",
        "tie",
        "day",
        "cry",
        "hop",
        "x",
        "ab",
        "abc",
        "bcd",
        "queue",
        "sky",
    ]
    suffixed = [b + s for b in bases for s in ("", *STEM_SUFFIXES, "ses", "ss", "us", "eed")]
    corpus = sorted({w for p in corpus_pages(300) for w in words(p.title + " " + p.search_text)})
    odd = ["ÉTÉS", "éts", "ß", "ﬁles", "😀s", "a😀ing", "ıs", "İng", "refund\u200bs", "ʼs"]
    return sorted(set(listed + suffixed + corpus + odd))


def _node_eval(expression: str) -> object:
    """Evaluate ``expression`` in node with search.js loaded (as the browser's worker has it)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = f"""
const fs = require("fs"), vm = require("vm");
const context = {{
  self: {{ location: {{ href: "http://127.0.0.1/assets/rollbook/search.js" }},
          addEventListener() {{}}, postMessage() {{}} }},
  URL: URL, fetch: () => Promise.reject(new Error("no network")), setTimeout: setTimeout,
}};
vm.createContext(context);
vm.runInContext(fs.readFileSync({json.dumps(str(SEARCH_JS))}, "utf8"), context);
process.stdout.write(JSON.stringify(vm.runInContext({json.dumps(expression)}, context)));
"""
    done = subprocess.run(
        [node, "-e", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_python_and_the_search_worker_stem_alike() -> None:
    word_list = _word_list()
    assert len(word_list) > 500
    js = _node_eval(f"{json.dumps(word_list)}.map(stem)")
    python = [stem(w) for w in word_list]
    differ = [(w, p, j) for w, p, j in zip(word_list, python, js, strict=True) if p != j]
    assert not differ
    # And the stems really do something on this list.
    assert sum(p != w for w, p in zip(word_list, python, strict=True)) > 100


def test_python_and_the_search_worker_read_the_same_files() -> None:
    word_list = [w for w in _word_list() if len(w) > 1]
    # Split as a big site would be: every proper prefix of every other word (so some words
    # sit deep, some shallow), and a few whole words (queries that are split prefixes).
    split = sorted(
        {w[:k] for w in word_list[::2] for k in range(2, len(w))}
        | {"refund", "voucher", "ch", "日本", "😀s"}
    )
    expression = f"split = new Set({json.dumps(split)}); {json.dumps(word_list)}.map(queryFiles)"
    js = _node_eval(expression)
    python = [query_files(w, set(split)) for w in word_list]
    differ = [(w, p, j) for w, p, j in zip(word_list, python, js, strict=True) if p != j]
    assert not differ
    assert any(len(files) == 2 for files in python), "some words read their stem's file"
    assert any(files[0].startswith("p/") for files in python), "some words are split prefixes"


def test_stems_are_the_start_of_their_word() -> None:
    # What query_files relies on: a word sits under its stem's prefix.
    for word in _word_list():
        base = stem(word)
        assert word.startswith(base), word
        assert base == word or len(base) >= 3, word


def test_node_harness_fails_on_a_missing_function() -> None:
    # The harness itself: a function that is not in search.js is an error, not a pass.
    with pytest.raises(AssertionError):
        _node_eval("noSuchFunction('x')")
