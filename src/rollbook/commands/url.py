"""`rollbook url FEATURE`: the web address of a feature's page, for wiring alerts by hand.

FEATURE is a runbook id, title or flag key. With ``--alerts`` the command prints the
``runbook_url`` annotation to paste under an alert's ``annotations:``, and, when alert rule
files are configured, which alerts belong to the feature and whether they lead to it (as YAML
comments, so the output still pastes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rollbook.alerts import is_template, load_alerts, page_url, url_matches
from rollbook.alerts.rule_files import RUNBOOK_URL
from rollbook.commands.link_alerts import require_site_url
from rollbook.config import Project
from rollbook.load.find_feature import find_feature
from rollbook.load.runbooks import load_project_runbooks, project_walk
from rollbook.model.runbook import Runbook


@dataclass
class UrlAnswer:
    runbook: Runbook
    url: str
    lines: list[str] = field(default_factory=list)


def feature_url(project: Project, query: str, *, alerts: bool = False) -> UrlAnswer:
    """The page address of the feature ``query`` names; with ``alerts``, its annotation."""
    site = require_site_url(project)
    loaded = load_project_runbooks(project)
    runbooks = [item.runbook for item in loaded.runbooks if item.runbook is not None]
    rb = find_feature(runbooks, query)  # the one matcher: id, title or flag key
    url = page_url(site, rb.id)
    answer = UrlAnswer(rb, url)
    if not alerts:
        answer.lines.append(url)
        return answer
    answer.lines.append(f"{RUNBOOK_URL}: {url}")
    if not project.config.alert_rules:
        return answer
    index = load_alerts(project, project_walk(project))
    mine = index.for_runbook(rb)
    if not mine:
        answer.lines.append(f"# no alert in the configured rule files belongs to {rb.id}")
    for alert in mine:
        current = alert.runbook_url
        if current is None:
            state = "no runbook_url yet"
        elif is_template(current):
            state = "runbook_url is a template"
        elif url_matches(current.strip(), url):
            state = "linked"
        else:
            state = "runbook_url leads elsewhere"
        answer.lines.append(f"# {alert.name} ({alert.location}): {state}")
    return answer
