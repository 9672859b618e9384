"""`rollbook card`: one self-contained HTML file of rollback cards."""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rollbook.render.card import render_cards
from tests.conftest import run_cli
from tests.outputs.outputs_tools import FIXTURE, hostile_view
from tests.site.sitetools import ATTACKS, make_project


class _Document(HTMLParser):
    """Every tag, attribute and URL of a document, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


# What a card may contain: nothing that runs, loads or embeds.
CARD_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "nav",
    "ol", "ul", "li", "a", "span", "main", "article", "code", "div", "strong", "pre", "br",
    "figure", "svg", "path", "footer",
}  # fmt: skip


def _parse(text: str) -> _Document:
    doc = _Document()
    doc.feed(text)
    doc.close()
    return doc


def _copy_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def test_card_writes_one_self_contained_file(tmp_path: Path) -> None:
    root = _copy_fixture(tmp_path)
    result = run_cli("card", "tea-timer", "-o", "out/tea.html", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote out/tea.html: 1 card, ")
    text = (root / "out" / "tea.html").read_text(encoding="utf-8")
    doc = _parse(text)
    assert set(doc.tags) <= CARD_TAGS, set(doc.tags) - CARD_TAGS
    assert "script" not in doc.tags and "link" not in doc.tags and "img" not in doc.tags
    # Links go to the web (http/https), a phone (tel:) or the messaging app (sms:), or to a
    # card in the file; nothing is loaded (no src, no url() in the stylesheet).
    hrefs = [v for tag, name, v in doc.attrs if name == "href"]
    assert all(re.match(r"(https://|tel:\+\d+$|sms:\?body=|#card-)", h) for h in hrefs), hrefs
    assert not [a for a in doc.attrs if a[1] in {"src", "srcset", "action", "background"}]
    assert "url(" not in text and "@import" not in text
    assert "default-src 'none'" in text
    # The table of contents links to the card; one QR code, as the site-url is set.
    assert '<a href="#card-tea-timer">Tea timer</a>' in text
    assert text.count("<svg") == 1
    assert ["tmp" for p in (root / "out").iterdir() if p.name != "tea.html"] == []


def test_card_all_and_several_features(tmp_path: Path) -> None:
    root = _copy_fixture(tmp_path)
    second = (root / "runbooks" / "tea-timer.yaml").read_text(encoding="utf-8")
    second = second.replace("id: tea-timer", "id: milk-frother").replace(
        "title: Tea timer", "title: Milk frother"
    )
    second = second.replace("brew.tea_timer", "brew.frother")
    (root / "runbooks" / "milk-frother.yaml").write_text(second, encoding="utf-8")
    result = run_cli("card", "--all", cwd=root)
    assert result.returncode == 0, result.stderr
    text = (root / "rollback-cards.html").read_text(encoding="utf-8")
    toc = re.findall(r'<li><a href="#card-([a-z-]+)">', text)
    assert toc == ["milk-frother", "tea-timer"]
    assert text.count('<article class="card"') == 2
    two = run_cli("card", "brew.tea_timer", "Milk frother", "-o", "two.html", cwd=root)
    assert two.returncode == 0, two.stderr
    toc = re.findall(r'<li><a href="#card-([a-z-]+)">', (root / "two.html").read_text())
    assert toc == ["tea-timer", "milk-frother"]  # in the order asked


def test_card_usage_errors(tmp_path: Path) -> None:
    root = _copy_fixture(tmp_path)
    none = run_cli("card", cwd=root)
    assert none.returncode == 2 and "name at least one FEATURE" in none.stderr
    both = run_cli("card", "tea-timer", "--all", cwd=root)
    assert both.returncode == 2 and "not both" in both.stderr
    missing = run_cli("card", "tea-timr", cwd=root)
    assert missing.returncode == 2 and "did you mean: tea-timer" in missing.stderr
    folder = run_cli("card", "tea-timer", "-o", "runbooks", cwd=root)
    assert folder.returncode == 2 and "is a folder" in folder.stderr
    assert not (root / "rollback-cards.html").exists()


def test_card_never_overwrites_a_file_it_did_not_write(tmp_path: Path) -> None:
    root = _copy_fixture(tmp_path)
    notes = root / "notes.html"
    notes.write_text("<p>my own notes</p>\n", encoding="utf-8")
    refused = run_cli("card", "tea-timer", "-o", "notes.html", cwd=root)
    assert refused.returncode == 2
    assert "was not written by `rollbook card`" in refused.stderr and "--force" in refused.stderr
    assert notes.read_text(encoding="utf-8") == "<p>my own notes</p>\n"
    # Its own file it replaces (a newer card); another file only with --force.
    first = run_cli("card", "tea-timer", "-o", "cards.html", cwd=root)
    again = run_cli("card", "tea-timer", "-o", "cards.html", cwd=root)
    assert first.returncode == 0 and again.returncode == 0, again.stderr
    forced = run_cli("card", "tea-timer", "-o", "notes.html", "--force", cwd=root)
    assert forced.returncode == 0, forced.stderr
    assert "Tea timer" in notes.read_text(encoding="utf-8")
    assert sorted(p.name for p in root.glob("*.html")) == ["cards.html", "notes.html"]


def test_a_hostile_project_gives_cards_with_nothing_active(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", hostile=True)
    result = run_cli("card", "--all", "-o", "cards.html", cwd=root)
    assert result.returncode == 0, result.stderr
    text = (root / "cards.html").read_text(encoding="utf-8")
    doc = _parse(text)
    assert set(doc.tags) <= CARD_TAGS, set(doc.tags) - CARD_TAGS
    assert doc.tags.count("style") == 1 and doc.tags.count("title") == 1
    assert not [a for a in doc.attrs if a[1].startswith("on")]
    for _, name, value in doc.attrs:
        if name == "href":
            assert re.match(r"(https?://|tel:|sms:\?body=[A-Za-z0-9._~%-]*$|#card-)", value)
    # Every attack is shown as text: the reader sees what the runbook says.
    shown = html.unescape("".join(doc.text))
    for attack in ATTACKS:
        assert attack[:20] in shown, attack
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in text


@pytest.mark.parametrize("attack", ATTACKS)
def test_every_field_of_a_card_is_escaped(attack: str) -> None:
    view = hostile_view([attack])
    text = render_cards([view], title=f"cards {attack}", built_text=attack)
    doc = _parse(text)
    assert set(doc.tags) <= CARD_TAGS, (attack, set(doc.tags) - CARD_TAGS)
    assert not [a for a in doc.attrs if a[1].startswith("on")], attack
    assert doc.tags.count("a") == len([a for a in doc.attrs if a[1] == "href"])
