"""Load runbooks and the teams file: from files on disk to typed models plus problems.

Loading never raises for a bad file: every problem in every file is collected, so that one
run shows the feature owner everything to fix.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from rollbook.codes import Code
from rollbook.config import ConfigError, Project
from rollbook.diagnostics import Location, Problem, format_path
from rollbook.load import names, silent_yaml
from rollbook.load.characters import visible
from rollbook.load.ids import duplicate_id
from rollbook.load.validation import problems_from_validation
from rollbook.load.yaml_reader import YamlDocument, YamlError, read_yaml_file
from rollbook.model.runbook import Runbook, TeamsFile, reference_problems
from rollbook.walk import FolderWalk, WalkError

YAML_SUFFIXES = (".yaml", ".yml")
# Problems that say why a value is wrong better than "invalid value" would.
_EXPLAINING = {Code.SILENT_YAML, Code.HIDDEN_CHARACTER, Code.LOOK_ALIKE_NAME}
_SKIP_DIRS = {".git", "node_modules", ".venv", "__pycache__"}
# A name that looks meant to be YAML: ".yaml" or ".yml" somewhere, in any case.
_YAMLISH = re.compile(r"\.ya?ml", re.IGNORECASE)


@dataclass
class Loaded:
    """One file after loading: the model if it is valid, and every problem found."""

    path: Path
    display: str
    model: BaseModel | None
    document: YamlDocument | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def runbook(self) -> Runbook | None:
        return self.model if isinstance(self.model, Runbook) else None


def load_model(
    path: Path, display: str, model: type[BaseModel], context: dict | None = None
) -> Loaded:
    """Read ``path`` and validate it against ``model`` (``context``: settings it needs).

    Messages and hints quote the file; hidden and control characters in them are escaped, so
    that a hostile file cannot reorder or rewrite the report in a terminal.
    """
    loaded = _load_model(path, display, model, context)
    loaded.problems = [_shown(p) for p in loaded.problems]
    return loaded


def _shown(problem: Problem) -> Problem:
    message, hint = visible(problem.message), visible(problem.hint)
    if message == problem.message and hint == problem.hint:
        return problem
    return dataclasses.replace(problem, message=message, hint=hint, field=visible(problem.field))


def _load_model(
    path: Path, display: str, model: type[BaseModel], context: dict | None = None
) -> Loaded:
    try:
        doc = read_yaml_file(path, display)
    except YamlError as exc:
        doc = exc.document
        if doc is None:
            return Loaded(path, display, None, None, list(exc.problems))
        # Duplicate keys: the document is usable, keep validating to report everything.
        problems = list(exc.problems)
    else:
        problems = []
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else "a single value"
        problems.append(
            Problem(
                Code.WRONG_TYPE,
                f"the file holds {kind}; expected a mapping of `key: value` lines",
                Location(display, 1, 1),
                hint="start with `id: my-feature` (see `rollbook new`)",
            )
        )
        return Loaded(path, display, None, doc, problems)
    # What YAML did silently, and names with look-alikes: reported with everything else, and
    # a value they concern is not reported a second time as merely invalid.
    problems.extend(silent_yaml.problems(doc, model) + names.problems(doc, model))
    try:
        obj = model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        explained = {p.field for p in problems if p.field and p.code in _EXPLAINING}
        problems.extend(
            p
            for p in problems_from_validation(exc, doc, model)
            if not (p.field in explained and p.code in (Code.WRONG_TYPE, Code.INVALID_VALUE))
        )
        problems.sort(key=lambda p: (p.location.line, p.location.column))
        return Loaded(path, display, None, doc, problems)
    if problems:
        problems.sort(key=lambda p: (p.location.line, p.location.column))
        return Loaded(path, display, None, doc, problems)
    return Loaded(path, display, obj, doc, problems)


def load_runbook(path: Path, display: str, teams: TeamsFile | None = None) -> Loaded:
    """Load one runbook; check its internal references and, given teams, its team references.

    Team and person names are checked even when the runbook has other problems, so that one
    run reports all of them; they are read from the document then, where they are well-formed.
    """
    loaded = load_model(path, display, Runbook)
    doc = loaded.document
    if doc is None:
        return loaded
    rb = loaded.runbook
    if rb is not None:
        for rpath, message in reference_problems(rb):
            loaded.problems.append(
                Problem(
                    Code.UNKNOWN_REFERENCE, message, doc.locate(rpath), field=format_path(rpath)
                )
            )
    if teams is not None and isinstance(doc.data, dict):
        flagged = {p.field for p in loaded.problems}
        loaded.problems.extend(
            p for p in team_reference_problems(doc.data, teams, doc) if p.field not in flagged
        )
    if loaded.problems:
        loaded.problems.sort(key=lambda p: (p.location.line, p.location.column))
    return loaded


def team_reference_problems(data: dict, teams: TeamsFile, doc: YamlDocument) -> list[Problem]:
    """Team and person ids in a runbook's data that the teams file does not define.

    ``data`` is the runbook as read, valid or not: an id that is not text is another problem,
    reported by validation, and is skipped here.
    """
    known = ", ".join(t.id for t in teams.teams)
    out = []
    owner = data.get("owner")
    if isinstance(owner, str) and teams.team(owner) is None:
        out.append(
            Problem(
                Code.UNKNOWN_REFERENCE,
                f"owner {owner!r} is not a team in the teams file",
                doc.locate(("owner",)),
                field="owner",
                hint=f"known teams: {known}",
            )
        )
    contacts = data.get("contacts")
    for i, contact in enumerate(contacts if isinstance(contacts, list) else []):
        if not isinstance(contact, dict):
            continue
        team, person = contact.get("team"), contact.get("person")
        if isinstance(team, str) and teams.team(team) is None:
            out.append(
                Problem(
                    Code.UNKNOWN_REFERENCE,
                    f"team {team!r} is not in the teams file",
                    doc.locate(("contacts", i, "team")),
                    field=f"contacts[{i}].team",
                    hint=f"known teams: {known}",
                )
            )
        if isinstance(person, str) and teams.person(person) is None:
            out.append(
                Problem(
                    Code.UNKNOWN_REFERENCE,
                    f"person {person!r} is not in the teams file",
                    doc.locate(("contacts", i, "person")),
                    field=f"contacts[{i}].person",
                    hint="add them under a team's `people` in the teams file",
                )
            )
    return out


def project_walk(project: Project) -> FolderWalk:
    """How ``project``'s folders are walked: links outside it are followed only if allowed."""
    return FolderWalk(project.root, project.config.follow_external_symlinks)


