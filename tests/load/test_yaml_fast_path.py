"""The reader's fast path (libyaml's composer) reads every file exactly as the event walk does.

Each file is read twice, once with the fast path and once with the event walk alone, and the
two readings must agree on everything a finding or an error is made of: the values (types
included), the line:column of every value and key (in the same order), the flow collections,
the noted scalars, the folded list items, the unused anchors, every problem (code, message,
hint, field, line:column), and the text values with their paths that lint's rules read
(collected on the way by the fast path, walked from the values otherwise). The files: the
bundled demo runbooks, the YAML fixtures under tests/, hostile variants (anchors, aliases,
merge keys, tags, duplicate keys, folded and literal scalars, flow collections, unicode and
bidi characters, CRLF, BOM, tabs, deep nesting, empty and multiple documents) and seeded
random mutations of the demo runbooks (many do not parse: the errors must agree too).
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from rollbook.lint.context import _strings
from rollbook.load import yaml_reader
from rollbook.load.yaml_reader import YamlError, read_yaml_bytes

ROOT = Path(__file__).resolve().parents[2]
DEMO = sorted((ROOT / "runbooks").glob("*.yaml"))
FIXTURES = sorted(
    p for p in (ROOT / "tests").rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file()
)

pytestmark = pytest.mark.skipif(not yaml_reader.WITH_LIBYAML, reason="the fast path is libyaml's")


def reading(raw: bytes, *, fast: bool) -> tuple:
    """Everything a reading gives that findings and errors are made of, comparable."""
    saved = yaml_reader._FAST_PATH
    yaml_reader._FAST_PATH = fast
    try:
        doc = read_yaml_bytes(raw, "r.yaml")
        problems = None
    except YamlError as exc:
        doc = exc.document
        problems = [dataclasses.astuple(p) for p in exc.problems]
    finally:
        yaml_reader._FAST_PATH = saved
    if doc is None:
        return (problems, None)
    return (
        problems,
        _typed(doc.data),
        list(doc.values.items()),
        list(doc.keys.items()),
        doc.flow,
        [dataclasses.astuple(n) for n in doc.suspects],
        doc.folded_dashes,
        doc.unused_anchors,
        # The text values lint's rules read: collected by the fast path, walked otherwise.
        doc.strings if doc.strings is not None else list(_strings(doc.data, ())),
    )


def _typed(value: object) -> object:
    """``value`` with the type of every scalar beside it: 1, 1.0 and True must not pass as
    one another."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


def assert_same(raw: bytes) -> tuple:
    fast = reading(raw, fast=True)
    slow = reading(raw, fast=False)
    assert fast == slow
    return fast


def took_fast_path(raw: bytes) -> bool:
    text = raw.decode("utf-8-sig")
    return yaml_reader._compose(text, "r.yaml", yaml_reader._watch_for(text)) is not None


def test_there_are_files_to_compare():
    assert len(DEMO) >= 10
    assert FIXTURES


