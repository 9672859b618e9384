"""A runbook, or only its rollback card, as Markdown that is safe to post.

For reviewers (the pull-request comment of ``rollbook diff --post``) and chats
(``rollbook render FEATURE``). Both read the one :class:`RunbookView` the site's page is
built from, so the Markdown says what the page says, in the same order: rollback first.

Every value from the runbook goes through :mod:`rollbook.render.markdown_safe`: no raw HTML,
no link or mention the runbook did not contain, no emphasis it did not write, hidden
characters shown. Links the runbook does contain (validated link fields) stay links.
"""

from __future__ import annotations

from rollbook.model.runbook import Runbook, Scalar
from rollbook.render.markdown_safe import block, code_span, fenced, inline, link
from rollbook.render.views import RunbookView

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


def _items(items: list[str]) -> list[str]:
    return [f"- {block(t, '  ')}" for t in items]


def _callouts(view: RunbookView) -> list[str]:
    out = []
    for callout in view.callouts:
        if callout.kind == "call":
            number = callout.href.removeprefix("tel:")
            out.append(f"{inline(callout.label)}: {code_span(number)}")
        elif callout.kind == "chat":
            out.append(link(callout.label, callout.href))
    return out


def rollback_markdown(view: RunbookView, *, heading: str = "###") -> str:
    """The rollback card: when, kill switch, numbered steps, checks, afterwards, who to call."""
    rb = view.runbook
    out = [
        f"{heading} Roll back: {inline(rb.title)}",
        "",
        f"**{RISK_LABEL[rb.risk]}** · Owner: {inline(view.owner_name)} · "
        f"Runbook: {code_span(rb.id)}",
    ]
    help_ = _callouts(view)
    if help_:
        out += ["", "**Get help:** " + " · ".join(help_)]
    rollback = rb.rollback
    if rollback is None:
        out += ["", "**This runbook has no rollback yet. Call the owner.**"]
        return "\n".join(out) + "\n"
    if rollback.audience == "engineers":
        out += ["", "_This rollback needs an engineer._"]
    if rollback.when:
        out += ["", "**When:**", "", *_items(rollback.when)]
    kill = view.kill
    if kill is not None:
        line = (
            f"**Kill switch:** set {code_span(kill.key)} to **{code_span(value(kill.off))}** "
            f"({inline(kill.system)})"
        )
        if kill.redeploy:
            line += ", then **redeploy**"
        out += ["", line + ": " + block(kill.change)]
        if kill.link:
            out += ["", link("Open the flag", kill.link)]
        if kill.command:
            out += ["", fenced(kill.command)]
    if rollback.steps:
        out += ["", "**Steps:**", ""]
        for n, step in enumerate(rollback.steps, start=1):
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
    if rollback.verify:
        out += ["", "**Check it worked:**", "", *_items(rollback.verify)]
    if rollback.after:
        out += ["", "**Afterwards:**", "", *_items(rollback.after)]
    return "\n".join(out) + "\n"


def runbook_markdown(view: RunbookView) -> str:
    """The whole runbook, rollback first, as the site's page orders it."""
    rb = view.runbook
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
            line += f" ({inline(c.role)})"
        if c.when:
            line += f": {inline(c.when)}"
        numbers = [code_span(x.href.removeprefix("tel:")) for x in c.callouts if x.kind == "call"]
        if numbers:
            line += " · call " + ", ".join(numbers)
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
    out += ["", "### Source", ""]
    if view.source_url:
        out.append(link(view.display, view.source_url))
    else:
        out.append(code_span(view.display))
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
