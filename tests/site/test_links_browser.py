"""A real browser (Debian chromium) agrees: every link the model accepts is a working link on
the page, to the place the runbook's text names.

tests/model/test_links.py checks the same property against a WHATWG parser on many more
links; here a sample of them goes through chromium itself: the href the template wrote, as
the browser resolves it on a page, against the browser's own reading of the text as written.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rollbook.model.links import LinkError, web_href
from rollbook.render.jinja import page_environment
from rollbook.site.sanitize import sanitize
from tests.model.linkgen import pasted_links

CHROMIUM = os.environ.get("ROLLBOOK_CHROMIUM", "/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
if not Path(CHROMIUM).exists():  # pragma: no cover - `make test` installs it
    pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

TEMPLATE = page_environment(None).from_string(
    '{% for link in links %}<a class="rb-btn" href="{{ link | href }}">Open</a>\n{% endfor %}'
)

# The links tests/model/test_links.py spells out, always included.
FIXED = [
    "https://kibana.example.com/app/discover#/?_a=(query:(query:'status:500'))&_g=(filters:!())",
    "https://kibana.example.com/app/discover?_a=(query:'host:\"web-1\" and level:error')",
    "https://grafana.example.com/d/abc?var-host={web-1,web-2}&var-re=a|b^c`d",
    "https://logs.example.com/search?q=<error>&filter[0]=a\\b",
    "https://wiki.example.com/On call/Straße/Zürich?q=日本#Überblick 😀",
    "https://bücher.example/",
    "https://faß.de/",
    "https://例え。テスト/",
    "https://Grafana.Example.COM:3000/d/1",
    "https://[2001:DB8:0:0::1]:8443/x",
    "https://grafana.example.com./d/1",
    "https://x.example/a#b#c",
    "https://x.example/search?q=100%&r=%zz&s=%2F",
]


@pytest.fixture(scope="module")
def page() -> object:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        yield page
        browser.close()


def _parts(url: str) -> tuple:
    """What a browser-serialised URL names: scheme, host, port, and the decoded rest."""
    split = urlsplit(url)
    return (
        split.scheme,
        split.hostname,
        split.port,
        unquote_to_bytes(split.path),
        unquote_to_bytes(split.query),
        unquote_to_bytes(split.fragment),
    )


def check_in_browser(page: object, texts: list[str]) -> int:
    accepted = []
    for text in texts:
        try:
            web_href(text)
        except LinkError:
            continue
        accepted.append(text)
    html = sanitize(TEMPLATE.render(links=accepted))
    page.set_content(f"<!doctype html><meta charset=utf-8><body>{html}</body>")
    found = page.evaluate(
        """(texts) => {
            const anchors = [...document.querySelectorAll('a')];
            return anchors.map((a, i) => {
                let written = null;
                try { written = new URL(texts[i]).href; } catch (e) {}
                return [a.getAttribute('href'), a.href, written];
            });
        }""",
        accepted,
    )
    assert len(found) == len(accepted)
    for text, (attribute, resolved, written) in zip(accepted, found, strict=True):
        assert attribute == web_href(text)  # the page carries the href, not an empty one
        assert written is not None, f"chromium cannot read {text!r}, yet the model took it"
        assert resolved.startswith(("http://", "https://")), (text, resolved)
        assert _parts(resolved) == _parts(written), (text, attribute, resolved, written)
    return len(accepted)


def test_links_people_paste_work_in_chromium(page: object) -> None:
    assert check_in_browser(page, FIXED) == len(FIXED)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(pasted_links(), min_size=40, max_size=40))
def test_any_accepted_link_works_in_chromium(page: object, texts: list[str]) -> None:
    check_in_browser(page, texts)
