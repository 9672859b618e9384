"""`rollbook render FEATURE...`: a runbook, or only its rollback card, for a reviewer or a chat.

FEATURE is an id, a title or a flag key (:mod:`rollbook.load.find_feature`). Markdown is
safe to post (:mod:`rollbook.render.markdown`) and its rollback card renders the same
rollback view as the site page and every other medium; HTML is the site page's own content,
as the site renders it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rollbook.config import ConfigError, Project
from rollbook.load.find_feature import find_features
from rollbook.load.runbooks import LoadedProject, load_project_runbooks
from rollbook.model.runbook import Runbook, TeamsFile
from rollbook.render.markdown import rollback_markdown, runbook_markdown
from rollbook.render.rollback import rollback_view
from rollbook.render.views import RollbackView

FORMATS = ("markdown", "text", "html")


def _teams(loaded: LoadedProject) -> TeamsFile | None:
    model = loaded.teams.model if loaded.teams else None
    return model if isinstance(model, TeamsFile) else None


def _valid(loaded: LoadedProject) -> dict[str, tuple[Runbook, str]]:
    """Valid runbooks by id, with their file (the first file of a duplicated id, as the site)."""
    out: dict[str, tuple[Runbook, str]] = {}
    for item in loaded.runbooks:
        rb = item.runbook
        if rb is not None and rb.id not in out:
            out[rb.id] = (rb, item.display)
    return out


def views_of(loaded: LoadedProject) -> dict[str, RollbackView]:
    """Every valid runbook's rollback view, by id."""
    teams = _teams(loaded)
    site_url = loaded.project.config.site_url
    return {
        ident: rollback_view(rb, teams, site_url=site_url)
        for ident, (rb, _) in _valid(loaded).items()
    }


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
    valid = _valid(loaded)
    runbooks = [rb for rb, _ in valid.values()]
    chosen: list[str] = []
    for wanted in features:
        for rb in find_features(runbooks, wanted):
            if rb.id not in chosen:
                chosen.append(rb.id)
    if fmt == "html":
        return _html(loaded, chosen, rollback)
    teams, site_url = _teams(loaded), project.config.site_url
    if fmt == "text":
        # The rollback card as `rollbook show` prints it (no colour): the same view, so the
        # words are the site's, the telephone script's and the text message's.
        from rollbook.render.terminal import render_terminal

        return "\n".join(
            render_terminal(rollback_view(valid[i][0], teams, site_url=site_url)) for i in chosen
        )
    parts = []
    for ident in chosen:
        rb, display = valid[ident]
        view = rollback_view(rb, teams, site_url=site_url)
        parts.append(
            rollback_markdown(view) if rollback else runbook_markdown(view, rb, source=display)
        )
    return "\n---\n\n".join(parts)


def _html(loaded: LoadedProject, chosen: list[str], rollback: bool) -> str:
    from rollbook.render.pages import SiteRenderer  # Jinja, only when asked for HTML

    renderer = SiteRenderer(loaded, built=dt.datetime.now(dt.UTC))
    entries = {entry.runbook.id: entry for entry in renderer.entries}
    parts = []
    for ident in chosen:
        html = renderer.runbook(entries[ident]).html
        if rollback:
            # The rollback card is the page's first section, which holds no other section.
            start = html.find('<section class="rb-rollback"')
            end = html.find("</section>", start)
            html = html[start : end + len("</section>")] + "\n"
        parts.append(html)
    return "\n".join(parts)
