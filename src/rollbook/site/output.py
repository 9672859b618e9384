"""The output folder: built next to it, swapped in whole, and never someone else's folder.

MkDocs empties ``site_dir`` before a build. Pointed at the wrong folder (``--out .``, a docs
folder) that deletes a user's work, so rollbook only ever replaces a folder that is empty or
carries the marker file a previous rollbook build left in it.

Everything a build writes besides the finished site lives in one folder beside ``out``,
``.<name>.building-XXXXXXXX``: the staging copy of the site, MkDocs' scratch files and, during
the swap, the previous site. The build holds a lock on that folder (``flock``, which its
forked workers share) for as long as it runs. A build that was killed leaves it unlocked, and
the next build into the same ``out`` removes it first, so nothing half-built is ever picked
up by a later build or by a publish step that uploads ``out``.

With a build cache, the site a build replaced is not deleted but kept in the cache as the
*spare* (a rename): the next build moves it into its scratch folder, takes from it the
folders of the pages that did not change (:mod:`rollbook.site.page_cache`), and deletes only
the rest. Deleting a 10,000-page site costs seconds of disk time; a rename costs none.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no locks, so leftovers are never removed
    fcntl = None  # type: ignore[assignment]

MARKER = ".rollbook-site"
MARKER_TEXT = (
    json.dumps(
        {
            "generator": "rollbook",
            "note": "built by `rollbook build`; "
            "safe to delete, rollbook replaces this folder whole",
        }
    )
    + "\n"
)
# mkdtemp's names: the prefix, then 8 characters from this set.
_RANDOM = r"[a-z0-9_]{8}"
PREVIOUS = "previous"
SPARE = "spare"


class OutputError(Exception):
    """The output folder cannot be used."""


@dataclass(frozen=True)
class Staging:
    """Where a build writes: ``site`` becomes the output folder; ``scratch`` is removed."""

    site: Path
    scratch: Path


def check_output(out: Path) -> None:
    """Refuse an output folder that is neither absent, empty, nor a previous rollbook site."""
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if (out / MARKER).is_file():
        return
    if any(out.iterdir()):
        raise OutputError(
            f"{out} is not empty and was not built by rollbook (no {MARKER} file in it); "
            "refusing to replace it. Choose another --out, or empty the folder first."
        )


def building_prefix(out: Path) -> str:
    """The name, before its random part, of a build's folder beside ``out``."""
    return f".{out.name}.building-"


def recover_output(out: Path) -> None:
    """Remove what killed builds into ``out`` left beside it; put back a site one moved aside.

    Run first thing by every build, also by one that then stops at an invalid runbook: a
    build killed mid-swap must not leave the reader with no site at all.
    """
    out = out.resolve()
    if not out.parent.is_dir():
        return
    _remove_old_style_leftovers(out)
    remove_leftovers(out.parent, building_prefix(out), restore=out)


@contextmanager
def staged_output(out: Path, *, spare: Path | None = None) -> Iterator[Staging]:
    """Fresh folders beside ``out`` to build in; the site is swapped in for ``out`` on success.

    On any error the build's folder is removed and ``out`` is left exactly as it was: the
    site people are reading mid-incident must never be half-written. Leftovers of earlier
    builds into ``out`` that were killed are removed first.

    ``spare``: where the site this build replaces is kept for the next build (in the build
    cache; see the module's docs), and where the previous build's is found, moved to
    ``scratch/spare`` for this build to take pages from.
    """
    out = out.resolve()
    check_output(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_old_style_leftovers(out)
    with locked_folder(out.parent, building_prefix(out), restore=out) as work:
        staging = Staging(work / "site", work / "scratch")
        staging.site.mkdir()
        staging.scratch.mkdir()
        if spare is not None:
            _move(spare, staging.scratch / SPARE)
        yield staging
        (staging.site / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        # A site is meant to be read by a web server, whatever the umask.
        os.chmod(staging.site, 0o755)
        _swap(staging.site, out, work / PREVIOUS)
        if spare is not None and (work / PREVIOUS / MARKER).is_file():
            _move(work / PREVIOUS, spare)


def spare_folder(cache: Path, out: Path) -> Path:
    """Where the build cache ``cache`` keeps the site last replaced in ``out``."""
    name = hashlib.blake2b(str(out.resolve()).encode("utf-8"), digest_size=8).hexdigest()
    return cache / SPARE / name


def _move(source: Path, dest: Path) -> None:
    """Rename ``source`` to ``dest`` if both are on one file system; otherwise leave it (a
    spare is only ever a saving: the build's folder is removed with whatever is left)."""
    try:
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, dest)
    except OSError:
        return


def _swap(staging: Path, out: Path, previous: Path) -> None:
    # Two renames: each is atomic, and between them `out` is missing for an instant rather
    # than half-written. The old copy goes into the build's own folder, removed with it; a
    # build killed between the renames leaves it there, and the next build puts it back.
    if not out.exists():
        staging.rename(out)
        return
    check_output(out)  # it may have changed while we were building
    out.rename(previous)
    try:
        staging.rename(out)
    except BaseException:
        previous.rename(out)
        raise


@contextmanager
def locked_folder(parent: Path, prefix: str, *, restore: Path | None = None) -> Iterator[Path]:
    """A new folder ``parent/<prefix>XXXXXXXX``, locked while in use and removed afterwards.

    Folders of the same prefix that no process holds (left by a run that was killed) are
    removed first; with ``restore``, a previous site found in one is put back at ``restore``
    if nothing is there (a build killed in the middle of its swap).
    """
    remove_leftovers(parent, prefix, restore=restore)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    fd = _lock(folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if fd is not None:
            os.close(fd)


def remove_leftovers(parent: Path, prefix: str, *, restore: Path | None = None) -> list[Path]:
    """Remove this user's folders ``parent/<prefix>XXXXXXXX`` that no running process holds.

    Returns the folders removed.
    """
    if fcntl is None or not parent.is_dir():
        return []
    pattern = re.compile(re.escape(prefix) + _RANDOM + r"\Z")
    removed = []
    for entry in parent.iterdir():
        if not pattern.match(entry.name):
            continue
        try:
            if entry.is_symlink() or not entry.is_dir() or entry.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        fd = _lock(entry, wait=False)
        if fd is None:
            continue  # a running build's, or gone already
        try:
            previous = entry / PREVIOUS
            if restore is not None and not restore.exists() and (previous / MARKER).is_file():
                previous.rename(restore)
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
        finally:
            os.close(fd)
    return removed


def _remove_old_style_leftovers(out: Path) -> None:
    # Earlier versions of rollbook moved the previous site to `.<name>.old-XXXXXXXX` and deleted it
    # after the swap; a build killed then left it behind. Only folders holding a site's
    # marker are removed.
    pattern = re.compile(re.escape(f".{out.name}.old-") + _RANDOM + r"\Z")
    for entry in out.parent.iterdir():
        if pattern.match(entry.name) and not entry.is_symlink() and (entry / MARKER).is_file():
            shutil.rmtree(entry, ignore_errors=True)


def _lock(folder: Path, *, wait: bool = True) -> int | None:
    """An open descriptor of ``folder`` holding an exclusive lock on it, or None.

    Without ``wait``, None when another process holds the lock. The lock lasts until the
    descriptor is closed in this process and in every worker forked from it, and is released
    by the kernel when they die, however they die.
    """
    if fcntl is None:
        return None
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        return None
    return fd
