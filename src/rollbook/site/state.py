"""What an incremental build takes from the builds before it, kept in memory between builds.

A build with a cache (:mod:`rollbook.site.page_cache`, :mod:`rollbook.render.memo`) reads,
before it renders anything, the indexes the previous build wrote into the cache folder: per
runbook page, what the memo rendered it from (``render-index.json``); per finished page, its
entry's links and file (``pages-index.json``); per file of the site, what the service
worker's manifest read of it (``files.json``). At 10,000 runbooks they are megabytes of JSON,
parsed again by every build.

:class:`BuildState` keeps them in memory as written, so that a process that builds again and
again (``rollbook serve``) parses none of them twice::

    state = BuildState()
    build(project, out, state=state)     # reads the indexes from the cache folder
    ...                                  # a runbook is saved
    build(project, out, state=state)     # takes them from `state`; writes the new ones

The cache folder stays what persists: the state holds nothing a build could not read back
from there, and a ``rollbook build`` without one (a new process) makes its own and reads the
folder. An index is taken from memory only if its file is still the one the state wrote or
read (same inode, size and modification time): an index removed, damaged or rewritten by
another build meanwhile is read from disk again (or, if gone, the build renders what it
cannot find), exactly as without a state. One state may serve builds of several projects or
output folders: indexes are kept by their path.

What a reader gets from :meth:`read_json` is shared with the state and with the next build:
it must not change it. What a writer gives :meth:`write_json` belongs to the state from then on.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rollbook.build_cache import write_whole

_Signature = tuple[int, int, int, int]


def _signature(path: Path | str) -> _Signature:
    stat = os.stat(path)
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class BuildState:
    """The build cache's indexes as the last build wrote them (see the module's docs)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[_Signature, object]] = {}
        self.reads = 0
        """Indexes read from disk (not taken from memory) by the builds given this state."""
        self.frames: dict = {}
        """The theme's frames, by what they were made for (see
        :attr:`rollbook.site.SiteOptions.frames`): a build with the same theme, settings and
        time renders no frame again, and its outcome can finish an edited runbook's page
        without MkDocs (``rollbook serve``, :mod:`rollbook.commands.serve_quick`)."""

    def read_json(self, path: Path) -> object:
        """The JSON document of ``path``: from memory if the file is the one last seen,
        otherwise read (raises ``OSError`` or ``ValueError`` as reading the file would)."""
        name = str(path)
        signature = _signature(name)
        kept = self._kept.get(name)
        if kept is not None and kept[0] == signature:
            return kept[1]
        self.reads += 1
        data = json.loads(Path(name).read_bytes())
        if _signature(name) == signature:  # not replaced while read
            self._kept[name] = (signature, data)
        return data

    def write_json(self, path: Path, data: object) -> None:
        """Write ``data`` to ``path`` whole (as :func:`rollbook.build_cache.write_whole`)
        and keep it in memory for the next build."""
        name = str(path)
        self._kept.pop(name, None)
        write_whole(path, json.dumps(data).encode("utf-8"))
        self._kept[name] = (_signature(name), data)

    def forget(self) -> None:
        """Drop everything kept: the next build reads the cache folder."""
        self._kept.clear()
        self.frames.clear()


def read_json(path: Path, state: BuildState | None) -> object:
    """``path``'s JSON document, through ``state`` if there is one."""
    if state is not None:
        return state.read_json(path)
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: object, state: BuildState | None) -> None:
    """Write ``data`` to ``path`` whole, through ``state`` if there is one."""
    if state is not None:
        state.write_json(path, data)
    else:
        write_whole(path, json.dumps(data).encode("utf-8"))
