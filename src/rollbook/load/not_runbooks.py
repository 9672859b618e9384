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
    from rollbook.sources import SOURCE_KINDS
    from rollbook.sources.discovery import find_files
    from rollbook.sources.spec import parse_source_spec

    # Its own walk: what it skips is said by the commands that read the sources.
    walk = (
        walk
        if walk is not None
        else FolderWalk(project.root, project.config.follow_external_symlinks)
    )
    found: dict[Path, str] = {}

    def add(patterns, respect_gitignore: bool, why: str) -> None:
        try:
            files = find_files(
                project.root, patterns, respect_gitignore=respect_gitignore, walk=walk
            )
        except Exception:  # reported by the commands that read the sources
            return
        for path, _ in files:
            if path.suffix.lower() in RUNBOOK_SUFFIXES:
                found.setdefault(path.resolve(), why)

    for index, table in enumerate(project.config.sources):
        try:
            spec = parse_source_spec(table, f"sources[{index}]")
        except Exception:
            continue
        if spec.kind == "code":
            continue
        add(spec.globs, SOURCE_KINDS[spec.kind].RESPECTS_GITIGNORE, FEATURE_SOURCE)
    try:
        entries = alert_sources(list(project.config.alert_rules))
    except Exception:
        entries = []
    for source in entries:
        add(source.paths, False, ALERT_SOURCE)
    return found
