"""The default report: ``path:line:col: RB201 [error] message``, help, docs, a summary line."""

from __future__ import annotations

from rollbook.diagnostics import Severity
from rollbook.lint.engine import LintResult
from rollbook.lint.finding import Finding
from rollbook.lint.registry import REGISTRY
from rollbook.safe_text import for_terminal


def docs_link(code: str) -> str:
    """Where a rule is documented, in words that work wherever rollbook is installed: the
    command that prints the rule's page. (A path such as docs/rules.md exists only in
    rollbook's own repository, not in the user's.)"""
    item = REGISTRY[code]
    return f"`rollbook rule {item.code}`"


def location(finding: Finding) -> str:
    loc = finding.location
    if loc.line <= 0:
        return loc.path
    return f"{loc.path}:{loc.line}:{loc.column or 1}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(result: LintResult) -> str:
    """One sentence on the whole run, as the last line of the text and github reports."""
    files = plural(len(result.files), "runbook file")
    suppressed = f"; {result.suppressed} suppressed" if result.suppressed else ""
    if not result.findings:
        return f"All checks passed: {files}, no findings{suppressed}."
    parts = [
        plural(result.count(s), s.value)
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if result.count(s)
    ]
    verdict = "failed" if result.failed else "passed"
    return (
        f"Found {plural(len(result.findings), 'finding')} ({', '.join(parts)}) in {files}"
        f"{suppressed}; lint {verdict} (fail-on: {result.fail_on.value})."
    )


def render(result: LintResult) -> str:
    """The report for a terminal: file names and messages are untrusted text, shown escaped
    (:func:`rollbook.safe_text.for_terminal`), each on its own line."""

    def safe(text: str) -> str:
        return for_terminal(text, lines=False)

    out: list[str] = []
    for finding in result.findings:
        out.append(
            f"{safe(location(finding))}: {finding.code} [{finding.severity.value}] "
            f"{safe(finding.message)}"
        )
        if finding.help:
            out.append(f"    help: {safe(finding.help)}")
        out.append(f"    docs: {docs_link(finding.code)}")
    if result.findings:
        out.append("")
    out.extend(f"note: {safe(note)}" for note in result.notes)
    out.append(summary_line(result))
    return "\n".join(out) + "\n"
