"""`rollbook serve` in a real browser (Debian chromium via Playwright): a saved runbook shows
in the open tab without anyone reloading it, first its own page, then, once the rebuild has
finished, the other pages open (the home page lists the new title).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.site.sitetools import REPO, make_project
from tests.site.test_serve import free_ports, wait_for
from tests.site.test_site_browser import ARGS, CHROMIUM

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
if not Path(CHROMIUM).exists():  # pragma: no cover - `make test` installs it
    pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

RUNBOOK = "runbooks/saved-search-alerts.yaml"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _text(page) -> str:
    try:
        return page.inner_text("body")
    except playwright_api.Error:  # reloading: no document to read for a moment
        return ""


def _until(condition, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_save_shows_in_the_open_tabs_without_reloading_them(browser, tmp_path: Path) -> None:
    # A few runbooks, so that the first build verified the runbook pages' frame.
    project = make_project(tmp_path / "project", extra_runbooks=5)
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_ports(1)
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "rollbook", "serve", "--port", str(port)],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(REPO / "src"), "TMPDIR": str(temp)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    context = browser.new_context()
    try:
        assert wait_for(lambda: serve.poll() is None and "Serving on" in log_path.read_text())
        runbook_tab = context.new_page()
        runbook_tab.goto(url + "runbooks/saved-search-alerts/")
        home_tab = context.new_page()
        home_tab.goto(url)
        assert "Saved-search alerts" in _text(home_tab)
        for tab in (runbook_tab, home_tab):
            tab.evaluate("window.rbNotReloaded = true")
        path = project / RUNBOOK
        text = path.read_text(encoding="utf-8")
        text = text.replace("summary: >-\n", "summary: >-\n  Saved just now.\n", 1)
        path.write_text(text.replace("title: Saved-search alerts", "title: Renamed alerts"))
        assert _until(lambda: "Saved just now." in _text(runbook_tab)), log_path.read_text()
        assert _until(lambda: "Renamed alerts" in _text(home_tab)), log_path.read_text()
        for tab in (runbook_tab, home_tab):
            assert tab.evaluate("window.rbNotReloaded === undefined")  # the server reloaded it
        said = log_path.read_text()
        assert "showing runbooks/saved-search-alerts/ first; rebuilding the rest" in said
    finally:
        context.close()
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
