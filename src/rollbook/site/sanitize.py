"""Sanitise page content with an allowlist, and check the finished pages for anything active.

Two layers, because either alone has failed other projects: Jinja autoescaping keeps runbook
text from becoming markup, and nh3 (ammonia) strips whatever markup a template or a
user's override template lets through that is not on the list below. Then the finished
page, theme included, is checked: Material's templates print titles raw, so the check makes
sure no script, event handler or ``javascript:`` URL came in that way either.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# What rollbook's page templates produce, and nothing more. Material's classes and task-list
# inputs are not in nh3's defaults, so this list is explicit.
TAGS = {
    "a",
    "abbr",
    "article",
    "blockquote",
    "br",
    "button",
    "code",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "header",
    "hr",
    "input",
    "label",
    "li",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "small",
    "span",
    "strong",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "ul",
}
ATTRIBUTES = {
    "*": {"class", "id", "aria-label", "aria-labelledby", "aria-hidden", "role", "title", "hidden"},
    "a": {"href"},
    "input": {"checked", "disabled"},
    "label": {"for"},
    "time": {"datetime"},
    "td": {"colspan"},
    "th": {"colspan", "scope"},
}
# Attributes whose values are fixed: a step tick is a checkbox, a button never submits.
ATTRIBUTE_VALUES = {"input": {"type": {"checkbox"}}, "button": {"type": {"button"}}}
URL_SCHEMES = {"http", "https", "mailto", "tel", "sms"}
# The only data attributes the page script reads.
DATA_PREFIXES = {"data-rb-"}

CONTENT_START = "<!--rollbook:content-->"
CONTENT_END = "<!--/rollbook:content-->"


def sanitize(html: str) -> str:
    """``html`` with everything not on the allowlist removed (scripts with their content)."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        tag_attribute_values=ATTRIBUTE_VALUES,
        generic_attribute_prefixes=DATA_PREFIXES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


class UnsafeOutput(Exception):
    """A finished page holds something executable that rollbook did not put there."""


_BAD_SCHEME = re.compile(r"^\s*(javascript|data|vbscript|file):", re.I)
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcset"}
_INLINE_OK = (
    # Material's own inline scripts (storage helpers, tab restore) and rollbook's dark-mode
    # switch. Matched by their start: they contain the page's base URL, which varies.
    "__md_scope=new URL(",
    "var target=document.getElementById(location.hash.slice(1))",
    'matchMedia("(prefers-color-scheme: dark)").matches&&document.body.setAttribute(',
)


class _ChromeChecker(HTMLParser):
    """Walks the theme's part of a page (content removed) looking for active markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        amap = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name!r} on <{tag}>")
            if name in _URL_ATTRS and value and _BAD_SCHEME.match(value):
                self.problems.append(f"{name}={value[:40]!r} on <{tag}>")
        if tag in {"iframe", "object", "embed", "base", "frame", "applet"}:
            self.problems.append(f"unexpected <{tag}>")
        if tag == "script":
            src = amap.get("src")
            if src is not None and (":" in src.split("/")[0] or src.startswith("//")):
                self.problems.append(f"script from another host: {src[:80]!r}")
            self._script = amap
            self._script_text = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        attrs, text = self._script, "".join(self._script_text).strip()
        self._script = None
        if attrs.get("src") is not None or not text:
            return
        if attrs.get("type") == "application/json":
            return
        if not text.startswith(_INLINE_OK):
            self.problems.append(f"unexpected inline script: {text[:60]!r}")


def check_page(html: str, where: str) -> str:
    """Check a finished page and return it with rollbook's content markers removed.

    The content between the markers was sanitised by :func:`sanitize`; the rest (the theme)
    is parsed and checked. Raises :class:`UnsafeOutput` naming what was found.
    """
    start = html.find(CONTENT_START)
    end = html.find(CONTENT_END)
    if start >= 0 and end > start:
        head, content, tail = (
            html[:start],
            html[start + len(CONTENT_START) : end],
            html[end + len(CONTENT_END) :],
        )
    else:
        head, content, tail = html, "", ""
    checker = _ChromeChecker()
    checker.feed(head + tail)
    checker.close()
    if checker.problems:
        raise UnsafeOutput(f"{where}: " + "; ".join(checker.problems[:5]))
    # The theme's indentation is a kilobyte or two of every page, ahead of the rollback steps
    # that must arrive in the first 14 KB. Only the theme's part is squeezed: the content
    # holds <pre> blocks whose spacing matters.
    return _squeeze(head) + content + _squeeze(tail)


_BLANKS = re.compile(r"\n[ \t]*(?:\n[ \t]*)*")


def _squeeze(html: str) -> str:
    """Drop indentation and blank lines (the theme has no <pre> or <textarea>)."""
    return _BLANKS.sub("\n", html)
