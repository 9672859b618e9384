"""Reporters: a lint result rendered for people (text), programs (json) and CI systems.

Each format is one module with a ``render(result) -> str`` function; :data:`FORMATS` maps the
names the command line accepts to them. Reporters only read the result: they never decide
what is a finding or what the exit code is.
"""

from __future__ import annotations

from collections.abc import Callable

from rollbook.lint.engine import LintResult
from rollbook.report import github, gitlab, json_report, junit, sarif, text

Renderer = Callable[[LintResult], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
}

__all__ = ["FORMATS", "Renderer", "render"]


def render(name: str, result: LintResult) -> str:
    """The report ``name`` (one of :data:`FORMATS`) of ``result``."""
    return FORMATS[name](result)
