"""`rollbook lint`: run the rules, print one report, write extra reports, pick the exit code."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rollbook.atomic import write_text_atomic
from rollbook.config import ConfigError, Project
from rollbook.lint.engine import LintOptions, LintResult, lint
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
) -> LintRun:
    """Lint, render the reports and decide the exit code (0 or 1; errors raise ConfigError)."""
    env = os.environ if env is None else env
    extra = [parse_report_spec(spec) for spec in reports or []]
    fmt = choose_format(output_format, env)
    if fmt not in FORMATS:
        raise ConfigError(f"unknown output format {fmt!r} (formats: {', '.join(FORMATS)})")
    result = lint(project, options)
    written = []
    for name, path in extra:
        write_text_atomic(path, render(name, result))
        written.append(path)
    summary_file = env.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary_file:
        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(step_summary(result))
    code = EXIT_FINDINGS if result.failed and not exit_zero else EXIT_OK
    return LintRun(result, render(fmt, result), code, written)
