"""Which files a source reads: its glob patterns, relative to the project root.

Patterns are globs anchored at the root: ``*`` and ``?`` stay within one directory, ``**`` as
a whole segment spans any number of directories (``src/**/*.py`` matches ``src/a.py`` and
``src/x/y/a.py``), ``[abc]`` is a character class. A pattern without wildcards names one file,
which must exist. Walks start at the pattern's literal directory prefix, so ``runbooks/*.json``
never walks the whole repository, and never enter ``.git``, ``node_modules`` or ``.venv``.
Symbolic links, depth and path length are handled as for runbooks (``rollbook.walk``): a
link leading outside the project is skipped with a note.

Code sources also skip what git ignores: ``.gitignore`` files at every level (a deeper file
overrides a shallower one, ``!`` re-includes) and ``.git/info/exclude``. As in git, a file in an
ignored directory cannot be re-included. Flag files are read even when ignored, because they
are often generated in CI just before rollbook runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook.sources.feature import SourceError
from rollbook.walk import FolderWalk, WalkError

if TYPE_CHECKING:
    import pathspec

SKIPPED_DIRS = frozenset({".git", "node_modules", ".venv"})
_MAGIC = re.compile(r"[*?\[]")


def glob_base(pattern: str) -> str:
    """The folder a glob's matches all lie in: its leading parts without wildcards ("" for
    the root), where a walk for it starts."""
    literal = []
    for part in pattern.split("/")[:-1]:
        if _MAGIC.search(part):
            break
        literal.append(part)
    return "/".join(literal)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a root-anchored glob (see the module docstring) to a regex for POSIX paths."""
    parts = pattern.split("/")
    out: list[str] = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
        else:
            out.append(_segment_regex(part) + ("" if last else "/"))
    return re.compile("".join(out) + r"\Z")


