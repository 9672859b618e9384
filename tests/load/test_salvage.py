"""Where a runbook file with errors would have been listed: guessed from what still reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollbook.load.runbooks import load_runbook
from rollbook.load.salvage import Listing, listing

HEAD = """\
# yaml-language-server: $schema=runbook.schema.json
id: one-click-checkout
title: One-click checkout
summary: Lets returning customers buy with one tap.
owner: payments
risk: high
"""

# (name, file text, the listing expected). Each file has errors, so it has no model.
CASES = [
    (
        "schema-error-flow-tags",
        HEAD.replace("risk: high", "risk: extreme") + "tags: [checkout, web]\n",
        Listing("one-click-checkout", "One-click checkout", "payments", ("checkout", "web")),
    ),
    (
        "syntax-error-flow-tags",
        HEAD + "tags: [checkout, web]\nrollback: [\n",
        Listing("one-click-checkout", "One-click checkout", "payments", ("checkout", "web")),
    ),
    (
        "syntax-error-block-tags-quotes-comments",
        'id: "one-click-checkout"  # the id\n'
        "title: 'It''s \"one\" click'\n"
        "owner: payments # team\n"
        "tags:\n  - checkout\n  - 'web'\n- mobile\nrisk: [\n",
        Listing(
            "one-click-checkout", 'It\'s "one" click', "payments", ("checkout", "web", "mobile")
        ),
    ),
    (
        "syntax-error-double-quoted-escapes",
        'title: "Say \\"hi\\" \\u00e9"\nowner: payments\nrisk: [\n',
        Listing("", 'Say "hi" é', "payments", ()),
    ),
    (
        "not-slugs-are-dropped",
        "id: One Click\nowner: ../../etc\ntitle: ok\ntags: [Checkout, web, '<b>']\nrisk: [\n",
        Listing("", "ok", "", ("web",)),
    ),
    (
        "nested-keys-are-not-top-level",
        "contacts:\n  owner: payments\n  title: nested\nrisk: [\n",
        Listing(),
    ),
    ("empty-file", "", Listing()),
    ("a-list-not-a-mapping", "- id: x\n- owner: payments\n", Listing()),
    (
        "long-title-clipped",
        "title: " + "word " * 60 + "\nrisk: [\n",
        Listing("", ("word " * 60).strip()[:119].rstrip() + "…", "", ()),
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_listing_of_a_broken_file(name: str, text: str, expected: Listing, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_runbook(path, path.name)
    assert loaded.runbook is None and loaded.problems
    assert listing(loaded) == expected


def test_a_binary_or_missing_file_lists_nothing(tmp_path: Path) -> None:
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x00\xff\xfe owner: payments\x00")
    assert listing(load_runbook(binary, "binary.yaml")) == Listing()
    gone = tmp_path / "gone.yaml"
    assert listing(load_runbook(gone, "gone.yaml")) == Listing()
