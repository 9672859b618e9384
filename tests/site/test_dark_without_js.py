"""Dark mode follows the system even with JavaScript off (Material's switch is a script)."""

from __future__ import annotations

import pytest

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
