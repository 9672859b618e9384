"""A runbook's rollback as one plain view (:class:`~rollbook.render.views.RollbackView`).

The site's runbook page, ``rollbook show`` (terminal, telephone script, text message) and the
offline cards all render from the view this module builds, so that the words of a step are
the same in every medium: a person reading the card and a colleague reading the page see
the same step 2. Contacts are resolved here from the teams file in escalation order (the
owner's on-call first unless the runbook lists it), as the page lists them.
"""

from __future__ import annotations

import json

from rollbook.model.links import LinkError, web_href
from rollbook.model.phones import PhoneNumber
from rollbook.model.runbook import Flag, Runbook, TeamsFile
from rollbook.render import urls
from rollbook.render.views import (
    ContactLine,
    KillSwitchView,
    PhoneView,
    RollbackView,
    StepView,
)


def value_text(value: object) -> str:
    """A flag value as the runbook means it: ``false``, ``0``, ``off`` (as the page shows it)."""
    return value if isinstance(value, str) else json.dumps(value)


def page_url(site_url: str | None, runbook_id: str) -> str:
    """The feature's page on the published site, or ``""`` without ``site-url``."""
    if not site_url:
        return ""
    path = urls.src_uri_to_url(urls.runbook_page(runbook_id))
    try:
        return web_href(site_url.rstrip("/") + "/" + path)
    except LinkError:  # site-url is checked when the configuration loads
        return ""


def _phone(number: PhoneNumber | None) -> PhoneView | None:
    return PhoneView(number.international, number.e164) if number is not None else None


def _link(value: str | None) -> str:
    if not value:
        return ""
    try:
        return web_href(value)
    except LinkError:  # validated by the model already; never shown broken
        return ""


def contacts(rb: Runbook, teams: TeamsFile | None) -> tuple[ContactLine, ...]:
    """Who to call, in escalation order; the owner's on-call first when not listed."""
    out: list[ContactLine] = []

    def team_line(team_id: str, when: str) -> ContactLine:
        team = teams.team(team_id) if teams else None
        if team is None:
            return ContactLine(team_id, "team", when)
        return ContactLine(
            f"{team.name} on-call",
            team.chat or "",
            when,
            _phone(team.oncall_phone),
            team.chat or "",
            _link(team.chat_url),
        )

    if not any(c.team == rb.owner for c in rb.contacts):
        out.append(team_line(rb.owner, "First call"))
    for contact in rb.contacts:
        if contact.team:
            out.append(team_line(contact.team, contact.when or ""))
            continue
        found = teams.person(contact.person) if teams and contact.person else None
        if found is None:
            out.append(ContactLine(contact.person or "", "", contact.when or ""))
            continue
        team, person = found
        role = ", ".join(x for x in (person.role or "", team.name) if x)
        out.append(
            ContactLine(
                person.name,
                role,
                contact.when or "",
                _phone(person.phone),
                person.chat or "",
                _link(person.chat_url),
            )
        )
    return tuple(out)


def _kill_switch(flag: Flag | None) -> KillSwitchView | None:
    if flag is None:
        return None
    return KillSwitchView(
        key=flag.key,
        off=value_text(flag.off),
        system=flag.system,
        change=flag.change,
        redeploy=flag.redeploy,
        link=_link(flag.link),
        command=flag.command or "",
    )


def rollback_view(
    rb: Runbook, teams: TeamsFile | None, *, site_url: str | None = None
) -> RollbackView:
    """The rollback of ``rb`` as every medium renders it."""
    rollback = rb.rollback
    team = teams.team(rb.owner) if teams else None
    steps = tuple(
        StepView(
            n=i,
            do=step.do,
            command=step.command or "",
            link=_link(step.link),
            expect=step.expect or "",
            if_not=step.if_not or "",
            engineer=step.engineer,
            irreversible=step.irreversible,
            warning=step.warning or "",
            backup=step.backup or "",
        )
        for i, step in enumerate(rollback.steps if rollback else [], start=1)
    )
    return RollbackView(
        id=rb.id,
        title=rb.title,
        risk=rb.risk,
        owner=rb.owner,
        owner_name=team.name if team else rb.owner,
        summary=rb.summary,
        audience=rollback.audience if rollback else "anyone",
        when=tuple(rollback.when) if rollback else (),
        kill_switch=_kill_switch(rb.kill_switch_flag),
        steps=steps,
        verify=tuple(rollback.verify) if rollback else (),
        after=tuple(rollback.after) if rollback else (),
        contacts=contacts(rb, teams),
        flags=tuple(f.key for f in rb.flags),
        page_url=page_url(site_url, rb.id),
        has_rollback=rollback is not None,
    )
