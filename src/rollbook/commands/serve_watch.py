"""What `rollbook serve` watches, and which changes start a rebuild.

MkDocs' live-reload server polls every watched folder twice a second, walking and stat-ing
every file: at 10,000 runbooks a poll alone takes a good part of a second, and a save waits
for the next one. It also rebuilds for any change at all, such as an editor's swap file, or
the lint cache a build writes in the project. So `serve` watches with the operating system's
change notifications (inotify on Linux, FSEvents on macOS, through watchdog), falling back to
polling where they cannot be used (``--poll`` asks for it: network and container-mounted
folders may not report changes), and asks for a rebuild only for a file a build reads:

- a YAML file in a runbook folder (or a runbook file given as such), the teams file, the
  configuration file and the MkDocs overrides file;
- any file of the templates folder;
- a file a feature source or an alert-rules source reads (their globs, matched as the
  sources match them), wherever in the project it is;

never for hidden files and folders (``.git``, the cache folder, ``.name.swp``), editors'
backup and probe files (``name~``, ``#name#``, vim's ``4913``), or a file being read (the
build's own reads are events too).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from rollbook.config import Project

log = logging.getLogger("rollbook.serve")

RUNBOOK_SUFFIXES = (".yaml", ".yml")
# Changes that alter a file or the folder's contents. Opening and closing without writing
# are reads (inotify reports them): the build itself reads every runbook.
CHANGES = {"created", "deleted", "modified", "moved", "closed"}
_EDITOR_NAMES = re.compile(r"(~|\.swp|\.swx|\.swo|\.tmp|\.bak)$|^#.*#$|^4913$")


class Watched:
    """The folders `serve` observes, and :meth:`wants`: whether a changed path matters."""

    def __init__(self, project: Project, overrides: Path | None = None):
        from rollbook.alerts import alert_sources
        from rollbook.sources.discovery import glob_base, glob_regex
        from rollbook.sources.spec import parse_source_spec

        self.root = project.root.resolve()
        self.files: set[Path] = set()
        self.yaml_folders: list[Path] = []
        self.any_folders: list[Path] = []
        self.globs: list[re.Pattern[str]] = []
        self.glob_bases: list[Path] = []
        self.ignored: list[Path] = []
        self._folders: dict[Path, bool] = {}  # folder -> recursive
        for root in project.runbook_roots:
            root = root.resolve()
            if root.is_dir():
                self.yaml_folders.append(root)
                self._observe(root, True)
            else:
                self._file(root)
        self._file(project.teams_path)
        if project.config_path is not None:
            self._file(project.config_path)
        from rollbook.commands.build import OVERRIDES_NAME

        self._file(overrides or project.root / OVERRIDES_NAME)
        if project.config.templates:
            templates = project.resolve(project.config.templates).resolve()
            self.any_folders.append(templates)
            self._observe(templates, True)
        if project.config.cache_dir:
            self.ignored.append(project.resolve(project.config.cache_dir).resolve())
        patterns: list[str] = []
        for index, table in enumerate(project.config.sources):
            try:
                patterns.extend(parse_source_spec(table, f"sources[{index}]").globs)
            except Exception:  # the build reports a bad source; the watch does without it
                continue
        try:
            for source in alert_sources(list(project.config.alert_rules)):
                patterns.extend(source.paths)
        except Exception:
            pass
        for raw in patterns:
            pattern = raw.replace("\\", "/").removeprefix("./")
            self.globs.append(glob_regex(pattern))
            literal = glob_base(pattern)
            base = (self.root / literal).resolve() if literal else self.root
            self.glob_bases.append(base)
            self._observe(base, True)

    def _file(self, path: Path) -> None:
        path = path.resolve()
        self.files.add(path)
        self._observe(path.parent, False)

    def _observe(self, folder: Path, recursive: bool) -> None:
        self._folders[folder] = self._folders.get(folder, False) or recursive

    def folders(self) -> list[tuple[Path, bool]]:
        """The folders to observe, each once: none inside another observed recursively, and
        only those that exist (a folder created later is seen from its parent)."""
        recursive = [f for f, deep in self._folders.items() if deep]
        found = []
        for folder, deep in sorted(self._folders.items()):
            if any(other != folder and folder.is_relative_to(other) for other in recursive):
                continue
            while not folder.is_dir() and folder != folder.parent:
                folder, deep = folder.parent, False
            found.append((folder, deep))
        return list(dict.fromkeys(found))

    def wants(self, path: str | Path, *, folder: bool = False) -> bool:
        """Whether a change to ``path`` (absolute) changes what a build reads."""
        path = Path(path)
        if not path.is_absolute():
            return False
        if _EDITOR_NAMES.search(path.name):
            return False
        if any(path.is_relative_to(ignored) for ignored in self.ignored):
            return False
        if path in self.files:
            return True
        for base in (*self.yaml_folders, *self.any_folders):
            if path.is_relative_to(base):
                if _hidden(path.relative_to(base)):
                    return False
                if folder or base in self.any_folders or path.suffix.lower() in RUNBOOK_SUFFIXES:
                    return True
        if not path.is_relative_to(self.root):
            return False
        relative = path.relative_to(self.root)
        if _hidden(relative):
            return False
        name = relative.as_posix()
        if folder:  # a folder moved or removed: a source's files may have gone with it
            return any(
                path.is_relative_to(base) or base.is_relative_to(path) for base in self.glob_bases
            )
        return any(glob.match(name) for glob in self.globs)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def start_observer(
    watched: Watched, on_change: Callable[[str], None], *, poll: bool = False
) -> tuple[object, str]:
    """Observe ``watched``'s folders; ``on_change(path)`` for every change it wants.

    The operating system's notifications unless ``poll`` (or unless they cannot be used:
    too many folders for inotify's limit, say; then polling, and the returned note says
    why). Returns the started observer (``stop()`` and ``join()`` it) and that note."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.event_type not in CHANGES:
                return
            if event.is_directory and event.event_type not in ("deleted", "moved"):
                return  # a new folder is empty; a change inside one is a file's event
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path and watched.wants(str(path), folder=event.is_directory):
                    on_change(str(path))  # both ends of a move: serve_quick reads them

    handler = Handler()
    note = ""
    for native in (not poll, False):
        observer = Observer() if native else PollingObserver(timeout=0.5)
        try:
            for folder, recursive in watched.folders():
                observer.schedule(handler, str(folder), recursive=recursive)
            observer.start()
            return observer, note
        except OSError as exc:
            if not native:
                raise
            note = f"change notifications unavailable ({exc.strerror or exc}): polling instead"
            observer.unschedule_all()
    raise AssertionError("unreachable")
