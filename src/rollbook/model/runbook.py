"""The runbook format, version 1: one typed model that validates runbooks and exports the schema.

The model knows nothing of YAML or files: it validates plain Python data. The field
descriptions below are the format's reference documentation; ``rollbook schema`` exports them
to editors, and the README's field table is checked against them by a test.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from rollbook.model.field_docs import describe_fields
from rollbook.model.links import LINK_MAX_LENGTH, LINK_PATTERN, web_href
from rollbook.model.phones import PHONE_PATTERN, PhoneNumber, parse_phone

FORMAT_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Small value types

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=64),
]

# Names the site's layout gives its own pages in the folders where team and tag pages live:
# `teams/index/` is the list of teams, so no team or tag may be called `index`.
# rollbook.render.urls names those pages from this list, so the two cannot drift.
RESERVED_PAGE_NAMES: tuple[str, ...] = ("index",)


def _not_reserved(value: str) -> str:
    if value in RESERVED_PAGE_NAMES:
        raise ValueError(
            f"{value!r} is reserved: the site's list of all teams and its list of all tags "
            f"are the pages named {value!r}; choose another name"
        )
    return value


# An id that is also a page's name in a folder of the site: a team's id, a tag.
PageName = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=64),
    AfterValidator(_not_reserved),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": SLUG_PATTERN,
            "minLength": 1,
            "maxLength": 64,
            "not": {"enum": list(RESERVED_PAGE_NAMES)},
        }
    ),
]

# Text must hold something other than spaces: a blank `expect:` is an unfinished runbook.
NOT_BLANK = r"\S"
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=NOT_BLANK)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NOT_BLANK)]


class FieldRole:
    """A marker on a text type saying what its value is for; it constrains nothing itself.

    The loader reads it to hold some fields to stricter rules than free text: a name that is
    typed or compared must not hide a look-alike character, and a command must be copied as
    it was written.
    """

    def __init__(self, role: str) -> None:
        self.role = role

    def __repr__(self) -> str:
        return f"FieldRole({self.role!r})"


NAME = FieldRole("name")
COMMAND = FieldRole("command")
Name = Annotated[ShortText, NAME]
"""Text that people type, search for or that other fields refer to: flag keys, signal names."""
Command = Annotated[Text, COMMAND]
"""Text that is copied and run as it is."""


# Links a person may be sent to from a runbook or the teams file: http(s) only, and only
# links that can be rendered as a working link to the same place (see rollbook.model.links,
# whose web_href both this validation and every renderer use, so they cannot disagree).
# Anything else (javascript:, data:, file:, a link with a hidden character) is refused here
# already, so that no runbook can carry a dangerous or dead link into the site.


def _check_link(value: str) -> str:
    web_href(value)
    return value


Link = Annotated[
    str,
    StringConstraints(max_length=LINK_MAX_LENGTH),
    AfterValidator(_check_link),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": LINK_MAX_LENGTH,
            "pattern": LINK_PATTERN,
        }
    ),
]


def _check_phone(value: object, info: ValidationInfo) -> PhoneNumber:
    # The default region for numbers written without + comes from the configuration, which
    # the loader passes as validation context; without it, only +country numbers are valid.
    region = (info.context or {}).get("phone_region")
    if isinstance(value, int | float) and not isinstance(value, PhoneNumber):
        # An unquoted number: reported as a wrong type, whose hint quotes the number exactly
        # as the file writes it (`02079460001`, not the 2079460001 YAML made of it).
        raise PydanticCustomError("string_type", "Input should be a valid string")
    return parse_phone(value, region)


# A phone number is parsed once, here; the site dials its E.164 form and shows its
# international form, both from this parse (see rollbook.model.phones).
Phone = Annotated[
    PhoneNumber,
    PlainValidator(_check_phone),
    PlainSerializer(lambda phone: phone.written, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": PHONE_PATTERN,
        }
    ),
]
DURATION_PATTERN = r"^[1-9][0-9]*(m|h|d|w)$"
Duration = Annotated[
    str,
    StringConstraints(pattern=DURATION_PATTERN),
]

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _parse_date(value: object) -> object:
    # Dates arrive as text (the loader keeps YAML dates as text) and are checked here, so that
    # a bad date is reported as one, with its field, rather than as a YAML oddity.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a real date ({exc})") from None
    raise ValueError("expected a date written as YYYY-MM-DD, e.g. 2026-03-31")


Date = Annotated[
    dt.date,
    BeforeValidator(_parse_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^\d{4}-\d{2}-\d{2}$",
            "description": "A date: YYYY-MM-DD.",
        }
    ),
]


_DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?\Z"
)
MOMENT_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$"


def _parse_moment(value: object) -> object:
    # A day (2026-12-07) or a time of day (2026-12-07T09:00, 2026-12-07T09:00+01:00). A time
    # without an offset is read in the configured `guard.time-zone`; the model keeps it naive.
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_RE.match(value):
        return _parse_date(value)
    if isinstance(value, str) and _DATETIME_RE.match(value):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a real date and time ({exc})") from None
    raise ValueError(
        "expected a date (2026-12-07) or a date and time (2026-12-07T09:00, or with an "
        "offset 2026-12-07T09:00+01:00)"
    )


Moment = Annotated[
    dt.datetime | dt.date,
    PlainValidator(_parse_moment),
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MOMENT_PATTERN,
            "description": "A date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM, "
            "optionally with an offset).",
        }
    ),
]


_BOOL_WORDS = {"yes": True, "y": True, "on": True, "no": False, "n": False, "off": False}


def _word_to_bool(value: object) -> object:
    # `redeploy: no` is a boolean to the person who wrote it. The loader keeps such words as
    # text (YAML 1.1 would turn them into booleans everywhere); a boolean field reads them as
    # the boolean they spell, and so does the exported schema, so editors agree.
    if isinstance(value, str) and value.lower() in _BOOL_WORDS:
        return _BOOL_WORDS[value.lower()]
    return value


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" for c in word)


BOOL_WORDS_PATTERN = "^(" + "|".join(_any_case(w) for w in _BOOL_WORDS) + ")$"
Bool = Annotated[
    bool,
    BeforeValidator(_word_to_bool),
    WithJsonSchema(
        {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": BOOL_WORDS_PATTERN}]}
    ),
]

Risk = Literal["low", "medium", "high", "critical"]
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")
Level = Literal["low", "medium", "high"]
Scalar = bool | int | float | str


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        # Field descriptions are the docstrings under the fields (describe_fields, at the end).
        # Validators and serialisers are built when a model first needs one, not at import:
        # a run that validates no runbook (a warm lint, nothing changed) builds none, and one
        # that does builds Runbook's once instead of every part's on its own as well.
        defer_build=True,
    )


def _text_list(value: object) -> object:
    # `verify: Error rate back to normal` reads naturally; so does a list. Both are accepted.
    return [value] if isinstance(value, str) else value


TextList = Annotated[
    list[Text],
    BeforeValidator(_text_list),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "minLength": 1, "maxLength": 4000, "pattern": NOT_BLANK},
                {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 4000,
                        "pattern": NOT_BLANK,
                    },
                },
            ]
        }
    ),
]

# ---------------------------------------------------------------------------------------------
# Parts of a runbook


class Contact(_Model):
    """Someone to call, in escalation order: a team's on-call or a person from the teams file."""

    team: Slug | None = None
    """Id of a team in the teams file: call its on-call phone or chat."""
    person: Slug | None = None
    """Id of a person in the teams file."""
    when: ShortText | None = None
    """When to call them, e.g. `If the on-call does not answer within 10 minutes`."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["team"], "properties": {"team": {"type": "string"}}},
                {"required": ["person"], "properties": {"person": {"type": "string"}}},
            ]
        }
    )

    @model_validator(mode="after")
    def _one_target(self) -> Contact:
        if (self.team is None) == (self.person is None):
            raise ValueError("a contact names exactly one of `team` or `person`")
        return self


FlagSystem = Literal[
    "flagd", "unleash", "openfeature", "launchdarkly", "flipt", "env", "config", "other"
]


class Flag(_Model):
    """A feature flag or config switch that changes what the feature does."""

    key: Name
    """The flag's key, exactly as the flag system knows it: `checkout.one_click`."""
    system: FlagSystem
    """Where the flag lives: flagd, unleash, openfeature, launchdarkly, flipt, env (an
    environment variable), config (a config file) or other."""
    off: Scalar
    """The value that turns the feature OFF. Kill-switch polarity is a classic source of
    mistakes, so it is always written down."""
    on: Scalar | None = None
    """The value that turns the feature on, if it is not simply the opposite of `off`."""
    change: Text
    """How to change it, in plain words: `Flag console > checkout.one_click > Off`."""
    link: Link | None = None
    """Where to change it (the console page, the file in the repository)."""
    command: Command | None = None
    """A command that changes it, if there is one."""
    redeploy: Bool = False
    """Whether changing it needs a redeploy or restart to take effect."""
    who: ShortText | None = None
    """Who may change it, e.g. `anyone on the payments rota`."""
    when_unavailable: Text | None = None
    """What the code does when the flag service cannot be reached."""


