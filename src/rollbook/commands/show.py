"""`rollbook show FEATURE`: the rollback without the site, in a terminal, as a telephone
script (``--say``) or as a text message (``--sms``).

All three render the same :class:`~rollbook.render.views.RollbackView` as the site's page and
the offline cards, so no medium can say a step differently. The command returns text; the
CLI prints it (through the terminal-safe ``echo``, on top of each renderer's own escaping).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rollbook.config import ConfigError, Project
from rollbook.load.find_feature import find_feature
from rollbook.load.runbooks import LoadedProject, load_project_runbooks
from rollbook.model.runbook import Runbook, TeamsFile
from rollbook.render.rollback import rollback_view
from rollbook.render.views import RollbackView

Mode = Literal["card", "say", "sms"]


@dataclass
class Shown:
    """What ``rollbook show`` prints: the text, and notes for standard error."""

    text: str
    notes: list[str] = field(default_factory=list)


def valid_runbooks(loaded: LoadedProject) -> list[Runbook]:
    """Every runbook that loaded into the model (the first of each id, as the site has it)."""
    seen: set[str] = set()
    out = []
    for item in loaded.runbooks:
        rb = item.runbook
        if rb is not None and rb.id not in seen:
            seen.add(rb.id)
            out.append(rb)
    return out


def teams_model(loaded: LoadedProject) -> TeamsFile | None:
    """The teams file's model, if it loaded."""
    teams = loaded.teams
    return teams.model if teams is not None and isinstance(teams.model, TeamsFile) else None


def notes_for(loaded: LoadedProject, rb: Runbook) -> list[str]:
    """What the reader should know about the runbook's file (errors may make a step wrong)."""
    notes = []
    for item in loaded.runbooks:
        if item.runbook is rb and item.problems:
            n = len(item.problems)
            notes.append(
                f"{item.display} has {n} problem{'s' if n != 1 else ''} "
                f"(`rollbook validate {item.display}`): a name, contact or step may be wrong"
            )
    if loaded.teams is not None and loaded.teams.problems:
        notes.append(f"the teams file {loaded.teams.display} has errors: contacts may be missing")
    return notes


def unloaded_hint(loaded: LoadedProject) -> str:
    """Why a feature may be missing: runbook files that did not load at all."""
    n = sum(1 for item in loaded.runbooks if item.runbook is None)
    if not n:
        return ""
    return (
        f" ({n} runbook file{'s' if n != 1 else ''} could not be loaded: "
        "`rollbook validate` says why)"
    )


def view_for(project: Project, query: str) -> tuple[RollbackView, list[str]]:
    """The rollback view of the one feature ``query`` names, and notes about its files."""
    loaded = load_project_runbooks(project)
    try:
        rb = find_feature(valid_runbooks(loaded), query)
    except ConfigError as exc:
        raise ConfigError(f"{exc}{unloaded_hint(loaded)}") from None
    view = rollback_view(rb, teams_model(loaded), site_url=project.config.site_url)
    return view, notes_for(loaded, rb)


def show(project: Project, query: str, mode: Mode = "card", *, color: bool = False) -> Shown:
    """The rollback of the feature ``query`` names, rendered for ``mode``."""
    view, notes = view_for(project, query)
    if mode == "say":
        from rollbook.render.telephone import render_script

        return Shown(render_script(view), notes)
    if mode == "sms":
        from rollbook.render.sms import count, sms_text

        text = sms_text(view)
        counted = count(text)
        notes.append(
            f"{counted.segments} SMS segment{'s' if counted.segments != 1 else ''} "
            f"({counted.encoding}, {counted.units} "
            f"{'septets' if counted.encoding == 'GSM-7' else 'UTF-16 code units'})"
        )
        return Shown(text + "\n", notes)
    if mode != "card":
        raise ConfigError(f"unknown output {mode!r}")
    from rollbook.render.terminal import render_terminal

    return Shown(render_terminal(view, color=color), notes)


def feature_list(project: Project) -> str:
    """Every feature: id, risk and title, one a line (what FEATURE may name)."""
    loaded = load_project_runbooks(project)
    runbooks = sorted(valid_runbooks(loaded), key=lambda rb: rb.id)
    if not runbooks:
        return "no valid runbook in this project\n"
    width = max(len(rb.id) for rb in runbooks)
    return "".join(f"{rb.id:<{width}}  {rb.risk:<8}  {rb.title}\n" for rb in runbooks)