def _segment_regex(part: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(part):
        ch = part[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[" and (end := part.find("]", i + 2)) > 0:
            body = part[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def check_pattern(pattern: str, where: str) -> None:
    """Raise SourceError unless ``pattern`` is a usable root-relative glob."""
    if not pattern or not pattern.strip():
        raise SourceError("a path pattern is empty", where, 'write e.g. "flags/*.flagd.json"')
    posix = pattern.replace("\\", "/")
    if posix.startswith("/") or re.match(r"[A-Za-z]:/", posix):
        raise SourceError(
            f"path pattern '{pattern}' is absolute; patterns are relative to the project root",
            where,
            f'drop the leading part, e.g. "{posix.lstrip("/").split("/")[-1]}" or "**/..."',
        )
    if ".." in posix.split("/"):
        raise SourceError(
            f"path pattern '{pattern}' leaves the project root with '..'",
            where,
            "sources read files inside the project only; move or copy the file into it",
        )
    try:
        glob_regex(posix)
    except re.error as exc:
        raise SourceError(f"path pattern '{pattern}' is not a valid glob: {exc}", where) from None


class _GitIgnores:
    """What git ignores under ``root``, reading each directory's ``.gitignore`` once."""

    def __init__(self, root: Path):
        self.root = root
        self._specs: dict[str, pathspec.PathSpec | None] = {}
        exclude = root / ".git" / "info" / "exclude"
        self._exclude = self._load(exclude)

    def _load(self, file: Path) -> pathspec.PathSpec | None:
        try:
            lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return None
        import pathspec  # only code sources read .gitignore files: not imported otherwise

        return pathspec.GitIgnoreSpec.from_lines(lines)

    def _spec(self, directory: str) -> pathspec.PathSpec | None:
        if directory not in self._specs:
            self._specs[directory] = self._load(self.root / directory / ".gitignore")
        return self._specs[directory]

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Whether git ignores ``rel`` (POSIX, relative to root), its parents aside."""
        parts = rel.split("/")
        probe = rel + "/" if is_dir else rel
        verdict = False
        if self._exclude is not None:
            result = self._exclude.check_file(probe)
            if result.include is not None:
                verdict = result.include
        # Deeper .gitignore files override shallower ones, so the last verdict wins.
        for depth in range(len(parts)):
            directory = "/".join(parts[:depth])
            spec = self._spec(directory)
            if spec is None:
                continue
            inner = "/".join(parts[depth:]) + ("/" if is_dir else "")
            result = spec.check_file(inner)
            if result.include is not None:
                verdict = result.include
        return verdict

    def inside_ignored_dir(self, rel_dir: str) -> bool:
        """Whether ``rel_dir`` or any directory above it is ignored."""
        parts = [p for p in rel_dir.split("/") if p]
        return any(self.ignored("/".join(parts[: i + 1]), True) for i in range(len(parts)))


def find_files(
    root: Path,
    patterns: Iterable[str],
    *,
    respect_gitignore: bool,
    where: str = "",
    walk: FolderWalk | None = None,
) -> list[tuple[Path, str]]:
    """Files under ``root`` matching any of ``patterns``: ``(path, root-relative POSIX name)``.

    Sorted by name, each file once. A pattern without wildcards must name an existing file
    (else SourceError, pointing at ``where``); a pattern with wildcards may match nothing.
    Links that lead outside ``root`` are skipped with a note in ``walk.notes`` (unless the
    walk follows them); a folder too deep or unreadable is a SourceError.
    """
    walk = walk if walk is not None else FolderWalk(root)
    patterns = tuple(patterns)
    # One command asks the same more than once (the sources, then which YAML files they
    # read): the second answer is the first, with its notes said again.
    key = ("find_files", os.fspath(root), patterns, respect_gitignore)
    known = walk.found.get(key)
    if known is not None:
        files, heard = known
        for note in heard:
            walk.note(note)
        return list(files)  # type: ignore[call-overload]
    with walk.listening() as heard:
        files = _find_files(root, patterns, respect_gitignore, where, walk)
    walk.found[key] = (tuple(files), tuple(heard))
    return files


def _find_files(
    root: Path, patterns: tuple[str, ...], respect_gitignore: bool, where: str, walk: FolderWalk
) -> list[tuple[Path, str]]:
    ignores = _GitIgnores(root) if respect_gitignore else None
    found: dict[str, Path] = {}
    for raw in patterns:
        pattern = raw.replace("\\", "/").removeprefix("./")
        if not _MAGIC.search(pattern):
            file = root / pattern
            if not file.is_file():
                raise SourceError(
                    f"no file '{pattern}' under {root}",
                    where,
                    "fix the path, or use a glob such as '**/flags.json' if the file may be absent",
                )
            if walk.allows(file):
                found[pattern] = file
            continue
        base = glob_base(pattern)
        if ignores is not None and base and ignores.inside_ignored_dir(base):
            continue
        regex = glob_regex(pattern)
        try:
            for rel, file in _walk(root, base, ignores, walk, regex):
                # Match first: the gitignore check is the dearer test; most files fail the glob.
                if rel in found or not regex.match(rel):
                    continue
                if ignores is None or not ignores.ignored(rel, False):
                    found[rel] = file
        except WalkError as exc:
            raise SourceError(exc.message, where, exc.hint) from None
    return [(found[rel], rel) for rel in sorted(found)]


def _walk(
    root: Path, base: str, ignores: _GitIgnores | None, walk: FolderWalk, regex: re.Pattern[str]
) -> Iterable[tuple[str, Path]]:
    start = root / base if base else root
    if not start.is_dir() or not walk.allows(start):
        return
    prefix = base + "/" if base else ""

    # Pruning stops the walk from descending; git never looks inside an ignored directory,
    # so neither do we (and node_modules can hold millions of files).
    def skip_dir(name: str, base_name: str) -> bool:
        return base_name in SKIPPED_DIRS or (
            ignores is not None and ignores.ignored(prefix + name, True)
        )

    # A skipped link to a file is worth a note only if the pattern would have read it.
    def wanted(name: str) -> bool:
        return regex.match(prefix + name) is not None

    for name, path in walk.files(start, skip_dir, wanted):
        yield prefix + name, path
