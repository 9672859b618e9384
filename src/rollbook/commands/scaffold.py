"""`rollbook init` and `rollbook new`: start a project, or a runbook, from a template."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pathspec

from rollbook.assets import builtin_templates
from rollbook.atomic import write_text_atomic
from rollbook.config import ConfigError, Project, find_config
from rollbook.model.runbook import SLUG_PATTERN
from rollbook.schema import SCHEMA_FILE, TEAMS_SCHEMA_FILE, write_schema_file
from rollbook.sources.detect import Detection, FoundSource, detect_sources
from rollbook.sources.feature import Feature

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


# Plain YAML scalars that read as something else (booleans, null) or need quotes.
_YAML_SPECIAL = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*\Z")
# Variant names that say "this variant turns the feature off".
_OFF_NAMES = ("off", "disabled", "false")


def yaml_scalar(value: object) -> str:
    """``value`` written as a YAML scalar that reads back as exactly that value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_SPECIAL:
        return text
    # JSON strings are YAML double-quoted strings; ensure_ascii keeps hidden characters seen.
    return json.dumps(text, ensure_ascii=True)


@dataclass
class FlagDraft:
    """What `rollbook new` knows of a feature's flag from the sources, as YAML text."""

    key: str
    system: str
    system_note: str
    off: str | None
    do: str


@dataclass
class Scaffolded:
    """What `rollbook new` wrote: the files, the feature id, the flag it filled in (if any),
    the placeholders left to fill (field names), and notes for the person."""

    written: list[Path]
    feature_id: str
    key: str | None = None
    placeholders: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _project_features(project: Project) -> list[Feature]:
    """Every feature the configured sources declare (none when there are no sources)."""
    from rollbook.sources import SourceError, collect_features, parse_source_spec

    where = project.display(project.config_path) if project.config_path else "rollbook.toml"
    try:
        specs = [
            parse_source_spec(table, f"{where}: sources[{i}]")
            for i, table in enumerate(project.config.sources)
        ]
        return collect_features(specs, project.root) if specs else []
    except SourceError as exc:
        raise ConfigError(exc.render()) from None


def _off_value(feature: Feature) -> object | None:
    """The value that turns ``feature`` off, when its declaration says so unambiguously."""
    variants = feature.variants
    if variants:
        others = [v for v in variants if v.name != feature.on_variant]
        named = [v for v in others if v.name.lower() in _OFF_NAMES]
        if feature.on_variant is not None and len(others) == 1:
            chosen = others[0]
        elif len(named) == 1:
            chosen = named[0]
        elif feature.value_type == "boolean" and feature.on_variant is None:
            chosen = next((v for v in variants if v.value is False), None)
        else:
            chosen = None
        if chosen is not None and isinstance(chosen.value, bool | int | float | str):
            return chosen.value
        return None
    if feature.value_type == "boolean":
        return False
    return None


def draft_flag(key: str, features: list[Feature]) -> FlagDraft:
    """The `flags` entry for ``key``: system and off value from the source that declares it."""
    declared = [f for f in features if f.key == key and f.system is not None]
    best = next((f for f in declared if f.declares_values), declared[0] if declared else None)
    if best is None:
        # Only code uses it: the code evaluates it through OpenFeature, whatever serves it.
        system = "openfeature"
        note = "  # found in code calling OpenFeature; write the service that serves it if known"
        off = None
    else:
        system = best.system or "other"
        note = ""
        off = _off_value(best)
    off_text = yaml_scalar(off) if off is not None else None
    do = f"Switch the flag {key} off"
    if off_text is not None:
        do += f" (set it to {off_text})"
    do += ", as `change` under flags says."
    return FlagDraft(yaml_scalar(key), system, note, off_text, yaml_scalar(do))


