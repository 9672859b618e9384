"""What the renderer produces and what it is given besides runbooks: plain data, no HTML engine."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SitePage:
    """One generated page: where it goes, what it is called and its content as HTML.

    ``search_text`` is what the site's search index holds for the page besides its title, kept
    short on purpose (see :func:`rollbook.render.pages.search_text`).
    """

    src_uri: str
    title: str
    description: str
    html: str
    search_text: str = ""
    kind: str = "page"


@dataclass(frozen=True)
class FindingView:
    """A lint finding or loader problem, ready to show on a runbook page."""

    code: str
    message: str
    location: str
    severity: str = "error"
    hint: str = ""


@dataclass(frozen=True)
class RuleView:
    """A lint rule's documentation, read from the rule's own code."""

    code: str
    name: str
    severity: str
    summary: str
    doc: str = ""


@dataclass
class LintResults:
    """What ``rollbook lint`` found, by runbook file, if the linter is installed."""

    available: bool = False
    by_file: dict[str, list[FindingView]] = field(default_factory=dict)
    rules: list[RuleView] = field(default_factory=list)
    note: str = ""
