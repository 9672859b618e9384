"""GitHub Actions workflow commands: annotations on the pull request, and a job summary.

GitHub shows at most 10 error and 10 warning annotations per step (and 10 notices), so the
most severe findings are annotated first and the rest are counted in a closing line; the
Markdown job summary (``$GITHUB_STEP_SUMMARY``) lists every finding.
"""

from __future__ import annotations

from rollbook.diagnostics import Severity
from rollbook.lint.engine import LintResult
from rollbook.lint.finding import Finding
from rollbook.report.text import location, plural, summary_line
from rollbook.safe_text import for_terminal

MAX_PER_LEVEL = 10
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
SUMMARY_ROWS = 500


def escape_data(text: str) -> str:
    """Escape a workflow command's message (after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """One workflow command. The log shows it as text, and GitHub's log viewer acts on ANSI
    sequences: the file name and message are escaped as for a terminal first."""
    props = [f"file={escape_property(for_terminal(finding.path, lines=False))}"]
    if finding.line > 0:
        props += [f"line={finding.line}", f"col={max(finding.column, 1)}"]
    props.append(f"title={escape_property(f'{finding.code} {finding.name}')}")
    message = finding.message + (f"\nhelp: {finding.help}" if finding.help else "")
    return f"::{COMMANDS[finding.severity]} {','.join(props)}::{escape_data(_shown(message))}"


def _shown(message: str) -> str:
    # CR and LF become %0D and %0A, which GitHub turns back into line breaks; every other
    # control or invisible character is escaped.
    return "\r".join(for_terminal(part) for part in message.split("\r"))


def render(result: LintResult) -> str:
    ordered = sorted(result.findings, key=lambda f: (-f.severity.rank, *f.sort_key()))
    shown: dict[Severity, int] = dict.fromkeys(COMMANDS, 0)
    left: dict[Severity, int] = dict.fromkeys(COMMANDS, 0)
    lines = []
    for finding in ordered:
        if shown[finding.severity] < MAX_PER_LEVEL:
            shown[finding.severity] += 1
            lines.append(annotation(finding))
        else:
            left[finding.severity] += 1
    extra = [plural(n, sev.value) for sev, n in left.items() if n]
    if extra:
        lines.append(
            f"rollbook: {', '.join(extra)} not annotated (GitHub shows at most "
            f"{MAX_PER_LEVEL} per step); the job summary lists every finding."
        )
    # What lint skipped (a link outside the project, a hidden runbook) is in the log too.
    lines.extend(f"note: {for_terminal(note, lines=False)}" for note in result.notes)
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    text = for_terminal(text.replace("\r", " ").replace("\n", " "))
    return text.replace("\\", "\\\\").replace("|", "\\|")


def step_summary(result: LintResult) -> str:
    """A Markdown job summary: the verdict and a table of findings, most severe first."""
    out = ["## rollbook lint", "", summary_line(result), ""]
    if result.findings:
        out += ["| Severity | Rule | Where | Finding |", "|---|---|---|---|"]
        ordered = sorted(result.findings, key=lambda f: (-f.severity.rank, *f.sort_key()))
        for finding in ordered[:SUMMARY_ROWS]:
            out.append(
                f"| {finding.severity.value} | {finding.code} {finding.name} | "
                f"`{_cell(location(finding))}` | {_cell(finding.message)} |"
            )
        if len(ordered) > SUMMARY_ROWS:
            out += [
                "",
                f"... and {len(ordered) - SUMMARY_ROWS} more (see the SARIF or JSON report).",
            ]
    return "\n".join(out) + "\n"
