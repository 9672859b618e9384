"""Runbooks -> pages: decide what every page says, render it through Jinja2 templates.

Nothing here knows about MkDocs; the site engine takes the :class:`SitePage` list and turns
it into a website. Every page links to others with relative URLs computed in one place
(:mod:`rollbook.render.urls`), which lets the engine check every internal link afterwards.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from rollbook.alerts import AlertIndex, load_alerts
from rollbook.config import Config
from rollbook.diagnostics import Problem
from rollbook.load.runbooks import Listed, Loaded, LoadedProject
from rollbook.load.salvage import listing
from rollbook.model.links import LinkError, path_href, web_href
from rollbook.model.phones import sms_href, tel_href
from rollbook.model.runbook import RISK_LEVELS, Runbook, Team, TeamsFile
from rollbook.render import urls
from rollbook.render.card import SITE_LIMIT as CARDS_LIMIT
from rollbook.render.card import SITE_PATH as CARDS_PATH
from rollbook.render.jinja import page_environment
from rollbook.render.rollback import rollback_view
from rollbook.render.sms import sms_body_href, sms_text
from rollbook.render.views import (
    FindingView,
    LintResults,
    MissingRunbook,
    SitePage,
    SiteProblems,
)
from rollbook.safe_text import for_terminal

RISK_LABEL = {
    "low": "Low risk",
    "medium": "Medium risk",
    "high": "High risk",
    "critical": "Critical risk",
}
# Features listed per team on the home page before it links to the team page instead: the
# home page is the first download on a bad network, it must stay small at 10,000 runbooks.
HOME_LIMIT_PER_TEAM = 25
# Files with errors, however many: the problems page shows a count and the first few (the
# JSON report at PROBLEMS_REPORT has them all), the home page fewer, each team's a few.
PROBLEMS_PAGE_FILES = 40
PROBLEMS_PER_FILE = 3
MESSAGE_LIMIT = 300
HOME_MISSING = 5
HOME_MISSING_PER_TEAM = 3
LIST_MISSING = 20
PROBLEMS_REPORT = "problems/problems.json"


@dataclass(frozen=True)
class Callout:
    """A way to reach someone: a button on the page."""

    label: str
    href: str
    kind: str  # call, sms or chat


@dataclass(frozen=True)
class ContactView:
    """A contact in escalation order, with everything needed to reach them."""

    name: str
    role: str
    when: str
    callouts: tuple[Callout, ...]


@dataclass(frozen=True)
class RunbookEntry:
    """A valid runbook with what the site needs to place it.

    What the listings show of it (``id``, ``title``, ``owner``, ``tags``, ``risk``) is
    known without its model (``listed``); :attr:`runbook` is the model, which a runbook
    taken from the lint cache reads back when first asked for (see
    :class:`rollbook.load.runbooks.KeptRunbook`)."""

    listed: Listed
    display: str
    loaded: Loaded
    src_uri: str

    @property
    def runbook(self) -> Runbook:
        rb = self.loaded.runbook
        assert rb is not None  # an entry is a valid runbook
        return rb

    @property
    def id(self) -> str:
        return self.listed.id

    @property
    def title(self) -> str:
        return self.listed.title

    @property
    def owner(self) -> str:
        return self.listed.owner

    @property
    def tags(self) -> tuple[str, ...]:
        return self.listed.tags

    @property
    def risk(self) -> str:
        return self.listed.risk

    @property
    def url(self) -> str:
        return urls.src_uri_to_url(self.src_uri)


class SiteRenderer:
    """Renders every page of the site from a loaded project."""

    def __init__(
        self,
        loaded: LoadedProject,
        *,
        lint: LintResults | None = None,
        built: dt.datetime,
        user_templates: Path | None = None,
        env: Environment | None = None,
        preview: bool = False,
    ) -> None:
        self.loaded = loaded
        self.preview = preview
        self.config: Config = loaded.project.config
        self.lint = lint or LintResults()
        self.built = built.astimezone(dt.UTC)
        self.env = env or page_environment(user_templates)
        self.teams: TeamsFile | None = (
            loaded.teams.model
            if loaded.teams and isinstance(loaded.teams.model, TeamsFile)
            else None
        )
        seen: set[str] = set()
        self.entries: list[RunbookEntry] = []
        self.problems = SiteProblems()
        for item in loaded.runbooks:
            listed = item.listed
            # A duplicate id is reported by the loader; the first file keeps the page.
            if listed is None or listed.id in seen:
                self.problems.missing.append(_missing(item))
                continue
            seen.add(listed.id)
            src_uri = urls.runbook_page(listed.id)
            self.entries.append(RunbookEntry(listed, item.display, item, src_uri))
            if item.problems:
                self.problems.flawed.append((item.display, _views(item.problems)))
        self.entries.sort(key=lambda e: (e.title.lower(), e.id))
        if loaded.teams is not None and loaded.teams.problems:
            self.problems.teams = _views(loaded.teams.problems)
            self.problems.teams_path = loaded.teams.display
        self.alerts = alert_index(loaded.project)
        # Looked up several times on every page: once here, rather than by a walk of the
        # teams or the rules each time (the first team of an id wins, as TeamsFile.team).
        self._teams_by_id: dict[str, Team] = {}
        for team in self.teams.teams if self.teams else ():
            self._teams_by_id.setdefault(team.id, team)
        self._rule_codes = frozenset(r.code for r in self.lint.rules)

        self.outlook = _outlook(loaded, self.teams, self.built)

    # -- shared context ----------------------------------------------------------------------

    def _context(self, src_uri: str, **extra: object) -> dict[str, object]:
        here = urls.src_uri_to_url(src_uri)

        def link(target_src_uri: str, fragment: str = "") -> str:
            target = (
                urls.src_uri_to_url(target_src_uri)
                if target_src_uri.endswith(".md")
                else target_src_uri
            )
            return urls.relative_url(here, target + (f"#{fragment}" if fragment else ""))

        return {
            "site_name": self.config.site_name,
            "built": self.built,
            "built_text": self.built.strftime("%Y-%m-%d %H:%M UTC"),
            "built_iso": self.built.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "link": link,
            "urls": urls,
            "risk_label": RISK_LABEL,
            "team_name": self.team_name,
            "lint_available": self.lint.available,
            "problems": self.problems,
            "problems_report": PROBLEMS_REPORT,
            **extra,
        }

    def team_name(self, team_id: str) -> str:
        team = self._teams_by_id.get(team_id)
        return team.name if team else team_id

    def render_page(self, template: str, src_uri: str, **extra: object) -> str:
        """``template`` rendered as the page at ``src_uri``, for page modules of their own
        (render/coverage.py): the same context and preview banner as every page."""
        return self._render(template, src_uri, **extra)

    def _render(self, template: str, src_uri: str, **extra: object) -> str:
        context = self._context(src_uri, **extra)
        html = self.env.get_template(template).render(context)
        if self.preview and self.problems:
            # `rollbook serve`: every page says that the preview lacks something.
            html = self.env.get_template("pages/_banner.html").render(context) + html
        return html

    # -- pages -------------------------------------------------------------------------------

    def pages(self, prerendered: Mapping[str, SitePage] | None = None) -> list[SitePage]:
        """Every page of the site, in a stable order (the build must be reproducible).

        ``prerendered``: runbook pages rendered already (by forked workers), by ``src_uri``;
        the others are rendered here.
        """
        return self.assemble(prerendered or {}, self.listing_pages())

    def listing_pages(self) -> tuple[SitePage, list[SitePage]]:
        """The pages that are not runbooks': the home page, and the others in site order
        (the runbook pages go between them, see :meth:`assemble`)."""
        home = self.home()
        out = [*self.team_pages(), *self.tag_pages(), *self.rule_pages()]
        if self.problems:
            out.append(self.problems_page())
        if self.lint.coverage is not None:
            out.append(self.coverage_page())
        return home, out

    def assemble(
        self, prerendered: Mapping[str, SitePage], listings: tuple[SitePage, list[SitePage]]
    ) -> list[SitePage]:
        """Every page of the site in order (see :meth:`pages`), from the ``listings`` of
        :meth:`listing_pages` and the runbook pages ``prerendered`` (the others rendered
        here)."""
        home, rest = listings
        out = [home]
        out.extend(prerendered.get(entry.src_uri) or self.runbook(entry) for entry in self.entries)
        out.extend(rest)
        return out

    def coverage_page(self) -> SitePage:
        """Features a source declares that no runbook covers (see render/coverage.py)."""
        from rollbook.render.coverage import coverage_page

        assert self.lint.coverage is not None
        return coverage_page(self, self.lint.coverage)

    def home(self) -> SitePage:
        groups = []
        missing = self._missing_by_team()
        for team_id, entries in self._by_team().items():
            ranked = sorted(entries, key=lambda e: (-RISK_LEVELS.index(e.risk), e.title.lower()))
            groups.append(
                {
                    "id": team_id,
                    "name": self.team_name(team_id),
                    "entries": ranked[:HOME_LIMIT_PER_TEAM],
                    "total": len(entries),
                    "missing": missing.get(team_id, [])[:HOME_MISSING_PER_TEAM],
                    "missing_total": len(missing.get(team_id, [])),
                }
            )
        html = self._render(
            "pages/home.html",
            urls.HOME,
            groups=groups,
            count=len(self.entries),
            home_missing=HOME_MISSING,
            has_tags=bool(self._by_tag()),
            has_rules=bool(self.lint.rules),
            cards_path=CARDS_PATH,
            cards_count=min(len(self.entries), CARDS_LIMIT),
            coverage=self.lint.coverage,
        )
        return SitePage(
            urls.HOME,
            self.config.site_name,
            f"Rollback runbooks for {len(self.entries)} features.",
            html,
            kind="home",
        )

    def runbook(self, entry: RunbookEntry) -> SitePage:
        rb = entry.runbook
        findings = [
            FindingView(p.code, p.message, str(p.location), p.severity.value, p.hint)
            for p in entry.loaded.problems
        ]
        # The linter reports the loader's problems too: each once.
        shown = {(f.code, f.location) for f in findings}
        findings.extend(
            f for f in self.lint.by_file.get(entry.display, []) if (f.code, f.location) not in shown
        )
        # The rollback as every medium shows it (terminal, telephone, text message, cards):
        # the page's steps and kill switch come from the same view, so they cannot disagree.
        card = rollback_view(rb, self.teams, site_url=self.config.site_url)
        steps = []
        for i, step in enumerate(card.steps, start=1):
            # The tick is stored under the step's text: an edited step starts unticked again.
            key = hashlib.sha256(f"{rb.id}\0{i}\0{step.do}".encode()).hexdigest()[:12]
            steps.append({"n": i, "step": step, "key": key})
        html = self._render(
            "pages/runbook.html",
            entry.src_uri,
            rb=rb,
            entry=entry,
            steps=steps,
            kill=card.kill_switch,
            send_steps_href=sms_body_href(sms_text(card)),
            callouts=self.top_callouts(rb),
            contacts=self.contacts(rb),
            findings=findings,
            source=self.source(entry.display),
            signal_ids={s.name: f"signal-{i}" for i, s in enumerate(rb.signals, start=1)},
            rule_link=self._rule_link,
            signal_alerts=signal_alert_views(self.alerts, rb),
            outlook=self.outlook(rb) if self.outlook else None,
        )
        # Alerts found in rule files for this feature (by its feature label) find it too.
        words = search_text(rb, self.team_name(rb.owner))
        extra = [a.name for a in self.alerts.for_runbook(rb) if a.name not in words.split()]
        return SitePage(
            entry.src_uri,
            rb.title,
            _clip(rb.summary, 150),
            html,
            search_text=" ".join([words, *dict.fromkeys(extra)]),
            kind="runbook",
        )

    def team_pages(self) -> list[SitePage]:
        by_team = self._by_team()
        missing = self._missing_by_team()
        teams = []
        for team_id in sorted(by_team):
            team = self._teams_by_id.get(team_id)
            teams.append(
                {
                    "id": team_id,
                    "name": self.team_name(team_id),
                    "team": team,
                    "entries": by_team[team_id],
                    "missing": missing.get(team_id, []),
                }
            )
        out = [
            SitePage(
                urls.TEAMS,
                "Teams",
                "Every team and the features it owns.",
                self._render("pages/teams.html", urls.TEAMS, teams=teams),
            )
        ]
        for group in teams:
            src = urls.team_page(group["id"])
            team: Team | None = group["team"]  # type: ignore[assignment]
            callouts = self._team_callouts(team) if team else ()
            html = self._render("pages/team.html", src, group=group, callouts=callouts)
            out.append(
                SitePage(
                    src,
                    group["name"],
                    f"Features owned by {group['name']}.",
                    html,
                    search_text=f"team {group['id']}",
                    kind="team",
                )
            )
        return out

    def tag_pages(self) -> list[SitePage]:
        by_tag = self._by_tag()
        missing = self._missing_by_tag()
        out = [
            SitePage(
                urls.TAGS,
                "Tags",
                "Features grouped by tag.",
                self._render("pages/tags.html", urls.TAGS, tags=by_tag, missing=missing),
            )
        ]
        for tag, entries in by_tag.items():
            src = urls.tag_page(tag)
            out.append(
                SitePage(
                    src,
                    f"Tag: {tag}",
                    f"Features tagged {tag}.",
                    self._render(
                        "pages/tag.html",
                        src,
                        tag=tag,
                        entries=entries,
                        missing=missing.get(tag, []),
                    ),
                    search_text=f"tag {tag}",
                    kind="tag",
                )
            )
        return out

    def rule_pages(self) -> list[SitePage]:
        if not self.lint.rules:
            return []
        rules = sorted(self.lint.rules, key=lambda r: r.code)
        out = [
            SitePage(
                urls.RULES,
                "Lint rules",
                "What `rollbook lint` checks, and why.",
                self._render("pages/rules.html", urls.RULES, rules=rules),
            )
        ]
        for rule in rules:
            src = urls.rule_page(rule.code)
            out.append(
                SitePage(
                    src,
                    f"{rule.code} {rule.name}",
                    _clip(rule.summary, 150),
                    self._render(
                        "pages/rule.html", src, rule=rule, doc_html=rule_doc_html(rule.doc)
                    ),
                    search_text=f"{rule.code} {rule.name}",
                    kind="rule",
                )
            )
        return out

    def problems_page(self) -> SitePage:
        """The files with errors: a count and the first few, however many there are."""
        problems = self.problems
        missing = problems.missing[:PROBLEMS_PAGE_FILES]
        flawed = problems.flawed[: max(0, PROBLEMS_PAGE_FILES - len(missing))]
        html = self._render(
            "pages/problems.html",
            urls.PROBLEMS,
            missing=missing,
            flawed=flawed,
            shown=len(missing) + len(flawed) + (1 if problems.teams else 0),
            per_file=PROBLEMS_PER_FILE,
        )
        # A search for a missing runbook's id or title finds this page.
        words = [w for m in problems.missing for w in (m.id, m.title) if w]
        return SitePage(
            urls.PROBLEMS,
            "Runbook files with errors",
            f"{problems.files} runbook file{'s' if problems.files != 1 else ''} with errors.",
            html,
            search_text=" ".join(dict.fromkeys(words)),
            kind="problems",
        )

    # -- pieces ------------------------------------------------------------------------------

    def _by_team(self) -> dict[str, list[RunbookEntry]]:
        """Each team's runbooks; a team whose only runbooks are missing has an empty list."""
        groups: dict[str, list[RunbookEntry]] = defaultdict(list)
        for entry in self.entries:
            groups[entry.owner].append(entry)
        for team_id in self._missing_by_team():
            groups[team_id] += []
        return dict(sorted(groups.items(), key=lambda kv: self.team_name(kv[0]).lower()))

    def _missing_by_team(self) -> dict[str, list[MissingRunbook]]:
        groups: dict[str, list[MissingRunbook]] = defaultdict(list)
        for item in self.problems.missing:
            if item.owner:
                groups[item.owner].append(item)
        return groups

    def _missing_by_tag(self) -> dict[str, list[MissingRunbook]]:
        groups: dict[str, list[MissingRunbook]] = defaultdict(list)
        for item in self.problems.missing:
            for tag in item.tags:
                groups[tag].append(item)
        return groups

    def _by_tag(self) -> dict[str, list[RunbookEntry]]:
        groups: dict[str, list[RunbookEntry]] = defaultdict(list)
        for entry in self.entries:
            for tag in dict.fromkeys(entry.tags):
                groups[tag].append(entry)
        for tag in self._missing_by_tag():
            groups[tag] += []
        return dict(sorted(groups.items()))

    def _rule_link(self, code: str) -> str | None:
        return urls.rule_page(code) if code in self._rule_codes else None

    def _team_callouts(self, team: Team) -> tuple[Callout, ...]:
        out = []
        if team.oncall_phone:
            out.append(Callout(f"Call {team.name} on-call", tel_href(team.oncall_phone), "call"))
            out.append(Callout("Text", sms_href(team.oncall_phone), "sms"))
        if team.chat_url:
            out.append(Callout("Chat", web_href(team.chat_url), "chat"))
        return tuple(out)

    def top_callouts(self, rb: Runbook) -> tuple[Callout, ...]:
        """The call/text/chat buttons at the top: the owner's on-call, else the first contact
        with a phone. A person on a phone should be one tap from a human."""
        team = self._teams_by_id.get(rb.owner)
        if team and (team.oncall_phone or team.chat_url):
            return self._team_callouts(team)
        for contact in self.contacts(rb):
            if contact.callouts:
                return contact.callouts
        return ()

    def contacts(self, rb: Runbook) -> list[ContactView]:
        """Contacts in escalation order; the owner's on-call first when not listed."""
        out: list[ContactView] = []
        listed = list(rb.contacts)
        if not any(c.team == rb.owner for c in listed):
            out.extend(self._team_contact(rb.owner, "First call"))
        for contact in listed:
            if contact.team:
                out.extend(self._team_contact(contact.team, contact.when or ""))
            elif contact.person:
                found = self.teams.person(contact.person) if self.teams else None
                if found is None:
                    out.append(ContactView(contact.person, "", contact.when or "", ()))
                    continue
                team, person = found
                callouts = []
                if person.phone:
                    callouts += [
                        Callout(f"Call {person.name}", tel_href(person.phone), "call"),
                        Callout("Text", sms_href(person.phone), "sms"),
                    ]
                if person.chat_url:
                    callouts.append(
                        Callout(
                            f"Chat {person.chat or ''}".strip(), web_href(person.chat_url), "chat"
                        )
                    )
                role = ", ".join(x for x in (person.role or "", team.name) if x)
                out.append(ContactView(person.name, role, contact.when or "", tuple(callouts)))
        return out

    def _team_contact(self, team_id: str, when: str) -> list[ContactView]:
        team = self._teams_by_id.get(team_id)
        if team is None:
            return [ContactView(team_id, "team", when, ())]
        return [
            ContactView(f"{team.name} on-call", team.chat or "", when, self._team_callouts(team))
        ]

    def source(self, display: str) -> dict[str, str]:
        """Where a reviewer finds the runbook's file: a link when repo-url is configured.

        The link is ``repo-url/edit-uri/path`` with each segment of the path percent-encoded
        (a file name may hold spaces, ``#``, ``?``, ``%``, quotes or any script). A file
        outside the project (shown by its absolute path) has no place in the repository.
        """
        url = ""
        inside = not display.startswith("/") and ".." not in display.split("/")
        if self.config.repo_url and inside:
            edit = self.config.edit_uri.strip("/")
            base = "/".join(p for p in (self.config.repo_url.rstrip("/"), edit) if p)
            try:
                url = path_href(base, display)
            except LinkError:  # repo-url and edit-uri are checked when the config loads
                url = ""
        return {"path": display, "url": url}


