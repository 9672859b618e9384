"""Hostile runbook text cannot inject links, mentions, references, HTML, emphasis or hidden
characters into the Markdown that `rollbook render` and `rollbook diff` post.

The Markdown is rendered with GitHub's own renderer (cmark-gfm with its autolink, table and
strikethrough extensions, raw HTML allowed, as the strictest reading), and the rendered page
is checked as a reader would see it.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from rollbook.config import Config
from rollbook.model.runbook import Runbook
from rollbook.render.markdown import rollback_markdown, runbook_markdown
from rollbook.render.markdown_safe import code_span, fenced, inline, visible
from rollbook.render.rollback import rollback_view
from rollbook.render.views import RollbackView
from rollbook.review.compare import RunbookDiff, compare_runbooks
from rollbook.review.report import ReviewDiff, render_markdown

HOSTILE = [
    "[click me](https://evil.example/login)",
    "![tracking](https://evil.example/pixel.png)",
    '<a href="https://evil.example">support</a>',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<details open><summary>x</summary>",
    "ping @everyone and @acme/oncall now",
    "fixes #123 and acme/shop#45 and GH-7",
    "GitLab !42 ~incident &9 %release $snippet",
    "see https://evil.example/path?x=1 now",
    "or www.evil.example today",
    "mail root@evil.example",
    "**bold** _em_ ~~gone~~ $x^2$",
    "&lt;script&gt; &amp; &#64;admin",
    "<https://evil.example/auto>",
    "[ref]: https://evil.example/ref",
    "| a | b |",
    "commit deadbeef1234 broke it",
    "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07 and \x1b[2J",
    "abc\u202edcba\u2066x\u2069 zero\u200bwidth",
    "``` not a fence ```",
    "1. not a list",
    "# not a heading",
    "> not a quote",
]


def gfm(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


_CODE = re.compile(r"<code>.*?</code>", re.S)
_TAG = re.compile(r"<[^>]+>")
# Text a platform links or notifies after rendering, outside code.
_ACTIVE = re.compile(
    r"(?<!\w)[@#!~&$%]\w|\b\w+/\w+[#!]\d|://|\bwww\.|\w@\w|\bGH-\d|\b[0-9a-f]{7,}\b"
)


def outside_code(rendered: str) -> str:
    return html.unescape(_TAG.sub("", _CODE.sub(" ", rendered)))


def assert_inert(markdown: str, *, links: int = 0) -> str:
    rendered = gfm(markdown)
    tags = set(re.findall(r"<(\w+)", rendered))
    assert tags <= {
        "p",
        "code",
        "strong",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "pre",
        "br",
        "a",
        "hr",
    }, tags
    assert rendered.count("<a ") == links, rendered
    for char in ("\x1b", "\x07", "\u202e", "\u2066", "\u200b"):
        assert char not in rendered
    assert _ACTIVE.search(outside_code(rendered)) is None, outside_code(rendered)
    return rendered


@pytest.mark.parametrize("text", HOSTILE)
def test_inline_shows_the_text_and_does_nothing_else(text):
    rendered = assert_inert(inline(text))
    shown = html.unescape(_TAG.sub("", rendered)).strip()
    assert " ".join(shown.split()) == " ".join(visible(text).split())


@pytest.mark.parametrize("text", HOSTILE)
def test_code_span_and_fenced_block_cannot_be_closed_early(text):
    for markdown in (code_span(text + " `x` ``y``"), fenced(text + "\n```\n<b>x</b>\n````")):
        rendered = gfm(markdown)
        assert rendered.count("<code>") == 1 and rendered.count("</code>") == 1, rendered
        assert "<b>" not in rendered and "<script" not in rendered and "<a " not in rendered


def hostile_runbook(text: str) -> Runbook:
    return Runbook.model_validate(
        {
            "id": "hostile",
            "title": text,
            "summary": f"{text}\n\n# injected\n- item\n<b>x</b>",
            "owner": "payments",
            "risk": "high",
            "flags": [
                {"key": "checkout.one_click", "system": "flagd", "off": False, "change": text}
            ],
            "signals": [
                {"name": "Errors", "kind": "metric", "threshold": text, "query": text + " `` ```"}
            ],
            "rollout": {"stages": [{"audience": text}, {"percent": 100}]},
            "rollback": {
                "when": [text],
                "kill_switch": "checkout.one_click",
                "steps": [
                    {"do": text, "expect": text, "if_not": text, "command": text},
                    {"do": f"line one\n{text}\n\n# two", "warning": text, "irreversible": True},
                ],
                "verify": text,
                "after": [text, text],
            },
            "review": {"last_reviewed": "2026-01-01", "by": text},
            "drills": [{"date": "2026-01-02", "result": "pass", "by": text, "notes": text}],
        }
    )


def view_of(rb: Runbook) -> RollbackView:
    return rollback_view(rb, None)


@pytest.mark.parametrize("text", HOSTILE)
def test_rendered_runbook_and_rollback_card_are_inert(text):
    rb = hostile_runbook(text)
    view = view_of(rb)
    for markdown in (runbook_markdown(view, rb, source=text), rollback_markdown(view)):
        rendered = assert_inert(markdown)
        # Our own structure survives: the headings are ours, one per section.
        assert rendered.count("<h3>") == markdown.count("\n### ") + markdown.startswith("### ")
        assert "injected</h" not in rendered


@pytest.mark.parametrize("text", HOSTILE)
def test_diff_markdown_is_inert(text):
    old = hostile_runbook("plain words")
    new = hostile_runbook(text)
    changes = compare_runbooks(old, new, Config(), dt.date(2026, 3, 1))
    assert changes
    diff = ReviewDiff(
        "main",
        "0" * 40,
        [
            RunbookDiff(
                "hostile", text, "changed", "runbooks/hostile.yaml", "runbooks/h.yaml", changes
            )
        ],
    )
    assert_inert(render_markdown(diff))


def test_links_the_runbook_contains_stay_links():
    rb = hostile_runbook("plain")
    data = rb.model_dump(mode="json")
    data["flags"][0]["link"] = "https://flags.example.com/checkout?x=(1)&y=<2>"
    view = view_of(Runbook.model_validate(data))
    rendered = gfm(rollback_markdown(view))
    [href] = re.findall(r'<a href="([^"]+)"', rendered)
    assert html.unescape(href) == "https://flags.example.com/checkout?x=%281%29&y=%3C2%3E"
