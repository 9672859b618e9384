"""Load a project: find its runbook files and turn each into a typed model plus problems.

This module is the one way to load a project's runbooks; every command goes through it.
:func:`find_runbooks` loads the teams file and walks the runbook folders (exclusions, notes
on what was skipped, "no runbooks found"); the :class:`ProjectFiles` it returns loads one
file at a time (:meth:`ProjectFiles.load`); :class:`DuplicateIds` decides which file keeps
an id (RB009). What the commands take from it:

- ``rollbook validate`` (and any command that wants the whole project in memory):
  :func:`load_project_runbooks`, all of the above in one :class:`LoadedProject`.
- ``rollbook lint``: :func:`find_runbooks` (feature sources' files excluded), then
  :meth:`ProjectFiles.load` per file in forked workers that each load a share, and
  :class:`DuplicateIds` over the files in order; asked to, it hands back what it loaded as
  a :class:`LoadedProject`.
- ``rollbook build``: the :class:`LoadedProject` lint loaded (pages with lint findings), or
  :func:`load_project_runbooks` when lint cannot run.

Loading never raises for a bad file: every problem in every file is collected, so that one
run shows the feature owner everything to fix.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from rollbook.codes import Code
from rollbook.config import ConfigError, Project
from rollbook.diagnostics import Location, Problem, format_path
from rollbook.load import names, silent_yaml
from rollbook.load.characters import visible
from rollbook.load.ids import DuplicateIds
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
    stored_digest: str | None = None
    """With the lint cache (`rollbook build`): the digest of the model and problems as the
    cache stores them, which stands for the model in the build's keys (same digest, same
    model) without serialising it again (:meth:`rollbook.render.memo.RenderedRunbooks.key`)."""

    @property
    def runbook(self) -> Runbook | None:
        return self.model if isinstance(self.model, Runbook) else None

    @property
    def listed(self) -> Listed | None:
        """Where the site lists the runbook, None if the file is not a valid runbook."""
        rb = self.runbook
        return Listed.of(rb) if rb is not None else None


@dataclass(frozen=True)
class Listed:
    """What the site's listings, order and groups read of a valid runbook (see
    :class:`KeptRunbook`, which knows it without the model)."""

    id: str
    title: str
    owner: str
    tags: tuple[str, ...]
    risk: str

    @classmethod
    def of(cls, rb: Runbook) -> Listed:
        return cls(rb.id, rb.title, rb.owner, tuple(rb.tags), rb.risk)


class KeptRunbook(Loaded):
    """A valid runbook file as an earlier build kept it (the lint cache, for `rollbook
    build`): where it is listed is known at once (:attr:`listed`), its model is read back
    only when something first asks for it (:attr:`model`, ``read``).

    An incremental build needs few models: the pages of unchanged runbooks are reused and the
    listings read only :class:`Listed` (reading back all 10,000 models was a fifth of it).
    """

    def __init__(
        self,
        path: Path,
        display: str,
        listed: Listed,
        read: Callable[[], BaseModel],
        problems: list[Problem],
        stored_digest: str,
    ) -> None:
        super().__init__(path, display, None, None, problems, stored_digest)
        self._listed: Listed | None = listed
        self._read: Callable[[], BaseModel] | None = read

    @property  # type: ignore[override]
    def model(self) -> BaseModel | None:
        read = self.__dict__.get("_read")
        if read is not None:
            self.__dict__["_model"] = read()
            self._read = None
        return self.__dict__.get("_model")

    @model.setter
    def model(self, value: BaseModel | None) -> None:
        self.__dict__.update(_model=value, _read=None, _listed=None)

    @property
    def listed(self) -> Listed | None:
        listed = self.__dict__.get("_listed")
        return listed if listed is not None else super().listed

    def __reduce__(self):
        # Pickled (sent to another process) as the plain file it stands for.
        fields = (self.path, self.display, self.model, self.document, self.problems)
        return (Loaded, (*fields, self.stored_digest))


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
    notes: list[str] = field(default_factory=list)
    """Things the user should know that are not problems in a file."""

    @property
    def all_problems(self) -> list[Problem]:
        """The teams file's problems, then each runbook's, in file order."""
        out = list(self.teams.problems) if self.teams else []
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


@dataclass
class ProjectFiles:
    """A project's runbook files, found but not yet read, with its teams file loaded.

    ``paths`` are in the order every report lists them; :meth:`load` loads one of them. A
    forked worker may load a share of ``paths``: a file's load needs nothing but the teams.
    """

    project: Project
    teams: Loaded | None
    roots: list[Path]
    """Where the runbooks were looked for: the paths given, or the configured folders."""
    paths: list[Path]
    walk: FolderWalk
    _root_dir: Path = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._root_dir = self.project.root.resolve()

    @property
    def team_model(self) -> TeamsFile | None:
        """The teams file's model; None when there is none or it has errors."""
        model = self.teams.model if self.teams is not None else None
        return model if isinstance(model, TeamsFile) else None

    @property
    def notes(self) -> list[str]:
        """What the walk skipped (links outside the project, hidden files, ...)."""
        return list(self.walk.notes)

    def display(self, path: Path) -> str:
        """``path`` as findings name it: relative to the project root, a link as written."""
        # Roots are absolute already: skip resolve() (a syscall per path component) for the
        # files found under them.
        if path.is_absolute():
            try:
                return path.relative_to(self._root_dir).as_posix()
            except ValueError:
                pass
        return self.project.display(path)

    def load(self, path: Path) -> Loaded:
        """Load one runbook file, its team references checked against the teams file."""
        return load_runbook(path, self.display(path), self.team_model)