def search_text(rb: Runbook, team_name: str) -> str:
    """What search finds a runbook by: id, flag keys, signal and alert names, team, tags.

    Deliberately not the summary or the steps: every word here makes the index files a
    search fetches bigger, and a search for an incident's words should not find every page
    that mentions them in passing. Keys are written once: the index splits words on dots,
    underscores and hyphens (see :data:`rollbook.site.search.SEPARATOR`), so ``one_click``
    finds ``checkout.one_click``.
    """
    words: list[str] = [rb.id]
    words.extend(flag.key for flag in rb.flags)
    for signal in rb.signals:
        words.append(signal.name)
        if signal.alert:
            words.append(signal.alert)
    words.append(team_name)
    words.extend(rb.tags)
    return " ".join(dict.fromkeys(w for w in words if w))


@dataclass(frozen=True)
class AlertRuleView:
    """An alerting rule as a runbook page shows it beside the signal it backs."""

    name: str
    expr: str
    for_: str
    severity: str
    where: str


# Alert rules shown per signal (one name can be defined in several groups or files).
ALERTS_PER_SIGNAL = 3


def alert_index(project) -> AlertIndex:
    """The project's alert rule files, read once per build; empty when none are configured.

    Problems in the files are lint's to report (RB305, RB306); the site shows what it read.
    """
    if not project.config.alert_rules:
        return AlertIndex()
    from rollbook.load.runbooks import project_walk

    return load_alerts(project, project_walk(project))


