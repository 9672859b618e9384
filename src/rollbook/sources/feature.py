"""What a feature source yields, and the error it raises when it cannot.

A *feature* is a key that some system can switch: a flagd flag, an Unleash toggle, an id in
a plain list, or a literal key passed to an OpenFeature SDK call. Sources find them without
looking at runbooks, so the linter can ask "which deployable features have no runbook?".

Flag systems also declare what values a flag can take, and sometimes which of them means
"on": flagd lists variants and a default variant, an OpenFeature manifest gives a type and a
default value, an Unleash toggle is on or off. A :class:`Feature` carries what its source
declares, so that the linter can check a runbook's `off` value against the flag system rather
than trusting the runbook. Lists and code declare keys only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rollbook.diagnostics import Location

# Variant names that say "this variant turns the feature on" (flagd's own examples use
# on/off; some teams write enabled/disabled). Compared case-insensitively.
ON_NAMES = frozenset({"on", "enabled"})


@dataclass(frozen=True)
class Variant:
    """One value a flag can take, by the name its flag system shows (flagd: the variant key)."""

    name: str
    value: object = field(compare=False)
    """The JSON value: a boolean, a number, text, or an object for object flags."""


@dataclass(frozen=True)
class Feature:
    """One feature key and exactly where it is written.

    ``location`` points at the key itself (the opening quote of a JSON key or code literal,
    the first character of a YAML key or a list line), relative to the root that was scanned.
    ``deployable`` is False for features that cannot be switched on any more, such as
    archived Unleash toggles; they are still reported because runbooks may mention them.

    The rest is what a flag system declares, empty for lists and code: ``system`` is the
    runbook `system:` value for the service that serves the flag (``flagd``, ``unleash``,
    ``openfeature``); ``variants`` are the values the flag can take, in file order;
    ``default_variant`` names the variant served when no targeting rule matches (flagd);
    ``on_variant`` names the variant that turns the feature on, when the source says so (a
    flagd variant named ``on``; Unleash's enabled state, or its disabled state for a toggle of
    type ``kill-switch``); ``value_type`` is the declared type (``boolean``, ``string``,
    ``integer``, ``float``, ``object``) and ``default_value`` the declared default (OpenFeature
    manifests); ``values_location`` points at where the values are declared.
    """

    key: str
    location: Location
    source: str
    deployable: bool = True
    description: str = ""
    system: str | None = None
    variants: tuple[Variant, ...] = ()
    default_variant: str | None = None
    on_variant: str | None = None
    value_type: str | None = None
    default_value: object = field(default=None, compare=False)
    values_location: Location | None = None
    # What the flag system serves now, for `rollbook diff` and the rollout rules (flagd and
    # Unleash; None where the source does not say): the share of users who get the "on"
    # variant, 0 to 100 (a flagd `fractional` rule or default variant, an Unleash gradual
    # rollout); whether the flag is enabled at all (flagd `state`, Unleash `enabled`); and
    # its targeting rules and strategies as canonical JSON, to tell whether they changed.
    rollout: float | None = field(default=None, compare=False)
    enabled: bool | None = field(default=None, compare=False)
    targeting: str = field(default="", compare=False)
    rollout_location: Location | None = field(default=None, compare=False)

    @property
    def keyed(self) -> bool:
        """Whether the key is a flag key (every source but a plain list of feature ids)."""
        return self.source != "list"

    @property
    def declares_values(self) -> bool:
        """Whether the source says which values the flag can take (variants or a type)."""
        return bool(self.variants) or self.value_type is not None


def value_type_of(values: list[object]) -> str | None:
    """The type all ``values`` share, named as OpenFeature names flag types; None if mixed."""
    kinds = {_kind(v) for v in values}
    if kinds == {"integer", "float"}:
        return "float"
    return kinds.pop() if len(kinds) == 1 else None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "object"


def on_variant_of(variants: tuple[Variant, ...]) -> str | None:
    """The one variant whose name says it turns the feature on (``on``, ``enabled``), if any."""
    named = [v.name for v in variants if v.name.lower() in ON_NAMES]
    return named[0] if len(named) == 1 else None


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
