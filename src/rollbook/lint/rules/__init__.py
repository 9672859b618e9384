"""Every lint rule, one module per group of the code's hundreds (RB0xx input ... RB9xx).

Importing this package registers them all in :data:`rollbook.lint.registry.REGISTRY`.
"""

from __future__ import annotations

from rollbook.lint.registry import REGISTRY, Rule, check_complete
from rollbook.lint.rules import (  # noqa: F401 - imported to register their rules
    alerts,
    baseline,
    coverage,
    freshness,
    hygiene,
    input,
    people,
    rollback,
    rollout,
    rollout_sources,
    suppressions,
    testing,
    visibility,
)

check_complete()


def all_rules() -> list[Rule]:
    """Every rule, in code order."""
    return [REGISTRY[code] for code in sorted(REGISTRY)]


def get_rule(code: str) -> Rule | None:
    """The rule with this code (any case) or name."""
    ident = code.strip()
    found = REGISTRY.get(ident.upper())
    if found is not None:
        return found
    return next((r for r in REGISTRY.values() if r.name == ident.lower()), None)
