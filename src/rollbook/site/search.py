"""The site's search index, split so that a phone downloads only what one search needs.

Material's search downloads one index holding every page on every page load, then builds a
lunr index from it in the browser: at 10,000 runbooks that is 3.5 MB before the first search.
rollbook keeps Material's search box and results, and gives it a worker of its own
(``templates/site/assets/search.js``) that reads a split index written here:

- ``search/search_index.json``: what Material's page script fetches on load. Only the search
  settings and where the rest is (a few hundred bytes; about a kilobyte at 10,000 runbooks,
  for the list of split prefixes).
- ``search/t/<key>.json``: the *term files*. Every indexed word, filed under its first two
  characters (``checkout`` in ``ch.json``), with the pages it occurs in: page number times
  two, plus one where the word is in the title, written as gaps from the previous entry. A
  term file over :data:`TERM_FILE_LIMIT` bytes is *split*: its words go to files named by one
  more character (``ch`` into ``che``, ``chi``, ...; again if need be), and the split
  prefix's own file keeps only the word equal to it and the words whose stem it is
  (``voucher.json`` holds ``voucher`` and ``vouchers`` once ``voucher`` is split).
- ``search/p/<key>.json``: the *prefix files*, one per split prefix, for a query that is
  exactly that prefix (``ch`` in a big site): under the key ``""`` (never a word) every page
  holding a word that starts with the prefix, encoded as above (plus one where such a word is
  in the title), and the prefix's own words as in its term file. So a query of any length
  reads one file per word (two when its stem is filed elsewhere) to know every page it
  matches, however big the site.
- ``search/d/<n>.json``: the *page files*. Location, title and the indexed words of
  :data:`CHUNK` pages each, in page order; a query reads those of the results it shows.

A query word matches an indexed word that starts with it (``addr`` finds ``address``), or
that has the same :func:`stem` (``refunds`` finds ``refund`` and ``refunded``). The worker
reads, for each query word, the file holding the words that start with it (the term file of
:func:`term_file_prefix`, or the prefix file when the word is a split prefix) and, when the
word's stem is shorter than the word, the term file for its stem: see :func:`query_files`,
which the worker's ``queryFiles`` mirrors. From those it knows every page that matches, so it
can say how many there are while it shows only the best :data:`RESULTS`.

Pages are numbered in the order they are given, and the worker breaks ties by that number, so
the pages a broad query (a team's name) returns first sit in the same few page files.

Words are what people search by in an incident (title, id, flag keys, signal and alert names,
team, tags: see :func:`rollbook.render.pages.search_text`), split on :data:`SEPARATOR`, which
the worker applies to queries too, and lower-cased.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import string
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rollbook.build_cache import add_part, source_digest, write_whole
from rollbook.render.urls import src_uri_to_url
from rollbook.render.views import SitePage

# Splits words in the index and in queries (so `one_click` finds `checkout.one_click`).
SEPARATOR = r"[\s\-_.,:;/()]+"
# Pages per page file (2 to 3 KB): small, so the results of a query cost little to fetch.
CHUNK = 8
# A term file bigger than this is split by one more character of its words.
TERM_FILE_LIMIT = 12_000
# The most results a query shows (the best first); the results say how many pages match.
RESULTS = 20
# Characters kept as they are in term file names; others are written as _<hex>.
_PLAIN = frozenset(string.ascii_lowercase + string.digits)
_SPLIT = re.compile(SEPARATOR)
# The key, in a prefix file, of every page with a word starting with the prefix ("" is never
# a word: words have two characters or more).
ALL_PAGES = ""

# stem(): the endings it strips, tried in this order (the first that applies wins), and when.
# search.js has the same table; a test checks that the two agree.
STEM_SUFFIXES = ("ying", "ies", "ied", "ing", "es", "ed", "s", "e", "y")
_STEMMABLE = re.compile(r"[a-z]+")
_VOWELS = "aeiou"


@dataclass(frozen=True)
class SearchIndexReport:
    """Sizes in bytes: the index every page load fetches, and the biggest file a search
    reads besides it."""

    index_bytes: int
    largest_file: int


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``, split as the search worker splits a query.

    Single characters are left out, as the worker leaves them out of queries: they would
    match nearly everything.
    """
    return [w for w in _SPLIT.split(text.lower()) if len(w) > 1]