def _codeowners(project: Project) -> list[tuple[pathspec.PathSpec, list[str]]]:
    """CODEOWNERS rules (GitHub's and GitLab's places), in file order: (pattern, owners)."""
    for place in (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"):
        path = project.root / place
        if not path.is_file():
            continue
        rules = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split("#", 1)[0].split()
            if len(parts) >= 2 and not parts[0].startswith("["):
                rules.append((pathspec.GitIgnoreSpec.from_lines([parts[0]]), parts[1:]))
        return rules
    return []


def _owner_of(project: Project, files: list[str]) -> tuple[str | None, str]:
    """The team to own a new runbook, and why: the only team, or CODEOWNERS of ``files``."""
    from rollbook.load.runbooks import load_teams
    from rollbook.model.runbook import TeamsFile

    loaded = load_teams(project)
    teams = loaded.model if loaded is not None and isinstance(loaded.model, TeamsFile) else None
    if teams is None:
        return None, ""
    ids = [t.id for t in teams.teams]
    if len(ids) == 1:
        return ids[0], "the only team in the teams file"
    rules = _codeowners(project)
    for name in files:
        owners: list[str] = []
        for spec, who in rules:  # the last matching rule wins, as in GitHub and GitLab
            if spec.match_file(name):
                owners = who
        for owner in owners:
            team = owner.lstrip("@").rsplit("/", 1)[-1].lower()
            if team in ids:
                return team, f"CODEOWNERS gives {name} to {owner}"
    return None, ""


def _choose_id(feature_id: str, keys: list[str]) -> tuple[str, str | None]:
    """The runbook id and flag key for what the person typed: a source's key, or an id."""
    from rollbook.lint.rules.coverage import did_you_mean, slug

    if feature_id in keys:
        ident = slug(feature_id)
        check_slug(ident, f"the id made from flag key {feature_id!r},")
        return ident, feature_id
    if not _SLUG.match(feature_id) or len(feature_id) > 64:
        suggestion = slug(feature_id)[:64].strip("-")
        near = did_you_mean(feature_id, keys)
        hints = []
        if suggestion and _SLUG.match(suggestion):
            hints.append(f"`{suggestion}`")
        if near and near != suggestion:
            hints.append(f"the flag key `{near}`")
        mean = f"; did you mean {' or '.join(hints)}?" if hints else ""
        raise ConfigError(
            f"feature id {feature_id!r} is not a valid id: use lower-case letters, digits "
            f"and single hyphens, e.g. one-click-checkout{mean}"
        )
    matching = [k for k in keys if slug(k) == feature_id]
    return feature_id, matching[0] if len(matching) == 1 else None


def new_runbook(
    project: Project,
    feature_id: str,
    owner: str | None = None,
    folder: Path | None = None,
    force: bool = False,
) -> Scaffolded:
    """Write ``<folder>/<id>.yaml`` from the scaffold, filled in from what the project knows.

    ``feature_id`` is a runbook id, or a flag key a configured source declares: then the id
    is the key as a slug, and `flags` (key, system, off value) and `kill_switch` are filled
    in from the source. The owner, when not given, is the only team of the teams file, or
    the team CODEOWNERS gives the files declaring the flag to.
    """
    features = _project_features(project) if project.config.sources else []
    keys = list(dict.fromkeys(f.key for f in features))
    ident, key = _choose_id(feature_id, keys)
    if owner:
        check_slug(owner, "owner")
    notes = []
    if key is None and keys:
        from rollbook.lint.rules.coverage import did_you_mean

        near = did_you_mean(feature_id, keys)
        if near:
            notes.append(f"no source declares `{feature_id}`; did you mean the flag key `{near}`?")
    flag = draft_flag(key, features) if key is not None else None
    if not owner:
        files = [f.location.path for f in features if f.key == key]
        owner, why = _owner_of(project, files)
        if owner:
            notes.append(f"owner: {owner} ({why}); --owner TEAM chooses another")
    folder = folder or project.runbook_roots[0]
    target = folder / f"{ident}.yaml"
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
        "runbook.yaml.j2", feature_id=ident, owner=owner, schema_path=SCHEMA_FILE, flag=flag
    )
    write_text_atomic(target, text)
    written.append(target)
    return Scaffolded(written, ident, key, placeholders(text), notes)


def placeholders(text: str) -> list[str]:
    """The fields of a scaffold still marked FILL IN, by name (a list item by its list)."""
    names: list[str] = []
    parents: list[tuple[int, str]] = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        match = re.match(r"(?:- )?([A-Za-z_]+):", stripped)
        if match:
            while parents and parents[-1][0] >= indent:
                parents.pop()
        if "# FILL IN" in line:
            name = match.group(1) if match else (parents[-1][1] if parents else "?")
            names.append(name)
        if match:
            parents.append((indent, match.group(1)))
    return names


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
    pyproject = root / "pyproject.toml"
    found = find_config(root)
    if not force and found is not None and found.resolve() == pyproject.resolve():
        raise ConfigError(
            f"{pyproject} configures rollbook already ([tool.rollbook]); a rollbook.toml "
            "beside it would take its place. Pass --force to write one anyway"
        )
    folder = root / runbooks
    detection = detect_sources(root, skip=(root / OUTPUT_FOLDER,)) if detect else Detection([], [])
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
    from rollbook.sources import SourceError, collect_features, parse_source_spec

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
    try:
        keys = {f.key for f in collect_features(specs, project.root)}
        result = lint(project, LintOptions(select=["RB101"]))
    except (ConfigError, SourceError) as exc:  # e.g. a runbook folder that cannot be read
        lines.append(f"note: could not count the features without a runbook: {exc}")
        return lines
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