def discover(paths: list[Path], exclude: Mapping[Path, str], walk: FolderWalk) -> Iterator[Path]:
    """YAML files under ``paths`` (files are taken as given), sorted, minus ``exclude``.

    ``exclude`` maps resolved paths to why they are not runbooks (said in a note) or to ""
    (the teams file: nothing to say). Files and folders skipped by a naming rule, links that
    lead outside the project and loops are noted in ``walk.notes``, so no runbook goes
    missing without a word; :class:`WalkError` stops the walk (too deep, path too long).
    """
    # Resolving every path costs a syscall per folder level; only names that could match an
    # excluded file are resolved.
    excluded_names = {p.name for p in exclude}

    def kept(path: Path) -> bool:
        if path.name not in excluded_names:
            return True
        reason = exclude.get(path.resolve())
        if reason is None:
            return True
        if reason:
            walk.note(f"{walk.display(path)}: not read as a runbook: {reason}")
        return False

    def skip_dir(name: str, base: str) -> bool:
        if base in _SKIP_DIRS:
            why = "a tool's folder"
        elif base.startswith("."):
            why = "a hidden folder (its name starts with a dot)"
        else:
            return False
        held = _yaml_files_in(root / name)
        if held:
            walk.note(
                f"{walk.display(root / name)}: skipped: {why}; it holds {held} "
                f"YAML file{'s' if held != 1 else ''} that {'are' if held != 1 else 'is'} "
                "not read"
            )
        return True

    for root in paths:
        if not walk.allows(root):
            continue
        if root.is_file():
            if kept(root):
                yield root
            continue
        found = []
        for _, path in walk.files(root, skip_dir, _may_hold_runbooks):
            base = path.name
            if base.endswith(YAML_SUFFIXES) and not base.startswith("."):
                found.append(path)
            elif _YAMLISH.search(base):
                walk.note(f"{walk.display(path)}: skipped: {_why_not_read(base)}")
        for path in sorted(found):
            if kept(path):
                yield path


