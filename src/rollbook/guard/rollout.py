"""Which stage a feature's rollout is at, and since when.

Three places may say so, most live first: the command line (``--stage``, ``--stage-started``,
for a pipeline that knows), the flag source (a flagd flag's ``metadata``, which the flag
service serves and whoever moves the rollout updates: ``rolloutStage`` and
``rolloutStageStarted``), and the runbook (``rollout.current_stage`` and
``rollout.stage_started``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rollbook.config import ConfigError, Project
from rollbook.guard.periods import moment_in, parse_at
from rollbook.model.runbook import Runbook, Stage

STAGE_KEY = "rolloutStage"
STARTED_KEY = "rolloutStageStarted"


@dataclass(frozen=True)
class CurrentStage:
    """The stage a rollout is at: its index (0-based), the stage, since when, said where."""

    index: int
    stage: Stage
    started: dt.datetime
    source: str

    @property
    def label(self) -> str:
        name = f" ({self.stage.name})" if self.stage.name else ""
        return f"stage {self.index + 1}{name}"


def current_stage(
    project: Project,
    runbook: Runbook,
    zone: ZoneInfo,
    stage: str | None = None,
    started: str | None = None,
) -> CurrentStage | None:
    """The current stage of ``runbook``'s rollout, or None when nothing says (or no plan).

    ConfigError when the command line or flag source names a stage the plan does not have or
    a start that is not a time: a wrong stage must not let a deploy through unchecked.
    """
    rollout = runbook.rollout
    if stage is not None or started is not None:
        if rollout is None:
            raise ConfigError(f"--stage: {runbook.id} has no rollout plan (`rollout.stages`)")
        if stage is None or started is None:
            raise ConfigError("--stage and --stage-started go together: give both")
        try:
            when = parse_at(started, zone)
        except ValueError as exc:
            raise ConfigError(f"--stage-started: {exc}") from None
        return _stage(rollout.stages, stage, when, "the command line", runbook.id)
    if rollout is None:
        return None
    from_source = _from_flag_source(project, runbook, zone)
    if from_source is not None:
        return from_source
    if rollout.current_stage is not None and rollout.stage_started is not None:
        index = rollout.stage_index(rollout.current_stage)
        if index is not None:
            return CurrentStage(
                index,
                rollout.stages[index],
                moment_in(rollout.stage_started, zone),
                "the runbook (rollout.current_stage)",
            )
    return None


def _stage(
    stages: list[Stage], named: str | int, when: dt.datetime, source: str, feature: str
) -> CurrentStage:
    text = str(named).strip()
    if text.isdigit() and 1 <= int(text) <= len(stages):
        index = int(text) - 1
    else:
        index = next((i for i, s in enumerate(stages) if s.name == text), -1)
    if index < 0:
        names = ", ".join(
            f"{i + 1} ({s.name})" if s.name else str(i + 1) for i, s in enumerate(stages)
        )
        raise ConfigError(
            f"{source}: {feature} has no rollout stage {text!r}: give a number from 1 to "
            f"{len(stages)} or a stage's name (stages: {names})"
        )
    return CurrentStage(index, stages[index], when, source)


def _from_flag_source(project: Project, runbook: Runbook, zone: ZoneInfo) -> CurrentStage | None:
    """The stage a flagd flag's metadata names, for the runbook's flagd flags."""
    keys = [f.key for f in runbook.flags if f.system == "flagd"]
    if not keys or runbook.rollout is None:
        return None
    kill = runbook.rollback.kill_switch if runbook.rollback else None
    keys.sort(key=lambda k: k != kill)  # the kill switch first
    from rollbook.sources import SourceError, parse_source_spec
    from rollbook.sources.discovery import find_files
    from rollbook.sources.documents import read_document

    config_name = project.display(project.config_path) if project.config_path else "rollbook.toml"
    try:
        for index, table in enumerate(project.config.sources):
            spec = parse_source_spec(table, f"{config_name}: sources[{index}]")
            if spec.kind != "flagd":
                continue
            files = find_files(project.root, spec.globs, respect_gitignore=False, where=spec.where)
            for file, name in files:
                data = read_document(file, name).data
                flags = data.get("flags") if isinstance(data, dict) else None
                for key in keys:
                    flag = _flag(flags, key)
                    metadata = flag.get("metadata") if isinstance(flag, dict) else None
                    if isinstance(metadata, dict) and STAGE_KEY in metadata:
                        return _metadata_stage(metadata, name, key, runbook, zone)
    except SourceError as exc:
        raise ConfigError(exc.render()) from None
    return None


def _flag(flags: object, key: str) -> object:
    if isinstance(flags, dict):
        return flags.get(key)
    if isinstance(flags, list):
        return next((f for f in flags if isinstance(f, dict) and f.get("key") == key), None)
    return None


def _metadata_stage(
    metadata: dict, name: str, key: str, runbook: Runbook, zone: ZoneInfo
) -> CurrentStage:
    where = f"{name}: flag {key!r} metadata"
    started = metadata.get(STARTED_KEY)
    if not isinstance(started, str):
        raise ConfigError(
            f"{where}: {STAGE_KEY} needs {STARTED_KEY}, the time the stage started, as text "
            '(e.g. "2026-12-01T09:00:00+01:00")'
        )
    try:
        when = parse_at(started, zone)
    except ValueError as exc:
        raise ConfigError(f"{where}: {STARTED_KEY}: {exc}") from None
    assert runbook.rollout is not None
    return _stage(runbook.rollout.stages, metadata[STAGE_KEY], when, where, runbook.id)
