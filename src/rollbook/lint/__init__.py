"""The linter: rules over runbooks and feature sources, producing findings.

Public API: :func:`lint` with :class:`LintOptions`, returning a :class:`LintResult` of
:class:`Finding` objects; :func:`all_rules` and :func:`get_rule` for the rule registry.
"""

from __future__ import annotations

from rollbook.lint.engine import LintOptions, LintResult, lint
from rollbook.lint.finding import Finding
from rollbook.lint.registry import Rule
from rollbook.lint.rules import all_rules, get_rule

__all__ = ["Finding", "LintOptions", "LintResult", "Rule", "all_rules", "get_rule", "lint"]
