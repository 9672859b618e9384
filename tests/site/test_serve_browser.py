"""`rollbook serve` in a real browser (Debian chromium via Playwright): a saved runbook shows
in the open tab without anyone reloading it, first its own page, then, once the rebuild has
finished, the other pages open (the home page lists the new title).
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.site.sitetools import make_project
from tests.site.test_serve import start_serve, wait_for
from tests.site.test_site_browser import browser, playwright_api  # noqa: F401 - the fixture

RUNBOOK = "runbooks/saved-search-alerts.yaml"


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


def test_a_save_shows_in_the_open_tabs_without_reloading_them(
    browser,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    # A few runbooks, so that the first build verified the runbook pages' frame.
    project = make_project(tmp_path / "project", extra_runbooks=5)
    serve, port, log_path = start_serve(project, tmp_path)
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
