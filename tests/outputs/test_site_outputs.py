"""The site's part: the "Send these steps" link on a hostile runbook's page, and the offline
cards the site publishes."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from rollbook.config import load_project
from rollbook.load.runbooks import load_project_runbooks
from rollbook.render.rollback import rollback_view
from rollbook.render.sms import count, sms_text
from tests.site.sitetools import build_project, make_project


def test_a_hostile_runbook_cannot_inject_through_the_send_link(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", hostile=True)
    out = tmp_path / "site"
    build_project(root, out)
    loaded = load_project_runbooks(load_project(root))
    teams = loaded.teams.model if loaded.teams else None
    rb = next(i.runbook for i in loaded.runbooks if i.runbook and i.runbook.id == "hostile")
    expected = sms_text(rollback_view(rb, teams))
    assert count(expected).segments <= 3
    page = (out / "runbooks" / "hostile" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="rb-btn rb-btn--sms" href="([^"]*)">Send these steps</a>', page)
    assert len(links) == 1
    href = html.unescape(links[0])
    assert re.fullmatch(r"sms:\?body=[A-Za-z0-9._~%-]+", href), href
    parts = urlsplit(href)
    assert parts.fragment == "" and parse_qs(parts.query) == {"body": [expected]}
    # The published cards hold the hostile runbook, its attacks as text.
    cards = (out / "rollback-cards.html").read_text(encoding="utf-8")
    assert '<article class="card" id="card-hostile"' in cards
    assert "<script" not in cards and "&lt;script&gt;alert(&#39;title&#39;)" in cards
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="rollback-cards.html" download="rollback-cards.html"' in home
