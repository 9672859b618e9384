"""Per-key exemptions: ``[[exempt]]`` entries of the configuration, for RB101 one key at a time.

A feature declared in a file that cannot hold a comment (a JSON flag file, an Unleash export)
cannot carry an inline suppression, and a per-file ignore would silence every feature of the
file, including the next one someone adds. An exemption names one key, says why (required)
and may expire::

    [[exempt]]
    key = "internal_tool"
    reason = "internal tool behind the VPN; no customer sees it"
    expires = 2027-01-01

While it holds, that feature's RB101 (feature without runbook) is not reported. After its
``expires`` day the finding comes back and the exemption is reported (RB906); one that
exempts nothing in a full run is reported too (RB907).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from rollbook.codes import Code
from rollbook.config import Exemption, Project
from rollbook.diagnostics import Location
from rollbook.lint.finding import Finding


@dataclass
class Exempted:
    """What the exemptions did to a run: the findings kept, how many they hid, and the
    findings about the exemptions themselves as ``(code, message, location, anchor)``."""

    findings: list[Finding]
    hidden: int
    own: list[tuple[str, str, Location, str]]


def exemption_locations(project: Project) -> list[Location]:
    """Where each ``[[exempt]]`` table starts in the configuration file, in order."""
    path = project.config_path
    count = len(project.config.exempt)
    if path is None:
        return [Location("rollbook.toml")] * count
    display = project.display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return [Location(display)] * count
    prefix = "tool.rollbook." if path.name == "pyproject.toml" else ""
    header = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(prefix)}exempt[ \t]*\]\]", re.M)
    lines = [text.count("\n", 0, m.start()) + 1 for m in header.finditer(text)]
    found = [Location(display, line, 1) for line in lines[:count]]
    # An inline array (exempt = [{...}]) has no headers: point at the file.
    return found + [Location(display)] * (count - len(found))


def active_keys(exemptions: list[Exemption], today: dt.date) -> set[str]:
    """The feature keys exempted on ``today``: every exemption that has not expired."""
    return {e.key for e in exemptions if e.expires is None or today <= e.expires}


def apply_exemptions(
    findings: list[Finding],
    exemptions: list[Exemption],
    locations: list[Location],
    today: dt.date,
    *,
    judge_unused: bool,
    enabled: Callable[[str], bool],
) -> Exempted:
    """Drop the RB101 findings of exempted keys; report expired and unused exemptions.

    ``judge_unused``: whether this run checked the coverage of every feature (a full run).
    ``enabled(code)``: whether a rule runs (an exemption is unused only if RB101 ran).
    """
    active: dict[str, int] = {}
    own: list[tuple[str, str, Location, str]] = []
    for index, item in enumerate(exemptions):
        if item.expires is not None and today > item.expires:
            own.append(
                (
                    Code.EXPIRED_EXEMPTION,
                    f"exemption of `{item.key}` expired on {item.expires.isoformat()}: the "
                    "feature needs a runbook again",
                    locations[index],
                    f"expired:{item.key}",
                )
            )
        else:
            active.setdefault(item.key, index)
    kept: list[Finding] = []
    used: set[str] = set()
    for finding in findings:
        if finding.code == Code.FEATURE_WITHOUT_RUNBOOK and finding.anchor in active:
            used.add(finding.anchor)
            continue
        kept.append(finding)
    if judge_unused and enabled(Code.FEATURE_WITHOUT_RUNBOOK):
        for key, index in active.items():
            if key not in used:
                own.append(
                    (
                        Code.UNUSED_EXEMPTION,
                        f"exemption of `{key}` exempts nothing: no source declares a feature "
                        "`" + key + "` that lacks a runbook",
                        locations[index],
                        f"unused:{key}",
                    )
                )
    return Exempted(kept, len(findings) - len(kept), own)
