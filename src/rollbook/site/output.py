"""The output folder: built next to it, swapped in whole, and never someone else's folder.

MkDocs empties ``site_dir`` before a build. Pointed at the wrong folder (``--out .``, a docs
folder) that deletes a user's work, so rollbook only ever replaces a folder that is empty or
carries the marker file a previous rollbook build left in it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


class OutputError(Exception):
    """The output folder cannot be used."""


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


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """A fresh folder beside ``out`` to build into; swapped in for ``out`` on success.

    On any error the staged folder is removed and ``out`` is left exactly as it was: the
    site people are reading mid-incident must never be half-written.
    """
    out = out.resolve()
    check_output(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        yield staging
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        # mkdtemp makes the folder private (0700); a site is meant to be read by a web server.
        os.chmod(staging, 0o755)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    # Two renames within one folder: each is atomic, and between them `out` is missing for
    # an instant rather than half-written. The old copy is deleted only after the new one is
    # in place.
    if not out.exists():
        staging.rename(out)
        return
    check_output(out)  # it may have changed while we were building
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
