"""The offline cards in a real browser (Debian chromium via Playwright) at a phone's size, with
the network blocked: nothing requested, nothing scrolls sideways, every step there, the QR
codes lead to the pages, one card per printed page; and the site's copy after going offline.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollbook.render.card import render_cards
from rollbook.render.views import RollbackView
from tests.conftest import REPO
from tests.outputs.outputs_tools import demo_views
from tests.site.sitetools import build_project, serve_folder
from tests.site.test_site_browser import ARGS, CHROMIUM, _wait_for_precache

playwright_api = pytest.importorskip("playwright.sync_api")
zxingcpp = pytest.importorskip("zxingcpp", reason="pip install zxing-cpp (a test extra)")
Image = pytest.importorskip("PIL.Image", reason="pip install pillow (a test extra)")

PHONE = {"width": 390, "height": 844}
SITE_URL = "https://runbooks.example.com/"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[RollbackView]]:
    views = demo_views(SITE_URL)
    path = tmp_path_factory.mktemp("cards") / "rollback-cards.html"
    path.write_text(render_cards(views, title="Demo cards"), encoding="utf-8")
    return path, views


@pytest.fixture
def offline_phone(browser: object) -> Iterator[tuple[object, list[str]]]:
    """A phone-sized page whose every request is recorded, and refused but the file's own."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=3)
    seen: list[str] = []

    def route(r: object) -> None:
        seen.append(r.request.url)
        if r.request.url.startswith("file://") and r.request.resource_type == "document":
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    context.on("request", lambda request: seen.append(request.url))
    yield context, seen
    context.close()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_cards_request_nothing_fit_the_phone_and_hold_every_step(
    offline_phone: tuple[object, list[str]], cards: tuple[Path, list[RollbackView]]
) -> None:
    context, seen = offline_phone
    path, views = cards
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert set(seen) == {path.as_uri()}, seen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for width in (360, 320):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    text = _flat(page.inner_text("body"))
    for view in views:
        assert f"Roll back: {view.title}" in text
        for step in view.steps:
            assert _flat(step.do) in text, (view.id, step.n)
    # The table of contents leads to each card.
    assert page.locator("nav[aria-label=Contents] a").count() == len(views)
    page.locator("nav[aria-label=Contents] a").nth(len(views) - 1).click()
    last = page.locator(f"#card-{views[-1].id}")
    assert last.is_visible() and last.bounding_box()["y"] < 50
    assert set(seen) == {path.as_uri()}, seen


def test_each_qr_code_decodes_to_its_page(
    offline_phone: tuple[object, list[str]], cards: tuple[Path, list[RollbackView]]
) -> None:
    context, _ = offline_phone
    path, views = cards
    page = context.new_page()
    page.goto(path.as_uri())
    for view in views:
        figure = page.locator(f"#card-{view.id} figure")
        assert figure.get_attribute("aria-label") == f"QR code of the page {view.page_url}"
        figure.scroll_into_view_if_needed()
        shot = Image.open(io.BytesIO(figure.screenshot()))
        found = zxingcpp.read_barcodes(shot)
        assert [code.text for code in found] == [view.page_url], view.id


def test_cards_print_one_per_page(browser: object, cards: tuple[Path, list[RollbackView]]) -> None:
    path, views = cards
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        page.emulate_media(media="print")
        breaks = page.evaluate(
            "[...document.querySelectorAll('article.card')]"
            ".map(e => getComputedStyle(e).breakBefore)"
        )
        assert breaks == ["page"] * len(views)
        pdf = page.pdf(format="A4")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages >= len(views) + 1  # the contents, then at least a page per card
    finally:
        context.close()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("demo") / "site"
    build_project(REPO, out)
    with serve_folder(out) as url:
        yield url


def test_the_site_offers_the_cards_and_keeps_them_offline(browser: object, demo_site: str) -> None:
    context = browser.new_context(viewport=PHONE, service_workers="allow")
    try:
        page = context.new_page()
        page.goto(demo_site)
        link = page.get_by_role("link", name="Download the rollback cards")
        assert link.get_attribute("href") == "rollback-cards.html"
        assert page.get_by_role("heading", name="Save before you go offline").is_visible()
        manifest = json.loads(page.evaluate("fetch('precache.json').then(r => r.text())"))
        assert manifest["pages"][0] == "rollback-cards.html"
        _wait_for_precache(page)
        context.set_offline(True)
        page.goto(demo_site + "rollback-cards.html")
        assert page.get_by_role("heading", name="Roll back: One-click checkout").is_visible()
        # The runbook page's "Send these steps" link opens the messaging app with the text.
        page.goto(demo_site + "runbooks/one-click-checkout/")
        send = page.get_by_role("link", name="Send these steps")
        assert send.get_attribute("href").startswith("sms:?body=ROLL%20BACK%20One-click")
    finally:
        context.set_offline(False)
        context.close()
