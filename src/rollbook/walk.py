"""Walking the project's folders: bounded, inside the project, and never silent about a skip.

Runbook folders (``load.runbooks.discover``) and feature sources (``sources.discovery``) are
walked the same way:

- A symbolic link is followed when it leads inside the project (the folder of the
  configuration file, or a folder the configuration or command line names). A link that leads
  outside is skipped with a note, unless the configuration sets
  ``follow-external-symlinks = true``: a pull request must not be able to make CI read
  ``/etc/passwd`` or a runner's credentials into a report. Broken links and link loops are
  skipped with a note, and a folder reached twice (through a link) is read once, so a loop
  cannot hang the walk.
- Folders nested more than :data:`MAX_DEPTH` levels below where the walk starts, paths longer
  than the system allows, and folders that cannot be read stop the walk with
  :class:`WalkError`, which commands report as a configuration error (exit 2): never a crash
  (``os.walk`` recurses, and Python 3.11 runs out of stack near a thousand levels), and never
  a runbook silently missing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_DEPTH = 64
"""Folder levels below the start of a walk; real projects nest a dozen or two."""


def _path_max() -> int:
    try:
        return os.pathconf("/", "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):  # not POSIX, or no such limit
        return 4096


PATH_MAX = _path_max()
"""Bytes in the longest path the system opens (4096 on Linux)."""


_Entry = tuple[os.DirEntry, Path, bool, bool, bool, bool]


class WalkError(Exception):
    """A folder the walk cannot go through: too deep, too long a path, unreadable."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message = message
        self.hint = hint


def short(path: str, keep: int = 60) -> str:
    """A path cut in the middle when long, so an error about a 4 KB path stays readable."""
    if len(path) <= 2 * keep + 5:
        return path
    return f"{path[:keep]} ... {path[-keep:]}"


