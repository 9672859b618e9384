"""The same words everywhere: every step's action appears in the terminal card, the telephone
script, the text message (as room allows), the offline cards and the site's page.

The rule for the text message, which has room for about 450 characters: every step appears
in order, numbered, either whole or as its start (at least the first 20 characters, cut at a
word and marked ``...``); when even that does not fit, the last steps are replaced by one
line saying how many were left out (``+2 more steps``).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from rollbook.render.card import render_cards
from rollbook.render.sms import sms_body_href, sms_text
from rollbook.render.telephone import render_script
from rollbook.render.terminal import render_terminal
from rollbook.render.views import RollbackView
from tests.conftest import REPO
from tests.outputs.outputs_tools import demo_views
from tests.site.sitetools import build_project

SITE_URL = "https://runbooks.example.com/"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _html_text(markup: str) -> str:
    return _flat(html.unescape(re.sub(r"<[^>]+>", " ", markup)))


@pytest.fixture(scope="module")
def views() -> list[RollbackView]:
    found = demo_views(SITE_URL)
    assert sum(len(v.steps) for v in found) >= 30
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    build_project(REPO, out)
    return out


def test_every_action_is_in_the_terminal_card_and_the_telephone_script(
    views: list[RollbackView],
) -> None:
    for view in views:
        card, script = _flat(render_terminal(view)), _flat(render_script(view))
        blocks = re.split(r"STEP \d+ OF \d+ ", script)[1:]
        assert len(blocks) == len(view.steps)
        for step, block in zip(view.steps, blocks, strict=True):
            assert f"{step.n}. {_flat(step.do)}" in card, (view.id, step.n)
            assert f'Say: "{_flat(step.do)}"' in block, (view.id, step.n)


def test_every_action_is_in_the_text_message_as_room_allows(views: list[RollbackView]) -> None:
    shortened = dropped = 0
    for view in views:
        lines = sms_text(view).splitlines()
        numbered = [line for line in lines if re.match(r"\d+\. ", line)]
        more = [line for line in lines if re.fullmatch(r"\+\d+ more steps?", line)]
        left_out = int(re.search(r"\d+", more[0]).group()) if more else 0
        assert len(numbered) + left_out == len(view.steps), view.id
        for line, step in zip(numbered, view.steps, strict=False):
            said = line.split(" ", 1)[1]
            whole = _flat(step.do)
            if said != whole:
                assert said.endswith("..."), (view.id, said)
                start = said.removesuffix("...")
                assert len(start) >= 20 and whole.startswith(start), (view.id, said)
                shortened += 1
        dropped += left_out
    assert shortened, "some demo rollbacks are too long for whole steps: the rule is exercised"


def test_every_action_is_on_the_offline_cards(views: list[RollbackView]) -> None:
    text = _html_text(render_cards(views))
    for view in views:
        for step in view.steps:
            assert _flat(step.do) in text, (view.id, step.n)


def test_every_action_is_on_the_site_page_and_in_its_send_link(
    views: list[RollbackView], site: Path
) -> None:
    cards = _html_text((site / "rollback-cards.html").read_text(encoding="utf-8"))
    for view in views:
        page = (site / "runbooks" / view.id / "index.html").read_text(encoding="utf-8")
        text = _html_text(page)
        for step in view.steps:
            assert _flat(step.do) in text, (view.id, step.n)
            assert _flat(step.do) in cards, (view.id, step.n)
        # The page's "Send these steps" link carries the very text of `rollbook show --sms`
        # (the demo has no site-url, so the message has no page link).
        plain = next(v for v in demo_views(None) if v.id == view.id)
        assert f'href="{sms_body_href(sms_text(plain))}"' in page, view.id
