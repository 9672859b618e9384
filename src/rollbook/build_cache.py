"""The build cache's folder and the few things every part of it shares.

``rollbook build`` keeps what it can reuse in the project's ``.rollbook-cache/build/``
(rendered runbook pages, :mod:`rollbook.render.memo`; finished pages,
:mod:`rollbook.site.page_cache`; the site's stylesheet). The folder is ignored by git (a
``.gitignore`` inside it says so), marked as a cache for backup tools (``CACHEDIR.TAG``),
safe to delete at any time, and never trusted across versions of rollbook: every key holds
the version and a hash of rollbook's own source.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import time
from pathlib import Path

from markupsafe import escape

CACHE_FOLDER = ".rollbook-cache"
_GITIGNORE = "# Created by rollbook: its build cache, safe to delete.\n*\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by rollbook.\n"
)


def cache_folder(project_root: Path) -> Path:
    """A project's build cache: ``.rollbook-cache/build`` in its root folder (as ruff keeps
    ``.ruff_cache``), never beside the output, which may be a folder a web server serves."""
    return project_root / CACHE_FOLDER / "build"


def time_element(built_iso: str, built_text: str) -> str:
    """The build time as the templates write it (runbook text, escaped, can never hold it)."""
    return f'<time datetime="{escape(built_iso)}">{escape(built_text)}</time>'


def add_part(digest: hashlib.blake2b, part: bytes) -> None:
    # Length first: ("ab", "c") and ("a", "bc") must not hash alike.
    digest.update(len(part).to_bytes(8, "big"))
    digest.update(part)


def prepare(folder: Path) -> None:
    """Create the cache folder, marked as a cache git ignores and backups may skip."""
    root = folder.parent
    if (root / ".gitignore").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    write_whole(root / ".gitignore", _GITIGNORE.encode("utf-8"))
    write_whole(root / "CACHEDIR.TAG", _CACHEDIR_TAG.encode("utf-8"))


def write_whole(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: another build may be reading the same entry."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def keep_only(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` in the cache, removing the other files of its folder (the
    entries of earlier builds); a cache that cannot be written costs time only."""
    try:
        prepare(path.parent.parent)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, data)
        for other in path.parent.iterdir():
            if other != path:
                other.unlink(missing_ok=True)
    except OSError:
        return


@functools.cache
def source_digest() -> bytes:
    """A hash of rollbook's own source: a development install keeps its version number
    while its code changes, and the cache must not outlive the code that filled it."""
    import rollbook

    root = Path(rollbook.__file__).parent
    digest = hashlib.blake2b(digest_size=20)
    for path in sorted(root.rglob("*.py")):
        add_part(digest, path.relative_to(root).as_posix().encode("utf-8"))
        add_part(digest, path.read_bytes())
    return digest.digest()


def sweep(folder: Path, keep: set[str], *, everything: bool) -> None:
    """Remove the entries of ``folder`` (in subfolders by the keys' first two characters)
    but those of ``keep``: of every subfolder, or of a sixteenth of them in turn.

    The entries an index listed and a build no longer uses are removed by their keys; what
    no index listed (entries of a build that failed, or of an index lost) is found here.
    Going through every entry is a second at 100,000 of them, so a build looks at one
    sixteenth, and every entry is looked at within sixteen builds.
    """
    turn = f"{time.time_ns() // 1000 % 16:x}"
    try:
        subs = [sub for sub in folder.iterdir() if everything or sub.name.startswith(turn)]
    except OSError:
        return
    for sub in subs:
        try:
            for entry in sub.iterdir():
                if entry.name.split(".", 1)[0] not in keep:
                    entry.unlink(missing_ok=True)
        except OSError:
            continue
