"""Reporters: a lint result rendered for people (text), programs (json) and CI systems.

Each format is one module satisfying :class:`Reporter` (a ``render(result) -> str``
function); :data:`FORMATS` maps the names the command line accepts to those modules, and is
the only list of formats: the CLI's choices, the error messages and :func:`render` read it.
A new format is one module and one entry. Modules are imported when a report is rendered, so
that the command line can list the formats without loading the linter. Reporters only read
the result: they never decide what is a finding or what the exit code is.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rollbook.lint.engine import LintResult


class Reporter(Protocol):
    """What a report module provides."""

    def render(self, result: LintResult) -> str:
        """The whole report of ``result``, as text to print or write to a file."""
        ...


FORMATS: dict[str, str] = {
    "text": "rollbook.report.text",
    "json": "rollbook.report.json_report",
    "sarif": "rollbook.report.sarif",
    "github": "rollbook.report.github",
    "gitlab": "rollbook.report.gitlab",
    "junit": "rollbook.report.junit",
}
"""Format name -> the module that renders it."""

__all__ = ["FORMATS", "Reporter", "render", "reporter"]


def reporter(name: str) -> Reporter:
    """The module rendering format ``name`` (one of :data:`FORMATS`)."""
    return importlib.import_module(FORMATS[name])  # type: ignore[return-value]


def render(name: str, result: LintResult) -> str:
    """The report ``name`` (one of :data:`FORMATS`) of ``result``."""
    return reporter(name).render(result)
