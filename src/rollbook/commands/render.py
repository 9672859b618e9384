"""`rollbook render FEATURE...`: a runbook, or only its rollback card, for a reviewer or a chat.

FEATURE is an id, a title or a flag key (:mod:`rollbook.load.find_feature`). Markdown is
safe to post (:mod:`rollbook.render.markdown`); HTML is the site page's own content, as the
site renders it. Both read the one view the site builds (:class:`RunbookView`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rollbook.config import ConfigError, Project
from rollbook.load.find_feature import find_features
from rollbook.load.runbooks import LoadedProject, load_project_runbooks
from rollbook.render.markdown import rollback_markdown, runbook_markdown
from rollbook.render.views import RunbookView

FORMATS = ("markdown", "html")


def site_renderer(loaded: LoadedProject):
    """The site's renderer for ``loaded`` (imports Jinja only when called)."""
    from rollbook.render.pages import SiteRenderer

    return SiteRenderer(loaded, built=dt.datetime.now(dt.UTC))


def views_of(loaded: LoadedProject) -> dict[str, RunbookView]:
    """Every valid runbook's view, by id (the first file of a duplicated id, as the site)."""
    renderer = site_renderer(loaded)
    return {entry.runbook.id: renderer.view(entry) for entry in renderer.entries}


def render_features(
    project: Project,
    features: list[str],
    *,
    rollback: bool = False,
    fmt: str = "markdown",
    paths: list[Path] | None = None,
) -> str:
    """The runbooks ``features`` name, rendered one after another; ConfigError if any names
    nothing (with the nearest names) or ``fmt`` is unknown."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    if not features:
        raise ConfigError("name at least one feature: its id, title or flag key")
    loaded = load_project_runbooks(project, paths)
    renderer = site_renderer(loaded)
    entries = [(entry.runbook, entry) for entry in renderer.entries]
    chosen = []
    for wanted in features:
        for _, entry in find_features(wanted, entries):
            if entry not in chosen:
                chosen.append(entry)
    parts = []
    for entry in chosen:
        view = renderer.view(entry)
        if fmt == "html":
            parts.append(_html(renderer, entry, rollback))
        elif rollback:
            parts.append(rollback_markdown(view))
        else:
            parts.append(runbook_markdown(view))
    separator = "\n" if fmt == "html" else "\n---\n\n"
    return separator.join(parts)


def _html(renderer, entry, rollback: bool) -> str:
    html = renderer.runbook(entry).html
    if not rollback:
        return html
    # The rollback card is the page's first section, which holds no other section.
    start = html.find('<section class="rb-rollback"')
    end = html.find("</section>", start)
    return html[start : end + len("</section>")] + "\n"
