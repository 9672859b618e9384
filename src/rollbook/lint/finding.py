"""What the linter reports: a finding, with everything a reporter needs to show it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rollbook.diagnostics import Location, Severity


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule broken at one place.

    ``anchor`` says *what* is wrong independently of *where* it is written (a field path such
    as ``rollback.steps[1]``, a feature key, the text of a line), so that the fingerprint of a
    finding survives lines being added above it: code-scanning tools use the fingerprint to
    tell a new finding from one they have already shown.
    """

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    help: str = ""
    anchor: str = ""
    fingerprint: str = ""

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def column(self) -> int:
        return self.location.column

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.code)

    def __reduce__(self):
        # As Location's: a call with the fields loads faster than dataclasses' state functions.
        return (Finding, tuple(getattr(self, name) for name in self.__slots__))


def fingerprint(code: str, path: str, anchor: str, occurrence: int = 0) -> str:
    """A stable id for a finding: its rule, file and anchor, never its line number."""
    text = f"{code}\0{path}\0{anchor}\0{occurrence}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