def walked(paths: Iterator[Path]) -> Iterator[Path]:
    """``paths`` from :func:`discover`, with a walk that cannot go on as a ConfigError."""
    try:
        yield from paths
    except WalkError as exc:
        raise ConfigError(f"{exc.message}\n    hint: {exc.hint}") from None


def nothing_found(project: Project, roots: list[Path], walk: FolderWalk) -> ConfigError:
    """The error when no runbook was found: where rollbook looked, and what it skipped."""
    where = ", ".join(walk.display(p) for p in roots)
    skipped = "".join(f"\n    note: {note}" for note in walk.notes)
    return ConfigError(f"no runbooks found in {where} (looked for *.yaml and *.yml){skipped}")


def _may_hold_runbooks(name: str) -> bool:
    """Whether a link that cannot be followed may have been a runbook or a folder of them."""
    base = name.rpartition("/")[2]
    return _YAMLISH.search(base) is not None or "." not in base


def _why_not_read(name: str) -> str:
    """Why a name that looks like YAML is not read as a runbook."""
    if name.startswith("."):
        return "a hidden file (its name starts with a dot)"
    if name.lower().endswith(YAML_SUFFIXES):
        return "runbook names end in .yaml or .yml, in lower case"
    return "runbook names end in .yaml or .yml"


def _yaml_files_in(folder: Path) -> int:
    """How many YAML files ``folder`` holds directly (0 when it cannot be read)."""
    try:
        with os.scandir(folder) as entries:
            return sum(1 for e in entries if e.name.endswith(YAML_SUFFIXES) and e.is_file())
    except OSError:
        return 0


@dataclass
class LoadedProject:
    """All runbooks of a project and its teams file, loaded."""

    project: Project
    teams: Loaded | None
    runbooks: list[Loaded]
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)
    """Things the user should know that are not problems in a file."""

    @property
    def all_problems(self) -> list[Problem]:
        out = list(self.problems)
        if self.teams:
            out.extend(self.teams.problems)
        for item in self.runbooks:
            out.extend(item.problems)
        return out

    @property
    def valid_runbooks(self) -> list[Runbook]:
        return [item.runbook for item in self.runbooks if item.runbook is not None]


def load_teams(project: Project) -> Loaded | None:
    """The teams file, or None when the project has none at the default place."""
    path = project.teams_path
    if not path.is_file():
        if project.config_path is not None and "teams" in project.config.model_fields_set:
            raise ConfigError(
                f"the teams file {project.config.teams} does not exist "
                f"(set by `teams` in {project.config_path})"
            )
        return None
    # Numbers written without +country code are in the configured region (phone-region).
    context = {"phone_region": project.config.phone_region}
    return load_model(path, project.display(path), TeamsFile, context)


def load_project_runbooks(
    project: Project, paths: list[Path] | None = None, *, keep_documents: bool = False
) -> LoadedProject:
    """Load the teams file and every runbook under ``paths`` (default: the configured ones).

    Each runbook's YAML positions are dropped once its problems are known, unless
    ``keep_documents``: they are most of the memory (about 80 KB a runbook).
    """
    teams = load_teams(project)
    team_model = teams.model if teams and isinstance(teams.model, TeamsFile) else None
    roots = paths or project.runbook_folders
    for root in roots:
        if not root.exists():
            raise ConfigError(f"{project.display(root)}: no such file or folder")
    walk = project_walk(project)
    loaded = []
    problems: list[Problem] = []
    first_seen: dict[str, Loaded] = {}
    for path in walked(discover(roots, {project.teams_path: ""}, walk)):
        item = load_runbook(path, project.display(path), team_model)
        loaded.append(item)
        rb = item.runbook
        if rb is not None and item.document is not None:
            if rb.id in first_seen:
                other = first_seen[rb.id]
                item.problems.append(
                    duplicate_id(rb.id, other.display, item.document.locate(("id",)))
                )
            else:
                first_seen[rb.id] = item
        if not keep_documents:
            item.document = None
    if not loaded and not problems:
        raise nothing_found(project, roots, walk)
    notes = list(walk.notes)
    if teams is None:
        notes.append(
            f"no teams file at {project.config.teams}: owners and contacts were not "
            "checked (set `teams` in rollbook.toml, or run `rollbook init`)"
        )
    return LoadedProject(project, teams, loaded, problems, notes)