def signal_alert_views(index: AlertIndex, rb: Runbook) -> dict[str, list[AlertRuleView]]:
    """For each signal whose `alert` a rule file defines, what that rule says: the query, how
    long it must hold (`for:`) and its severity label. Rule files are untrusted text: hidden
    and control characters are shown as escapes, never passed on."""

    def shown(text: str | None, *, lines: bool = False) -> str:
        return for_terminal(text or "", lines=lines)

    out: dict[str, list[AlertRuleView]] = {}
    for name, rules in index.signal_alerts(rb).items():
        out[name] = [
            AlertRuleView(
                shown(rule.name),
                _clip_block(shown(rule.expr.strip(), lines=True), 4000),
                shown(rule.for_),
                shown(rule.severity),
                shown(str(rule.location)),
            )
            for rule in rules[:ALERTS_PER_SIGNAL]
        ]
    return out


def _clip_block(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problems_report(loaded: LoadedProject, built: dt.datetime) -> dict[str, object]:
    """Every problem of every file with errors, for ``problems/problems.json``.

    Each runbook file says which page it has (``page``: null when it is missing) and where it
    would have been listed (``id``, ``title``, ``owner``, ``tags``, guessed for a file that
    could not be read).
    """
    files: list[dict[str, object]] = []
    if loaded.teams is not None and loaded.teams.problems:
        files.append(_file_report(loaded.teams, None, None))
    seen: set[str] = set()
    missing = 0
    for item in loaded.runbooks:
        listed = item.listed
        page = None
        if listed is not None and listed.id not in seen:  # the first file of an id has the page
            seen.add(listed.id)
            page = urls.src_uri_to_url(urls.runbook_page(listed.id))
        if page is None:
            missing += 1
            files.append(_file_report(item, _missing(item), None))
        elif item.problems:
            files.append(_file_report(item, _missing(item), page))
    return {
        "generator": "rollbook",
        "built": built.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files_with_errors": len(files),
        "missing_runbooks": missing,
        "files": files,
    }


def _views(problems: list[Problem]) -> tuple[FindingView, ...]:
    """Problems as pages show them: messages clipped, so that no file can make a page huge."""
    return tuple(
        FindingView(
            p.code,
            _clip(p.message, MESSAGE_LIMIT),
            str(p.location),
            p.severity.value,
            _clip(p.hint, MESSAGE_LIMIT),
        )
        for p in problems
    )


def _missing(item: Loaded) -> MissingRunbook:
    found = listing(item)
    return MissingRunbook(
        item.display, _views(item.problems), found.id, found.title, found.owner, found.tags
    )


def _file_report(
    item: Loaded, runbook: MissingRunbook | None, page: str | None
) -> dict[str, object]:
    """One file in the JSON report; ``runbook`` is None for the teams file."""
    return {
        "path": item.display,
        "kind": "teams" if runbook is None else "runbook",
        "page": page,
        **(
            {
                "id": runbook.id,
                "title": runbook.title,
                "owner": runbook.owner,
                "tags": list(runbook.tags),
            }
            if runbook
            else {}
        ),
        "problems": [
            {
                "line": p.location.line,
                "column": p.location.column,
                "code": p.code,
                "severity": p.severity.value,
                "message": p.message,
                "field": p.field,
                "hint": p.hint,
            }
            for p in item.problems
        ],
    }


def rule_doc_html(doc: str) -> Markup:
    """A rule's documentation (Markdown written in rollbook's own code) as HTML.

    Rule docs come from rollbook's source, not from runbooks, and the page is sanitised with
    the allowlist afterwards like every other page.
    """
    return Markup(_rule_markdown().reset().convert(doc))


@functools.cache
def _rule_markdown():
    """One converter for every rule's doc (``reset`` between them): making one, with its
    extension, costs ten times what converting a doc does."""
    import markdown

    return markdown.Markdown(extensions=["fenced_code"], output_format="html")


def _outlook(loaded: LoadedProject, teams: TeamsFile | None, built: dt.datetime):
    """Who is reachable and which freeze is in force, per runbook, as of ``built`` (or None
    when the project does not use `rollbook guard`)."""
    from rollbook.guard.outlook import outlook_provider

    display = loaded.teams.display if loaded.teams else "teams file"
    return outlook_provider(loaded.project, teams, display, built)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_site(
    loaded: LoadedProject,
    *,
    lint: LintResults | None = None,
    built: dt.datetime,
    user_templates: Path | None = None,
    preview: bool = False,
) -> list[SitePage]:
    """Render every page of the site for ``loaded``."""
    return SiteRenderer(
        loaded, lint=lint, built=built, user_templates=user_templates, preview=preview
    ).pages()
