"""Where things are and what is wrong with them.

Every stage that reads a file keeps the file, line and column of what it read, so that every
problem can point a person at the exact place. Lines and columns are 1-based, as editors show
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum

from rollbook.codes import is_known
from rollbook.safe_text import for_terminal


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a file: 1-based line and column. ``line == 0`` means the whole file."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.column or 1}"

    def __reduce__(self):
        # Pickled as a call with the fields: lint's workers send their parent tens of
        # thousands, and the state functions dataclasses give a slotted class take twice as
        # long to load.
        return (Location, (self.path, self.line, self.column))


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, found while loading it.

    ``code`` names the input rule (a :class:`rollbook.codes.Code`), ``field`` is the dotted
    path inside the document (``rollback.steps[2].expect``) when there is one, and ``hint``
    says how to fix it.
    """

    code: str
    message: str
    location: Location
    field: str = ""
    hint: str = ""
    severity: Severity = Severity.ERROR
    extra: dict = dc_field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        # A mistyped code is a bug, caught where it is written rather than reported under
        # another rule (see rollbook.codes). Stored as plain text, as reports print it.
        if not is_known(self.code):
            raise ValueError(f"unknown rule code {self.code!r}: add it to rollbook.codes.Code")
        object.__setattr__(self, "code", str(self.code))

    def render(self) -> str:
        """``path:line:col: CODE message (field)`` and an indented hint, for a terminal: the
        file name and texts are escaped and cannot break the line (see ``safe_text``)."""
        # The field is named in the message already when the message starts with it.
        where = f" ({self.field})" if self.field and self.field not in self.message else ""
        text = for_terminal(f"{self.location}: {self.code} {self.message}{where}", lines=False)
        if self.hint:
            text += f"\n    hint: {for_terminal(self.hint, lines=False)}"
        return text


def format_path(path: tuple[str | int, ...]) -> str:
    """``("rollback", "steps", 2, "expect")`` -> ``rollback.steps[2].expect``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
