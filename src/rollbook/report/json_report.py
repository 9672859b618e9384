"""The JSON report: versioned, for scripts. Version 1 keys are only ever added to."""

from __future__ import annotations

import json

from rollbook import __version__
from rollbook.diagnostics import Severity
from rollbook.lint.engine import LintResult
from rollbook.lint.finding import Finding
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
        "findings": [],
    }
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if result.findings:
        # What ``json.dumps(..., indent=2)`` writes for the findings, written directly: its
        # indenting encoder is Python code, and ten thousand findings took a quarter second.
        items = ",\n".join(_finding(f) for f in result.findings)
        head, tail = text.rsplit('"findings": []', 1)
        text = f'{head}"findings": [\n{items}\n  ]{tail}'
    return for_json(text) + "\n"


_FIELDS = ("code", "name", "severity", "message", "path", "line", "column", "help", "docs")
_KEYS = [f"      {json.dumps(name)}: " for name in (*_FIELDS, "fingerprint")]


def _finding(f: Finding) -> str:
    values = (
        f.code,
        f.name,
        f.severity.value,
        f.message,
        f.path,
        f.line,
        f.column,
        f.help,
        docs_link(f.code),
        f.fingerprint,
    )
    lines = ",\n".join(key + _value(value) for key, value in zip(_KEYS, values, strict=True))
    return f"    {{\n{lines}\n    }}"


def _value(value: object) -> str:
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


_string = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.encode_basestring
