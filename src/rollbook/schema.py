"""The JSON Schema of the runbook format, exported from the model (the one source of truth)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rollbook.model.runbook import FORMAT_VERSION, Runbook, TeamsFile

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
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": ident,
            **schema, "title": title}


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
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
