"""RB009: two runbooks with the same id, worded in one place.

The first file read keeps the id (and the page); each later file with the same id gets this
problem, whichever stage notices it: the linter while it streams the files, the loader when it
loads a whole project, the site build for the runbooks it salvaged.
"""

from __future__ import annotations

from rollbook.codes import Code
from rollbook.diagnostics import Location, Problem


def duplicate_id(ident: str, first: str, location: Location) -> Problem:
    """The problem of a runbook whose ``id`` the file ``first`` (as displayed) already uses;
    ``location`` is where the later file writes its id."""
    return Problem(
        Code.DUPLICATE_RUNBOOK_ID,
        f"runbook id {ident!r} is also used by {first}",
        location,
        field="id",
        hint="each feature has one runbook; ids name the pages",
    )


class DuplicateIds:
    """Which file uses each runbook id first: a later file with the same id gets RB009.

    Files must be shown in the order of ``ProjectFiles.paths`` (load/runbooks.py), so that the
    same file keeps the id (and the page) whichever command loads them and however many
    processes.
    """

    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    def taken(self, ident: str) -> bool:
        """Whether a file uses ``ident`` already (the next one to check it gets RB009)."""
        return ident in self._first

    def check(self, ident: str, display: str, location: Location) -> Problem | None:
        """Record that ``display`` uses ``ident`` (written at ``location``); the RB009
        problem if an earlier file uses it already."""
        other = self._first.get(ident)
        if other is None:
            self._first[ident] = display
            return None
        return duplicate_id(ident, other, location)
