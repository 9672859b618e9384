"""Untrusted text as Markdown that shows exactly that text and does nothing else.

A runbook's words are posted where Markdown is rendered: a pull-request comment, a job
summary, a merge-request note, a chat. Rendered naively, a step could post raw HTML, a link
the runbook never contained, a mention that notifies a stranger (``@everyone``), a reference
to an issue (``#123``, GitLab's ``!123``), a commit link (a hex word), emphasis that changes
what a sentence says, or math (``$x$``). Invisible and direction-changing characters could
show a reader something other than what the file says.

The approach, in this order:

1. Invisible, control and direction characters become visible escapes (``\\u202e``), as
   :mod:`rollbook.safe_text` prints them in a terminal.
2. Every token a platform turns into a link or a notification *after* Markdown is rendered
   (GitHub's and GitLab's reference filters work on the rendered text, so a backslash does not
   stop them) goes into a code span, which those filters skip: mentions and references
   (``@x``, ``#1``, ``!1``, ``~x``, ``&1``, ``$x``, ``%x``, ``^x``), bare web addresses,
   e-mail addresses, ``www.`` names and hex words that look like commit ids.
3. Every other ASCII punctuation character is backslash-escaped (CommonMark allows it for all
   of them), so nothing else can open emphasis, a link, an image, a heading, a list, a table
   cell, an HTML tag or an entity.

Commands and queries go in fenced code blocks whose fence is longer than any run of backticks
inside them, so that nothing inside can close the block.
"""

from __future__ import annotations

import re
import urllib.parse

from rollbook.model.links import LinkError, web_href
from rollbook.safe_text import for_terminal

# Characters that act anywhere in a line (a backslash escapes any ASCII punctuation in
# CommonMark); and those that act only at the start of a line.
_ALWAYS = frozenset("\\`*_{}[]<|~!&$^#")
_AT_LINE_START = frozenset("-+=>#:")
_NUMBERED = re.compile(r"(\d{1,9})[.)]")
# What a platform's autolinker leaves out of the end of an address: so do we.
_TRAILING = ".,;:!?'\")-/"
# Tokens a platform would link or notify, each shown in a code span instead.
_TOKEN = re.compile(
    r"""
    (?:[A-Za-z][A-Za-z0-9+.-]{1,30}:/{1,3}[^\s<>`]*)  # scheme://... (http, ftp, ...)
    | (?:\bwww\.[^\s<>`]+)                         # www.example.com (GFM autolink)
    | (?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+)              # e-mail addresses (autolinked as mailto:)
    | (?:[@\#!~&$%^][\w][\w./-]*)                 # @user, #123, !123, ~label, &epic, $x
    | (?:\b[\w.-]+/[\w.-]+[\#!@][\w]+)               # owner/repo#123, group/project!12
    | (?:\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b)  # commit-like hex words
    | (?:\b(?:GH|gh)-\d+\b)                         # GH-123 (GitHub issue reference)
    """,
    re.VERBOSE,
)


def visible(text: str) -> str:
    """``text`` with control, invisible and direction characters shown as escapes."""
    return for_terminal(text)


def escape_plain(text: str, *, line_start: bool = False) -> str:
    """Backslash-escape the characters of ``text`` that Markdown could act on (no tokens).

    Inside a line those are the ones that open emphasis, code, links, images, HTML, entities,
    strikethrough, math and table cells. At the start of a line (``line_start``) also what
    starts a block there: a list item (``-``, ``+``, ``1.``), a quote, a heading, a rule.
    Escaping only these keeps the Markdown readable as text; escaping all ASCII punctuation
    would be as safe and unreadable.
    """
    out = "".join("\\" + c if c in _ALWAYS else c for c in text)
    if line_start:
        stripped = out.lstrip(" ")
        lead = out[: len(out) - len(stripped)]
        numbered = _NUMBERED.match(stripped)
        if numbered:
            stripped = f"{numbered.group(1)}\\{stripped[len(numbered.group(1)) :]}"
        elif stripped[:1] in _AT_LINE_START:
            stripped = "\\" + stripped
        out = lead + stripped
    return out


def code_span(text: str) -> str:
    """``text`` as an inline code span that nothing inside can end early."""
    text = visible(text).replace("\r", " ").replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def inline(text: str, *, line_start: bool = True) -> str:
    """One line of untrusted text as inert Markdown (line breaks become spaces).

    ``line_start=False`` when the caller writes something of its own before it on the line
    (a quote mark): then nothing in it can start a block.
    """
    text = visible(" ".join(text.split("\n"))).replace("\r", " ")
    # Leading spaces could make an indented code block at the start of a line: they go.
    text = text.strip()
    # (start, end) of each token; tokens that touch are one code span (two spans side by
    # side would read as one with backticks inside).
    spans: list[list[int]] = []
    for match in _TOKEN.finditer(text):
        token = match.group().rstrip(_TRAILING)
        if len(token) < 2:
            continue
        end = match.start() + len(token)
        if spans and spans[-1][1] == match.start():
            spans[-1][1] = end
        else:
            spans.append([match.start(), end])
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(escape_plain(text[pos:start], line_start=line_start and pos == 0))
        out.append(code_span(text[start:end]))
        pos = end
    out.append(escape_plain(text[pos:], line_start=line_start and pos == 0))
    return "".join(out)


def block(text: str, indent: str = "") -> str:
    """Untrusted text of several lines as inert Markdown: one paragraph, lines kept apart by
    hard line breaks, each continuation line indented by ``indent`` (inside a list item)."""
    lines = [inline(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    return ("\\\n" + indent).join(lines)


def fenced(text: str, indent: str = "") -> str:
    """A command or query as a fenced code block that nothing inside can close."""
    body = visible(text.rstrip("\n"))
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [fence, *body.split("\n"), fence]
    return "\n".join(indent + line if line else line for line in lines)


def link(label: str, address: str) -> str:
    """A link the runbook itself contains (a validated web link) with a label of ours.

    ``label`` is escaped; the address is the one every renderer uses (:func:`web_href`), in
    angle brackets with anything that could end them percent-encoded. An address that is not
    a web link is shown as code, never linked.
    """
    try:
        href = web_href(address)
    except LinkError:
        return f"{inline(label)}: {code_span(address)}"
    href = urllib.parse.quote(href, safe="/:?#[]@!$&'*+,;=%~-._")
    href = href.replace("(", "%28").replace(")", "%29")
    return f"[{inline(label)}](<{href}>)"
