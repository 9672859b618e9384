"""`rollbook init` and `rollbook new`: start a project, or a runbook, from a template."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pathspec

from rollbook.assets import builtin_templates
from rollbook.atomic import write_text_atomic
from rollbook.config import ConfigError, Project
from rollbook.model.runbook import SLUG_PATTERN
from rollbook.schema import SCHEMA_FILE, TEAMS_SCHEMA_FILE, write_schema_file
from rollbook.sources.detect import Detection, FoundSource, detect_sources

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


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string: quotes, backslashes and every control, invisible or
    direction character escaped, so a hostile file name cannot break or disguise the file."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif unicodedata.category(char) in {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"}:
            code = ord(char)
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def sources_toml(sources: list[FoundSource]) -> str:
    """The ``[[sources]]`` tables for what `rollbook init` found, one per source."""
    blocks = []
    for source in sources:
        lines = ["[[sources]]", f"kind = {toml_string(source.kind)}"]
        lines.append("paths = [" + ", ".join(toml_string(p) for p in source.paths) + "]")
        if source.languages:
            languages = ", ".join(toml_string(lang) for lang in source.languages)
            lines.append(f"languages = [{languages}]")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


OUTPUT_FOLDER = "site/"
"""What `rollbook build` writes by default, and `rollbook init` adds to .gitignore."""


@dataclass
class InitOutcome:
    """What `rollbook init` did: the files written, what it found, and .gitignore's fate."""

    written: list[Path]
    detection: Detection
    example: bool
    """Whether the example runbook and flag file were written (nothing was found)."""
    gitignore: str | None = None
    """"created" or "appended to" when .gitignore was changed."""


def init_repository(
    root: Path,
    team: str = "my-team",
    runbooks: str = "runbooks",
    force: bool = False,
    *,
    detect: bool = True,
) -> InitOutcome:
    """Configure rollbook for the repository at ``root``: the sources it has, a teams file.

    The repository is read first (:func:`rollbook.sources.detect.detect_sources`). What it
    declares becomes the configured sources, and no runbook is invented. Only when nothing is
    found are an example runbook and its flag file written, marked as an example in the
    configuration. The output folder is added to .gitignore (appended; never replaced).
    Nothing is written when any of the files exists already, unless ``force`` is given.
    """
    check_slug(team, "team id")
    folder = root / runbooks
    detection = (
        detect_sources(root, skip=(folder, root / OUTPUT_FOLDER)) if detect else Detection([], [])
    )
    example = not detection.sources
    files = {
        root / "rollbook.toml": render_scaffold(
            "rollbook.toml.j2", runbooks=runbooks, sources=sources_toml(detection.sources)
        ),
        folder / "teams.yaml": render_scaffold(
            "teams.yaml.j2",
            team=team,
            team_name=team.replace("-", " ").title(),
            schema_path=TEAMS_SCHEMA_FILE,
        ),
    }
    if example:
        feature_id = "saved-search-alerts"
        flag_key = "saved_search_alerts"
        files[folder / f"{feature_id}.yaml"] = render_scaffold(
            "example-runbook.yaml.j2",
            feature_id=feature_id,
            team=team,
            flag_key=flag_key,
            schema_path=SCHEMA_FILE,
        )
        files[folder / "flags.flagd.json"] = render_scaffold(
            "example.flagd.json.j2", flag_key=flag_key
        )
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
    return InitOutcome(written, detection, example, ignore_output(root))


def init_project(
    root: Path, team: str = "my-team", runbooks: str = "runbooks", force: bool = False
) -> list[Path]:
    """Create config, teams file, an example runbook and flags, and the editor schemas.

    :func:`init_repository` without reading the repository: the example project, always.
    """
    return init_repository(root, team, runbooks, force, detect=False).written


def ignore_output(root: Path) -> str | None:
    """Add the site's output folder to ``root/.gitignore`` unless git ignores it already.

    Appends (creating the file if needed), never rewrites: "created", "appended to" or None.
    """
    path = root / ".gitignore"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError):
        return None  # unreadable: leave it to its owner
    if text is not None:
        spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
        if spec.match_file(OUTPUT_FOLDER) or spec.match_file(OUTPUT_FOLDER + "index.html"):
            return None
    addition = f"# rollbook build output\n{OUTPUT_FOLDER}\n"
    if text and not text.endswith("\n"):
        addition = "\n" + addition
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(addition)
    return "appended to" if text is not None else "created"


def init_report(root: Path, outcome: InitOutcome) -> list[str]:
    """What `rollbook init` prints after the files: what it found, and the coverage.

    The coverage is `rollbook lint`'s own (RB101 over the configuration just written), so
    the count matches what the next `rollbook lint` reports.
    """
    from rollbook.config import load_project
    from rollbook.lint import LintOptions, lint
    from rollbook.sources import collect_features, parse_source_spec

    lines = [f"found {source.describe()}" for source in outcome.detection.sources]
    lines += [f"note: {note}" for note in outcome.detection.notes]
    if outcome.example:
        lines.append(
            "found no flag files and no code calling OpenFeature: wrote an example runbook and "
            "its flag file (rollbook.toml says how to replace them with your own)"
        )
        return lines
    project = load_project(root, root / "rollbook.toml")
    specs = [
        parse_source_spec(table, f"rollbook.toml: sources[{i}]")
        for i, table in enumerate(project.config.sources)
    ]
    keys = {f.key for f in collect_features(specs, project.root)}
    result = lint(project, LintOptions(select=["RB101"]))
    missing = [f.anchor for f in result.findings if f.code == "RB101"]
    count = len(project.config.sources)
    text = (
        f"{len(keys)} feature{'s' if len(keys) != 1 else ''} in {count} "
        f"source{'s' if count != 1 else ''}; "
    )
    if missing:
        verb = "has" if len(missing) == 1 else "have"
        text += f"{len(missing)} {verb} no runbook; next: `rollbook new {missing[0]}`"
    else:
        text += "all have a runbook; next: `rollbook lint`"
    lines.append(text)
    return lines


def init_next_steps(platform: str | None) -> str:
    """What `rollbook init` prints after the files it wrote: the next commands to run."""
    text = (
        "\nNext: put your team's phone and chat in the teams file; then `rollbook lint` lists "
        "the features that need a runbook, and `rollbook new KEY` starts one with its flag "
        "filled in. To gate only new findings from today on: `rollbook lint --write-baseline`."
    )
    if platform is not None:
        text += (
            f"\nThis looks like a {platform} repository: `rollbook init --ci` writes a CI "
            "job that runs `rollbook lint` on every change."
        )
    return text
