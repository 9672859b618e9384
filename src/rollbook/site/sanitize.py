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


# Stands for a page's own text (its title and description) in a checked theme layout. Its
# private-use characters keep it from ever meeting real text by chance (and no page string
# can match inside it); its space makes it fall apart, so the layout is not trusted,
# wherever the text would not stay one value (an unquoted attribute).
_HOLE = "\ue000 \ue001"
_TAG_BEFORE_HOLE = re.compile("<[/!?]?" + re.escape(_HOLE))
_NOT_INERT = re.compile("[<>\"'`\ue000\ue001]")


class _HoleChecker(_ChromeChecker):
    """The chrome check, also counting the holes found where any inert text is harmless:
    in text outside scripts and styles, and in attribute values that are not URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.holes = 0
        self.misplaced = False
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        self._style = tag == "style"
        for name, value in attrs:
            if value and _HOLE in value:
                if name in _URL_ATTRS or name.startswith("on") or name in {"style", "srcdoc"}:
                    self.misplaced = True
                self.holes += value.count(_HOLE)

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if _HOLE in data:
            if self._script is not None or self._style:
                self.misplaced = True
            self.holes += data.count(_HOLE)

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        self._style = False


class ChromeChecks:
    """Theme layouts already checked, so that a site's pages are parsed once per layout.

    Pages of one kind differ in their theme part only by their own title and description,
    which the templates escape. A page's theme part, with those strings replaced by a hole,
    is its *layout*. When a layout has been parsed and every hole sits where no inert string
    (one without ``<``, ``>`` or quotes, as escaped text is) can change how the page parses,
    every page with that layout and inert strings gets the same verdict as a full check, so
    it needs none. Anything else (a string that is not inert, a hole in a URL, a script or
    where it does not survive parsing as one value) is checked in full, as without this.
    """

    LIMIT = 256  # layouts remembered; a site has a few dozen

    def __init__(self) -> None:
        self._verdicts: dict[str, bool] = {}
        self.parsed = 0

    def known_safe(self, chrome: str, own_text: tuple[str, ...]) -> bool:
        values = sorted({v for v in own_text if v.strip()}, key=len, reverse=True)
        if not values or any(_NOT_INERT.search(v) for v in values):
            return False
        layout = chrome
        for value in values:
            layout = layout.replace(value, _HOLE)
        verdict = self._verdicts.get(layout)
        if verdict is None and _TAG_BEFORE_HOLE.search(layout):
            # "<" then the text: a tag named by the page (a title of "script" opens one).
            verdict = False
        if verdict is None:
            checker = _HoleChecker()
            checker.feed(layout)
            checker.close()
            self.parsed += 1
            verdict = (
                not checker.problems
                and not checker.misplaced
                and checker.holes == layout.count(_HOLE)
            )
            if len(self._verdicts) < self.LIMIT:
                self._verdicts[layout] = verdict
        return verdict


def check_page(
    html: str,
    where: str,
    *,
    own_text: tuple[str, ...] = (),
    checks: ChromeChecks | None = None,
) -> str:
    """Check a finished page and return it with rollbook's content markers removed.

    The content between the markers was sanitised by :func:`sanitize`; the rest (the theme)
    is parsed and checked, unless ``checks`` already checked its layout (``own_text`` are
    the page's own strings as the templates print them: see :class:`ChromeChecks`). Raises
    :class:`UnsafeOutput` naming what was found.
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
    chrome = head + tail
    if checks is None or not checks.known_safe(chrome, own_text):
        checker = _ChromeChecker()
        checker.feed(chrome)
        checker.close()
        if checks is not None:
            checks.parsed += 1
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
