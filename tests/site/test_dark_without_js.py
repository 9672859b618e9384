"""Dark mode follows the system even with JavaScript off (Material's switch is a script)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.site.sitetools import REPO, build_project, make_project, serve_folder

browser_tests = pytest.importorskip("tests.site.test_site_browser")
browser = browser_tests.browser
demo = browser_tests.demo

LUMINANCE = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


@pytest.mark.parametrize("javascript", [True, False])
def test_dark_system_gives_a_dark_page(browser: object, demo: tuple[str, dict], javascript):
    url, facts = demo
    pages = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(
            viewport=browser_tests.PHONE, color_scheme=scheme, java_script_enabled=javascript
        )
        try:
            page = context.new_page()
            page.goto(url + f"runbooks/{facts['first'].id}/")
            pages[scheme] = page.evaluate(LUMINANCE)
        finally:
            context.close()
    assert pages["light"] > 0.9
    assert pages["dark"] < 0.2


# A user's stylesheet (their copy of rollbook.css) with a dark rule for narrow screens only.
NARROW_DARK = """
@media (max-width: 600px) {
  [data-md-color-scheme=slate] .md-typeset h1 { color: rgb(0, 200, 0); }
}
"""


@pytest.fixture(scope="module")
def narrow_dark_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = make_project(tmp_path_factory.mktemp("narrow-dark") / "project")
    assets = project / "my-templates" / "site" / "assets"
    assets.mkdir(parents=True)
    original = (REPO / "templates" / "site" / "assets" / "rollbook.css").read_text("utf-8")
    (assets / "rollbook.css").write_text(original + NARROW_DARK, encoding="utf-8")
    config = project / "rollbook.toml"
    config.write_text('templates = "my-templates"\n' + config.read_text("utf-8"), "utf-8")
    out = project.parent / "site"
    build_project(project, out)
    with serve_folder(out) as url:
        yield url + "runbooks/saved-search-alerts/"


@pytest.mark.parametrize("javascript", [True, False])
def test_a_dark_rule_for_narrow_screens_stays_on_narrow_screens(
    browser: object, narrow_dark_site: str, javascript: bool
) -> None:
    colours = {}
    for width in (390, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800},
            color_scheme="dark",
            java_script_enabled=javascript,
        )
        try:
            page = context.new_page()
            page.goto(narrow_dark_site)
            colours[width] = page.evaluate(
                "getComputedStyle(document.querySelector('.md-typeset h1')).color"
            )
        finally:
            context.close()
    assert colours[390] == "rgb(0, 200, 0)"
    assert colours[1280] != "rgb(0, 200, 0)"


TEXT_LUMINANCE = """() => {
  const colour = getComputedStyle(document.querySelector('.md-typeset')).color;
  const [r, g, b] = colour.match(/[\\d.]+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


@pytest.mark.parametrize("javascript", [True, False])
def test_a_page_printed_from_a_dark_phone_has_dark_text(
    browser: object, demo: tuple[str, dict], javascript: bool
) -> None:
    # Material's dark colours are for screens only: paper stays white, so text must be dark.
    url, facts = demo
    context = browser.new_context(
        viewport=browser_tests.PHONE, color_scheme="dark", java_script_enabled=javascript
    )
    try:
        page = context.new_page()
        page.goto(url + f"runbooks/{facts['first'].id}/")
        page.emulate_media(media="print")
        assert page.evaluate(TEXT_LUMINANCE) < 0.3
    finally:
        context.close()
