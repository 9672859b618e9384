"""Project configuration: ``rollbook.toml`` or ``[tool.rollbook]`` in ``pyproject.toml``.

Both take the same keys. Unknown keys are errors with a suggestion, as in ruff: a typo in a
CI gate's configuration must not silently switch a check off.
"""

from __future__ import annotations

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
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from rollbook.codes import CONFIG_ERROR
from rollbook.diagnostics import Location, Problem
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


class Config(BaseModel):
    """Every key rollbook reads from its configuration."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
        frozen=True,
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
    cache_dir: Annotated[str | Literal[False], Field(alias="cache-dir")] = ".rollbook-cache"
    """Where `rollbook lint` keeps its cache, relative to the configuration file; `false`
    turns the cache off. Safe to delete; rollbook makes git ignore it."""

    @field_validator("cache_dir")
    @classmethod
    def _cache_dir(cls, value: str | bool) -> str | bool:
        if value is not False and not str(value).strip():
            raise ValueError("is empty: write a folder such as `.rollbook-cache`, or false")
        return value


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
            line = _key_line(text, top)
            if err["type"] == "extra_forbidden":
                import difflib

                close = difflib.get_close_matches(top, sorted(fields), n=1, cutoff=0.6)
                hint = (
                    f"did you mean `{close[0]}`?"
                    if close
                    else ("known keys: " + ", ".join(sorted(fields)))
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
                msg = f"`{prefix}{key}`: {err['msg']}"
            problems.append(
                Problem(CONFIG_ERROR, msg, Location(str(path), line, 1 if line else 0), hint=hint)
            )
        summary = "\n".join(p.render() for p in problems)
        raise ConfigError(f"invalid configuration:\n{summary}", problems) from None


def _key_line(text: str, key: str) -> int:
    if not key:
        return 0
    # Blanks, not \s: \s spans lines, and from each of many blank lines it would read them all.
    match = re.search(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 0