@pytest.mark.parametrize("path", DEMO + FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_demo_runbooks_and_fixtures_read_the_same(path):
    assert_same(path.read_bytes())


def test_the_fast_path_reads_most_demo_runbooks():
    # Otherwise the comparisons above would compare the event walk with itself.
    fast = [p for p in DEMO if took_fast_path(p.read_bytes())]
    assert len(fast) >= len(DEMO) - 2
    for path in fast:  # and its text values are the ones compared, not walked again
        doc = yaml_reader.read_yaml_bytes(path.read_bytes(), "r.yaml")
        assert doc.strings is not None and len(doc.strings) > 20
        assert doc.strings == list(_strings(doc.data, ()))


BASE = """\
id: checkout-v2
title: "Checkout v2"  # the new one
summary: >
  Folded text
  over two lines.
notes: |
  Literal text
    with indentation.
owner: payments
tags: [a, b, "c d"]
limits: {max: 3, min: 0.5, none: ~, flag: true}
plain: no
date: 2026-01-10
time: 1:30
octal: 0o17
hex: 0x1F
inf: -.inf
when: Errors above 2%
  - p99 above 3s
steps:
  - do: restart the pods
    expect: ok
  - do: 'scale down'
  -
  - [nested, [deeper, {k: v}]]
"""


def _alias_bomb() -> str:
    """Ten aliases of ten aliases of ...: ten million values from a few lines."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(6):
        name, prev = chr(98 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "plain": BASE,
    "anchor and alias": BASE + "base: &b {x: 1}\ncopy: *b\n",
    "merge key": BASE + "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
    "merge key without alias": BASE + "merged:\n  <<: {x: 1}\n",
    "unused scalar anchor": BASE + "title2: &New one-click\n",
    "unknown alias": BASE + "copy: *nowhere\n",
    "alias bomb": _alias_bomb(),
    "str tag": BASE + "v: !!str 42\n",
    "int tag": BASE + "v: !!int '7'\n",
    "bad int tag": BASE + "v: !!int seven\n",
    "custom tag": BASE + "v: !custom 42\n",
    "map tag": BASE + "v: !!map {a: 1}\n",
    "python tag": BASE + "v: !!python/object:os.system {}\n",
    "non-specific tag": BASE + "v: ! 42\n",
    "tag directive": "%TAG !e! tag:example.com,2000:\n---\n" + BASE + "v: !e!x 1\n",
    "yaml directive": "%YAML 1.1\n---\n" + BASE,
    "duplicate key": BASE + "owner: someone-else\n",
    "duplicate nested key": BASE + "more:\n  a: 1\n  a: 2\n",
    "duplicate key quoted": BASE + "'owner': x\n",
    "collection key": BASE + "? [a, b]\n: value\n",
    "complex scalar key": BASE + "? long key\n: value\n",
    "empty key": BASE + ": value\n",
    "numeric keys": BASE + "1: one\n2.5: two\ntrue: yes\n~: null\n",
    "flow mapping": "{id: a, title: b, steps: [{do: x}, {do: y}]}\n",
    "flow sequence root": "[a, b, c]\n",
    "scalar root": "just text\n",
    "null root": "~\n",
    "empty": "",
    "only comments": "# nothing here\n# at all\n",
    "only document marker": "---\n",
    "explicit document": "---\n" + BASE + "...\n",
    "two documents": BASE + "---\nid: other\n",
    "two empty documents": "---\n---\n",
    "comment hash in value": BASE + "link: https://x.example/#section # a comment\n",
    "hash without space": BASE + "v: a#b\n",
    "escapes": BASE + 'v: "tab\\there \\u00e9 \\x41"\n',
    "escaped bidi": BASE + 'v: "abc\\u202eevil"\n',
    "escaped zero width": BASE + 'v: "a\\u200bb"\n',
    "bidi written": BASE + "v: abc\u202eevil\n",
    "zero width in key": BASE + "ow\u200bner: x\n",
    "bidi in comment": BASE + "# \u2066hidden\u2069\n",
    "line separator": BASE + "v: a\u2028b\n",
    "unicode text": BASE + "v: caf\u00e9 \u2014 \u65e5\u672c \U0001f680\n",
    "control character": BASE + "v: a\x07b\n",
    "tab indentation": BASE.replace("  - do: restart", "\t- do: restart"),
    "tab in value": BASE + "v: a\tb\n",
    "crlf": BASE.replace("\n", "\r\n"),
    "cr only": BASE.replace("\n", "\r"),
    "bom": "\ufeff" + BASE,
    "bom twice": "\ufeff\ufeff" + BASE,
    "deep block nesting": "".join("  " * i + f"k{i}:\n" for i in range(70)) + "  " * 70 + "v\n",
    "deep flow nesting": "v: " + "[" * 70 + "]" * 70 + "\n",
    "deep flow at the limit": "v: " + "[" * 62 + "]" * 62 + "\n",
    "very deep flow nesting": "v: " + "[" * 2000 + "]" * 2000 + "\n",
    "many values": "v: [" + ", ".join(["1"] * 100_001) + "]\n",
    "unclosed flow": BASE + "v: [a, b\n",
    "unclosed quote": BASE + 'v: "abc\n',
    "bad indentation": BASE + "  stray: 1\n",
    "colon in plain": BASE + "v: a: b\n",
    "dash folded into key": BASE + "multi\n  - line key: 1\n",
    "folded dashes in flow": BASE + "v: [a\n  - b]\n",
    "keys with dashes": BASE + "a - b: c - d\n",
    "ampersand in text": BASE + "v: Larder & Co\nq: rate(x[5m]) * 60\nu: https://x/?a=1&b=2\n",
    "star after space": BASE + "v: a *b\n",
    "bang in text": BASE + "v: Hello!\nw: a!=b\n",
    "bang after a space": BASE + "v: wow !important\n",
    "ampersand after flow": BASE + "v: [&a x, *a]\n",
    "alias as key": BASE + "k: &k key\n*k : value\n",
    "anchor on collection": BASE + "v: &c\n  a: 1\nw: *c\n",
    "anchor redefined": BASE + "a: &x 1\nb: &x 2\nc: *x\n",
    "block scalar keep": BASE + "v: |+\n  kept\n\n\nw: 1\n",
    "block scalar strip": BASE + "v: >-\n  stripped\n  text\nw: 1\n",
    "block scalar indent": BASE + "v: |2\n    indented\nw: 1\n",
    "multi-line plain": BASE + "v: first\n  second\n  third\n",
    "multi-line double quoted": BASE + 'v: "first\n  second"\n',
    "single quoted escapes": BASE + "v: 'it''s'\n",
    "empty values": BASE + "a:\nb: ''\nc: \"\"\nd: []\ne: {}\n",
    "nan and inf": BASE + "a: .nan\nb: .Inf\nc: +.inf\nd: -1e3\ne: .5\nf: 1.\n",
    "ints": BASE + "a: +1\nb: -0\nc: 007\nd: 0o8\ne: 0xG\n",
    "booleans 1.1": BASE + "a: yes\nb: No\nc: ON\nd: off\ne: y\n",
    "long line": BASE + "v: " + "x" * 20_000 + "\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_read_the_same(name):
    assert_same(HOSTILE[name].encode("utf-8"))


def test_the_fast_path_leaves_the_rare_cases_to_the_event_walk():
    """Anchors, tags, duplicate keys and the like go the old way: their messages stay."""
    for name in [
        "anchor and alias",
        "merge key",
        "unused scalar anchor",
        "str tag",
        "custom tag",
        "duplicate key",
        "collection key",
        "two documents",
        "deep block nesting",
        "deep flow nesting",
        "many values",
        "unclosed flow",
    ]:
        assert not took_fast_path(HOSTILE[name].encode()), name
    for name in ["plain", "ampersand in text", "bang in text", "crlf", "bom", "escapes"]:
        assert took_fast_path(HOSTILE[name].encode()), name


def test_errors_are_the_same_with_their_positions():
    # Spot checks that the comparisons compare something: errors with line:column.
    dup = assert_same(HOSTILE["duplicate key"].encode())
    assert dup[0][0][1].startswith("duplicate key 'owner'")
    tag = assert_same(HOSTILE["custom tag"].encode())
    assert tag[0][0][1].startswith("YAML tag !custom is not supported")
    assert tag[0][0][2][1:] == (26, 4)  # the line after BASE, at the tag


def _mutations(text: str, rng: random.Random) -> list[str]:
    lines = text.splitlines(keepends=True)
    out = []
    for _ in range(12):
        kind = rng.randrange(7)
        i = rng.randrange(len(lines))
        changed = list(lines)
        if kind == 0:  # a line lost
            del changed[i]
        elif kind == 1:  # a line twice: duplicate keys, list items
            changed.insert(i, lines[i])
        elif kind == 2:  # indentation off by one
            changed[i] = " " + lines[i]
        elif kind == 3:  # a character lost
            line = lines[i]
            j = rng.randrange(max(1, len(line)))
            changed[i] = line[:j] + line[j + 1 :]
        elif kind == 4:  # a hostile character in the middle of a line
            line = lines[i]
            j = rng.randrange(max(1, len(line)))
            ch = rng.choice(["&", "*", "!", "#", " #", "[", "{", '"', "'", "\t", "\u202e", ":"])
            changed[i] = line[:j] + ch + line[j:]
        elif kind == 5:  # CRLF from here on
            changed[i:] = [x.replace("\n", "\r\n") for x in lines[i:]]
        else:  # a document separator
            changed.insert(i, "---\n")
        out.append("".join(changed))
    return out


def test_random_mutations_of_the_demo_runbooks_read_the_same():
    rng = random.Random(15)
    compared = fast = 0
    for path in DEMO:
        for text in _mutations(path.read_text(encoding="utf-8"), rng):
            raw = text.encode("utf-8")
            assert_same(raw)
            compared += 1
            fast += took_fast_path(raw)
    assert compared >= 120
    assert fast >= compared // 4  # the fast path was really compared, not only the walk
