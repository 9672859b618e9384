"""The finished-page check: what it refuses in the theme's part of a page, and that checking
each layout once gives every page the same verdict as checking it in full."""

from __future__ import annotations

import pytest
from markupsafe import escape

from rollbook.site.sanitize import (
    CONTENT_END,
    CONTENT_START,
    ChromeChecks,
    UnsafeOutput,
    check_page,
)

LAYOUT = (
    "<!doctype html><html><head>"
    '<meta name="description" content="{description}">'
    "<title>{title} - Runbooks</title>"
    '<script id="__config" type="application/json">{{"base": "../.."}}</script>'
    "</head><body><header><h1>{title}</h1></header>"
    + CONTENT_START
    + "<article>{content}</article>"
    + CONTENT_END
    + '<footer><a href="../../">Home</a></footer>'
    '<script src="../../assets/rollbook/rollbook.js"></script></body></html>'
)


def page(title: str, description: str = "A feature.", layout: str = LAYOUT) -> tuple[str, tuple]:
    """A page as the theme prints it (escaped), and its own strings as check_page takes them."""
    t, d = str(escape(title)), str(escape(description))
    html = layout.format(title=t, description=d, content="<p>steps</p>")
    return html, (t, d)


@pytest.mark.parametrize(
    ("insert", "found"),
    [
        ('<img src="x" onerror="alert(1)">', "event handler 'onerror'"),
        ('<a href="javascript:alert(1)">x</a>', "href='javascript:alert(1)'"),
        ('<a href="&#106;avascript:alert(1)">x</a>', "href='javascript:alert(1)'"),
        ("<script>alert(1)</script>", "unexpected inline script"),
        ('<script src="https://cdn.example.com/x.js"></script>', "script from another host"),
        ('<iframe src="https://example.com"></iframe>', "unexpected <iframe>"),
    ],
)
def test_active_markup_in_the_theme_is_refused(insert: str, found: str) -> None:
    html, own = page("Checkout")
    html = html.replace("<footer>", insert + "<footer>")
    for checks in (None, ChromeChecks()):
        with pytest.raises(UnsafeOutput, match=found.replace("(", r"\(").replace(")", r"\)")):
            check_page(html, "runbooks/x/index.html", own_text=own, checks=checks)


def test_content_markers_go_and_the_content_is_kept_as_it_is() -> None:
    html, own = page("Checkout")
    html = html.replace("<p>steps</p>", "<pre>  two\n\n    spaces</pre>")
    out = check_page(html, "x", own_text=own, checks=ChromeChecks())
    assert CONTENT_START not in out and CONTENT_END not in out
    assert "<pre>  two\n\n    spaces</pre>" in out


def test_each_layout_is_parsed_once_whatever_the_titles() -> None:
    checks = ChromeChecks()
    titles = [f'Feature {i}: Tom & Jerry\'s <b> "launch"' for i in range(200)]
    for i, title in enumerate(titles):
        html, own = page(title, description=f"Summary {i} & more.")
        check_page(html, f"runbooks/f{i}/index.html", own_text=own, checks=checks)
    assert checks.parsed == 1


def _checked_every_time(layout: str, titles: list[str]) -> int:
    checks = ChromeChecks()
    for title in titles:
        html, own = page(title, layout=layout)
        check_page(html, "x", own_text=own, checks=checks)
    return checks.parsed


@pytest.mark.parametrize(
    "layout",
    [
        # The title where any text could become a URL, a script or new attributes.
        LAYOUT.replace("<footer>", '<footer><a href="{title}">t</a>'),
        LAYOUT.replace(
            "<footer>", '<footer><script type="application/json">{{"t": "{title}"}}</script>'
        ),
        LAYOUT.replace("<footer>", "<footer><meta content={title}>"),
        LAYOUT.replace("<footer>", "<footer><!-- {title} -->"),
        LAYOUT.replace("<footer>", "<footer><{title}>"),
    ],
)
def test_layouts_where_text_is_not_harmless_are_checked_in_full(layout: str) -> None:
    # Every page parsed in full (a trusted layout would be parsed once).
    assert _checked_every_time(layout, ["one", "two", "three"]) >= 3


def test_a_page_gets_the_verdict_a_full_check_gives() -> None:
    unquoted = LAYOUT.replace("<footer>", "<footer><meta content={title}>")
    # Inert as escaped text (no < > or quotes), but it makes a handler in an unquoted value.
    html, own = page("x onmouseover=alert(1)", layout=unquoted)
    checks = ChromeChecks()
    check_page(page("harmless title", layout=unquoted)[0], "y", own_text=own, checks=checks)
    with pytest.raises(UnsafeOutput, match="onmouseover"):
        check_page(html, "x", own_text=own, checks=checks)
    tagged = LAYOUT.replace("<footer>", "<footer><{title}>")
    checks = ChromeChecks()
    check_page(page("b", layout=tagged)[0], "y", own_text=("b",), checks=checks)
    html, own = page("script", layout=tagged)
    with pytest.raises(UnsafeOutput, match="unexpected inline script"):
        check_page(html, "x", own_text=own, checks=checks)
    linked = LAYOUT.replace("<footer>", '<footer><a href="{title}">t</a>')
    checks = ChromeChecks()
    check_page(page("https://example.com", layout=linked)[0], "y", checks=checks)
    html, own = page("javascript:alert(1)", layout=linked)
    with pytest.raises(UnsafeOutput, match="javascript"):
        check_page(html, "x", own_text=own, checks=checks)
