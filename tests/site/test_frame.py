"""Pages made from one frame per shape (rollbook.site.frame) are, byte for byte, the pages
MkDocs renders one by one through the theme.

Every test builds the same project twice, without the build cache: once as rollbook builds
(frames), once with every page rendered whole through Material and rollbook's theme layer
(``mkdocs_driver.FRAMES = False``, the reference), and compares every file of the two sites.
The project's titles and descriptions are hostile (markup, quotes, ampersands, direction and
invisible characters, ``</title>``, line breaks, leading blanks); some builds have a
``site-url`` with a path, some a user's theme override that can be spliced, some one that
cannot (whose pages must then be rendered whole).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest
from sitetools import EPOCH, make_project

from rollbook.assets import builtin_templates
from rollbook.commands.build import build
from rollbook.config import load_project
from rollbook.site import frame as frame_module
from rollbook.site import mkdocs_driver
from rollbook.site.frame import FrameSet, PageText, theme_splice_problems
from rollbook.site.sanitize import UnsafeOutput

# (title, summary) of the project's extra runbooks: each a way a spliced page could differ
# from a rendered one.
HOSTILE_TEXT = [
    ("Plain title", "A plain summary."),
    ("</title><script>alert(1)</script>", 'Summary with "quotes" & <b>markup</b>.'),
    ("Ampersand & co &amp; &#60;", "Apostrophe's 'single' quotes and `backticks`."),
    ("Bidi \u202eevil\u202c and \u2066isolate\u2069", "Zero\u200bwidth\u200d joiners \ufeff."),
    ("Title \ue000 private use \ue001", "Ends with an attribute start src="),
    ("  Leading blanks", "Line one\n\n    line two after a blank line"),
    ("Tab\tinside", "  leading blanks in the summary"),
    ("Ends with href=", ' x href="#nowhere" y'),
]


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def hostile_project(
    root: Path,
    *,
    site_url: str | None = None,
    texts: list[tuple[str, str]] = HOSTILE_TEXT,
    hostile: bool = True,
) -> Path:
    make_project(root, hostile=hostile)
    example = (root / "runbooks" / "saved-search-alerts.yaml").read_text(encoding="utf-8")
    head, rest = example.split("\nowner:", 1)
    assert head.splitlines()[2] == "id: saved-search-alerts"
    for i, (title, summary) in enumerate(texts):
        # JSON strings are YAML double-quoted strings: every character arrives as written.
        fields = {"id": f"frame-{i:02d}", "title": title, "summary": summary}
        head_lines = head.splitlines()[:2] + [f"{k}: {json.dumps(v)}" for k, v in fields.items()]
        (root / "runbooks" / f"frame-{i:02d}.yaml").write_text(
            "\n".join(head_lines) + "\nowner:" + rest, encoding="utf-8"
        )
    if site_url:
        config = root / "rollbook.toml"
        config.write_text(
            f'site-url = "{site_url}"\n' + config.read_text(encoding="utf-8"), encoding="utf-8"
        )
    return root


def use_templates(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / "my-templates" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    config = root / "rollbook.toml"
    config.write_text(
        'templates = "my-templates"\n' + config.read_text(encoding="utf-8"), encoding="utf-8"
    )


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


class Counting(FrameSet):
    """A frame set that remembers how it made its pages (every one the build created)."""

    made: ClassVar[list[Counting]] = []

    def __init__(self) -> None:
        super().__init__()
        Counting.made.append(self)


def build_both(root: Path, tmp_path: Path, monkeypatch) -> tuple[dict, dict, list[FrameSet]]:
    """The site as built with frames and as rendered page by page; the frame sets used."""
    monkeypatch.setattr(mkdocs_driver, "FrameSet", Counting)
    Counting.made = []
    framed = build(load_project(root), tmp_path / "framed", cache=False, keep_going=True)
    assert framed.report.pages > 10
    used = list(Counting.made)
    monkeypatch.setattr(mkdocs_driver, "FRAMES", False)
    Counting.made = []
    build(load_project(root), tmp_path / "whole", cache=False, keep_going=True)
    assert Counting.made == []  # the reference renders every page whole
    return tree(tmp_path / "framed"), tree(tmp_path / "whole"), used


def assert_same_sites(framed: dict, whole: dict) -> None:
    assert sorted(framed) == sorted(whole)
    differ = [name for name in whole if framed[name] != whole[name]]
    assert differ == []


@pytest.fixture
def jobs_one(monkeypatch):
    # One process, so that the frame sets counted are all of the build's.
    monkeypatch.setenv("ROLLBOOK_JOBS", "1")


@pytest.mark.parametrize("site_url", [None, "https://runbooks.example.com/ops/site/"])
def test_spliced_pages_are_the_rendered_pages(tmp_path, monkeypatch, jobs_one, site_url):
    root = hostile_project(tmp_path / "project", site_url=site_url)
    framed, whole, used = build_both(root, tmp_path, monkeypatch)
    assert_same_sites(framed, whole)
    page = whole["runbooks/frame-01/index.html"].decode()
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; - " in page
    if site_url:
        assert (
            '<link rel="canonical" href="https://runbooks.example.com/ops/site/runbooks/frame-01/">'
            in page
        )
    # The frames did the work: far fewer theme renders than pages, none rendered whole.
    (frames,) = used
    pages = sum(1 for name in framed if name.endswith("index.html"))
    assert frames.whole == 0
    assert frames.rendered < pages / 2


def test_spliceable_user_theme_is_spliced(tmp_path, monkeypatch, jobs_one):
    root = hostile_project(tmp_path / "project", site_url="https://h.example/a%20b/")
    main = (builtin_templates() / "site" / "theme" / "main.html").read_text(encoding="utf-8")
    main = main.replace(
        "{% block tabs %}{% endblock %}",
        '{% block tabs %}<p class="mine" title="{{ meta.rb_title | e }}">'
        "{{ config.site_name | e }}: {{ meta.rb_description | e }} "
        "<a href=\"{{ 'teams/' | url }}\">teams</a></p>{% endblock %}",
    )
    use_templates(root, {"site/theme/main.html": main})
    assert theme_splice_problems(root / "my-templates" / "site" / "theme") == []
    framed, whole, used = build_both(root, tmp_path, monkeypatch)
    assert_same_sites(framed, whole)
    assert '<p class="mine" title="Plain title">' in framed["runbooks/frame-00/index.html"].decode()
    assert used[0].whole == 0


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ("<p>{{ page.url }}</p>", "`page.url`"),
        (
            "{% if page and page.file.src_uri.startswith('runbooks/frame-0') %}<p>x</p>{% endif %}",
            "`page.file`",
        ),
        ("<p>{{ nav | length }}</p>", "`nav`"),
        ("{% set p = page %}<p>{{ p.abs_url if p }}</p>", "`page` itself"),
    ],
)
def test_user_theme_that_depends_on_the_page_renders_every_page(
    tmp_path, monkeypatch, jobs_one, block, problem
):
    root = hostile_project(tmp_path / "project")
    main = (builtin_templates() / "site" / "theme" / "main.html").read_text(encoding="utf-8")
    main = main.replace(
        "{% block tabs %}{% endblock %}", "{% block tabs %}" + block + "{% endblock %}"
    )
    use_templates(root, {"site/theme/main.html": main})
    problems = theme_splice_problems(root / "my-templates" / "site" / "theme")
    assert any(problem in p for p in problems), problems
    framed, whole, used = build_both(root, tmp_path, monkeypatch)
    assert used == []  # no frames at all: every page rendered whole
    assert_same_sites(framed, whole)


@pytest.mark.parametrize(
    "block",
    [
        # The fields printed other than as the theme layer prints them: the comparison with
        # hostile text made when the frame is made finds each.
        "<p>{{ meta.rb_title }}</p>",
        "<p>{{ meta.rb_title | upper | e }}</p>",
        "<p>{{ meta.rb_description | truncate(12) | e }}</p>",
        "<p>{{ page.content | striptags | truncate(30) }}</p>",
        "<p>{{ page.canonical_url | replace('/', ' / ') | e }}</p>",
        "<p>{{ meta.rb_title | length }}</p>",
    ],
)
def test_fields_used_in_other_ways_are_not_spliced(tmp_path, monkeypatch, jobs_one, block):
    # Titles without markup: pages that print them raw still pass the page check.
    texts = [("Ampersand & co &amp; &#60;", 'Apostrophe\'s "quotes" & more.'), ("Plain", "Plain.")]
    root = hostile_project(
        tmp_path / "project", site_url="https://h.example/", texts=texts, hostile=False
    )
    main = (builtin_templates() / "site" / "theme" / "main.html").read_text(encoding="utf-8")
    main = main.replace(
        "{% block tabs %}{% endblock %}", "{% block tabs %}" + block + "{% endblock %}"
    )
    use_templates(root, {"site/theme/main.html": main})
    monkeypatch.setattr(mkdocs_driver, "FrameSet", Counting)
    Counting.made = []
    try:
        framed = tree_or_error(root, tmp_path / "framed")
        used = list(Counting.made)
        monkeypatch.setattr(mkdocs_driver, "FRAMES", False)
        whole = tree_or_error(root, tmp_path / "whole")
    finally:
        Counting.made = []
    assert isinstance(framed, dict), framed
    assert_same_sites(framed, whole)  # type: ignore[arg-type]
    (frames,) = used
    assert frames.whole > 0  # the frames that differ were not used


def tree_or_error(root: Path, out: Path) -> dict | str:
    from rollbook.site.errors import SiteBuildError

    try:
        build(load_project(root), out, cache=False, keep_going=True)
    except SiteBuildError as exc:
        return str(exc)
    return tree(out)


# --- FrameSet on its own, with a stand-in for the theme render ------------------------------


def theme(fields, *, address: str = "", escape_title: bool = True) -> str:
    from markupsafe import escape

    title = escape(fields["title"]) if escape_title else fields["title"]
    canonical = (
        f'<link rel="canonical" href="{escape(fields["canonical"])}">'
        if fields["canonical"] is not None
        else ""
    )
    return (
        f"<!doctype html>\n<html>\n  <head>\n    <title>{title} - Site</title>\n    {canonical}\n"
        f'    <meta name="description" content="{escape(fields["description"] or "Site")}">\n'
        f"  </head>\n  <body>{address}\n    <main>{fields['content']}</main>\n"
        f'    <a href="../../teams/">Teams</a>\n  </body>\n</html>\n'
    )


def text(title: str, description: str = "d", canonical: str | None = None) -> PageText:
    return PageText(title, description, canonical, '<p><a href="#x" id="x">x</a></p>')


def test_frame_set_splices_what_the_template_renders():
    frames = FrameSet()
    pages = [
        text("One"),
        text("Two <&>\"'"),
        text("Three \u202e", "desc\nwith a break"),
        text("  four"),
        text("Five", "", None),
    ]
    for page in pages:
        got = frames.finish(("k", bool(page.raw_description)), page, "a/b/index.html", theme)
        want = frame_module.check_page(
            theme(page.fields()),
            "a/b/index.html",
            own_text=tuple(v for v in (page.title, page.description) if v),
            content=page.content,
        )
        assert got == (want, frame_module.page_links(want, "a/b/index.html"))
    assert frames.whole == 0
    # Two shapes (with and without a description): each rendered for its frame, compared with
    # hostile text, and compared with its second page; then spliced.
    assert frames.rendered == 5


def test_frame_set_renders_whole_when_the_page_shows_more_than_its_fields():
    frames = FrameSet()
    for n, name in enumerate(["one", "two", "three"]):
        page = text(name)
        got, _ = frames.finish(
            "k", page, "a/b/index.html", lambda f, n=n: theme(f, address=f"<p>page {n}</p>")
        )
        assert f"<p>page {n}</p>" in got
    assert frames.whole == 2  # the second page showed the frame is not the page's


def test_frame_set_does_not_splice_a_title_printed_raw():
    frames = FrameSet()
    page = text("Plain")
    got, _ = frames.finish("k", page, "a/b/index.html", lambda f: theme(f, escape_title=False))
    assert frames.frames["k"] is None and frames.whole == 1
    assert "<title>Plain - Site</title>" in got
    with pytest.raises(UnsafeOutput):
        frames.finish(
            "k",
            text("<script>alert(1)</script>"),
            "a/b/index.html",
            lambda f: theme(f, escape_title=False),
        )


@pytest.mark.parametrize(
    "canonical", ["javascript:alert(1)//", "data:text/html,x", " javascript:x", "vbscript:x"]
)
def test_canonical_url_that_is_no_link_is_refused_as_before(canonical):
    frames = FrameSet()
    frames.finish("k", text("Fine", canonical="https://ok.example/"), "a/b/index.html", theme)
    with pytest.raises(UnsafeOutput, match="link"):
        frames.finish("k", text("Fine", canonical=canonical), "a/b/index.html", theme)


def test_frame_context_finishes_pages_as_the_build_wrote_them(tmp_path, monkeypatch, jobs_one):
    # What an incremental build can use to finish one changed page without MkDocs.
    root = hostile_project(tmp_path / "project", site_url="https://h.example/docs/")
    seen: dict = {}
    real = mkdocs_driver.build

    def spy(pages, assets, options, *, site, scratch, cache_use=None):
        seen["pages"], seen["use"] = pages, cache_use
        return real(pages, assets, options, site=site, scratch=scratch, cache_use=cache_use)

    monkeypatch.setattr(mkdocs_driver, "build", spy)
    build(load_project(root), tmp_path / "site", cache=False, keep_going=True)
    context = seen["use"].frames
    finished = set()
    for page in seen["pages"]:
        got = context.finish(page)
        if got is None:
            continue
        dest, html, links = got
        written = (tmp_path / "site" / dest).read_bytes()
        assert written == html.encode("utf-8", errors="xmlcharrefreplace"), dest
        assert links[1] == ()  # no broken fragment links: the build's link check agreed
        finished.add(page.kind)
    # Every kind of page with more than one of its shape: runbooks, teams, tags, rules.
    assert {"runbook", "team", "rule"} <= finished


# --- The link check reads tags, not text -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'a summary saying src="nowhere/x.png" in words',
        'ends with href="#no-such-id"',
        "attribute start at the end src=",
        'quoted &quot; href="../../../../up" &quot;',
        'an id="ghost" in text, then <a href="#ghost">a link</a>',
    ],
)
def test_text_that_looks_like_an_attribute_is_no_link(text):
    from rollbook.site.links import page_links

    page = f'<p class="rb-text">{text}</p><a href="../teams/">Teams</a><meta content="{text[:5]}">'
    needed, problems = page_links(page, "runbooks/x/index.html")
    if "ghost" in text:
        # The real link to #ghost is checked, and the id in text does not count.
        assert problems == ("runbooks/x/index.html: #ghost (no such id on the page)",)
    else:
        assert problems == ()
    assert needed == (("runbooks/teams/index.html", "../teams/"),)


@pytest.mark.parametrize(
    ("tag", "target"),
    [
        ('<a title="a>b" href="../../assets/x.css">', "assets/x.css"),
        ("<img src='../../img/a.png' alt=''>", "img/a.png"),
        ("<a href=../../y/>", "y/index.html"),
        ('<A HREF="../../z/">', "z/index.html"),
    ],
)
def test_links_in_any_attribute_form_are_found(tag, target):
    from rollbook.site.links import page_links

    needed, _ = page_links(f"<p>{tag}</p>", "runbooks/x/index.html")
    assert [n for n, _ in needed] == [target]
