"""Project configuration: ``rollbook.toml`` or ``[tool.rollbook]`` in ``pyproject.toml``.

Both take the same keys. Unknown keys are errors with a suggestion, as in ruff: a typo in a
CI gate's configuration must not silently switch a check off.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
import unicodedata
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from rollbook.codes import CONFIG_ERROR
from rollbook.diagnostics import Location, Problem
from rollbook.model.field_docs import describe_fields
from rollbook.model.links import web_href
from rollbook.model.phones import check_region

CONFIG_NAMES = ("rollbook.toml", "pyproject.toml")
SeverityName = Literal["error", "warning", "info"]


class ConfigError(Exception):
    """The configuration or the command line is wrong: exit code 2."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


# ---------------------------------------------------------------------------------------------
# Web addresses. Pages link to them and MkDocs writes site-url into every page, so each is
# checked here: a web address (http or https) with a host, and nothing a page could turn
# into markup, a script or a link elsewhere.

_URL_EXAMPLE = "e.g. https://runbooks.example.com/"
_EDIT_EXAMPLE = 'e.g. "blob/main/" (GitHub), "-/blob/main/" (GitLab), "src/branch/main/" (Gitea)'
# Characters that may not stand raw in an address rollbook writes into pages.
_UNSAFE_URL_CHARS = set("\"'<>`\\{}|^")
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?\Z")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def _refuse(problem: str, hint: str) -> PydanticCustomError:
    return PydanticCustomError("config_value", "{problem}", {"problem": problem, "hint": hint})


def _character_problem(value: str) -> PydanticCustomError | None:
    """A space, line break, control, invisible or direction character, a non-ASCII one, or
    one that would end an HTML attribute: with where it is and how to write it instead."""
    for i, char in enumerate(value, start=1):
        code = f"U+{ord(char):04X}"
        category = unicodedata.category(char)
        if char in "\r\n":
            return _refuse(f"holds a line break at character {i}", "write it on one line")
        if char.isspace() or category in {"Zs", "Zl", "Zp"}:
            return _refuse(f"holds a space at character {i}", "remove it, or write it as %20")
        if category in {"Cc", "Cf", "Co", "Cn", "Cs"}:
            return _refuse(
                f"holds an invisible or control character ({code}) at character {i}",
                "remove it: it hides what the address really is",
            )
        if not char.isascii():
            return _refuse(
                f"holds the non-ASCII character {char!r} ({code}) at character {i}",
                "write the host in its xn-- form and percent-encode the rest (%C3%A9 for é)",
            )
        if char in _UNSAFE_URL_CHARS:
            return _refuse(
                f"holds {char!r} at character {i}",
                f"percent-encode it (%{ord(char):02X}): rollbook writes this address into pages",
            )
    return None


def _web_address(value: str | None) -> str | None:
    """``value`` if it is an absolute http(s) address with a host, else a config error."""
    if value is None:
        return None
    problem = _character_problem(value)
    if problem:
        raise problem
    scheme = _SCHEME.match(value)
    if scheme is None:
        start = "has no scheme" if value.startswith("//") else "is not a full web address"
        raise _refuse(f"{start}: {value!r}", f"start it with https://, {_URL_EXAMPLE}")
    if scheme.group(1).lower() not in {"http", "https"}:
        raise _refuse(
            f"is a {scheme.group(1).lower()}: address, not a web address",
            f"only http:// and https:// addresses are allowed, {_URL_EXAMPLE}",
        )
    parts = urllib.parse.urlsplit(value)
    if not value[scheme.end() :].startswith("//") or not parts.netloc:
        raise _refuse(f"has no host: {value!r}", f"write the full address, {_URL_EXAMPLE}")
    if "@" in parts.netloc:
        raise _refuse(
            "holds a user name or password",
            "remove it (everything up to @): every page would show it",
        )
    host = parts.hostname or ""
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
        ip_host = ":" in host
    except ValueError:
        raise _refuse(
            "has a port that is not a number from 1 to 65535", f"write it as {_URL_EXAMPLE}"
        ) from None
    if not ip_host and not _HOST.match(host):
        raise _refuse(f"has no valid host name: {host!r}", f"write it as {_URL_EXAMPLE}")
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise _refuse(
            "holds a query (?) or fragment (#)",
            "give the address of a folder; rollbook adds page paths after it",
        )
    return value