def stem(word: str) -> str:
    """The word without one English inflection: plurals and simple verb forms meet here.

    A light suffix-stripper, predictable rather than clever (no dictionary, no derivations
    such as ``-ation`` or ``-ness``). Only words of the letters a-z are stemmed; ids, numbers,
    keys with digits and other scripts are left as they are. The first ending of
    :data:`STEM_SUFFIXES` that the word has is removed, provided:

    - at least three letters remain;
    - ``-s``: the word does not end in ``-ss``, ``-us`` or ``-is`` (``address``, ``status``);
    - ``-y``, ``-ying``: the letter before the ``y`` is not a vowel (``query``, ``retrying``;
      not ``key``, ``playing``);
    - ``-ed``: the word does not end in ``-eed`` (``speed``);
    - ``-ing``, ``-ed``: a vowel remains; a doubled last consonant other than l, s, z is
      then undoubled (``running`` -> ``run``; ``called`` -> ``call``).

    So ``refunds``, ``refunded``, ``refunding`` -> ``refund``; ``addresses`` -> ``address``;
    ``queries``, ``queried``, ``query`` -> ``quer``; ``prices``, ``priced``, ``pricing``,
    ``price`` -> ``pric``. A stem is always the start of its word, so every word of one stem
    sits in the term file of that stem (see :func:`query_files`). ``-ies`` is read as the
    plural of ``-y``: ``cookies`` -> ``cook``, ``cookie`` -> ``cooki``.
    """
    if not _STEMMABLE.fullmatch(word):
        return word
    for suffix in STEM_SUFFIXES:
        if not word.endswith(suffix):
            continue
        base = word[: -len(suffix)]
        if len(base) < 3:
            continue
        if suffix in ("ying", "y") and base[-1] in _VOWELS:
            continue
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            continue
        if suffix == "ed" and word.endswith("eed"):
            continue
        if suffix in ("ing", "ed"):
            if not any(c in _VOWELS + "y" for c in base):
                continue
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in _VOWELS + "ylsz":
                base = base[:-1]
        return base
    return word


def term_file_key(prefix: str) -> str:
    """The file name (without ``.json``) of the term file for ``prefix``, made safe.

    Letters and digits stay as they are; any other character becomes ``_<hex>_``, its code
    point, so no name holds a dot, a slash or a character a file system refuses, and no two
    prefixes share a name. The worker computes the same name (``fileKey``).
    """
    return "".join(c if c in _PLAIN else f"_{ord(c):x}_" for c in prefix)


def term_file_prefix(term: str, split: set[str] | frozenset[str]) -> str:
    """The prefix whose term file holds ``term`` (and every indexed word it is a prefix of,
    unless ``term`` is itself a split prefix: see :func:`query_files`)."""
    prefix = term[:2]
    while prefix in split and len(term) > len(prefix):
        prefix = term[: len(prefix) + 1]
    return prefix


def query_files(term: str, split: set[str] | frozenset[str]) -> list[str]:
    """The files (under ``search/``) the worker reads for one query word, which between them
    hold every indexed word that starts with ``term`` or has its stem.

    Words starting with ``term`` are in the term file of :func:`term_file_prefix`; when
    ``term`` is itself a split prefix, its words are spread over many term files and its
    prefix file answers instead. Words of the same stem start with the stem: when the stem is
    shorter than ``term`` they may sit in another term file, the stem's. ``queryFiles`` in
    search.js does the same.
    """
    prefix = term_file_prefix(term, split)
    kind = "p" if prefix in split else "t"
    files = [f"{kind}/{term_file_key(prefix)}.json"]
    base = stem(term)
    if base != term:
        other = f"t/{term_file_key(term_file_prefix(base, split))}.json"
        if other not in files:
            files.append(other)
    return files


