"""The JSON Schema of the runbook format, exported from the model (the one source of truth)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rollbook.atomic import write_text_atomic
from rollbook.model.runbook import (
    BOOL_WORDS_PATTERN,
    DURATION_PATTERN,
    FORMAT_VERSION,
    LINK_PATTERN,
    NOT_BLANK,
    PHONE_PATTERN,
    SLUG_PATTERN,
    Runbook,
    TeamsFile,
)

SCHEMA_ID = f"https://rollbook.dev/schema/v{FORMAT_VERSION}/runbook.json"
TEAMS_SCHEMA_ID = f"https://rollbook.dev/schema/v{FORMAT_VERSION}/teams.json"
SCHEMA_FILE = "runbook.schema.json"
TEAMS_SCHEMA_FILE = "teams.schema.json"


def runbook_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that editors and other tools use to check runbooks."""
    return _wrap(Runbook.model_json_schema(), SCHEMA_ID, "rollbook runbook")


def teams_schema() -> dict[str, Any]:
    """The JSON Schema of the shared teams file."""
    return _wrap(TeamsFile.model_json_schema(), TEAMS_SCHEMA_ID, "rollbook teams file")


def _wrap(schema: dict[str, Any], ident: str, title: str) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ident,
        **schema,
        "title": title,
    }


def schema_text(teams: bool = False) -> str:
    return json.dumps(teams_schema() if teams else runbook_schema(), indent=2) + "\n"


def write_schema_file(folder: Path, teams: bool = False) -> Path | None:
    """Write (or refresh) the schema file beside the runbooks for editors' modelines.

    Only a file rollbook wrote itself is ever replaced; returns None when a different file of
    that name is in the way.
    """
    path = folder / (TEAMS_SCHEMA_FILE if teams else SCHEMA_FILE)
    text = schema_text(teams)
    if path.exists():
        current = path.read_text(encoding="utf-8", errors="replace")
        if current == text:
            return path
        ident = TEAMS_SCHEMA_ID if teams else SCHEMA_ID
        if ident.rsplit("/", 2)[0] not in current:
            return None
    write_text_atomic(path, text)
    return path


def _type_label(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return f"[{prop['$ref'].rsplit('/', 1)[-1]}](#{prop['$ref'].rsplit('/', 1)[-1].lower()})"
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if "anyOf" in prop:
        labels = [_type_label(p) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(dict.fromkeys(labels))
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type_label(prop.get('items', {}))}"
    if prop.get("format") == "date":
        return "date (YYYY-MM-DD)"
    pattern = prop.get("pattern")
    refused = prop.get("not", {}).get("enum", [])
    if pattern in _PATTERN_LABELS:
        return _PATTERN_LABELS[pattern] + "".join(f", not `{v}`" for v in refused)
    labels = {"string": "text", "boolean": "true/false", "integer": "number", "number": "number"}
    label = labels.get(kind, kind)
    if pattern and pattern != NOT_BLANK:
        label += f" matching `{pattern}`"
    return label


_PATTERN_LABELS = {
    SLUG_PATTERN: "slug (`a-z`, `0-9`, `-`)",
    LINK_PATTERN: "https:// link",
    PHONE_PATTERN: "phone number",
    DURATION_PATTERN: "duration (`30m`, `2h`, `7d`, `1w`)",
    BOOL_WORDS_PATTERN: "yes/no/on/off",
}


def format_reference() -> str:
    """The runbook and teams formats as Markdown tables, generated from the model."""
    lines = [
        "# The runbook format, version 1",
        "",
        "Generated from rollbook's model by `rollbook schema --markdown`; do not edit by hand.",
        "Each runbook is one YAML file. `rollbook schema` prints the same as JSON Schema.",
        "",
    ]
    for schema in (runbook_schema(), teams_schema()):
        defs = schema.get("$defs", {})
        sections = [(schema["title"], schema), *sorted(defs.items())]
        for name, sub in sections:
            if "properties" not in sub:
                continue
            lines += [f"## {name}", "", sub.get("description", ""), ""]
            lines += ["| field | type | required | meaning |", "|---|---|---|---|"]
            required = set(sub.get("required", []))
            for field, prop in sub["properties"].items():
                desc = " ".join(prop.get("description", "").split()).replace("|", "\\|")
                default = prop.get("default")
                if field not in required and default not in (None, [], {}):
                    desc += f" Default: `{json.dumps(default)}`."
                lines.append(
                    f"| `{field}` | {_type_label(prop)} | "
                    f"{'yes' if field in required else ''} | {desc} |"
                )
            lines.append("")
    return "\n".join(lines)
