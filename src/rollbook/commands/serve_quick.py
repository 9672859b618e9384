"""`rollbook serve`: the edited runbook's page first, then the rest of the site.

Whoever saves a runbook in the preview looks at that runbook's page. A rebuild of a project
of thousands of runbooks takes seconds (listings, search, cards, link checks: every page
whose content may depend on the edit). So, before each rebuild, ``serve`` renders the page
of every runbook that was edited, alone, with what the last build left in memory (its
renderer, and the theme's frames: see :class:`rollbook.site.mkdocs_driver.FrameContext`),
writes it into the served site and reloads the browser. The rebuild then brings the rest
(the home page, team and tag pages, search) and reloads the browser again.

The page written first is the page the rebuild writes, byte for byte. That holds by
construction: the same renderer, the same finishing and checks as a build. And by refusing
to go first whenever the edit may change what the page shows from elsewhere. No page goes
first (the rebuild alone runs, as before) when:

- a file that is not an already-built runbook changed: the configuration, the teams file, a
  template, a feature source, alert rules, a new, deleted or renamed runbook;
- the runbook does not load cleanly, or did not before (the preview's banner and problems
  page list such files on every page), or its id changed (its page moves);
- the runbook has inline suppression comments (what they hide depends on the whole project);
- the last build gave the file a finding from across the project (coverage, duplicate
  ids), or the edit changed what such findings are computed from (its flags, deployable,
  rollback, kill switch or rollout): they need every runbook;
- the page links to a page the served site lacks, or its theme frame was not verified.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook.config import Project
from rollbook.render.views import FindingView

if TYPE_CHECKING:  # the build and the site driver import MkDocs: not at serve's start-up
    from rollbook.commands.build import BuildOutcome
    from rollbook.render.pages import SiteRenderer
    from rollbook.site.mkdocs_driver import FrameContext


@dataclass
class QuickPages:
    """What ``serve`` keeps of its last build to show an edited runbook's page first."""

    project: Project
    out: Path
    renderer: SiteRenderer | None = None
    frames: FrameContext | None = None

    def remember(self, outcome: BuildOutcome) -> None:
        """Keep ``outcome``'s renderer and frames (the outcome of a build given a
        :class:`~rollbook.site.state.BuildState`) for the next edits."""
        self.renderer = outcome.renderer
        self.frames = outcome.report.frames

    def forget(self) -> None:
        self.renderer = self.frames = None

    def patch(self, changed: Iterable[Path]) -> list[str]:
        """Write the page of every runbook in ``changed`` into the served site, as the next
        build will write it; the site paths written (none if any of them cannot go first:
        see the module)."""
        renderer, frames = self.renderer, self.frames
        if renderer is None or frames is None or renderer.problems.teams:
            return []  # no build to go by, or runbooks checked against a teams file with errors
        entries = {entry.display: entry for entry in renderer.entries}
        made: list[tuple[str, bytes, object, str, list[FindingView]]] = []
        for path in sorted(set(changed)):
            found = self._page(renderer, frames, entries, path)
            if found is None:
                return []
            made.append(found)
        written = []
        for dest, data, entry, display, views in made:
            _replace(renderer.entries, entry)
            renderer.lint.by_file[display] = views
            _write(self.out / dest, data)
            written.append(dest)
        return written

    def _page(self, renderer, frames, entries, path: Path):
        from rollbook.lint.engine import check_runbook_file, project_scope_codes
        from rollbook.load.runbooks import Listed
        from rollbook.render.pages import RunbookEntry

        if not path.is_file():
            return None
        display = self.project.display(path)
        old = entries.get(display)
        if old is None or old.loaded.problems:
            return None
        across = project_scope_codes()
        if any(f.code in across for f in renderer.lint.by_file.get(display, [])):
            return None
        checked = check_runbook_file(self.project, path, display, renderer.teams)
        if checked is None:
            return None
        loaded, findings = checked
        rb = loaded.runbook
        if rb is None or loaded.problems or _across(rb) != _across(old.runbook):
            return None
        entry = RunbookEntry(Listed.of(rb), display, loaded, old.src_uri)
        views = [
            FindingView(f.code, f.message, str(f.location), f.severity.value, f.help)
            for f in findings
        ]
        saved = renderer.lint.by_file.get(display)
        renderer.lint.by_file[display] = views
        try:
            page = renderer.runbook(entry)
        finally:
            if saved is None:
                renderer.lint.by_file.pop(display, None)
            else:
                renderer.lint.by_file[display] = saved
        finished = frames.finish(page)
        if finished is None:
            return None
        dest, html, (needed, problems) = finished
        if problems or any(not (self.out / target).is_file() for target, _ in needed):
            return None
        return dest, html.encode("utf-8", errors="xmlcharrefreplace"), entry, display, views


def _across(rb) -> tuple:
    """What the project-scope rules read of a runbook (``rollbook.lint.engine._summarise``):
    an edit that changes any of it may change findings anywhere."""
    rollback = rb.rollback
    return (
        rb.id,
        [flag.model_dump(mode="json") for flag in rb.flags],
        rb.deployable,
        rollback is not None and bool(rollback.steps),
        rollback.kill_switch if rollback is not None else None,
        tuple(stage.percent for stage in rb.rollout.stages) if rb.rollout is not None else None,
    )


def _replace(entries: list, entry) -> None:
    for i, old in enumerate(entries):
        if old.display == entry.display:
            entries[i] = entry
            return


def _write(path: Path, data: bytes) -> None:
    """``data`` at ``path``, whole or not at all (a browser never reads half a page)."""
    mode = stat.S_IMODE(path.stat().st_mode)  # the page it replaces, as the build wrote it
    fd, tmp = tempfile.mkstemp(prefix=".rollbook-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
