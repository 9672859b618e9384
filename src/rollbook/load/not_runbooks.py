"""Files among the runbooks that are not runbooks: what feature sources and alert rules read.

A flagd or Unleash file in YAML, or a Prometheus rule file, may sit in a runbook folder (the
feature's flags beside its runbook). Every command that loads the project leaves them out, as
`rollbook lint` does, with a note saying why; this finds them from the configuration alone,
without reading them, so that `validate`, `show`, `card`, `url`, `render` and `guard` pay only
a walk of the folders the globs name.
"""

from __future__ import annotations

from pathlib import Path

from rollbook.config import Project
from rollbook.walk import FolderWalk

FEATURE_SOURCE = "a feature source reads it"
ALERT_SOURCE = "an alert-rules source reads it"
RUNBOOK_SUFFIXES = (".yaml", ".yml")


def not_runbooks(project: Project, walk: FolderWalk | None = None) -> dict[Path, str]:
    """YAML files the configured sources read (resolved path -> why it is not a runbook).

    A source that is misconfigured is skipped: the commands that read sources report it
    (exit 2); the others load the runbooks as they can. Code sources read code, never YAML.
    """
    from rollbook.alerts import alert_sources
    from rollbook.sources import source_files
    from rollbook.sources.discovery import find_files
    from rollbook.sources.spec import parse_source_spec

    # Its own walk: what it skips is said by the commands that read the sources.
    walk = (
        walk
        if walk is not None
        else FolderWalk(project.root, project.config.follow_external_symlinks)
    )
    found: dict[Path, str] = {}

    def add(found_files, why: str) -> None:
        for path, _ in found_files:
            if path.suffix.lower() in RUNBOOK_SUFFIXES:
                found.setdefault(path.resolve(), why)

    for index, table in enumerate(project.config.sources):
        try:
            spec = parse_source_spec(table, f"sources[{index}]")
            if spec.kind != "code":  # code sources read code, never YAML
                for _, files in source_files([spec], project.root, walk):
                    add(files, FEATURE_SOURCE)
        except Exception:  # reported by the commands that read the sources
            continue
    try:
        entries = alert_sources(list(project.config.alert_rules))
    except Exception:
        entries = []
    for source in entries:
        try:
            add(
                find_files(project.root, source.paths, respect_gitignore=False, walk=walk),
                ALERT_SOURCE,
            )
        except Exception:
            continue
    return found
