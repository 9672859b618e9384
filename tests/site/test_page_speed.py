"""What makes the first paint fast must not change what a reader sees or can do.

The site's stylesheet is Material's CSS cut down (rollbook.site.stylesheet): a page must look
the same, pixel for pixel, as with Material's whole CSS. Material's page script is loaded
only when the reader reaches for search (rollbook.js): a page load must not fetch it, and
search must work the moment it is wanted, from a tap or from the keyboard.
"""

from __future__ import annotations

import urllib.request

import pytest

from rollbook.site.mkdocs_driver import material_file

browser_tests = pytest.importorskip("tests.site.test_site_browser")
browser = browser_tests.browser
demo = browser_tests.demo


@pytest.fixture(scope="module")
def whole_css(demo: tuple[str, dict]) -> str:
    """Material's two stylesheets, whole, and rollbook's: what pages linked before."""
    url, _ = demo
    css = "".join(
        path.read_text("utf-8")
        for path in (
            material_file("stylesheets", "main.*.min.css"),
            material_file("stylesheets", "palette.*.min.css"),
        )
    )
    with urllib.request.urlopen(url + "assets/rollbook/rollbook.css") as response:
        return css + "\n" + response.read().decode("utf-8")


# Ends CSS transitions before a screenshot. The search field's placeholder fades its colour
# over 0.25 s; on a busy machine a screenshot could catch it midway, and two screenshots of
# the same page, with the same stylesheet, then differ.
NO_TRANSITIONS = "*, *::before, *::after, *::placeholder { transition: none !important; }"


def _context(browser: object, whole_css: str | None, **options: object) -> object:
    """A browser context; with ``whole_css``, pages get it in place of the site's cut one.
    Either way without transitions (a rule added at the end; pages may run no script)."""
    context = browser.new_context(service_workers="block", **options)

    def stylesheet(route: object) -> None:
        css = whole_css if whole_css is not None else route.fetch().text()
        route.fulfill(body=css + "\n" + NO_TRANSITIONS, content_type="text/css")

    context.route("**/assets/rollbook/site.css", stylesheet)
    return context


@pytest.mark.parametrize(
    "options",
    [
        {"viewport": browser_tests.PHONE},
        {"viewport": browser_tests.PHONE, "color_scheme": "dark"},
        {"viewport": browser_tests.PHONE, "color_scheme": "dark", "java_script_enabled": False},
        {"viewport": {"width": 1280, "height": 900}},
    ],
    ids=["phone", "dark", "dark-no-js", "desktop"],
)
def test_pages_look_the_same_as_with_materials_whole_css(
    browser: object, demo: tuple[str, dict], whole_css: str, options: dict
) -> None:
    url, facts = demo
    paths = ["", f"runbooks/{facts['first'].id}/", "teams/", "rules/"]
    shots: dict[str, list[bytes]] = {}
    for css in (None, whole_css):
        context = _context(browser, css, **options)
        page = context.new_page()
        for path in paths:
            page.goto(url + path)
            page.wait_for_load_state("load")
            page.wait_for_timeout(100)
            shots.setdefault(path, []).append(
                page.screenshot(full_page=True, animations="disabled")
            )
        context.close()
    different = [path or "home" for path, (cut, whole) in shots.items() if cut != whole]
    assert different == []


def test_search_results_look_the_same_as_with_materials_whole_css(
    browser: object, demo: tuple[str, dict], whole_css: str
) -> None:
    url, facts = demo
    shots = []
    for css in (None, whole_css):
        context = _context(browser, css, viewport=browser_tests.PHONE)
        page = context.new_page()
        page.goto(url + f"runbooks/{facts['first'].id}/")
        browser_tests._search(page, "checkout").first.wait_for(timeout=10_000)
        page.wait_for_timeout(500)
        shots.append(page.screenshot(animations="disabled"))
        context.close()
    assert shots[0] == shots[1]


def test_page_load_fetches_no_material_script(browser: object, demo: tuple[str, dict]) -> None:
    url, facts = demo
    context = browser.new_context(viewport=browser_tests.PHONE, service_workers="block")
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    page = context.new_page()
    try:
        for path in ("", f"runbooks/{facts['first'].id}/"):
            page.goto(url + path)
            page.wait_for_load_state("networkidle")
        scripts = {u.rsplit("/", 1)[-1] for u in seen if u.endswith(".js")}
        assert scripts == {"rollbook.js"}
        # The step ticks, which the reader needs first, work without it.
        page.locator("#step-1 label").click()
        assert page.locator("#tick-1").is_checked()
        assert not any("bundle" in u for u in seen)
    finally:
        context.close()


def test_search_from_the_keyboard_before_materials_script_has_loaded(
    browser: object, demo: tuple[str, dict]
) -> None:
    url, facts = demo
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(url + f"runbooks/{facts['first'].id}/")
        page.wait_for_load_state("networkidle")
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.matches('input.md-search__input')")
        page.keyboard.type("checkout", delay=20)
        page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
        page.keyboard.press("Escape")
        assert not page.evaluate("document.getElementById('__search').checked")
    finally:
        context.close()


def test_a_search_link_opens_search(browser: object, demo: tuple[str, dict]) -> None:
    url, _ = demo
    context = browser.new_context(viewport=browser_tests.PHONE)
    page = context.new_page()
    try:
        page.goto(url + "?q=checkout")
        page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
        assert page.evaluate("document.getElementById('__search').checked")
    finally:
        context.close()
