"""The JSON report: versioned, for scripts. Version 1 keys are only ever added to."""

from __future__ import annotations

import json

from rollbook import __version__
from rollbook.diagnostics import Severity
from rollbook.lint.engine import LintResult
from rollbook.report.text import docs_link
from rollbook.safe_text import for_json

JSON_VERSION = 1


def render(result: LintResult) -> str:
    data = {
        "version": JSON_VERSION,
        "tool": {"name": "rollbook", "version": __version__},
        "summary": {
            "files": len(result.files),
            "findings": len(result.findings),
            "errors": result.count(Severity.ERROR),
            "warnings": result.count(Severity.WARNING),
            "infos": result.count(Severity.INFO),
            "suppressed": result.suppressed,
            "fail_on": result.fail_on.value,
            "failed": result.failed,
            "since": result.since,
        },
        "findings": [
            {
                "code": f.code,
                "name": f.name,
                "severity": f.severity.value,
                "message": f.message,
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "help": f.help,
                "docs": docs_link(f.code),
                "fingerprint": f.fingerprint,
            }
            for f in result.findings
        ],
    }
    return for_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
