"""SARIF 2.1.0, for GitHub code scanning and other viewers, with every rule's metadata.

GitHub reads each rule's ``shortDescription``, ``fullDescription`` and ``help`` and shows
them beside the finding; ``partialFingerprints`` lets it recognise a finding after lines move.
It accepts at most 25,000 results per run, so more are cut with a note in the run.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from rollbook import __version__
from rollbook.diagnostics import Severity
from rollbook.lint.engine import LintResult
from rollbook.lint.registry import Rule
from rollbook.lint.rules import all_rules
from rollbook.safe_text import for_json

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _plain(markdown: str) -> str:
    """Markdown as readable plain text (for viewers that do not render it)."""
    return re.sub(r"\*\*(.+?)\*\*", r"\1", markdown)


def _what(item: Rule) -> str:
    match = re.search(r"\*\*What it checks\*\*:\s*(.+?)(?:\n\n|\Z)", item.body, re.S)
    text = match.group(1) if match else item.summary
    return " ".join(text.split())


def rule_metadata(item: Rule) -> dict:
    """One ``reportingDescriptor``: what GitHub shows about a rule."""
    docs = f"# {item.code} {item.name}\n\n{item.summary}\n\n{item.body}\n\nHow to fix: {item.help}"
    return {
        "id": item.code,
        "name": item.name,
        "shortDescription": {"text": item.summary},
        "fullDescription": {"text": _what(item)},
        "help": {"text": _plain(docs), "markdown": docs},
        "defaultConfiguration": {"level": LEVELS[item.severity]},
        "properties": {"tags": ["rollbook", item.category], "precision": "very-high"},
    }


def render(result: LintResult) -> str:
    rules = all_rules()
    index = {item.code: i for i, item in enumerate(rules)}
    results = []
    for finding in result.findings[:MAX_RESULTS]:
        physical: dict = {"artifactLocation": {"uri": quote(finding.path)}}
        if finding.line > 0:
            physical["region"] = {"startLine": finding.line, "startColumn": max(finding.column, 1)}
        message = finding.message + (f"\nHow to fix: {finding.help}" if finding.help else "")
        results.append(
            {
                "ruleId": finding.code,
                "ruleIndex": index[finding.code],
                "level": LEVELS[finding.severity],
                "message": {"text": message},
                "locations": [{"physicalLocation": physical}],
                "partialFingerprints": {"rollbook/v1": finding.fingerprint},
            }
        )
    run: dict = {
        "tool": {
            "driver": {
                "name": "rollbook",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_metadata(item) for item in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if len(result.findings) > MAX_RESULTS:
        run["properties"] = {"truncated": len(result.findings) - MAX_RESULTS}
    return (
        for_json(
            json.dumps(
                {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]},
                indent=2,
                ensure_ascii=False,
            )
        )
        + "\n"
    )