SignalKind = Literal["metric", "log", "alert", "dashboard", "trace"]


class Signal(_Model):
    """Something that shows whether the feature is healthy."""

    name: Name
    """A short name people will say out loud: `Checkout error rate`."""
    kind: SignalKind
    """metric, log, alert, dashboard or trace."""
    query: Text | None = None
    """The query that produces it (PromQL, LogQL, ...)."""
    healthy: Text | None = None
    """What normal looks like: `below 0.5%`."""
    threshold: Text | None = None
    """The value that means trouble: `above 2% for 5 minutes`."""
    alert: Name | None = None
    """The name of the alert that fires on it."""
    link: Link | None = None
    """A dashboard or explore link that shows it."""
    no_data: Text | None = None
    """What it means when the signal shows no data (a pass? an outage?)."""


class Log(_Model):
    """Logs that matter when this feature misbehaves."""

    name: ShortText
    """What these logs are: `Checkout service errors`."""
    where: Text
    """Where to look: the tool and the place in it."""
    query: Text | None = None
    """The query to paste."""
    link: Link | None = None
    """A link that opens the query."""
    look_for: Text | None = None
    """What a bad line looks like."""


class RiskItem(_Model):
    """Something that can go wrong with this feature."""

    what: Text
    """What can go wrong, in plain words."""
    likelihood: Level
    """low, medium or high."""
    impact: Level
    """low, medium or high."""
    mitigation: Text | None = None
    """What limits the damage."""
    signals: list[Name] = []
    """Names of the signals (see `signals`) that would show it."""


