"""`rollbook card`: offline rollback cards, one self-contained HTML file.

For the colleague who will be somewhere without a network: save the file (or print it) before
the trip. The cards render the same :class:`~rollbook.render.views.RollbackView` as the site
and ``rollbook show``. The file is written atomically, and never over a file that
``rollbook card`` did not write, unless asked (``--force``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rollbook.atomic import write_text_atomic
from rollbook.commands.show import notes_for, teams_model, unloaded_hint, valid_runbooks
from rollbook.config import ConfigError, Project
from rollbook.load.find_feature import find_features
from rollbook.load.runbooks import LoadedProject, load_project_runbooks
from rollbook.model.runbook import RISK_LEVELS, Runbook
from rollbook.render.card import SITE_LIMIT, is_card_file, render_cards
from rollbook.render.rollback import rollback_view

DEFAULT_OUTPUT = Path("rollback-cards.html")


@dataclass
class CardsWritten:
    """What ``rollbook card`` wrote."""

    path: Path
    features: list[str]
    bytes: int
    notes: list[str] = field(default_factory=list)


def _built_text() -> str:
    from rollbook.commands.build import build_time

    return build_time().strftime("%Y-%m-%d %H:%M UTC")


def choose(loaded: LoadedProject, queries: list[str], all_features: bool) -> list[Runbook]:
    """The runbooks the cards are for: each query's, in the order asked, or every one."""
    runbooks = valid_runbooks(loaded)
    if all_features:
        if queries:
            raise ConfigError("give FEATURE names or --all, not both")
        if not runbooks:
            raise ConfigError("the project has no valid runbook to make cards of")
        return sorted(runbooks, key=lambda rb: (rb.title.casefold(), rb.id))
    if not queries:
        raise ConfigError("name at least one FEATURE (an id, a title or a flag key), or --all")
    chosen: list[Runbook] = []
    for query in queries:
        try:
            found = find_features(runbooks, query)
        except ConfigError as exc:
            raise ConfigError(f"{exc}{unloaded_hint(loaded)}") from None
        chosen.extend(rb for rb in found if rb not in chosen)
    return chosen


def check_output(out: Path, force: bool) -> None:
    """Refuse to replace a folder, or a file ``rollbook card`` did not write (unless forced)."""
    if out.is_dir():
        raise ConfigError(f"{out} is a folder: give a file name, e.g. {out / DEFAULT_OUTPUT}")
    if not out.exists() or force:
        return
    try:
        with out.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise ConfigError(f"cannot read {out} to check what it is: {exc.strerror}") from None
    if not is_card_file(head):
        raise ConfigError(
            f"{out} exists and was not written by `rollbook card`; choose another name with "
            "-o, or pass --force to replace it"
        )


def write_cards(
    project: Project,
    queries: list[str],
    *,
    all_features: bool = False,
    out: Path = DEFAULT_OUTPUT,
    force: bool = False,
) -> CardsWritten:
    """Write the cards of the chosen features to ``out``."""
    check_output(out, force)
    loaded = load_project_runbooks(project)
    chosen = choose(loaded, queries, all_features)
    teams = teams_model(loaded)
    views = [rollback_view(rb, teams, site_url=project.config.site_url) for rb in chosen]
    title = f"{project.config.site_name}: rollback cards"
    html = render_cards(views, title=title, built_text=_built_text())
    write_text_atomic(out, html)
    notes = [note for rb in chosen for note in notes_for(loaded, rb)]
    if not project.config.site_url:
        notes.append("no QR codes: set `site-url` in the configuration to link each card's page")
    return CardsWritten(out, [rb.id for rb in chosen], len(html.encode("utf-8")), notes)


def site_cards(loaded: LoadedProject, built: dt.datetime) -> tuple[str, int, int]:
    """The site's download: (the HTML, features in it, features in the project).

    The riskiest :data:`SITE_LIMIT` features, riskiest first, then by title.
    """
    project = loaded.project
    # As valid_runbooks picks them, ranked by what the site lists of each: only the models
    # of the cards are read (a build may not have read the others', see KeptRunbook).
    seen: set[str] = set()
    runbooks = []
    for item in loaded.runbooks:
        listed = item.listed
        if listed is not None and listed.id not in seen:
            seen.add(listed.id)
            runbooks.append((listed, item))
    ranked = sorted(
        runbooks,
        key=lambda kept: (-RISK_LEVELS.index(kept[0].risk), kept[0].title.casefold(), kept[0].id),
    )[:SITE_LIMIT]
    teams = teams_model(loaded)
    views = [
        rollback_view(item.runbook, teams, site_url=project.config.site_url) for _, item in ranked
    ]
    html = render_cards(
        views,
        title=f"{project.config.site_name}: rollback cards",
        built_text=built.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    return html, len(ranked), len(runbooks)