@dataclass
class FolderWalk:
    """How one command walks folders, and the notes it takes on what it skipped.

    ``root`` is the project root. ``notes`` collects one line per skipped link or file, for
    the command to print.
    """

    root: Path
    follow_external: bool = False
    notes: list[str] = field(default_factory=list)
    _inside: list[str] = field(default_factory=list, init=False, repr=False)
    _listings: dict[str, list[_Entry]] = field(default_factory=dict, init=False, repr=False)
    """Each folder's entries, sorted, as first read: one command's walks of the same folder
    (the runbooks, then a flag source's glob over them) read it once."""
    found: dict[tuple, tuple[object, tuple[str, ...]]] = field(
        default_factory=dict, init=False, repr=False
    )
    """What a caller found by walking (its own key), and the notes it took: for
    :func:`rollbook.sources.discovery.find_files`, asked the same twice by one command."""
    _heard: list[list[str]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self._inside = [os.path.realpath(self.root)]
        self._top = os.path.abspath(self.root)

    def sibling(self) -> FolderWalk:
        """Another walk of the same project, with notes of its own, that reads no folder this
        one has read already (the same command's second look at the same folders)."""
        other = FolderWalk(self.root, self.follow_external)
        other._listings, other.found, other._inside = self._listings, self.found, self._inside
        return other

    def note(self, text: str) -> None:
        """Add a note once (several sources may walk the same folder)."""
        for heard in self._heard:
            heard.append(text)
        if text not in self.notes:
            self.notes.append(text)

    @contextlib.contextmanager
    def listening(self) -> Iterator[list[str]]:
        """Every note asked for inside the ``with`` block (kept or already there), in order:
        what a caller that keeps what it found must say again when it gives it again."""
        heard: list[str] = []
        self._heard.append(heard)
        try:
            yield heard
        finally:
            self._heard.remove(heard)

    def display(self, path: Path) -> str:
        """``path`` as written, relative to the root: a link is named, not where it leads
        (resolving would also fail on a link loop)."""
        lexical = os.path.abspath(path)
        if lexical.startswith(self._top.rstrip(os.sep) + os.sep):
            return Path(lexical[len(self._top.rstrip(os.sep)) + 1 :]).as_posix()
        return str(path)

    def _is_inside(self, real: str) -> bool:
        return any(
            real == top or real.startswith(top.rstrip(os.sep) + os.sep) for top in self._inside
        )

    def _lexically_inside_root(self, path: Path) -> bool:
        lexical = os.path.abspath(path)
        return lexical == self._top or lexical.startswith(self._top.rstrip(os.sep) + os.sep)

    def allows(self, path: Path) -> bool:
        """Whether a path named by the configuration or command line may be read.

        A path written inside the project that leads outside it through a link is skipped
        with a note (unless links outside are allowed). A path written outside the project
        (``../shared-runbooks``) was asked for: it is read, and links inside it may lead
        anywhere within it.
        """
        real = os.path.realpath(path)
        if self._is_inside(real):
            return True
        if self._lexically_inside_root(path) and not self.follow_external:
            self._note_external(path, real)
            return False
        if os.path.isdir(real):
            self._inside.append(real)
        return True

    def _note_external(self, path: Path, real: str) -> None:
        self.note(
            f"{self.display(path)}: skipped: a symbolic link to {real}, outside the project "
            "(set `follow-external-symlinks = true` to follow it)"
        )

    def files(
        self,
        start: Path,
        skip_dir: Callable[[str, str], bool] | None = None,
        wanted: Callable[[str], bool] | None = None,
    ) -> Iterator[tuple[str, Path]]:
        """``(name, path)`` of every file under the folder ``start``, depth first, in name
        order; ``name`` is POSIX and relative to ``start``.

        ``skip_dir(name, base name)`` prunes a folder before it is read. Skipped links become
        :attr:`notes`: links to folders always, links to files (or to nothing) only when
        ``wanted(name)``, so a walk for flag files says nothing of a broken link elsewhere.
        Raises :class:`WalkError` for a folder too deep, a path too long, or a folder that
        cannot be read.
        """
        try:
            first = os.stat(start)
        except OSError as exc:
            raise self._error(start, exc) from None
        seen = {(first.st_dev, first.st_ino)}
        stack: list[tuple[Path, str, int]] = [(start, "", 0)]
        while stack:
            folder, prefix, depth = stack.pop()
            below: list[tuple[Path, str, int]] = []
            for entry, path, too_long, is_link, is_dir, is_file in self._listing(folder):
                name = prefix + entry.name
                if too_long:  # before any call that would fail on it
                    self._check_length(path)
                if is_link:
                    kind = self._follow(path, seen, wanted is None or wanted(name))
                elif is_dir:
                    try:
                        st = entry.stat()
                    except OSError as exc:
                        raise self._error(path, exc) from None
                    key = (st.st_dev, st.st_ino)
                    kind = "dir"
                    if key in seen:  # a link elsewhere led here first
                        self.note(f"{self.display(path)}: skipped: read already, through a link")
                        kind = ""
                    seen.add(key)
                else:
                    kind = "file" if is_file else ""
                if kind == "file":
                    yield name, path
                elif kind == "dir" and not (skip_dir is not None and skip_dir(name, entry.name)):
                    if depth + 1 > MAX_DEPTH:
                        raise WalkError(
                            f"{short(self.display(path))}: folders nested more than {MAX_DEPTH} "
                            "levels deep; rollbook does not read that far",
                            "move the files nearer the top, or leave this folder out of what "
                            "rollbook reads",
                        )
                    below.append((path, name + "/", depth + 1))
            stack.extend(reversed(below))

    def _listing(self, folder: Path) -> list[_Entry]:
        """The entries of ``folder`` in walking order, each with its path, whether the path
        is too long (:meth:`_check_length` raises when the walk reaches it), and whether it
        is a link, a folder, a file (not followed): read once."""
        key = os.fspath(folder)
        found = self._listings.get(key)
        if found is None:
            try:
                with os.scandir(folder) as scan:
                    # Links after real entries: a folder reached both ways is read as itself.
                    entries = sorted(scan, key=lambda e: (e.is_symlink(), e.name))
            except OSError as exc:
                raise self._error(folder, exc) from None
            # A child path without parsing its name again (it is one name, from the system).
            child = getattr(folder, "_make_child_relpath", folder.joinpath)
            found = []
            for entry in entries:
                path = child(entry.name)
                link = entry.is_symlink()
                found.append(
                    (
                        entry,
                        path,
                        len(os.fsencode(path)) >= PATH_MAX,
                        link,
                        not link and entry.is_dir(),
                        not link and entry.is_file(),
                    )
                )
            self._listings[key] = found
        return found

    def _follow(self, path: Path, seen: set[tuple[int, int]], wanted: bool) -> str:
        """``"file"``, ``"dir"`` or ``""`` (skipped) for a symbolic link; the skip is noted
        if the link leads to a folder or is ``wanted``."""
        shown = self.display(path)
        real = os.path.realpath(path)
        try:
            st = os.stat(path)
        except OSError as exc:
            if not wanted:
                return ""
            if exc.errno == errno.ELOOP:
                self.note(f"{shown}: skipped: a symbolic link loop")
            elif exc.errno == errno.ENOENT:
                self.note(f"{shown}: skipped: a symbolic link to {real}, which does not exist")
            else:
                self.note(f"{shown}: skipped: cannot follow the link: {exc.strerror}")
            return ""
        is_dir = stat.S_ISDIR(st.st_mode)
        if not self.follow_external and not self._is_inside(real):
            if is_dir or wanted:
                self._note_external(path, real)
            return ""
        if is_dir:
            key = (st.st_dev, st.st_ino)
            if key in seen:
                self.note(
                    f"{shown}: skipped: a link to the folder {self.display(Path(real))}, "
                    "which is read already"
                )
                return ""
            seen.add(key)
            return "dir"
        return "file" if stat.S_ISREG(st.st_mode) else ""

    def _check_length(self, path: Path) -> None:
        if len(os.fsencode(path)) >= PATH_MAX:
            raise WalkError(
                f"{short(self.display(path))}: the path is longer than the system allows "
                f"({PATH_MAX} bytes)",
                "shorten the folder names, or leave this folder out of what rollbook reads",
            )

    def _error(self, folder: Path, exc: OSError) -> WalkError:
        if exc.errno == errno.ENAMETOOLONG:
            return WalkError(
                f"{short(self.display(folder))}: the path is longer than the system allows "
                f"({PATH_MAX} bytes)",
                "shorten the folder names, or leave this folder out of what rollbook reads",
            )
        return WalkError(
            f"{short(self.display(folder))}: cannot read this folder: {exc.strerror}",
            "fix its permissions, or leave it out of what rollbook reads",
        )
