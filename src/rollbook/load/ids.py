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
