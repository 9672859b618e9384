"""Which rules run, at which severity, on which files: `select`, `ignore`, `severity`, ...

Rules are chosen as in ruff: by code (`RB201`), by prefix (`RB2`, `RB20`), by name
(`vague-step`) or `ALL`. An unknown selector is a configuration error (exit 2), so that a typo
never silently switches a check off.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from rollbook.config import Config, ConfigError
from rollbook.diagnostics import Severity
from rollbook.lint.registry import REGISTRY
from rollbook.lint.rules import all_rules
from rollbook.sources.discovery import glob_regex


def resolve(selector: str, where: str = "") -> set[str]:
    """The rule codes one selector stands for; ConfigError when it matches none."""
    text = selector.strip()
    if text.upper() == "ALL":
        return set(REGISTRY)
    upper = text.upper()
    if upper.startswith("RB") and upper[2:].isdigit() and 1 <= len(upper) - 2 <= 3:
        codes = {code for code in REGISTRY if code.startswith(upper)}
        if codes:
            return codes
    for item in REGISTRY.values():
        if item.name == text.lower():
            return {item.code}
    choices = sorted(REGISTRY) + sorted(r.name for r in REGISTRY.values())
    close = difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    hint = f"; did you mean `{close[0]}`?" if close else "; `rollbook rule` lists them"
    raise ConfigError(
        f"unknown rule code or name `{selector}`{f' in {where}' if where else ''}{hint}"
    )


def resolve_all(selectors: Iterable[str], where: str = "") -> set[str]:
    out: set[str] = set()
    for selector in selectors:
        out |= resolve(selector, where)
    return out


@dataclass
class Selection:
    """The rules that run, their severities, and the per-file exceptions."""

    enabled: set[str]
    severities: dict[str, Severity]
    per_file: list[tuple[object, set[str]]] = field(default_factory=list)

    def severity(self, code: str) -> Severity:
        return self.severities.get(code) or REGISTRY[code].severity

    def enabled_for(self, code: str, path: str) -> bool:
        if code not in self.enabled:
            return False
        return not any(
            code in codes and pattern.match(path)  # type: ignore[attr-defined]
            for pattern, codes in self.per_file
        )


def build_selection(
    config: Config, select: list[str] | None = None, ignore: list[str] | None = None
) -> Selection:
    """Combine the configuration with the command line's ``--select`` and ``--ignore``.

    ``--select`` replaces the configured `select`; ``--ignore`` adds to `ignore`.
    """
    all_rules()  # make sure every rule module is imported
    chosen = select if select else config.select
    enabled = resolve_all(chosen, "select") if chosen else set(REGISTRY)
    enabled |= resolve_all(config.extend_select, "extend-select")
    enabled -= resolve_all([*config.ignore, *(ignore or [])], "ignore")
    severities: dict[str, Severity] = {}
    for selector, level in config.severity.items():
        for code in resolve(selector, "severity"):
            severities[code] = Severity(level)
    per_file = []
    for pattern, selectors in config.per_file_ignores.items():
        regex = glob_regex(pattern) if "/" in pattern else glob_regex("**/" + pattern)
        per_file.append((regex, resolve_all(selectors, f"per-file-ignores `{pattern}`")))
    return Selection(enabled, severities, per_file)
