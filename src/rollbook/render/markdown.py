"""A runbook, or only its rollback card, as Markdown that is safe to post.

For reviewers (the pull-request comment of ``rollbook diff --post``) and chats
(``rollbook render FEATURE``). The rollback card renders the one
:class:`~rollbook.render.views.RollbackView` that the site's page, the terminal, the
telephone script, the text message and the offline cards render (built by
:func:`rollbook.render.rollback.rollback_view`), so a step has the same words everywhere.
The rest of the runbook (signals, flags, risks, rollout, logs, review) comes from the
runbook model itself, in the page's order: rollback first.

Every value from the runbook goes through :mod:`rollbook.render.markdown_safe`: no raw HTML,
no link or mention the runbook did not contain, no emphasis it did not write, hidden
characters shown. Links the runbook does contain (validated link fields) stay links.
"""

from __future__ import annotations

from rollbook.model.runbook import Runbook, Scalar
from rollbook.render.markdown_safe import block, code_span, fenced, inline, link
from rollbook.render.views import ContactLine, RollbackView

RISK_LABEL = {
    "low": "Low risk",
    "medium": "Medium risk",
    "high": "High risk",
    "critical": "Critical risk",
}


def value(v: Scalar | None) -> str:
    """A flag value as the YAML said it: ``false``, ``0``, ``off``."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _items(items: tuple[str, ...] | list[str]) -> list[str]:
    return [f"- {block(t, '  ')}" for t in items]


def _reach(contact: ContactLine) -> list[str]:
    out = []
    if contact.phone is not None:
        out.append(f"call {code_span(contact.phone.international)}")
    if contact.chat_url:
        out.append(link(f"chat {contact.chat}".strip(), contact.chat_url))
    elif contact.chat:
        out.append(f"chat {code_span(contact.chat)}")
    return out


def rollback_markdown(view: RollbackView, *, heading: str = "###") -> str:
    """The rollback card: when, kill switch, numbered steps, checks, afterwards, who to call."""
    out = [
        f"{heading} Roll back: {inline(view.title)}",
        "",
        f"**{RISK_LABEL.get(view.risk, view.risk)}** · Owner: {inline(view.owner_name)} · "
        f"Runbook: {code_span(view.id)}",
    ]
    first = view.contacts[0] if view.contacts else None
    if first is not None and _reach(first):
        out += ["", f"**Get help:** {inline(first.name)}: " + " · ".join(_reach(first))]
    if not view.has_rollback:
        out += ["", "**This runbook has no rollback yet. Call the owner.**"]
        return "\n".join(out) + "\n"
    if view.audience == "engineers":
        out += ["", "_This rollback needs an engineer._"]
    if view.when:
        out += ["", "**When:**", "", *_items(view.when)]
    kill = view.kill_switch
    if kill is not None:
        line = (
            f"**Kill switch:** set {code_span(kill.key)} to **{code_span(kill.off)}** "
            f"({inline(kill.system)})"
        )
        if kill.redeploy:
            line += ", then **redeploy**"
        out += ["", line + ": " + block(kill.change)]
        if kill.link:
            out += ["", link("Open the flag", kill.link)]
        if kill.command:
            out += ["", fenced(kill.command)]
    if view.steps:
        out += ["", "**Steps:**", ""]
        for step in view.steps:
            n = step.n
            pad = " " * (len(str(n)) + 2)
            out.append(f"{n}. {block(step.do, pad)}")
            marks = []
            if step.engineer:
                marks.append("**Needs an engineer**")
            if step.irreversible:
                marks.append("**Cannot be undone**")
            parts: list[str] = []
            if marks:
                parts.append(" · ".join(marks))
            if step.warning:
                parts.append(f"**Warning:** {block(step.warning, pad)}")
            if step.backup:
                parts.append(f"**Backup first:** {block(step.backup, pad)}")
            for part in parts:
                out += ["", pad + part]
            if step.command:
                out += ["", fenced(step.command, pad)]
            if step.link:
                out += ["", pad + link(f"Open link for step {n}", step.link)]
            if step.expect:
                out += ["", f"{pad}**Expect:** {block(step.expect, pad)}"]
            if step.if_not:
                out += ["", f"{pad}**If not:** {block(step.if_not, pad)}"]
    if view.verify:
        out += ["", "**Check it worked:**", "", *_items(view.verify)]
    if view.after:
        out += ["", "**Afterwards:**", "", *_items(view.after)]
    return "\n".join(out) + "\n"


def runbook_markdown(view: RollbackView, runbook: Runbook, *, source: str = "") -> str:
    """The whole runbook, rollback first, as the site's page orders it.

    ``view`` is the runbook's rollback view (:func:`rollbook.render.rollback.rollback_view`);
    ``source`` the runbook's file, shown at the end.
    """
    rb = runbook
    out = [f"## {inline(rb.title)}", "", rollback_markdown(view, heading="###").rstrip("\n")]
    out += ["", "### About this feature", "", block(rb.summary)]
    if rb.tags:
        out += ["", "Tags: " + ", ".join(code_span(t) for t in rb.tags)]
    if rb.signals:
        out += ["", "### Signals"]
        for s in rb.signals:
            out += ["", f"- **{inline(s.name)}** ({inline(s.kind)})"]
            for label, text in (
                ("Normal", s.healthy),
                ("Trouble", s.threshold),
                ("No data", s.no_data),
            ):
                if text:
                    out.append(f"  - {label}: {block(text, '    ')}")
            if s.alert:
                out.append(f"  - Alert: {code_span(s.alert)}")
            if s.link:
                out.append(f"  - {link(f'Open {s.kind}', s.link)}")
            if s.query:
                out += ["", fenced(s.query, "  ")]
    if rb.flags:
        out += ["", "### Flags"]
        for f in rb.flags:
            out += ["", f"- {code_span(f.key)} ({inline(f.system)})"]
            out.append(f"  - Off value: **{code_span(value(f.off))}**")
            if f.on is not None:
                out.append(f"  - On value: {code_span(value(f.on))}")
            out.append(f"  - How to change: {block(f.change, '    ')}")
            if f.who:
                out.append(f"  - Who may: {inline(f.who)}")
            out.append(f"  - Redeploy: {'Yes' if f.redeploy else 'No'}")
            if f.when_unavailable:
                out.append(f"  - If the flag service is down: {block(f.when_unavailable, '    ')}")
            if f.link:
                out.append(f"  - {link('Open flag', f.link)}")
            if f.command:
                out += ["", fenced(f.command, "  ")]
    if rb.risks:
        out += ["", "### Risks", ""]
        for r in rb.risks:
            line = f"- {block(r.what, '  ')} (likelihood {r.likelihood}, impact {r.impact})"
            if r.mitigation:
                line += f"\\\n  **Limits the damage:** {block(r.mitigation, '  ')}"
            if r.signals:
                line += "\\\n  **Shown by:** " + ", ".join(inline(n) for n in r.signals)
            out.append(line)
    if rb.rollout:
        out += ["", "### Rollout", "", *rollout_lines(rb)]
    if rb.logs:
        out += ["", "### Logs"]
        for lg in rb.logs:
            out += ["", f"- **{inline(lg.name)}**: {block(lg.where, '  ')}"]
            if lg.look_for:
                out.append(f"  - Look for: {block(lg.look_for, '    ')}")
            if lg.link:
                out.append(f"  - {link('Open logs', lg.link)}")
            if lg.query:
                out += ["", fenced(lg.query, "  ")]
    out += ["", "### Contacts", ""]
    for n, c in enumerate(view.contacts, start=1):
        line = f"{n}. **{inline(c.name)}**"
        if c.role:
            line += f" ({inline(c.role, line_start=False)})"
        if c.when:
            line += f": {inline(c.when, line_start=False)}"
        reach = _reach(c)
        if reach:
            line += " · " + ", ".join(reach)
        out.append(line)
    out += ["", "### Review and drills", ""]
    if rb.review:
        out.append(
            f"Last reviewed {rb.review.last_reviewed.isoformat()} by {inline(rb.review.by)}."
        )
    else:
        out.append("**Never reviewed.**")
    if rb.drills:
        out.append("")
        for d in rb.drills:
            line = f"- {d.date.isoformat()}: **{d.result}** by {inline(d.by)}"
            if d.duration:
                line += f", took {d.duration}"
            if d.notes:
                line += f". {block(d.notes, '  ')}"
            out.append(line)
    else:
        out += ["", "No rollback drill recorded."]
    if view.page_url or source:
        out += ["", "### Source", ""]
        if source:
            out.append(code_span(source))
        if view.page_url:
            out.append(("" if not source else "\n") + link("The runbook's page", view.page_url))
    return "\n".join(out) + "\n"


def rollout_lines(rb: Runbook) -> list[str]:
    """The rollout plan as a numbered list (also used by the diff's Markdown)."""
    if rb.rollout is None:
        return []
    out = []
    for n, st in enumerate(rb.rollout.stages, start=1):
        out.append(f"{n}. {inline(stage_text(st))}")
    return out


def stage_text(stage) -> str:
    """One rollout stage in words: ``Staff only: 5% staff accounts, at least 2d``."""
    text = f"{stage.name}: " if stage.name else ""
    if stage.percent is not None:
        text += f"{stage.percent:g}%"
    if stage.audience:
        text += (" " if stage.percent is not None else "") + stage.audience
    if stage.min_duration:
        text += f", at least {stage.min_duration}"
    if stage.gate:
        text += "; healthy first: " + ", ".join(stage.gate)
    return text
