"""Project configuration: ``rollbook.toml`` or ``[tool.rollbook]`` in ``pyproject.toml``.

Both take the same keys. Unknown keys are errors with a suggestion, as in ruff: a typo in a
CI gate's configuration must not silently switch a check off.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rollbook.diagnostics import Location, Problem

CONFIG_NAMES = ("rollbook.toml", "pyproject.toml")
SeverityName = Literal["error", "warning", "info"]


class ConfigError(Exception):
    """The configuration or the command line is wrong: exit code 2."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


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
    site_url: Annotated[str | None, Field(alias="site-url")] = None
    """Where the site will be served, e.g. https://runbooks.example.com/."""
    repo_url: Annotated[str | None, Field(alias="repo-url")] = None
    """Web address of the repository; each runbook page links to its source file there."""
    edit_uri: Annotated[str, Field(alias="edit-uri")] = "blob/main/"
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
    follow_external_symlinks: Annotated[bool, Field(alias="follow-external-symlinks")] = False
    """Follow symbolic links that lead outside the project (skipped, with a note, if false)."""


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
            else:
                hint = ""
                msg = f"`{prefix}{key}`: {err['msg']}"
            problems.append(
                Problem("RB000", msg, Location(str(path), line, 1 if line else 0), hint=hint)
            )
        summary = "\n".join(p.render() for p in problems)
        raise ConfigError(f"invalid configuration:\n{summary}", problems) from None


def _key_line(text: str, key: str) -> int:
    if not key:
        return 0
    # Blanks, not \s: \s spans lines, and from each of many blank lines it would read them all.
    match = re.search(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 0