def write_search_index(
    site: Path, pages: list[SitePage], *, spare: Path | None = None, state: Path | None = None
) -> SearchIndexReport:
    """Replace Material's index in ``site`` with rollbook's split one (see module docs).

    ``spare``: the previous site (see :mod:`rollbook.site.output`); a file of its index that
    is byte for byte the one to write is moved from there rather than written (and deleted
    with the spare), as most are after an edit. ``state``: a file of the build cache where
    the index's inputs (each page's address, title and words) and its files' hashes are
    kept; when the inputs are the same as last time (an edit that changed no title or
    words) and the spare holds every file as written then, the index is moved from the
    spare whole, without being computed again.

    Words go to the term file of their first two characters. A term file over
    :data:`TERM_FILE_LIMIT` bytes is split by one more character (``re`` into ``rea``,
    ``reb``, ...), again if need be; the split prefixes are listed in
    ``search_index.json`` (about a kilobyte at 10,000 runbooks). The file of a split prefix
    keeps the word equal to it and the words whose stem it is, and the prefix gets a prefix
    file listing every page with a word that starts with it.
    """
    folder = site / "search"
    folder.mkdir(exist_ok=True)
    index_path = folder / "search_index.json"
    config: dict = {}
    if index_path.is_file():
        config = json.loads(index_path.read_text(encoding="utf-8")).get("config", {})
    inputs = _inputs(config, pages) if state is not None else ""
    if state is not None and spare is not None:
        done = _move_unchanged(state, inputs, spare / "search", folder)
        if done is not None:
            return done

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
    # A split prefix's file also holds the words whose stem it is (they start with it, so
    # they were filed deeper): a query for `vouchers` then finds `voucher`'s forms in one file.
    for word in encoded:
        base = stem(word)
        if base != word and base in split:
            files[base].append(word)
    # Prefix files: for each split prefix, every page with a word that starts with it.
    reach: dict[str, dict[int, int]] = {prefix: {} for prefix in split}
    for word, entries in postings.items():
        prefix = word[:2]
        while prefix in split:
            pages_of = reach[prefix]
            for entry in entries:
                pages_of[entry >> 1] = pages_of.get(entry >> 1, 0) | (entry & 1)
            if len(prefix) == len(word):
                break
            prefix = word[: len(prefix) + 1]

    written: dict[str, bytes] = {}
    for prefix, members in files.items():
        if members or prefix in split:
            written[f"t/{term_file_key(prefix)}.json"] = _term_file(members, encoded)
    for prefix, pages_of in reach.items():
        union = _json(_deltas([page * 2 + title for page, title in sorted(pages_of.items())]))
        written[f"p/{term_file_key(prefix)}.json"] = _term_file(
            files[prefix], {**encoded, ALL_PAGES: union}, first=ALL_PAGES
        )
    for n, chunk in enumerate(chunks):
        written[f"d/{n}.json"] = _json(chunk)
    digest = hashlib.sha256()
    for name in sorted(written):
        digest.update(name.encode() + b"\0" + written[name])

    for sub in ("t", "p", "d"):
        (folder / sub).mkdir(exist_ok=True)
    old = spare / "search" if spare is not None else None
    if old is not None and any(p.is_symlink() for p in (old, old / "t", old / "p", old / "d")):
        old = None  # not as rollbook left it: write every file
    for name, data in written.items():
        if old is None or not _move_same(old / name, folder / name, data):
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
    report = SearchIndexReport(
        index_bytes=len(index), largest_file=max(map(len, written.values()), default=0)
    )
    if state is not None:
        kept = {
            "inputs": inputs,
            "files": {name: _digest(data) for name, data in written.items()},
            "index": index.decode("utf-8"),
            "report": [report.index_bytes, report.largest_file],
        }
        with contextlib.suppress(OSError):  # a cache that cannot be written costs time only
            write_whole(state, json.dumps(kept).encode("utf-8"))
    return report


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def _inputs(config: dict, pages: list[SitePage]) -> str:
    """A hash of everything the index is made of: rollbook's code (this module's rules),
    the search settings and every page's address, title and words, in order."""
    digest = hashlib.blake2b(source_digest(), digest_size=20)
    add_part(digest, _json(config))
    for page in pages:
        for part in (page.src_uri, page.title, page.search_text):
            add_part(digest, part.encode("utf-8"))
    return digest.hexdigest()


def _move_unchanged(state: Path, inputs: str, old: Path, folder: Path) -> SearchIndexReport | None:
    """Move the previous site's index into ``folder`` if it was made of ``inputs`` and each
    of its files is as written then; None (and nothing moved) otherwise."""
    try:
        kept = json.loads(state.read_text(encoding="utf-8"))
        if kept["inputs"] != inputs or any(
            p.is_symlink() for p in (old, old / "t", old / "p", old / "d")
        ):
            return None
        files: dict[str, str] = kept["files"]
        for name, digest in files.items():
            source = old / name
            if source.is_symlink() or _digest(source.read_bytes()) != digest:
                return None
        index = str(kept["index"]).encode("utf-8")
        index_bytes, largest = (int(n) for n in kept["report"])
        for sub in ("t", "p", "d"):
            (folder / sub).mkdir(exist_ok=True)
        for name in files:
            os.rename(old / name, folder / name)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    (folder / "search_index.json").write_bytes(index)
    return SearchIndexReport(index_bytes=index_bytes, largest_file=largest)


def _move_same(source: Path, dest: Path, data: bytes) -> bool:
    """Move ``source`` to ``dest`` if it holds ``data`` exactly (and is a plain file)."""
    try:
        if source.is_symlink() or source.stat().st_size != len(data):
            return False
        if source.read_bytes() != data:
            return False
        os.rename(source, dest)
    except OSError:
        return False
    return True


def _term_file(members: list[str], encoded: dict[str, bytes], first: str | None = None) -> bytes:
    """A JSON object of ``members`` (and ``first`` before them) with their encoded pages."""
    keys = ([first] if first is not None else []) + sorted(set(members))
    return b"{" + b",".join(_json(w) + b":" + encoded[w] for w in keys) + b"}"


def _deltas(entries: list[int]) -> list[int]:
    """Ascending entries as the first and then the gaps: common words' lists shrink by half."""
    return [b - a for a, b in zip([0, *entries], entries, strict=False)]


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
