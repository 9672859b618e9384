"""The site's search index, split so that a phone downloads only what one search needs.

Material's search downloads one index holding every page on every page load, then builds a
lunr index from it in the browser: at 10,000 runbooks that is 3.5 MB before the first search.
rollbook keeps Material's search box and results, and gives it a worker of its own
(``templates/site/assets/search.js``) that reads a split index written here:

- ``search/search_index.json``: what Material's page script fetches on load. Only the search
  settings and where the rest is (a few hundred bytes, whatever the number of runbooks).
- ``search/t/<key>.json``: the *term files*. Every indexed word, filed under its first two
  characters (``checkout`` in ``ch.json``; a big file is split further, see
  :func:`write_search_index`), with the pages it occurs in: page number times
  two, plus one where the word is in the title, written as gaps from the previous entry. A
  query reads the file of each of its words, and matches words by prefix as the user types.
- ``search/d/<n>.json``: the *page files*. Location, title and the indexed words of
  :data:`CHUNK` pages each, in page order; a query reads those of the results it shows.

Pages are numbered in the order they are given, and the worker breaks ties by that number, so
the pages a broad query (a team's name) returns first sit in the same few page files.

Words are what people search by in an incident (title, id, flag keys, signal and alert names,
team, tags: see :func:`rollbook.render.pages.search_text`), split on :data:`SEPARATOR`, which
the worker applies to queries too, and lower-cased.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rollbook.render.urls import src_uri_to_url
from rollbook.render.views import SitePage
from rollbook.site.stylesheet import material_file

# Splits words in the index and in queries (so `one_click` finds `checkout.one_click`).
SEPARATOR = r"[\s\-_.,:;/()]+"
# Pages per page file (2 to 3 KB): small, so the results of a query cost little to fetch.
CHUNK = 8
# A term file bigger than this is split by one more character of its words.
TERM_FILE_LIMIT = 12_000
# The most results a query shows (the best first); a longer query narrows them.
RESULTS = 20
# Characters kept as they are in term file names; others are written as _<hex>.
_PLAIN = frozenset(string.ascii_lowercase + string.digits)
_SPLIT = re.compile(SEPARATOR)


@dataclass(frozen=True)
class SearchIndexReport:
    """Sizes in bytes: the index every page load fetches, and the biggest file a search
    reads besides it."""

    index_bytes: int
    largest_file: int


def material_search_worker() -> str | None:
    """The file name of Material's own search worker, which rollbook's theme replaces."""
    found = material_file("javascripts/workers", "search.*.min.js")
    return found.name if found else None


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``, split as the search worker splits a query.

    Single characters are left out, as the worker leaves them out of queries: they would
    match nearly everything.
    """
    return [w for w in _SPLIT.split(text.lower()) if len(w) > 1]


def term_file_key(prefix: str) -> str:
    """The file name (without ``.json``) of the term file for ``prefix``, made safe.

    Letters and digits stay as they are; any other character becomes ``_<hex>_``, its code
    point, so no name holds a dot, a slash or a character a file system refuses, and no two
    prefixes share a name. The worker computes the same name (``termFileKey``).
    """
    return "".join(c if c in _PLAIN else f"_{ord(c):x}_" for c in prefix)


def term_file_prefix(term: str, split: set[str] | frozenset[str]) -> str:
    """The prefix whose term file holds ``term`` (and every indexed word it is a prefix of,
    unless that prefix was split further, see :func:`write_search_index`)."""
    prefix = term[:2]
    while prefix in split and len(term) > len(prefix):
        prefix = term[: len(prefix) + 1]
    return prefix


def write_search_index(site: Path, pages: list[SitePage]) -> SearchIndexReport:
    """Replace Material's index in ``site`` with rollbook's split one (see module docs).

    Words go to the term file of their first two characters. A term file over
    :data:`TERM_FILE_LIMIT` bytes is split by one more character (``re`` into ``rea``,
    ``reb``, ...), again if need be; the split prefixes are listed in
    ``search_index.json`` (a few hundred bytes at 10,000 runbooks), and the file of a split
    prefix keeps only the words that equal it. So in a big site a two-letter query may match
    whole words only until a third letter is typed.
    """
    folder = site / "search"
    folder.mkdir(exist_ok=True)
    index_path = folder / "search_index.json"
    config: dict = {}
    if index_path.is_file():
        config = json.loads(index_path.read_text(encoding="utf-8")).get("config", {})

    postings: dict[str, list[int]] = {}
    chunks: list[list[list[str]]] = []
    for number, page in enumerate(pages):
        title_words = set(words(page.title))
        for word in dict.fromkeys(words(page.title) + words(page.search_text)):
            # Each entry is the page number times two, plus one if the word is in the title.
            postings.setdefault(word, []).append(number * 2 + (word in title_words))
        if number % CHUNK == 0:
            chunks.append([])
        # Raw text: the worker escapes it when it builds the results' HTML.
        chunks[-1].append([src_uri_to_url(page.src_uri), page.title, page.search_text])

    encoded = {word: _json(_deltas(entries)) for word, entries in postings.items()}
    groups: dict[str, list[str]] = defaultdict(list)
    for word in sorted(encoded):
        groups[word[:2]].append(word)
    split: set[str] = set()
    files: dict[str, list[str]] = {}
    while groups:
        prefix, members = groups.popitem()
        size = sum(len(w) + len(encoded[w]) + 4 for w in members)
        longer = [w for w in members if len(w) > len(prefix)]
        if size <= TERM_FILE_LIMIT or not longer:
            files[prefix] = members
            continue
        split.add(prefix)
        files[prefix] = [w for w in members if len(w) == len(prefix)]
        for word in longer:
            groups[word[: len(prefix) + 1]].append(word)

    written: dict[str, bytes] = {}
    for prefix, members in files.items():
        if members:
            body = b",".join(_json(w) + b":" + encoded[w] for w in sorted(members))
            written[f"t/{term_file_key(prefix)}.json"] = b"{" + body + b"}"
    for n, chunk in enumerate(chunks):
        written[f"d/{n}.json"] = _json(chunk)
    digest = hashlib.sha256()
    for name in sorted(written):
        digest.update(name.encode() + b"\0" + written[name])

    for sub in ("t", "d"):
        (folder / sub).mkdir(exist_ok=True)
    for name, data in written.items():
        (folder / name).write_bytes(data)
    config["separator"] = SEPARATOR
    config["rollbook"] = {
        # The worker adds the version to every file it fetches: a browser's HTTP cache never
        # mixes files from two builds.
        "version": digest.hexdigest()[:16],
        "chunk": CHUNK,
        "pages": len(pages),
        "results": RESULTS,
        "split": sorted(split),
    }
    index = _json({"config": config, "docs": []})
    index_path.write_bytes(index)
    return SearchIndexReport(
        index_bytes=len(index), largest_file=max(map(len, written.values()), default=0)
    )


def _deltas(entries: list[int]) -> list[int]:
    """Ascending entries as the first and then the gaps: common words' lists shrink by half."""
    return [b - a for a, b in zip([0, *entries], entries)]


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
