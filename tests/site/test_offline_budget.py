"""Offline copies at scale: a first visit saves the riskiest runbooks within a budget, and any
page opened once is there when the network drops."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rollbook.commands.build import build
from rollbook.config import load_project
from rollbook.site import offline
from tests.site.sitetools import build_project, make_project, serve_folder


def _page(site: Path, url: str, risk: str | None, size: int) -> None:
    path = site / url / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    badge = f'<span class="rb-risk rb-risk--{risk}">x</span>' if risk else ""
    path.write_text(badge + "x" * (size - len(badge)), encoding="utf-8")


def test_riskiest_runbooks_come_first_within_the_budget(tmp_path: Path):
    site = tmp_path
    (site / "assets").mkdir()
    (site / "assets" / "site.css").write_text("body{}")
    (site / "index.html").write_text("home")
    _page(site, "runbooks/a-low", "low", 1000)
    _page(site, "runbooks/b-critical", "critical", 1000)
    _page(site, "runbooks/c-high", "high", 1000)
    _page(site, "teams/payments", None, 1000)
    manifest = offline.precache_manifest(site, budget=2500)
    assert manifest["core"] == ["assets/site.css", "./"]
    assert manifest["pages"] == ["runbooks/b-critical/", "runbooks/c-high/"]
    assert manifest["not_precached"] == 2
    everything = offline.precache_manifest(site, budget=10_000)
    assert everything["pages"] == [
        "runbooks/b-critical/",
        "runbooks/c-high/",
        "runbooks/a-low/",
        "teams/payments/",
    ]
    assert everything["not_precached"] == 0


def test_a_page_opened_once_is_there_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    browser_tests = pytest.importorskip("tests.site.test_site_browser")
    sync_api = pytest.importorskip("playwright.sync_api")
    # A budget of nothing: only the core is saved on the first visit.
    monkeypatch.setattr(offline, "PRECACHE_BUDGET", 0)
    root = make_project(tmp_path / "project", extra_runbooks=2)
    out = tmp_path / "site"
    build_project(root, out)
    with serve_folder(out) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_tests.CHROMIUM, args=browser_tests.ARGS)
        context = browser.new_context(viewport=browser_tests.PHONE, service_workers="allow")
        try:
            page = context.new_page()
            page.goto(url)
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.reload()  # now controlled by the worker
            page.goto(url + "runbooks/feature-00000/")
            assert "Feature number 0" in page.locator("h1").first.inner_text()
            context.set_offline(True)
            page.goto(url + "runbooks/feature-00000/")
            assert "Feature number 0" in page.locator("h1").first.inner_text()
            # Never opened and beyond the budget: not there (the home page stands in).
            page.goto(url + "runbooks/feature-00001/")
            assert "Feature number 1" not in page.locator("h1").first.inner_text()
        finally:
            context.close()
            browser.close()


def test_the_problems_page_and_report_are_never_precached(tmp_path: Path):
    site = tmp_path
    (site / "index.html").write_text("home")
    _page(site, "problems", None, 500)
    (site / "problems" / "problems.json").write_text("{}")
    _page(site, "runbooks/a-low", "low", 500)
    manifest = offline.precache_manifest(site, budget=10**9)
    listed = [*manifest["core"], *manifest["pages"]]
    assert listed == ["./", "runbooks/a-low/"]
    assert manifest["not_precached"] == 0  # counts pages left for later, never these


def test_a_built_site_with_problems_precaches_none_of_them(tmp_path: Path):
    root = make_project(tmp_path / "project")
    (root / "runbooks" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    out = tmp_path / "site"
    build(load_project(root), out, keep_going=True)
    assert (out / "problems" / "index.html").is_file()
    assert (out / "problems" / "problems.json").is_file()
    manifest = json.loads((out / "precache.json").read_text(encoding="utf-8"))
    assert manifest["core"] and manifest["pages"]
    assert not [u for u in manifest["core"] + manifest["pages"] if "problems" in u]
    # The worker leaves problems/ to the network even when it is opened.
    assert 'const NEVER = ["problems/"]' in (out / "sw.js").read_text(encoding="utf-8")


def test_a_problems_page_opened_once_is_not_kept_offline(tmp_path: Path):
    browser_tests = pytest.importorskip("tests.site.test_site_browser")
    sync_api = pytest.importorskip("playwright.sync_api")
    root = make_project(tmp_path / "project")
    (root / "runbooks" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    out = tmp_path / "site"
    build(load_project(root), out, keep_going=True)
    with serve_folder(out) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_tests.CHROMIUM, args=browser_tests.ARGS)
        context = browser.new_context(viewport=browser_tests.PHONE, service_workers="allow")
        try:
            page = context.new_page()
            page.goto(url)
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.reload()  # now controlled by the worker
            page.goto(url + "problems/")
            assert "Runbook files with errors" in page.locator("h1").first.inner_text()
            page.goto(url + "teams/my-team/")  # a page opened once, for comparison
            cached = page.evaluate(
                """async () => {
                  const urls = [];
                  for (const name of await caches.keys()) {
                    for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
                  }
                  return urls;
                }"""
            )
            assert url + "teams/my-team/" in cached
            assert not [u for u in cached if "/problems/" in u], cached
            context.set_offline(True)
            page.goto(url + "teams/my-team/")
            assert "My Team" in page.locator("h1").first.inner_text()
            # Not kept: the browser's own offline error, never a stale list of problems.
            with pytest.raises(sync_api.Error, match="ERR_INTERNET_DISCONNECTED"):
                page.goto(url + "problems/")
        finally:
            context.close()
            browser.close()
