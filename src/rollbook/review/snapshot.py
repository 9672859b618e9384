"""One side of a diff: the project's runbooks by id and its features, read from a folder.

The working tree is read where it is; the base is read from the folder :mod:`.git_tree`
wrote. Both are read by the same loaders as ``rollbook lint`` reads them, with the
configuration each side had (a branch may move the runbooks folder).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rollbook.config import Config, ConfigError, Project, read_config
from rollbook.load.runbooks import load_project_runbooks
from rollbook.load.salvage import listing
from rollbook.model.runbook import Runbook
from rollbook.sources import Feature, SourceError, collect_features, parse_source_spec


@dataclass(frozen=True)
class Placed:
    """A valid runbook and the file it is in (relative to the project root)."""

    runbook: Runbook
    path: str


@dataclass
class Snapshot:
    """The runbooks (valid ones by id; files that did not load) and features of one side."""

    runbooks: dict[str, Placed] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)
    invalid_ids: set[str] = field(default_factory=set)
    """Ids of runbooks whose files do not load: not compared, never reported as removed."""
    features: list[Feature] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_snapshot(project: Project, *, side: str = "working tree", strict: bool = True) -> Snapshot:
    """The runbooks and features of ``project``.

    ``strict``: a feature source that cannot be read is a ConfigError (the working tree);
    otherwise a note (the base, which the reviewer cannot fix any more).
    """
    snap = Snapshot()
    try:
        loaded = load_project_runbooks(project)
    except ConfigError as exc:
        if strict:
            raise
        snap.notes.append(f"{side}: no runbooks read ({exc})")
        loaded = None
    if loaded is not None:
        for item in loaded.runbooks:
            rb = item.runbook
            if rb is None:
                snap.invalid.append(item.display)
                ident = listing(item).id  # what still reads of its id, if anything
                if ident:
                    snap.invalid_ids.add(ident)
            elif rb.id not in snap.runbooks:  # a duplicate id: the first file, as the site
                snap.runbooks[rb.id] = Placed(rb, item.display)
    snap.features = read_features(project, side=side, strict=strict, notes=snap.notes)
    return snap


def read_features(
    project: Project, *, side: str = "working tree", strict: bool = True, notes: list[str]
) -> list[Feature]:
    """The features of the project's configured sources (see :func:`read_snapshot`)."""
    try:
        specs = [
            parse_source_spec(table, f"sources[{i}]")
            for i, table in enumerate(project.config.sources)
        ]
        return collect_features(specs, project.root) if specs else []
    except SourceError as exc:
        if strict:
            raise ConfigError(exc.render()) from None
        notes.append(f"{side}: feature sources not read ({exc.message})")
        return []


def base_project(folder: Path, current: Project) -> Project:
    """The project as the base had it: its own configuration file if it had one at the same
    place, else today's configuration (a project that adds rollbook.toml in this change)."""
    config: Config = current.config
    config_path = None
    if current.config_path is not None:
        try:
            rel = current.config_path.resolve().relative_to(current.root.resolve())
        except ValueError:
            rel = None
        if rel is not None and (folder / rel).is_file():
            config_path = folder / rel
            try:
                config = read_config(config_path)
            except ConfigError:
                config = current.config  # the base's broken config is not this change's fault
    return Project(root=folder.resolve(), config=config, config_path=config_path)
