"""What a feature source yields, and the error it raises when it cannot.

A *feature* is a key that some system can switch: a flagd flag, an Unleash toggle, an id in
a plain list, or a literal key passed to an OpenFeature SDK call. Sources find them without
looking at runbooks, so the linter can ask "which deployable features have no runbook?".
"""

from __future__ import annotations

from dataclasses import dataclass

from rollbook.diagnostics import Location


@dataclass(frozen=True)
class Feature:
    """One feature key and exactly where it is written.

    ``location`` points at the key itself (the opening quote of a JSON key or code literal,
    the first character of a YAML key or a list line), relative to the root that was scanned.
    ``deployable`` is False for features that cannot be switched on any more, such as
    archived Unleash toggles; they are still reported because runbooks may mention them.
    """

    key: str
    location: Location
    source: str
    deployable: bool = True
    description: str = ""


class SourceError(Exception):
    """A configured source cannot be read: a missing or malformed file, or bad configuration.

    The message starts with ``file:line:col`` (or the configuration entry), says what is wrong
    and, in ``hint``, how to fix it. Commands map this error to exit code 2, keeping exit 1 for
    findings.
    """

    def __init__(self, message: str, where: Location | str = "", hint: str = ""):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.render())

    @property
    def location(self) -> Location | None:
        """The place in a file this error is about, when it is about one."""
        return self.where if isinstance(self.where, Location) else None

    def render(self) -> str:
        """``where: message`` with an indented hint line, as the CLI prints it."""
        where = str(self.where)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text
