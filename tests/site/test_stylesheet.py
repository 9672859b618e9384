"""The site's one stylesheet: Material's CSS without what no page can show, then rollbook's.

A page is drawn only once its stylesheets have arrived; these tests check that a page waits
for one small file, and that cutting Material's CSS down never drops a rule a page uses.
How the pages look with it is compared with Material's whole CSS in test_site_browser.py.
"""

from __future__ import annotations

import contextlib
import gzip
import re
from pathlib import Path

import pytest

from rollbook.site import stylesheet
from rollbook.site.mkdocs_driver import make_theme_dir as _make_theme_dir
from rollbook.site.stylesheet import Classes, prune
from tests.site.sitetools import build_project, make_project


def _classes(*names: str, prefixes: tuple[str, ...] = ()) -> Classes:
    return Classes(set(names), set(prefixes))


def test_rules_for_classes_no_page_has_are_dropped() -> None:
    css = ".a{color:red}.b{color:blue}.a .b{margin:0}.a,.c{padding:0}p{x:1}"
    assert prune(css, _classes("a")) == ".a{color:red}.a{padding:0}p{x:1}"


def test_classes_that_need_not_be_there_do_not_decide() -> None:
    # :not() holds when the class is absent; :is()/:where() need only one of theirs; an
    # attribute value is not a class.
    css = ".a:not(.z){x:1}.a:is(.z,.y){x:2}[class*=.z]{x:3}.z::before{x:4}"
    assert prune(css, _classes("a")) == ".a:not(.z){x:1}.a:is(.z,.y){x:2}[class*=.z]{x:3}"


def test_expression_classes_keep_their_prefix() -> None:
    css = ".rb-risk--high{x:1}.rb-riskier{x:2}"
    assert prune(css, _classes(prefixes=("rb-risk--",))) == ".rb-risk--high{x:1}"


def test_groups_properties_and_keyframes_nobody_uses_go() -> None:
    css = (
        ":root{--used:1px;--unused:url('data:image/svg+xml;a;b');--chain:2px;--via:var(--chain)}"
        "@media screen{.gone{x:1}.kept{width:var(--used)}}"
        "@media print{.gone{x:1}}"
        "@keyframes spin{to{x:1}}@keyframes fade{to{x:2}}.kept{animation:fade 1s}"
    )
    out = prune(css, _classes("kept"), other_css=".x{margin:var(--via)}")
    assert out == (
        ":root{--used:1px;--chain:2px;--via:var(--chain)}"
        "@media screen{.kept{width:var(--used)}}"
        "@keyframes fade{to{x:2}}.kept{animation:fade 1s}"
    )


def test_only_the_configured_colours_are_kept() -> None:
    css = (
        "[data-md-color-primary=indigo]{x:1}[data-md-color-primary=red]{x:2}"
        "[data-md-color-accent=red]{x:3}[data-md-color-scheme=slate]{x:4}"
    )
    colours = {"primary": {"indigo"}, "accent": {"red"}}
    assert prune(css, _classes(), colours) == (
        "[data-md-color-primary=indigo]{x:1}[data-md-color-accent=red]{x:3}"
        "[data-md-color-scheme=slate]{x:4}"
    )


@pytest.mark.parametrize(
    "broken",
    [
        ".x{content:'unterminated}",
        '.x{content:"a\nb"}',  # a string broken by a new line
        ".x{color:red}}.y{color:blue}",  # a stray brace
        ".x{width:calc(1px + 2px))}",  # a stray parenthesis
        ".x{background:url(a b.png)}",  # a space in an unquoted url
        "@media screen{--x:1px;.x{color:red}}",  # a declaration outside any rule
        "@media screen and (min-width:1px)){.x{color:red}}",  # in a group's condition
        # Not an error, but groups nested deeper than the pruning can follow.
        "@media screen{" * 1500 + ".x{color:red}" + "}" * 1500,
    ],
    ids=[
        "unterminated",
        "bad-string",
        "brace",
        "parenthesis",
        "bad-url",
        "loose",
        "condition",
        "deep",
    ],
)
def test_css_with_a_syntax_error_keeps_material_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    # A browser drops what holds a syntax error; CSS written back from what the parser read
    # might not drop the same, so Material's stylesheet is kept as it is: larger, not wrong.
    main = tmp_path / "main.0.min.css"
    monkeypatch.setattr(
        stylesheet,
        "material_file",
        lambda folder, pattern: main if pattern.startswith("main") else None,
    )
    material = ".md-typeset{color:red}.md-unused{color:red}"
    with contextlib.nullcontext(_make_theme_dir(None, tmp_path / "theme")) as theme:
        main.write_text(material + broken, encoding="utf-8")
        css = stylesheet.site_stylesheet(
            ".rb{x:1}", theme_dir=theme, page_dirs=[], scripts=[], palette=None
        )
        assert css == f'@charset "UTF-8";\n{material}{broken}\n.rb{{x:1}}'
        # Without the error, the same stylesheet is cut down.
        main.write_text(material, encoding="utf-8")
        css = stylesheet.site_stylesheet(
            ".rb{x:1}", theme_dir=theme, page_dirs=[], scripts=[], palette=None
        )
        assert css == '@charset "UTF-8";\n.md-typeset{color:red}\n.rb{x:1}'