def _edit_path(value: str) -> str:
    """``value`` if it is a path below repo-url, else a config error."""
    problem = _character_problem(value)
    if problem:
        raise problem
    if _SCHEME.match(value) or value.startswith("//"):
        raise _refuse(
            "must be a path below repo-url, not an address",
            f"write the part that follows repo-url, {_EDIT_EXAMPLE}",
        )
    if "#" in value:
        raise _refuse("holds a fragment (#)", f"file paths follow it: {_EDIT_EXAMPLE}")
    if ".." in value.split("?", 1)[0].split("/"):
        raise _refuse("climbs out of the repository with ..", _EDIT_EXAMPLE)
    return value


WebAddress = Annotated[str | None, AfterValidator(_web_address)]


# ---------------------------------------------------------------------------------------------
# `rollbook guard`: freezes, calendars and who must be reachable after a deploy. Checked as
# strictly as the rest: a misspelt key or an unknown time zone would let a deploy through.

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKLY = re.compile(r"\s*([A-Za-z]+)\s+(\d{1,2}):(\d{2})\s*\Z")
_GUARD_DURATION = re.compile(r"[1-9][0-9]*[mhdw]\Z")


def _moment(value: object) -> object:
    """A TOML date or date-time, or the same written as text; anything else is refused."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return (dt.date if len(value.strip()) == 10 else dt.datetime).fromisoformat(
                value.strip()
            )
        except ValueError:
            pass
    raise _refuse(
        f"is not a date or a date and time: {value!r}",
        "write a date (2026-12-21) or a date and time (2026-12-21T15:00, or with an offset "
        "2026-12-21T15:00+01:00); times without an offset are in `guard.time-zone`",
    )


Moment = Annotated[dt.datetime | dt.date, BeforeValidator(_moment)]


def weekly_time(value: str) -> tuple[int, int, int]:
    """``"Fri 15:00"`` -> ``(4, 15, 0)`` (Monday is 0), or a config error."""
    match = _WEEKLY.match(value) if isinstance(value, str) else None
    word = match.group(1).lower() if match else ""
    day = word[:3]
    if (
        match is None
        or day not in _WEEKDAYS
        or not _DAY_NAMES[_WEEKDAYS.index(day)].startswith(word)  # "Fri", "Friday", not "Fribble"
        or int(match.group(2)) > 23
        or int(match.group(3)) > 59
    ):
        raise _refuse(
            f"is not a weekday and a time: {value!r}",
            'write e.g. "Fri 15:00" or "Monday 09:00" (24-hour clock, in `guard.time-zone`)',
        )
    return _WEEKDAYS.index(day), int(match.group(2)), int(match.group(3))


def _weekly(value: str) -> str:
    weekly_time(value)
    return value


def _time_zone(value: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _refuse(
            f"is not a time zone: {value!r}",
            'write an IANA name such as "Europe/Berlin", "America/New_York" or "UTC"',
        ) from None
    return value


def _guard_duration(value: str) -> str:
    if not _GUARD_DURATION.match(value):
        raise _refuse(
            f"is not a duration: {value!r}",
            'write a number and m, h, d or w: "90m", "24h", "2d", "1w"',
        )
    return value


def _shown_text(value: str) -> str:
    """Text shown in refusals and on pages: no control, invisible or direction characters."""
    for i, char in enumerate(value, start=1):
        if unicodedata.category(char) in {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"}:
            raise _refuse(
                f"holds an invisible or control character (U+{ord(char):04X}) at character {i}",
                "remove it: it would hide or reorder what the reason says",
            )
    return value


ShownText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_shown_text)]


def _calendar_path(value: str) -> str:
    if not value.strip():
        raise _refuse("is empty", 'give the path of an .ics file, e.g. "calendars/ben.ics"')
    return value


CalendarPath = Annotated[str, AfterValidator(_calendar_path)]


class _GuardPart(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        populate_by_name=True,
        # Descriptions from the fields' docstrings (describe_fields, before Config uses one);
        # built with Config's when it first validates (see rollbook.model.runbook._Model).
        defer_build=True,
    )


class Freeze(_GuardPart):
    """A freeze between two dates (whole days, both included) or two moments."""

    start: Annotated[Moment, Field(alias="from")]
    """First day (or moment) of the freeze."""
    end: Annotated[Moment, Field(alias="to")]
    """Last day of the freeze (included), or the moment it ends."""
    reason: ShownText
    """Why: shown in every refusal."""

    @field_validator("end")
    @classmethod
    def _after(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and type(start) is type(value) and value < start:
            raise ValueError(f"the freeze ends ({value}) before it starts ({start})")
        return value


class WeeklyFreeze(_GuardPart):
    """A freeze every week, e.g. from Friday 15:00 to Monday 09:00."""

    start: Annotated[str, AfterValidator(_weekly), Field(alias="from")]
    """Weekday and time it starts: `"Fri 15:00"`."""
    end: Annotated[str, AfterValidator(_weekly), Field(alias="to")]
    """Weekday and time it ends: `"Mon 09:00"`."""
    reason: ShownText = "weekly freeze"
    """Why: shown in every refusal."""


class Holiday(_GuardPart):
    """A public holiday: the whole day is frozen."""

    date: Annotated[dt.date, BeforeValidator(_moment)]
    """The day."""
    name: ShownText = "holiday"
    """Its name, shown in refusals."""


def _holiday(value: object) -> object:
    # `holidays = [2026-12-25, {date = 2026-12-26, name = "Boxing Day"}]`: a bare date is fine.
    return {"date": value} if isinstance(value, dt.date | str) else value


class GuardConfig(_GuardPart):
    """`[guard]`: when `rollbook guard` refuses a deploy."""

    time_zone: Annotated[str, AfterValidator(_time_zone), Field(alias="time-zone")] = "UTC"
    """IANA time zone of every freeze, holiday and time written without an offset."""
    window: Annotated[str, AfterValidator(_guard_duration)] = "24h"
    """How long after a deploy someone able to roll back must stay reachable."""
    min_contacts: Annotated[int, Field(alias="min-contacts", ge=1, le=100)] = 1
    """How many of a feature's contacts must be reachable throughout that window."""
    oncall_counts: Annotated[bool, Field(alias="oncall-counts")] = False
    """Whether a team's on-call phone counts as one reachable contact (unless the team is away)."""
    drill_max_age: Annotated[int | None, Field(alias="drill-max-age", ge=1)] = None
    """Days a passing drill stays valid for high and critical features (default: the
    top-level `drill-max-age`)."""
    freezes: list[Freeze] = []
    """Freezes between dates: `{from = 2026-12-21, to = 2027-01-03, reason = "Year end"}`."""
    weekly: list[WeeklyFreeze] = []
    """Freezes every week: `{from = "Fri 15:00", to = "Mon 09:00", reason = "Weekend"}`."""
    holidays: list[Annotated[Holiday, BeforeValidator(_holiday)]] = []
    """Whole days frozen: dates, or `{date = 2026-12-25, name = "Christmas Day"}`."""
    freeze_calendars: Annotated[list[CalendarPath], Field(alias="freeze-calendars")] = []
    """iCalendar (.ics) files whose events are freezes (recurring events included)."""
    calendars: dict[str, CalendarPath | list[CalendarPath]] = {}
    """Away calendars (.ics) by person or team id: `{ben-hale = "calendars/ben.ics"}`."""


