"""`rollbook init` and `rollbook new`: start a project, or a runbook, from a template."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from rollbook.assets import builtin_templates
from rollbook.atomic import write_text_atomic
from rollbook.config import ConfigError, Project
from rollbook.model.runbook import SLUG_PATTERN
from rollbook.schema import SCHEMA_FILE, TEAMS_SCHEMA_FILE, write_schema_file

_SLUG = re.compile(SLUG_PATTERN)


def _env() -> jinja2.Environment:
    # Scaffolds are YAML and TOML, not HTML: no autoescape, but StrictUndefined so a missing
    # variable is a bug, not an empty string in someone's runbook.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(builtin_templates() / "scaffold"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_scaffold(name: str, **values: object) -> str:
    return _env().get_template(name).render(**values)


def check_slug(value: str, what: str) -> None:
    if not _SLUG.match(value) or len(value) > 64:
        raise ConfigError(
            f"{what} {value!r} is not a valid id: use lower-case letters, digits "
            "and single hyphens, e.g. one-click-checkout"
        )


def new_runbook(
    project: Project,
    feature_id: str,
    owner: str | None = None,
    folder: Path | None = None,
    force: bool = False,
) -> list[Path]:
    """Write ``<folder>/<feature_id>.yaml`` from the scaffold; returns the files written."""
    check_slug(feature_id, "feature id")
    if owner:
        check_slug(owner, "owner")
    folder = folder or project.runbook_roots[0]
    target = folder / f"{feature_id}.yaml"
    if target.exists() and not force:
        raise ConfigError(f"{project.display(target)} already exists; pass --force to replace it")
    written = []
    schema = write_schema_file(folder) if folder.is_dir() else None
    if schema is None:
        folder.mkdir(parents=True, exist_ok=True)
        schema = write_schema_file(folder)
    if schema is not None:
        written.append(schema)
    text = render_scaffold(
        "runbook.yaml.j2", feature_id=feature_id, owner=owner, schema_path=SCHEMA_FILE
    )
    write_text_atomic(target, text)
    written.append(target)
    return written


def init_project(
    root: Path, team: str = "my-team", runbooks: str = "runbooks", force: bool = False
) -> list[Path]:
    """Create config, teams file, an example runbook and flags, and the editor schemas.

    Nothing is written when any of the files exists already, unless ``force`` is given.
    """
    check_slug(team, "team id")
    folder = root / runbooks
    feature_id = "saved-search-alerts"
    flag_key = "saved_search_alerts"
    files = {
        root / "rollbook.toml": render_scaffold("rollbook.toml.j2", runbooks=runbooks),
        folder / "teams.yaml": render_scaffold(
            "teams.yaml.j2",
            team=team,
            team_name=team.replace("-", " ").title(),
            schema_path=TEAMS_SCHEMA_FILE,
        ),
        folder / f"{feature_id}.yaml": render_scaffold(
            "example-runbook.yaml.j2",
            feature_id=feature_id,
            team=team,
            flag_key=flag_key,
            schema_path=SCHEMA_FILE,
        ),
        folder / "flags.flagd.json": render_scaffold("example.flagd.json.j2", flag_key=flag_key),
    }
    existing = [p for p in files if p.exists()]
    if existing and not force:
        names = ", ".join(str(p.relative_to(root)) for p in existing)
        raise ConfigError(
            f"not overwriting {names}; pass --force to replace "
            f"{'it' if len(existing) == 1 else 'them'}"
        )
    for path, text in files.items():
        write_text_atomic(path, text)
    written = list(files)
    for teams in (False, True):
        schema = write_schema_file(folder, teams=teams)
        if schema is not None:
            written.append(schema)
    return written


def init_next_steps(platform: str | None) -> str:
    """What `rollbook init` prints after the files it wrote: the next commands to run."""
    text = (
        "\nNext: edit the teams file, then `rollbook new FEATURE_ID` for each feature, "
        "and `rollbook validate`."
    )
    if platform is not None:
        text += (
            f"\nThis looks like a {platform} repository: `rollbook init --ci` writes a CI "
            "job that runs `rollbook lint` on every change."
        )
    return text
