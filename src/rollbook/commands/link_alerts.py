"""`rollbook link-alerts`: point every alert of a feature at the feature's page.

Without ``--write`` it prints a unified diff of what it would change (and the command exits
1 when there is something to change, so CI can ask for it); with ``--write`` it writes each
changed rule file through a temporary file, so an interrupted run leaves the old file or the
new one, never half of one. A second run finds nothing to change.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from rollbook.alerts import load_alerts
from rollbook.alerts.linking import LinkPlan, plan_links
from rollbook.atomic import write_text_atomic
from rollbook.config import ConfigError, Project
from rollbook.load.runbooks import load_project_runbooks, project_walk


@dataclass
class LinkOutcome:
    """What one run did: the plan, the diff text, and the files written."""

    plan: LinkPlan
    diff: str
    written: list[str] = field(default_factory=list)
    invalid_runbooks: int = 0


def require_site_url(project: Project) -> str:
    """The configured site-url, or a ConfigError saying how to set it."""
    site = project.config.site_url
    if not site:
        where = project.display(project.config_path) if project.config_path else "rollbook.toml"
        raise ConfigError(
            f"site-url is not set in {where}: rollbook cannot know the address of a page\n"
            '    hint: add site-url = "https://runbooks.example.com/" (where the site is served)'
        )
    return site


def link_alerts(project: Project, *, write: bool = False) -> LinkOutcome:
    """Plan (and with ``write``, make) the runbook_url edits of the project's rule files."""
    site = require_site_url(project)
    if not project.config.alert_rules:
        raise ConfigError(
            "no alert-rules are configured: rollbook does not know where the alert rules are\n"
            '    hint: add alert-rules = ["monitoring/rules/*.yaml"] to the configuration'
        )
    index = load_alerts(project, project_walk(project))
    loaded = load_project_runbooks(project)
    runbooks = [item.runbook for item in loaded.runbooks if item.runbook is not None]
    plan = plan_links(index, runbooks, site, project.root)
    plan.notes.extend(index.notes)
    for problem in index.problems:
        plan.notes.append(f"{problem.location}: {problem.message} (not linked; see rollbook lint)")
    diff = "".join(
        "".join(
            difflib.unified_diff(
                change.old.splitlines(keepends=True),
                change.new.splitlines(keepends=True),
                fromfile=f"a/{change.display}",
                tofile=f"b/{change.display}",
            )
        )
        for change in plan.changes
    )
    outcome = LinkOutcome(plan, diff, invalid_runbooks=len(loaded.runbooks) - len(runbooks))
    if write:
        for change in plan.changes:
            # Through a link to the file it leads to (replacing the link would cut it), and
            # with the byte order mark the file had, if any.
            target = change.path.resolve()
            bom = "\ufeff" if target.read_bytes()[:3] == b"\xef\xbb\xbf" else ""
            write_text_atomic(target, bom + change.new, keep_mode=True)
            outcome.written.append(change.display)
    return outcome
