"""GitLab Code Quality: the JSON array ``artifacts:reports:codequality`` reads."""

from __future__ import annotations

import json

from rollbook.diagnostics import Severity
from rollbook.lint.engine import LintResult
from rollbook.safe_text import for_json

# GitLab's levels are info, minor, major, critical and blocker.
SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(result: LintResult) -> str:
    issues = [
        {
            "type": "issue",
            "engine_name": "rollbook",
            "check_name": f.code,
            "description": f"{f.code} {f.message}",
            "content": {"body": f.help},
            "categories": ["Bug Risk"] if f.severity is Severity.ERROR else ["Style"],
            "fingerprint": f.fingerprint,
            "severity": SEVERITIES[f.severity],
            "location": {"path": f.path, "lines": {"begin": max(f.line, 1)}},
        }
        for f in result.findings
    ]
    return for_json(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"