def _non_blank(value: str) -> str:
    if not value.strip():
        raise _refuse("is empty", "write it out: an exemption nobody can explain is a gap")
    return value


class Exemption(BaseModel):
    """One feature key exempted from needing a runbook (RB101): ``[[exempt]]`` in the config.

    For features declared in files that cannot hold a suppression comment (JSON flag files),
    one key at a time rather than a per-file ignore that silences the whole file.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    key: Annotated[str, AfterValidator(_non_blank)]
    """The feature key, exactly as the source writes it."""
    reason: Annotated[str, AfterValidator(_non_blank)]
    """Why this feature needs no runbook (required)."""
    expires: dt.date | None = None
    """The last day the exemption holds (a TOML date, 2027-01-01); after it, RB906."""


# Before Config's body builds GuardConfig (its default): the parts' fields are described.
describe_fields(__name__, _GuardPart)


class Config(BaseModel):
    """Every key rollbook reads from its configuration."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        populate_by_name=True,
        frozen=True,
        defer_build=True,
    )

    runbooks: list[str] = ["runbooks"]
    """Folders (or files) holding runbooks, relative to the configuration file."""
    teams: str = "runbooks/teams.yaml"
    """The shared teams file."""
    templates: str | None = None
    """A folder of templates that override the built-in ones, file by file."""
    site_name: Annotated[str, Field(alias="site-name")] = "Runbooks"
    """The site's title."""
    site_url: Annotated[WebAddress, Field(alias="site-url")] = None
    """Where the site will be served, e.g. https://runbooks.example.com/."""
    repo_url: Annotated[WebAddress, Field(alias="repo-url")] = None
    """Web address of the repository; each runbook page links to its source file there."""
    edit_uri: Annotated[str, AfterValidator(_edit_path), Field(alias="edit-uri")] = "blob/main/"
    """Path from repo-url to a file in the default branch."""
    sources: list[dict] = []
    """Feature sources for `rollbook lint`: where deployable features are declared."""
    select: list[str] = []
    """Lint rules to run (codes, prefixes or names); empty means all."""
    ignore: list[str] = []
    """Lint rules to skip (codes, prefixes or names)."""
    extend_select: Annotated[list[str], Field(alias="extend-select")] = []
    """Rules to add to `select`."""
    severity: dict[str, SeverityName] = {}
    """Severity overrides: `{RB201 = "warning"}`."""
    per_file_ignores: Annotated[dict[str, list[str]], Field(alias="per-file-ignores")] = {}
    """Rules to skip for files matching a glob: `{"runbooks/legacy-*.yaml" = ["RB4"]}`."""
    fail_on: Annotated[SeverityName, Field(alias="fail-on")] = "error"
    """The lowest severity that makes `rollbook lint` exit 1."""
    review_max_age: Annotated[int, Field(alias="review-max-age", ge=1)] = 180
    """Days after which a runbook's last review is stale."""
    drill_max_age: Annotated[int, Field(alias="drill-max-age", ge=1)] = 180
    """Days after which a high or critical feature needs a new rollback drill."""
    phone_region: Annotated[str | None, Field(alias="phone-region")] = None
    """Country of phone numbers written without +country code: `"GB"`, `"US"`."""

    # Two layers: the annotated checks above (_web_address, _edit_path) run first and say
    # what is wrong in configuration terms; these then make sure the renderer's one href
    # function (web_href) can write what they accepted, so no address becomes a dead link.
    @field_validator("site_url", "repo_url")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        if value is not None:
            web_href(value)
        return value

    @field_validator("edit_uri")
    @classmethod
    def _edit_uri(cls, value: str, info: ValidationInfo) -> str:
        repo = info.data.get("repo_url") or "https://repository.invalid"
        web_href(repo.rstrip("/") + "/" + value.lstrip("/"))
        return value

    @field_validator("phone_region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return None if value is None else check_region(value)

    follow_external_symlinks: Annotated[bool, Field(alias="follow-external-symlinks")] = False
    """Follow symbolic links that lead outside the project (skipped, with a note, if false)."""
    alert_rules: Annotated[list[str | dict], Field(alias="alert-rules")] = []
    """Prometheus rule files and PrometheusRule manifests: globs, or tables with `paths`,
    `kind` and `feature-label` (see rollbook.alerts.spec)."""

    @field_validator("alert_rules")
    @classmethod
    def _alert_rules(cls, value: list[str | dict]) -> list[str | dict]:
        from rollbook.alerts.spec import parse_alert_source

        for index, entry in enumerate(value):
            parse_alert_source(entry, f"alert-rules[{index}]")
        return value

    guard: GuardConfig = GuardConfig()
    """`rollbook guard`: freezes, away calendars and who must stay reachable after a deploy."""

    baseline: str = ".rollbook-baseline.json"
    """The baseline file of `rollbook lint` (findings recorded by --write-baseline are not
    reported again); read when it exists."""
    exempt: list[Exemption] = []
    """Feature keys that need no runbook: `[[exempt]]` with `key`, `reason`, `expires`."""

    cache_dir: Annotated[str | Literal[False], Field(alias="cache-dir")] = ".rollbook-cache"
    """Where `rollbook lint` keeps its cache, relative to the configuration file; `false`
    turns the cache off. Safe to delete; rollbook makes git ignore it."""

    @field_validator("cache_dir")
    @classmethod
    def _cache_dir(cls, value: str | bool) -> str | bool:
        if value is not False and not str(value).strip():
            raise ValueError("is empty: write a folder such as `.rollbook-cache`, or false")
        return value


describe_fields(__name__, _GuardPart, Config)  # not Exemption: its docstrings are notes


@dataclass(frozen=True)
class Project:
    """Where the project is and how it is configured."""

    root: Path
    config: Config
    config_path: Path | None

    def resolve(self, rel: str) -> Path:
        return (self.root / rel).resolve()

    def display(self, path: Path) -> str:
        """A path as people see it in findings: relative to the project root."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except (ValueError, RuntimeError):  # outside the root; a symbolic link loop (3.11)
            return str(path)

    @property
    def teams_path(self) -> Path:
        return self.resolve(self.config.teams)

    @property
    def runbook_roots(self) -> list[Path]:
        return [self.resolve(p) for p in self.config.runbooks]

    @property
    def runbook_folders(self) -> list[Path]:
        """The configured runbook folders as written, links not resolved: discovery checks
        where each leads (a link inside the project to a folder outside it is skipped)."""
        return [Path(os.path.normpath(self.root / p)) for p in self.config.runbooks]


def find_config(start: Path) -> Path | None:
    """The nearest rollbook.toml, or pyproject.toml with a [tool.rollbook] table, upwards."""
    # As written, not resolved: a link to a file elsewhere belongs to the project it is in.
    start = Path(os.path.abspath(start))
    for folder in (start, *start.parents):
        candidate = folder / "rollbook.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and re.search(
            r"^\[tool\.rollbook[.\]]",
            candidate.read_text(encoding="utf-8", errors="replace"),
            re.M,
        ):
            return candidate
    return None


def load_project(start: Path | None = None, config_file: Path | None = None) -> Project:
    """Find and read the configuration; without one, defaults apply in ``start``."""
    start = Path(os.path.abspath(start or Path.cwd()))
    path = config_file or find_config(start)
    if path is None:
        # Without a configuration file, paths are relative to where the user stands, as for
        # any command-line tool; `rollbook validate runbooks/x.yaml` then finds
        # runbooks/teams.yaml. A start outside the working folder is its own root.
        cwd = Path.cwd().resolve()
        folder = start if start.is_dir() else start.parent
        root = cwd if folder == cwd or cwd in folder.parents else folder
        return Project(root=root, config=Config(), config_path=None)
    return Project(root=path.resolve().parent, config=read_config(path), config_path=path)


def read_config(path: Path) -> Config:
    """Read and validate one configuration file, or raise :class:`ConfigError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    prefix = ""
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("rollbook", {})
        prefix = "tool.rollbook."
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = []
        fields = {f.alias or name for name, f in Config.model_fields.items()}
        for err in exc.errors(include_url=False):
            key = ".".join(str(p) for p in err["loc"])
            top = str(err["loc"][0]) if err["loc"] else ""
            line = (
                _guard_line(text, err["loc"])
                or _key_line(text, top)
                or _table_line(text, prefix, err["loc"])
            )
            if err["type"] == "extra_forbidden":
                import difflib

                name, known = _unknown_key(err["loc"], top, fields)
                if top == "exempt" and len(err["loc"]) == 3:  # a key inside one [[exempt]]
                    name, known = str(err["loc"][2]), set(Exemption.model_fields)
                close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
                hint = (
                    f"did you mean `{close[0]}`?"
                    if close
                    else ("known keys: " + ", ".join(sorted(known)))
                )
                msg = f"unknown key `{prefix}{key}`"
            elif err["type"] == "config_value":
                hint = err["ctx"]["hint"]
                msg = f"`{prefix}{key}` {err['msg']}"
            elif err["type"] == "value_error":
                error = err["ctx"]["error"]
                hint = getattr(error, "hint", "")
                msg = f"`{prefix}{key}`: {error}"
            else:
                hint = ""
                if err["type"].startswith("date"):
                    hint = "write a TOML date, without quotes: expires = 2027-01-01"
                msg = f"`{prefix}{key}`: {err['msg']}"
            problems.append(
                Problem(CONFIG_ERROR, msg, Location(str(path), line, 1 if line else 0), hint=hint)
            )
        summary = "\n".join(p.render() for p in problems)
        raise ConfigError(f"invalid configuration:\n{summary}", problems) from None


def _table_line(text: str, prefix: str, loc: tuple) -> int:
    """The line of the ``[[name]]`` table that ``loc`` (name, index, ...) is in, or 0."""
    if len(loc) < 2 or not isinstance(loc[1], int):
        return 0
    header = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(prefix + str(loc[0]))}[ \t]*\]\]", re.M)
    starts = [m.start() for m in header.finditer(text)]
    if loc[1] >= len(starts):
        return 0
    return text.count("\n", 0, starts[loc[1]]) + 1


def _key_line(text: str, key: str) -> int:
    if not key:
        return 0
    # Blanks, not \s: \s spans lines, and from each of many blank lines it would read them all.
    match = re.search(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=", text, re.M)
    # A table of its own: `[guard]`, `[[guard.freezes]]`, `[tool.rollbook.guard]`,
    # `[[alert-rules]]`.
    match = match or re.search(
        rf"^[ \t]*\[\[?[ \t]*(?:tool\.rollbook\.)?\"?{re.escape(key)}\"?[ \t]*[.\]]", text, re.M
    )
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _guard_line(text: str, loc: tuple) -> int:
    """The line of a key inside `[guard]` or one of its `[[guard.freezes]]` tables (0: none)."""
    if len(loc) < 2 or loc[0] != "guard":
        return 0
    prefix = r"^[ \t]*\[\[?[ \t]*(?:tool\.rollbook\.)?guard"
    name = re.escape(str(loc[1]))
    if len(loc) >= 3 and isinstance(loc[2], int):
        tables = list(re.finditer(rf"{prefix}\.{name}[ \t]*\]\]", text, re.M))
        if loc[2] < len(tables):
            start = tables[loc[2]].start()
            if len(loc) >= 4:
                end = text.find("\n[", start + 1)
                body = text[start : end if end >= 0 else len(text)]
                key = re.search(rf"^[ \t]*\"?{re.escape(str(loc[3]))}\"?[ \t]*=", body, re.M)
                if key:
                    start += key.start()
            return text.count("\n", 0, start) + 1
    header = re.search(rf"{prefix}[ \t]*\]", text, re.M)
    if header is None:
        return 0
    end = text.find("\n[", header.end())
    body = text[header.end() : end if end >= 0 else len(text)]
    key = re.search(rf"^[ \t]*\"?{name}\"?[ \t]*=", body, re.M)
    offset = header.end() + key.start() if key else header.start()
    return text.count("\n", 0, offset) + 1


def _unknown_key(loc: tuple, top: str, fields: set[str]) -> tuple[str, set[str]]:
    """The unknown key's own name and the keys known where it stands (`[guard]` has its own)."""
    if top != "guard" or len(loc) < 2:
        return top, fields
    model: type[BaseModel] = GuardConfig
    for part in loc[1:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part)) or next(
            (f for f in model.model_fields.values() if f.alias == part), None
        )
        inner = _model_in(info.annotation) if info else None
        if inner is None:
            break
        model = inner
    return str(loc[-1]), {f.alias or n for n, f in model.model_fields.items()}


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The model a field holds, directly or as the items of a list."""
    import typing

    for candidate in (annotation, *typing.get_args(annotation)):
        for inner in (candidate, *typing.get_args(candidate)):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None