def test_css_is_read_as_a_browser_reads_it() -> None:
    # Escaped characters in class names; braces, commas and comment marks in strings; a
    # block left open at the end (a browser closes it there).
    css = (
        ".md\\:hidden{x:1}.a\\,b{x:2}"
        '.a::before{content:"}/*,.gone{"}'
        ".a,.gone{y:1}/* .gone{x:1} */.b{z:1"
    )
    assert prune(css, _classes("md:hidden", "a,b", "a", "b")) == (
        '.md\\:hidden{x:1}.a\\,b{x:2}.a::before{content:"}/*,.gone{"}.a{y:1}.b{z:1}'
    )


def test_a_group_keeps_only_what_pages_can_match() -> None:
    css = (
        "@media screen{@supports (gap:1px){.a{x:1}.gone{x:2}}.gone{x:3}}"
        "@media print{@supports (gap:1px){.gone{x:1}}}"
        "@layer base{.a{x:4}}@layer base,other;"
    )
    assert prune(css, _classes("a")) == (
        "@media screen{@supports (gap:1px){.a{x:1}}}@layer base{.a{x:4}}@layer base,other;"
    )


def test_custom_properties_are_followed_through_fallbacks_and_animations() -> None:
    css = (
        ":root{--a:1px;--b:2px;--c:var(--d);--d:3px;--e:fade 1s;--f:x}"
        ".kept{margin:var(--a,var(--b));animation:var(--e);--own:1px}"
        "@keyframes fade{to{x:1}}@keyframes gone{to{x:1}}"
        ".gone{padding:var(--f);animation:gone 1s}"
    )
    assert prune(css, _classes("kept")) == (
        ":root{--a:1px;--b:2px;--e:fade 1s}.kept{margin:var(--a,var(--b));animation:var(--e)}"
        "@keyframes fade{to{x:1}}"
    )


def test_a_class_made_by_an_expression_alone_keeps_everything(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    theme = _make_theme_dir(None, tmp_path / "theme")
    (pages / "x.html").write_text('<p class="{{ kind }}">x</p>', encoding="utf-8")
    assert stylesheet.used_classes(theme, [pages], []) is None
    (pages / "x.html").write_text(
        '<p class="rb-a rb-b--{{ kind }}{% if x %} md-typeset{% endif %}">x</p>',
        encoding="utf-8",
    )
    classes = stylesheet.used_classes(theme, [pages], ['x.classList.add("md-dialog")'])
    assert classes is not None
    assert all(c in classes for c in ("rb-a", "rb-b--high", "md-typeset", "md-dialog"))
    # Material's chrome that rollbook's theme replaces (navigation, tabs) is not rendered.
    assert "md-nav" not in classes and "md-tabs" not in classes


def test_each_page_waits_for_one_small_stylesheet(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_project(make_project(tmp_path / "project"), out)
    for page in ("index.html", "runbooks/saved-search-alerts/index.html"):
        head = (out / page).read_text(encoding="utf-8").split("</head>")[0]
        blocking = [
            link
            for link in re.findall(r"<link [^>]*rel=\"stylesheet\"[^>]*>", head)
            if "media=" not in link or 'media="all"' in link
        ]
        assert len(blocking) == 1 and "assets/rollbook/site.css" in blocking[0], page
    css = (out / "assets" / "rollbook" / "site.css").read_bytes()
    # Material's own stylesheets alone are over 24 KB compressed.
    assert len(gzip.compress(css)) < 15_000
    text = css.decode("utf-8")
    assert ".md-search__input" in text and ".md-typeset" in text and ".rb-step" in text
    assert not re.search(r"\.(md-nav__title|md-sidebar|md-tabs|admonition)\b", text)
