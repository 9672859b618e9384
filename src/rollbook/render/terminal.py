"""The rollback card in a terminal (``rollbook show FEATURE``): readable at 80 columns.

Steps are numbered; commands are set apart on their own lines after ``$`` and never
wrapped, nor are links (a wrapped command or link pastes broken): those lines may be longer
than the width, every other line fits it. Colour (bold headings, red for what cannot be
undone) only when asked for, which the command does when standard output is a terminal and
``NO_COLOR`` is not set (https://no-color.org/). Every string from the runbook and the teams
file passes through :func:`rollbook.safe_text.for_terminal`, so no escape sequence in a
runbook reaches the terminal: it is shown as ``\\x1b``.
"""

from __future__ import annotations

import textwrap

from rollbook.render.views import RollbackView
from rollbook.safe_text import for_terminal

WIDTH = 80
RISK = {
    "low": "low risk",
    "medium": "medium risk",
    "high": "HIGH RISK",
    "critical": "CRITICAL RISK",
}

_BOLD, _RED, _DIM, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[2m", "\x1b[0m"


def _safe(text: str) -> str:
    # One line of prose: line breaks that YAML kept become spaces, the rest is escaped.
    return for_terminal(" ".join(text.split()), lines=False)


class _Card:
    def __init__(self, width: int, color: bool) -> None:
        self.width = width
        self.color = color
        self.lines: list[str] = []

    def style(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def heading(self, text: str) -> None:
        self.lines.append("")
        self.lines.append(self.style(text.upper(), _BOLD))

    def para(self, text: str, indent: str = "  ", first: str | None = None) -> None:
        """Prose, wrapped to the width; ``first`` replaces the indent of the first line."""
        first = indent if first is None else first
        self.lines.extend(
            textwrap.wrap(
                _safe(text),
                self.width,
                initial_indent=first,
                subsequent_indent=indent,
                break_on_hyphens=False,
            )
            or [first.rstrip()]
        )

    def labelled(self, label: str, text: str, indent: str) -> None:
        self.para(f"{label} {text}", indent + " " * (len(label) + 1), first=indent)

    def command(self, text: str, indent: str) -> None:
        """A command on its own lines, never wrapped: each of its lines after ``$``."""
        for n, line in enumerate(for_terminal(text.strip("\n")).split("\n")):
            prefix = "$ " if n == 0 else "  "
            self.lines.append(indent + self.style(prefix + line, _BOLD))

    def link(self, url: str, indent: str) -> None:
        self.lines.append(f"{indent}Link: {for_terminal(url, lines=False)}")

    def items(self, texts: tuple[str, ...]) -> None:
        for text in texts:
            self.para(text, "    ", first="  - ")


def render_terminal(view: RollbackView, *, width: int = WIDTH, color: bool = False) -> str:
    """The rollback card of ``view`` as terminal text (ends with a newline)."""
    card = _Card(width, color)
    risk = RISK.get(view.risk, view.risk)
    title = f"ROLL BACK: {_safe(view.title)}"
    card.lines.extend(card.style(line, _BOLD) for line in textwrap.wrap(title, width))
    card.para(f"{view.id} · {risk} · owner {view.owner_name}", indent="")
    card.lines.append("=" * width)
    if not view.has_rollback:
        card.para("This runbook has no rollback yet. Call the owner.", indent="")
    if view.audience == "engineers":
        card.para("This rollback needs an engineer.", indent="")
    if view.when:
        card.heading("When to roll back")
        card.items(view.when)
    kill = view.kill_switch
    if kill:
        card.heading("Kill switch")
        redeploy = ", then REDEPLOY" if kill.redeploy else ""
        card.para(f"Set {kill.key} to {kill.off} ({kill.system}){redeploy}.")
        card.para(kill.change)
        if kill.link:
            card.link(kill.link, "  ")
        if kill.command:
            card.command(kill.command, "  ")
    if view.steps:
        card.heading(f"Steps ({len(view.steps)})")
        for step in view.steps:
            card.lines.append("")
            number = f"  {step.n}. "
            indent = " " * len(number)
            card.para(step.do, indent, first=number)
            marks = []
            if step.engineer:
                marks.append("Needs an engineer.")
            if step.irreversible:
                marks.append(card.style("CANNOT BE UNDONE.", _RED))
            if marks:
                card.lines.append(indent + " ".join(marks))
            if step.warning:
                card.labelled("Warning:", step.warning, indent)
            if step.backup:
                card.labelled("Backup first:", step.backup, indent)
            if step.command:
                card.command(step.command, indent)
            if step.link:
                card.link(step.link, indent)
            if step.expect:
                card.labelled("Expect:", step.expect, indent)
            if step.if_not:
                card.labelled("If not:", step.if_not, indent)
    if view.verify:
        card.heading("Check it worked")
        card.items(view.verify)
    if view.contacts:
        card.heading("Stop and call")
        for n, contact in enumerate(view.contacts, start=1):
            number = f"  {n}. "
            indent = " " * len(number)
            phone = f"  {contact.phone.international}" if contact.phone else ""
            role = f" ({contact.role})" if contact.role else ""
            card.para(f"{contact.name}{role}{phone}", indent, first=number)
            if contact.when:
                card.para(contact.when, indent)
            if contact.chat and contact.chat != contact.role:
                card.para(f"Chat: {contact.chat}", indent)
    if view.after:
        card.heading("Afterwards")
        card.items(view.after)
    if view.page_url:
        card.lines.append("")
        card.lines.append(f"Page: {for_terminal(view.page_url, lines=False)}")
    return "\n".join(card.lines) + "\n"
