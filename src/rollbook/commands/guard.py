"""`rollbook guard`: ask whether features may be deployed now (or at --at), for a pipeline.

Exit codes: 0 go (or refused and overridden on the record), 1 refused (with --next: no time
found), 2 usage or configuration error, including a calendar that cannot be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rollbook.config import ConfigError, Project
from rollbook.guard.decide import Decision, GuardRequest, decide, zone_of
from rollbook.guard.periods import parse_at
from rollbook.guard.report import to_json, to_text

EXIT_GO, EXIT_REFUSED = 0, 1


@dataclass
class GuardRun:
    """The outcome of one `rollbook guard`: the decision, what to print and the exit code."""

    decision: Decision
    output: str
    exit_code: int


def run_guard(
    project: Project,
    features: list[str],
    *,
    at: str | None = None,
    window: str | None = None,
    by: str | None = None,
    override: str | None = None,
    output_format: str = "text",
    find_next: bool = False,
    stage: str | None = None,
    stage_started: str | None = None,
    env: Mapping[str, str] | None = None,
) -> GuardRun:
    """Decide, render and pick the exit code; ConfigError for usage errors (exit 2)."""
    zone = zone_of(project)
    when = None
    if at is not None:
        try:
            when = parse_at(at, zone)
        except ValueError as exc:
            raise ConfigError(f"--at: {exc}") from None
    if find_next and override is not None:
        raise ConfigError("--next asks when a deploy would pass; it takes no --override")
    request = GuardRequest(
        features, when, window, by, override, stage, stage_started, find_next, env
    )
    decision = decide(project, request)
    output = to_json(decision) if output_format == "json" else to_text(decision)
    if find_next:
        code = EXIT_GO if decision.next_at is not None else EXIT_REFUSED
    else:
        code = EXIT_REFUSED if decision.outcome == "refused" else EXIT_GO
    return GuardRun(decision, output, code)
