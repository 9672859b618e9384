"""`rollbook lint`: run the rules, print one report, write extra reports, pick the exit code."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rollbook.atomic import write_text_atomic
from rollbook.config import ConfigError, Project
from rollbook.diagnostics import Location
from rollbook.lint.baseline import (
    apply_baseline,
    key_of,
    read_baseline,
    stale_message,
    write_baseline,
)
from rollbook.lint.engine import (
    LintOptions,
    LintResult,
    collector_paused,
    lint,
    today_from_env,
)
from rollbook.lint.exemptions import apply_exemptions, exemption_locations
from rollbook.lint.finding import Finding, fingerprint
from rollbook.lint.registry import registered
from rollbook.lint.selection import build_selection
from rollbook.report import FORMATS, render
from rollbook.report.github import step_summary

EXIT_OK, EXIT_FINDINGS = 0, 1


@dataclass
class LintRun:
    """The outcome of one `rollbook lint`: what to print and the exit code."""

    result: LintResult
    output: str
    exit_code: int
    written: list[Path]


def parse_report_spec(spec: str) -> tuple[str, Path]:
    """``sarif=out/rollbook.sarif`` -> ``("sarif", Path("out/rollbook.sarif"))``."""
    name, sep, path = spec.partition("=")
    name = name.strip().lower()
    if not sep or not path.strip():
        raise ConfigError(f"--report {spec!r}: write FORMAT=PATH, e.g. sarif=rollbook.sarif")
    if name not in FORMATS:
        raise ConfigError(
            f"--report {spec!r}: unknown format {name!r} (formats: {', '.join(FORMATS)})"
        )
    return name, Path(path.strip())


def choose_format(explicit: str | None, env: Mapping[str, str]) -> str:
    """The report to print: the one asked for, else github inside GitHub Actions, else text."""
    if explicit:
        return explicit
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"


def run_lint(
    project: Project,
    options: LintOptions,
    output_format: str | None = None,
    reports: list[str] | None = None,
    exit_zero: bool = False,
    env: Mapping[str, str] | None = None,
    use_baseline: bool = True,
) -> LintRun:
    """Lint, render the reports and decide the exit code (0 or 1; errors raise ConfigError).

    The configuration's exemptions apply, then the baseline file (unless ``use_baseline`` is
    false): see :func:`adopt`.
    """
    env = os.environ if env is None else env
    extra = [parse_report_spec(spec) for spec in reports or []]
    fmt = choose_format(output_format, env)
    if fmt not in FORMATS:
        raise ConfigError(f"unknown output format {fmt!r} (formats: {', '.join(FORMATS)})")
    # The reports of a large run are many small objects too: no collections meanwhile.
    with collector_paused():
        result = lint(project, options)
        adopt(project, options, result, use_baseline=use_baseline)
        written = []
        for name, path in extra:
            write_text_atomic(path, render(name, result))
            written.append(path)
        summary_file = env.get("GITHUB_STEP_SUMMARY")
        if fmt == "github" and summary_file:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(step_summary(result))
        code = EXIT_FINDINGS if result.failed and not exit_zero else EXIT_OK
        output = render(fmt, result)
    return LintRun(result, output, code, written)


def _complete(options: LintOptions) -> bool:
    """Whether a run sees every finding: the whole project, not only what changed."""
    return options.paths is None and options.since is None


def baseline_path(project: Project) -> Path:
    """The baseline file the configuration names (``baseline``), from the project root."""
    return project.root / project.config.baseline


def adopt(
    project: Project, options: LintOptions, result: LintResult, *, use_baseline: bool = True
) -> None:
    """Apply the adoption aids to ``result``, in place: exemptions, then the baseline.

    Exempted RB101 findings count as suppressed; findings the baseline records are hidden
    and said in a note. Expired and unused exemptions (RB906, RB907) and stale baseline
    entries (RB905) are added as findings; unused and stale only in a full run, which is the
    only run that could tell.
    """
    config = project.config
    selection = build_selection(config, options.select, options.ignore)
    today = options.today or today_from_env()
    added: list[tuple[str, str, Location, str]] = []
    if config.exempt:
        exempted = apply_exemptions(
            result.findings,
            list(config.exempt),
            exemption_locations(project),
            today,
            judge_unused=_complete(options),
            enabled=lambda code: code in selection.enabled,
        )
        result.findings = exempted.findings
        result.suppressed += exempted.hidden
        added.extend(exempted.own)
    path = baseline_path(project)
    if use_baseline and path.is_file():
        display = project.display(path)
        applied = apply_baseline(
            result.findings,
            read_baseline(path, display),
            judge_stale=_complete(options),
            enabled=selection.enabled_for,
        )
        result.findings = applied.findings
        for entry, matched in applied.stale:
            added.append(
                (
                    "RB905",
                    stale_message(entry, matched),
                    entry.location,
                    f"stale:{entry.code}:{entry.path}:{entry.anchor}",
                )
            )
        if applied.hidden:
            result.notes.append(
                f"{applied.hidden} finding{'s' if applied.hidden != 1 else ''} recorded in the "
                f"baseline {display} not shown (`--no-baseline` shows them)"
            )
    for code, message, location, anchor in added:
        if not selection.enabled_for(code, location.path):
            continue
        item = registered(code)
        result.findings.append(
            Finding(
                code,
                item.name,
                selection.severity(code),
                message,
                location,
                item.help,
                anchor,
                fingerprint(code, location.path, anchor),
            )
        )
    result.findings.sort(key=Finding.sort_key)


@dataclass
class BaselineWritten:
    """What `rollbook lint --write-baseline` did: the file, entries and findings recorded,
    and how many entries of the previous baseline were dropped (their findings are gone)."""

    path: Path
    entries: int
    findings: int
    dropped: int


def write_baseline_run(
    project: Project, options: LintOptions, target: Path | None = None
) -> BaselineWritten:
    """Lint the whole project and record every finding in the baseline file.

    The previous baseline is not applied, so entries whose findings are gone are dropped.
    Only a full run can be recorded: paths, --since, --select and --ignore are refused, since
    the baseline would then lose the findings they leave out.
    """
    narrowed = [
        name
        for name, given in (
            ("PATHS", options.paths),
            ("--since", options.since),
            ("--select", options.select),
            ("--ignore", options.ignore),
        )
        if given
    ]
    if narrowed:
        raise ConfigError(
            f"--write-baseline records every finding of a full run; drop {', '.join(narrowed)}"
        )
    path = target or baseline_path(project)
    shown = project.display(path)
    if path.is_dir():
        raise ConfigError(f"--write-baseline {shown}: that is a folder; name a file")
    previous = set()
    if path.exists():
        # Replacing the last baseline is what was asked for; any other file is not.
        try:
            previous = {e.key for e in read_baseline(path, shown)}
        except ConfigError:
            raise ConfigError(
                f"--write-baseline: {shown} exists and is not a rollbook baseline; not "
                "overwriting it (delete it first if it is a broken baseline)"
            ) from None
    result = lint(project, options)
    adopt(project, options, result, use_baseline=False)
    recorded = [f for f in result.findings if f.code not in {"RB905", "RB906", "RB907"}]
    entries = write_baseline(path, recorded)
    now = {key_of(f) for f in recorded}
    return BaselineWritten(path, entries, len(recorded), len(previous - now))
