"""Writing a user's files so that a failed or interrupted run never leaves half a file."""

from __future__ import annotations

import os
from pathlib import Path


def write_text_atomic(path: Path, text: str, *, keep_mode: bool = False) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, then rename it into place.

    A reader (an editor, a CI step uploading a report) sees the old file or the new one, never
    a partial one. Missing parent folders are created. With ``keep_mode``, an existing file
    keeps its permission bits (a user's file edited in place).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        if keep_mode and path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