def find_runbooks(
    project: Project,
    paths: list[Path] | None = None,
    *,
    exclude: Mapping[Path, str] | None = None,
    walk: FolderWalk | None = None,
    allow_none: bool = False,
) -> ProjectFiles:
    """Load the teams file and find the runbook files under ``paths`` (default: configured).

    ``exclude`` maps resolved paths that are not runbooks to why (said in a note); the teams
    file is never a runbook. ``walk`` collects the notes, and may be shared with other walks
    of the same command (feature sources). ConfigError for a path that does not exist, a
    walk that cannot go on, or no runbook found at all (unless ``allow_none``: lint with
    feature sources, where no runbook yet is day one of adoption).
    """
    teams = load_teams(project)
    roots = paths or project.runbook_folders
    for root in roots:
        if not root.exists():
            raise ConfigError(f"{project.display(root)}: no such file or folder")
    walk = walk or project_walk(project)
    skip = dict(exclude or {})
    skip[project.teams_path.resolve()] = ""
    # A root that is a link leading outside the project is skipped (with a note); one that
    # was skipped was never looked in, so finding nothing there is never "no runbooks yet".
    allowed = [root for root in roots if walk.allows(root)]
    found = list(walked(discover(allowed, skip, walk)))
    if not found and (not allow_none or len(allowed) < len(roots)):
        raise nothing_found(project, roots, walk)
    return ProjectFiles(project, teams, roots, found, walk)


def no_teams_note(project: Project) -> str:
    """The note when the project has no teams file: owners and contacts went unchecked."""
    return (
        f"no teams file at {project.config.teams}: owners and contacts were not "
        "checked (set `teams` in rollbook.toml, or run `rollbook init`)"
    )


def load_project_runbooks(
    project: Project, paths: list[Path] | None = None, *, keep_documents: bool = False
) -> LoadedProject:
    """Load the teams file and every runbook under ``paths`` (default: the configured ones).

    Each runbook's YAML positions are dropped once its problems are known, unless
    ``keep_documents``: they are most of the memory (about 80 KB a runbook).
    """
    from rollbook.load.not_runbooks import not_runbooks

    files = find_runbooks(project, paths, exclude=not_runbooks(project))
    ids = DuplicateIds()
    loaded = []
    for path in files.paths:
        item = files.load(path)
        rb, doc = item.runbook, item.document
        if rb is not None and doc is not None:
            taken = ids.check(rb.id, item.display, doc.locate(("id",)))
            if taken is not None:
                item.problems.append(taken)
        if not keep_documents:
            item.document = None
        loaded.append(item)
    notes = files.notes
    if files.teams is None:
        notes.append(no_teams_note(project))
    return LoadedProject(project, files.teams, loaded, notes)
