"""The built site in a real browser (Debian chromium via Playwright) at a phone's size.

The demo site is the repository's own runbooks (what `make demo` builds); the attack
fixture is a separate `rollbook init` project with a hostile runbook added.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from rollbook.commands.build import build
from rollbook.commands.publish import with_site_url
from rollbook.config import load_project
from tests.site.sitetools import (
    REPO,
    build_project,
    make_project,
    serve_folder,
    serve_folder_under,
)

CHROMIUM = os.environ.get("ROLLBOOK_CHROMIUM", "/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
if not Path(CHROMIUM).exists():  # pragma: no cover - `make test` installs it
    pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=["root", "subpath"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict]]:
    """The demo site served on 127.0.0.1: (base URL, facts about it for the tests).

    Served twice: at the root of its host, and under a subpath with `site-url` set to that
    address, as GitHub Pages and GitLab Pages serve a project site (``/repo/``), where any
    request outside the subpath is a 404. Every test of the site runs on both.
    """
    tmp = tmp_path_factory.mktemp("demo")
    out = tmp / "site"
    if request.param == "subpath":
        with serve_folder_under(out, "/repo/") as url:
            project = with_site_url(load_project(REPO), url)
            outcome = build(project, out)
            yield url, _facts(outcome)
        return
    outcome = build_project(REPO, out)
    with serve_folder(out) as url:
        yield url, _facts(outcome)


def _facts(outcome: object) -> dict:
    assert outcome.unreadable == 0, "the demo runbooks must all be valid"
    entries = [
        (item.runbook, item.display) for item in outcome.loaded.runbooks if item.runbook is not None
    ]
    with_steps = [rb for rb, _ in entries if rb.rollback and rb.rollback.steps]
    with_flags = [rb for rb, _ in entries if rb.flags]
    facts = {
        "first": with_steps[0],
        "other": with_steps[-1],
        "flagged": with_flags[0],
        "pages": [rb.id for rb, _ in entries],
    }
    return facts


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport=PHONE, service_workers="allow")
    yield context
    context.close()


def _no_sideways_scroll(page: object) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_no_sideways_scroll_at_390_and_360(browser: object, demo: tuple[str, dict]) -> None:
    url, facts = demo
    for width in (390, 360):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        paths = ["", "teams/", "tags/", "rules/"] + [f"runbooks/{i}/" for i in facts["pages"]]
        for path in paths:
            page.goto(url + path)
            assert _no_sideways_scroll(page), f"{path} scrolls sideways at {width}px"
        context.close()


def test_roll_back_and_first_step_in_first_screen(phone: object, demo: tuple[str, dict]) -> None:
    url, facts = demo
    page = phone.new_page()
    page.goto(url + f"runbooks/{facts['first'].id}/")
    heading = page.get_by_role("heading", name="Roll back")
    first = page.locator("#step-1 label")
    assert heading.is_visible() and first.is_visible()
    for locator in (heading, first):
        box = locator.bounding_box()
        assert box is not None and box["y"] + min(box["height"], 44) <= PHONE["height"]
    # Primary buttons are big enough to hit with a thumb.
    for button in page.locator(".rb-call .rb-btn").all():
        assert button.bounding_box()["height"] >= 44


def test_tick_persists_and_reset_clears(phone: object, demo: tuple[str, dict]) -> None:
    url, facts = demo
    page = phone.new_page()
    page.goto(url + f"runbooks/{facts['first'].id}/")
    page.locator("#step-1 label").click()
    assert page.locator("#tick-1").is_checked()
    page.reload()
    assert page.locator("#tick-1").is_checked()
    page.get_by_role("button", name="Clear ticks").click()
    assert not page.locator("#tick-1").is_checked()
    page.reload()
    assert not page.locator("#tick-1").is_checked()


def _search(page: object, query: str) -> object:
    page.locator("label.rb-search-icon").click()
    box = page.locator("input.md-search__input")
    # Material searches on key events, so type rather than fill.
    box.press_sequentially(query, delay=10)
    return page.locator(".md-search-result__item")


def test_search_finds_feature_by_flag_key(phone: object, demo: tuple[str, dict]) -> None:
    url, facts = demo
    rb = facts["flagged"]
    page = phone.new_page()
    page.goto(url)
    queries = [rb.flags[0].key, rb.id]
    queries += [s.alert for s in rb.signals if s.alert][:1]
    for query in queries:
        results = _search(page, query)
        results.first.wait_for(timeout=10_000)
        assert rb.title in results.first.inner_text(), query
        page.locator("input.md-search__input").fill("")
        page.keyboard.press("Escape")


def _wait_for_precache(page: object) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    manifest = json.loads(page.evaluate("fetch('precache.json').then(r => r.text())"))
    expected = len(manifest["core"]) + len(manifest["pages"])
    page.wait_for_function(
        """async (n) => {
             const names = await caches.keys();
             if (!names.length) return false;
             const cache = await caches.open(names[0]);
             return (await cache.keys()).length >= n;
           }""",
        arg=expected,
        timeout=30_000,
    )


def test_offline_after_one_visit(phone: object, demo: tuple[str, dict]) -> None:
    url, facts = demo
    page = phone.new_page()
    page.goto(url)
    _wait_for_precache(page)
    phone.set_offline(True)
    try:
        other = facts["other"]
        page.goto(url + f"runbooks/{other.id}/")
        assert page.get_by_role("heading", name="Roll back").is_visible()
        assert other.title in page.locator("h1").first.inner_text()
        assert page.locator(".rb-offline").is_visible()
        results = _search(page, facts["flagged"].flags[0].key)
        results.first.wait_for(timeout=10_000)
        assert facts["flagged"].title in results.first.inner_text()
    finally:
        phone.set_offline(False)


def test_no_request_to_other_hosts(phone: object, demo: tuple[str, dict]) -> None:
    url, facts = demo
    host = urlsplit(url).netloc
    seen: list[str] = []
    phone.on("request", lambda request: seen.append(request.url))
    page = phone.new_page()
    page.goto(url)
    page.goto(url + f"runbooks/{facts['first'].id}/")
    _search(page, "checkout").first.wait_for(timeout=10_000)
    page.wait_for_load_state("networkidle")
    foreign = [u for u in seen if urlsplit(u).netloc != host and not u.startswith("data:")]
    assert seen and foreign == []


def test_readable_without_javascript(browser: object, demo: tuple[str, dict]) -> None:
    url, facts = demo
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    rb = facts["first"]
    page.goto(url + f"runbooks/{rb.id}/")
    assert page.locator("#step-1").is_visible()
    assert rb.rollback.steps[0].do.split("\n")[0][:30] in page.locator("#step-1").inner_text()
    assert page.locator(".rb-call a[href^='tel:']").first.is_visible()
    page.goto(url)
    assert page.locator(f"a[href='runbooks/{rb.id}/']").first.is_visible()
    context.close()


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core missing: run `npm ci`")
def test_axe_no_serious_or_critical(phone: object, demo: tuple[str, dict]) -> None:
    url, facts = demo
    page = phone.new_page()
    for path in ("", f"runbooks/{facts['first'].id}/"):
        page.goto(url + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], f"{path or 'home'}: {bad}"


def test_attack_fixture_runs_nothing(
    browser: object, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("hostile")
    root = make_project(tmp / "project", hostile=True)
    out = tmp / "site"
    build_project(root, out)
    dialogs: list[str] = []
    context = browser.new_context(viewport=PHONE)
    context.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with serve_folder(out) as url:
        for path in ("", "runbooks/hostile/", "teams/evil-team/", "tags/attack/", "teams/"):
            page.goto(url + path)
            page.wait_for_load_state("load")
            page.mouse.move(10, 10)
            page.mouse.move(200, 400)
            for element in page.locator(".rb-runbook a, .rb-runbook label").all()[:20]:
                element.hover()
        page.goto(url + "runbooks/hostile/")
        # The flag key, title and alert hold markup: search results show it as text.
        results = _search(page, "checkout")
        results.first.wait_for(timeout=10_000)
        page.mouse.move(100, 300)
        page.wait_for_timeout(300)
        shown = results.first.inner_text()
        injected = page.locator(".md-search-result :is(script, img, svg, iframe, style)").count()
    context.close()
    shutil.rmtree(out, ignore_errors=True)
    assert dialogs == []
    assert errors == []
    assert "<script>alert('title')</script> Hostile" in shown
    assert "<svg/onload=alert('alert')>" in shown
    assert injected == 0


def test_dark_mode_follows_system_and_print_hides_chrome(
    browser: object, demo: tuple[str, dict]
) -> None:
    url, facts = demo
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    page = context.new_page()
    page.goto(url + f"runbooks/{facts['first'].id}/")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    page.emulate_media(media="print")
    assert not page.locator("header.md-header").is_visible()
    assert not page.locator("footer.md-footer").is_visible()
    assert page.locator("#step-1").is_visible()
    context.close()


def test_every_request_stays_in_the_site_and_alert_links_open_pages(
    phone: object, demo: tuple[str, dict]
) -> None:
    """Under a subpath nothing may be asked of the host's root: the server answers 404 there,
    and an on-call reader would meet a broken page, style or search. A link from an alert
    (`runbook_url: SITE_URL/runbooks/ID/`) opens the runbook, whose canonical address it is."""
    url, facts = demo
    failed: list[str] = []
    outside: list[str] = []

    def check(response: object) -> None:
        if not response.url.startswith(url) and not response.url.startswith("data:"):
            outside.append(response.url)
        elif response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    phone.on("response", check)
    page = phone.new_page()
    page.goto(url)
    _wait_for_precache(page)
    for rb_id in facts["pages"][:3]:
        page.goto(url + f"runbooks/{rb_id}/")
        canonical = page.locator("link[rel=canonical]")
        if canonical.count():
            assert canonical.get_attribute("href") in (
                f"runbooks/{rb_id}/",
                url + f"runbooks/{rb_id}/",
            )
    _search(page, facts["flagged"].flags[0].key).first.wait_for(timeout=10_000)
    page.goto(url + "coverage/")
    assert page.locator("h1").first.inner_text() == "Coverage"
    page.wait_for_load_state("networkidle")
    assert outside == [] and failed == []
