"""A configured alert rule source, as written under ``alert-rules`` in the configuration.

Example configuration::

    [[tool.rollbook.alert-rules]]
    paths = ["monitoring/rules/*.yaml"]      # Prometheus rule files (groups: ...)

    [[tool.rollbook.alert-rules]]
    paths = ["deploy/**/*.yaml"]
    kind = "prometheus-operator"             # PrometheusRule manifests (spec.groups)
    feature-label = "feature"                # alerts labelled feature=<runbook id> belong to it

A plain glob stands for a table with only ``paths``: ``alert-rules = ["rules/*.yml"]``.
This module imports nothing heavy: the configuration validates entries with it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

KINDS = ("auto", "prometheus", "prometheus-operator")
"""``auto`` reads each YAML document as what it is: a rule file (``groups:``) or a
``PrometheusRule`` manifest; other Kubernetes kinds in the stream are skipped."""
KEYS = ("paths", "kind", "feature-label")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
_EXAMPLE = '{paths = ["monitoring/rules/*.yaml"]}'


class AlertSourceError(ValueError):
    """An ``alert-rules`` entry is wrong; ``hint`` says how to fix it (exit code 2)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class AlertSource:
    """One configured source of alert rules: the globs it reads and how to read them."""

    paths: tuple[str, ...]
    kind: str = "auto"
    feature_label: str | None = None
    where: str = ""


def parse_alert_source(value: object, where: str) -> AlertSource:
    """Validate one ``alert-rules`` entry (a glob or a table); AlertSourceError if wrong."""
    from rollbook.sources.discovery import check_pattern
    from rollbook.sources.feature import SourceError

    if isinstance(value, str):
        value = {"paths": [value]}
    if not isinstance(value, dict):
        raise AlertSourceError(
            f"{where} must be a glob or a table, found {type(value).__name__}",
            f"write e.g. {_EXAMPLE}",
        )
    for key in value:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            raise AlertSourceError(
                f"{where} has an unknown key '{key}'"
                + (f"; did you mean '{close[0]}'?" if close else ""),
                f"an alert-rules entry has: {', '.join(KEYS)}",
            )
    paths = value.get("paths")
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
        raise AlertSourceError(f"{where} needs 'paths': a list of globs", f"write e.g. {_EXAMPLE}")
    for pattern in paths:
        try:
            check_pattern(pattern, where)
        except SourceError as exc:
            raise AlertSourceError(f"{where}: {exc.message}", exc.hint) from None
    kind = value.get("kind", "auto")
    if kind not in KINDS:
        close = difflib.get_close_matches(str(kind), KINDS, n=1)
        raise AlertSourceError(
            f"{where} has an unknown kind {kind!r}"
            + (f"; did you mean '{close[0]}'?" if close else ""),
            f"kind is one of: {', '.join(KINDS)}",
        )
    label = value.get("feature-label")
    if label is not None and (not isinstance(label, str) or not _LABEL_NAME.match(label)):
        raise AlertSourceError(
            f"{where} has feature-label {label!r}, which is not a Prometheus label name",
            'a label name is letters, digits and _, e.g. feature-label = "feature"',
        )
    return AlertSource(tuple(paths), kind, label, where)