class Stage(_Model):
    """One step of the gradual rollout."""

    name: ShortText | None = None
    """A short name: `Staff only`, `5% of customers`."""
    audience: Text | None = None
    """Who gets the feature in this stage, if not a percentage: `staff accounts`."""
    percent: Annotated[int, Field(ge=0, le=100)] | Annotated[float, Field(ge=0, le=100)] | None = (
        None
    )
    """The share of traffic or users, 0 to 100."""
    min_duration: Duration | None = None
    """How long to stay at this stage before the next: `30m`, `1d`."""
    gate: list[Name] = []
    """Names of the signals that must be healthy before moving on."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["percent"], "properties": {"percent": {"type": "number"}}},
                {"required": ["audience"], "properties": {"audience": {"type": "string"}}},
            ]
        }
    )

    @model_validator(mode="after")
    def _has_target(self) -> Stage:
        if self.audience is None and self.percent is None:
            raise ValueError("a stage says who gets the feature: `percent` or `audience`")
        return self


class Rollout(_Model):
    """The gradual rollout plan."""

    stages: Annotated[list[Stage], Field(min_length=1)]
    """The stages, in order."""
    current_stage: ShortText | Annotated[int, Field(ge=1)] | None = None
    """The stage the rollout is at now: its `name`, or its number counting from 1.
    `rollbook guard` holds the next deploy until it has run its `min_duration`."""
    stage_started: Moment | None = None
    """When the current stage started: `2026-12-01T09:00` (in `guard.time-zone`) or with an
    offset, `2026-12-01T09:00+01:00`."""

    @model_validator(mode="after")
    def _stage_known(self) -> Rollout:
        if (self.current_stage is None) != (self.stage_started is None):
            raise ValueError(
                "`current_stage` and `stage_started` go together: say which stage the "
                "rollout is at and when it started"
            )
        current = self.current_stage
        if isinstance(current, int) and current > len(self.stages):
            raise ValueError(
                f"`current_stage` is {current}, but the rollout has {len(self.stages)} "
                f"stage{'s' if len(self.stages) != 1 else ''}"
            )
        if isinstance(current, str) and current not in {s.name for s in self.stages}:
            names = ", ".join(repr(s.name) for s in self.stages if s.name) or "none"
            raise ValueError(
                f"`current_stage` {current!r} is not the name of a stage (names: {names})"
            )
        return self

    def stage_index(self, current: str | int) -> int | None:
        """The 0-based index of the stage named ``current`` or numbered ``current`` from 1."""
        if isinstance(current, int):
            return current - 1 if 1 <= current <= len(self.stages) else None
        return next((i for i, s in enumerate(self.stages) if s.name == current), None)


class Step(_Model):
    """One rollback step: one action, in plain words, and what should happen."""

    do: Text
    """The action, in words someone can follow on a phone call."""
    command: Command | None = None
    """A command to run, if the step is a command."""
    link: Link | None = None
    """A link to the place where the action is done."""
    expect: Text | None = None
    """What you should see when the step worked."""
    if_not: Text | None = None
    """What to do if that does not happen."""
    engineer: Bool = False
    """True if this step needs an engineer (shell access, deep knowledge)."""
    irreversible: Bool = False
    """True if this step cannot be undone (deletes or rewrites data)."""
    warning: Text | None = None
    """For irreversible steps: what will be lost, said before anyone acts."""
    backup: Text | None = None
    """For irreversible steps: how the data is backed up first, and where the backup is."""


class Rollback(_Model):
    """How to turn the feature off or back out."""

    when: TextList = []
    """Triggers: when to roll back, each in plain words."""
    kill_switch: Name | None = None
    """The key of the flag (see `flags`) that turns the feature off, if there is one."""
    audience: Literal["anyone", "engineers"] = "anyone"
    """Who should be able to follow this rollback: `anyone` (default) or `engineers`."""
    steps: list[Step] = []
    """The steps, in order. One action each."""
    verify: TextList = []
    """How to tell that the rollback worked."""
    after: TextList = []
    """What to do once rolled back: tell people, open an incident, ..."""


TestKind = Literal[
    "unit", "integration", "end-to-end", "load", "stress", "failure", "chaos", "manual"
]


class TestRecord(_Model):
    """How the feature was tested before rollout."""

    kind: TestKind
    """unit, integration, end-to-end, load, stress, failure, chaos or manual."""
    what: Text | None = None
    """What was tested, in a sentence."""
    link: Link | None = None
    """Evidence: a CI run, a report, a dashboard snapshot."""
    date: Date | None = None
    """When."""


class Review(_Model):
    """When this runbook was last checked against reality."""

    last_reviewed: Date
    """Date of the last review."""
    by: ShortText
    """Who reviewed it."""


class Drill(_Model):
    """A rehearsal of the rollback."""

    date: Date
    """When the drill happened."""
    result: Literal["pass", "partial", "fail"]
    """pass, partial or fail."""
    by: ShortText
    """Who performed it (ideally not the feature's author)."""
    duration: Duration | None = None
    """How long the rollback took, e.g. `12m`."""
    notes: Text | None = None
    """What was learned."""


# ---------------------------------------------------------------------------------------------
# The runbook


class Runbook(_Model):
    """A runbook: everything needed to watch, roll out and roll back one deployable feature."""

    version: Literal[1] = 1
    """Format version. Only 1 exists."""
    id: Slug
    """The feature's id, also its page name: lower-case, digits and hyphens."""
    title: ShortText
    """The feature's name as people say it."""
    summary: Text
    """What the feature does and who notices when it breaks, in plain words."""
    owner: PageName
    """Id of the owning team in the teams file."""
    deployable: Bool = True
    """False for features that are documented but never deployed on their own."""
    risk: Risk
    """low, medium, high or critical: how bad it is if this goes wrong."""
    tags: list[PageName] = []
    """Free tags for search and grouping: `checkout`, `database`."""
    contacts: list[Contact] = []
    """Who to call, in escalation order. The owner's on-call is first if not listed."""
    flags: list[Flag] = []
    """Feature flags and config switches for this feature."""
    signals: list[Signal] = []
    """What shows the feature is healthy or not."""
    logs: list[Log] = []
    """The logs that matter."""
    risks: list[RiskItem] = []
    """What can go wrong."""
    rollout: Rollout | None = None
    """The gradual rollout plan."""
    rollback: Rollback | None = None
    """How to roll back. Every deployable feature needs one (the linter insists)."""
    tests: list[TestRecord] = []
    """How the feature was tested before rollout."""
    review: Review | None = None
    """The last review of this runbook."""
    drills: list[Drill] = []
    """Rollback drills, newest first."""

    @property
    def kill_switch_flag(self) -> Flag | None:
        if not self.rollback or not self.rollback.kill_switch:
            return None
        return next((f for f in self.flags if f.key == self.rollback.kill_switch), None)


# ---------------------------------------------------------------------------------------------
# The teams file


class Away(_Model):
    """A time someone (or a whole team) cannot be reached: leave, travel, a hike."""

    start: Moment
    """First day away (`2026-12-01`), or the moment they leave (`2026-12-01T14:00`)."""
    end: Moment
    """Last day away, included (`2026-12-06`: back on 2026-12-07), or the moment they are
    back. Days and times without an offset are in the configured `guard.time-zone`."""
    reason: ShortText | None = None
    """Why, if they want it shown: `Hiking`, `Parental leave`."""

    @model_validator(mode="after")
    def _ordered(self) -> Away:
        def day(value: dt.date) -> dt.date:
            return value.date() if isinstance(value, dt.datetime) else value

        if day(self.end) < day(self.start):
            raise ValueError(f"`end` ({self.end}) is before `start` ({self.start})")
        return self


class Person(_Model):
    """Someone who can be called."""

    id: Slug
    """Id other files use to refer to this person."""
    name: ShortText
    """Full name."""
    role: ShortText | None = None
    """What they do: `Payments lead`."""
    phone: Phone | None = None
    """A phone number, with + and the country code: `+44 20 7946 0101` (or a national number
    when the configuration sets `phone-region`). Put it in quotes."""
    chat: Name | None = None
    """A chat handle: `@amara`."""
    chat_url: Link | None = None
    """A link that opens a chat with them."""
    away: list[Away] = []
    """When they cannot be reached: `rollbook guard` counts them out of those times."""


class Team(_Model):
    """A team that owns features."""

    id: PageName
    """Id runbooks use in `owner` and `contacts`."""
    name: ShortText
    """The team's name."""
    oncall_phone: Phone | None = None
    """The on-call phone number: the first call when something breaks. With + and the country
    code, `+44 20 7946 0101`, or national when the configuration sets `phone-region`."""
    chat: Name | None = None
    """The team's chat channel: `#payments-oncall`."""
    chat_url: Link | None = None
    """A link that opens the channel."""
    people: list[Person] = []
    """People to call, in escalation order."""
    away: list[Away] = []
    """When the whole team cannot be reached (an offsite, a company holiday)."""


class TeamsFile(_Model):
    """The shared teams file: teams and their people, defined once."""

    version: Literal[1] = 1
    """Format version. Only 1 exists."""
    teams: Annotated[list[Team], Field(min_length=1)]
    """The teams."""

    @model_validator(mode="after")
    def _unique(self) -> TeamsFile:
        seen: set[str] = set()
        for team in self.teams:
            for ident in (team.id, *(p.id for p in team.people)):
                if ident in seen and ident == team.id:
                    raise ValueError(f"team id {ident!r} is defined twice")
                seen.add(ident)
        return self

    def team(self, ident: str) -> Team | None:
        return next((t for t in self.teams if t.id == ident), None)

    def person(self, ident: str) -> tuple[Team, Person] | None:
        for team in self.teams:
            for person in team.people:
                if person.id == ident:
                    return team, person
        return None


def reference_problems(runbook: Runbook) -> list[tuple[tuple[str | int, ...], str]]:
    """Names inside one runbook that point nowhere: ``(path, message)`` pairs.

    A JSON Schema cannot express these, so they are checked apart from the model, and the
    loader reports them with the line of the bad name.
    """
    keys = {f.key for f in runbook.flags}
    names = {s.name for s in runbook.signals}
    known_signals = ", ".join(sorted(names)) or "none"
    out: list[tuple[tuple[str | int, ...], str]] = []
    rollback = runbook.rollback
    if rollback and rollback.kill_switch and rollback.kill_switch not in keys:
        out.append(
            (
                ("rollback", "kill_switch"),
                f"kill switch {rollback.kill_switch!r} is not the key of a flag in `flags` "
                f"(known: {', '.join(sorted(keys)) or 'none'})",
            )
        )
    for i, risk in enumerate(runbook.risks):
        for j, name in enumerate(risk.signals):
            if name not in names:
                out.append(
                    (
                        ("risks", i, "signals", j),
                        f"{name!r} is not the name of a signal (known: {known_signals})",
                    )
                )
    if runbook.rollout:
        for i, stage in enumerate(runbook.rollout.stages):
            for j, name in enumerate(stage.gate):
                if name not in names:
                    out.append(
                        (
                            ("rollout", "stages", i, "gate", j),
                            f"{name!r} is not the name of a signal (known: {known_signals})",
                        )
                    )
    seen: set[str] = set()
    for i, flag in enumerate(runbook.flags):
        if flag.key in seen:
            out.append((("flags", i, "key"), f"flag {flag.key!r} is listed twice"))
        seen.add(flag.key)
    seen = set()
    for i, signal in enumerate(runbook.signals):
        if signal.name in seen:
            out.append((("signals", i, "name"), f"signal {signal.name!r} is listed twice"))
        seen.add(signal.name)
    return out


describe_fields(__name__, _Model)
