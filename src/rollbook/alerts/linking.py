"""Give every alert of a feature the ``runbook_url`` of the feature's page, editing in place.

The rule files are people's files, full of comments, anchors, odd quoting and their own
indentation. Re-emitting them through a YAML library (even a round-trip one) reflows what it
does not model; so this module changes only the characters it must, at positions the reader
kept (:mod:`rollbook.alerts.rule_files`): an existing ``runbook_url`` value is replaced in the
quoting style it was written in; a missing one is inserted as a new line at the indentation
of its neighbours. Every edited file is read again before it is offered, and must give the
same rules with the new annotations, or it is left alone.

Annotations shared through YAML anchors, aliases or merge keys (``<<: *base``) are left alone
with a note: editing them would change other alerts too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rollbook.alerts import AlertIndex, is_template, page_url, url_matches
from rollbook.alerts.rule_files import (
    RUNBOOK_URL,
    AlertRule,
    Mapping,
    RuleFile,
    Scalar,
    read_rule_bytes,
)


@dataclass(frozen=True)
class Owner:
    """Which feature an alert belongs to, and why."""

    runbook_id: str
    reason: str  # "label" or "signal"


@dataclass
class FileChange:
    """One rule file before and after: ``new`` is what ``--write`` writes."""

    path: Path
    display: str
    old: str
    new: str
    alerts: list[str] = field(default_factory=list)


@dataclass
class LinkPlan:
    """What ``rollbook link-alerts`` would change, and what it leaves alone and why."""

    changes: list[FileChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    linked: int = 0
    """Alerts whose runbook_url is right already."""


def owners(index: AlertIndex, runbooks: list) -> tuple[dict[int, Owner], list[str]]:
    """The feature of each alert (keyed by ``id(alert)``), and notes on alerts two features
    claim. A feature label wins over a signal naming the alert; two signals in different
    runbooks naming one alert leave it to a person."""
    claims: dict[int, dict[str, str]] = {}
    alerts: dict[int, AlertRule] = {}
    for rb in runbooks:
        for alert in index.for_runbook(rb):
            reason = "label" if alert.feature == rb.id else "signal"
            claims.setdefault(id(alert), {})[rb.id] = reason
            alerts[id(alert)] = alert
    out: dict[int, Owner] = {}
    notes: list[str] = []
    for key, by_id in claims.items():
        labelled = [i for i, why in by_id.items() if why == "label"]
        if labelled:
            out[key] = Owner(labelled[0], "label")
        elif len(by_id) == 1:
            [(only, why)] = by_id.items()
            out[key] = Owner(only, why)
        else:
            alert = alerts[key]
            notes.append(
                f"{alert.location}: alert {alert.name!r} is named by the runbooks of "
                f"{', '.join(sorted(by_id))}; left as it is (label it with one feature)"
            )
    return out, notes


def plan_links(index: AlertIndex, runbooks: list, site_url: str, root: Path) -> LinkPlan:
    """Every edit that gives the alerts of ``runbooks`` their feature's ``runbook_url``."""
    plan = LinkPlan()
    owned, notes = owners(index, runbooks)
    plan.notes.extend(notes)
    for item in index.files:
        if not item.alerts or not item.text:
            continue
        edits: list[tuple[int, int, str]] = []
        expected_by_alert: dict[int, str] = {}
        names: list[str] = []
        newline = "\r\n" if "\r\n" in item.text else "\n"
        for alert in item.alerts:
            owner = owned.get(id(alert))
            if owner is None:
                continue
            expected = page_url(site_url, owner.runbook_id)
            current = alert.runbook_url
            if current is not None and (url_matches(current.strip(), expected)):
                plan.linked += 1
                continue
            if current is not None and is_template(current):
                plan.notes.append(
                    f"{alert.runbook_url_location}: alert {alert.name!r} builds its runbook_url "
                    "from a template; left as it is"
                )
                continue
            edit, why = _edit(item.text, alert, expected, newline)
            if edit is None:
                plan.notes.append(f"{alert.location}: alert {alert.name!r}: {why}; set it by hand")
                continue
            edits.append(edit)
            expected_by_alert[len(names)] = expected
            names.append(alert.name)
        if not edits:
            continue
        new = _apply(item.text, edits)
        problem = _verify(item, new, expected_by_alert, names)
        if problem:
            plan.notes.append(f"{item.path}: not changed: {problem}")
            continue
        plan.changes.append(FileChange(root / item.path, item.path, item.text, new, names))
    return plan


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _verify(item: RuleFile, new: str, expected: dict[int, str], names: list[str]) -> str:
    """'' when ``new`` reads as the same rules with the intended urls, else what differs."""
    # The kind and label only decide which documents are read and what `feature` is; the
    # edit changes neither, so the defaults read the same rules.
    after = read_rule_bytes(new.encode("utf-8"), item.path)
    before = read_rule_bytes(item.text.encode("utf-8"), item.path)
    if len(after.problems) > len(before.problems):
        return f"the edited file would not read cleanly ({after.problems[0].message})"
    if [(a.name, a.expr, a.labels) for a in after.alerts] != [
        (a.name, a.expr, a.labels) for a in before.alerts
    ]:
        return "the edit would change more than annotations"
    changed = iter(names)
    wanted = {n: expected[i] for i, n in enumerate(names)}
    for old, now in zip(before.alerts, after.alerts, strict=True):
        if old.annotations == now.annotations:
            continue
        name = next(changed, None)
        if name != now.name or now.runbook_url != wanted.get(name):
            return f"alert {now.name!r} did not get the intended runbook_url"
        others_old = [kv for kv in old.annotations if kv[0] != RUNBOOK_URL]
        others_new = [kv for kv in now.annotations if kv[0] != RUNBOOK_URL]
        if others_old != others_new:
            return f"the edit would change other annotations of {now.name!r}"
    return ""


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _starts_line(text: str, index: int) -> bool:
    return text[_line_start(text, index) : index].strip() == ""


def _rest_of_line_is_free(text: str, index: int) -> bool:
    """Whether only blanks or a comment follow ``index`` on its line."""
    end = text.find("\n", index)
    rest = text[index : end if end >= 0 else len(text)].strip()
    return rest == "" or rest.startswith("#")


def _edit(
    text: str, alert: AlertRule, url: str, newline: str
) -> tuple[tuple[int, int, str] | None, str]:
    """One text edit that sets ``url``, or None and why it cannot be made safely."""
    if alert.shared:
        return None, "its annotations come through a YAML anchor, alias or merge key"
    node = alert.url_node
    if node is not None:
        if not isinstance(node, Scalar) or node.style in {"|", ">"} or node.anchor:
            return None, "its runbook_url is not written as a one-line value"
        if node.style == '"':
            return (node.start, node.end, f'"{url}"'), ""
        if node.style == "'":
            return (node.start, node.end, f"'{url}'"), ""
        return (node.start, node.end, url), ""
    annotations = alert.annotations_node
    if annotations is not None:
        if not isinstance(annotations, Mapping):
            return None, "its annotations are empty or not a mapping"
        if annotations.flow:
            closing = annotations.end - 1
            if text[closing] != "}":
                return None, "its annotations end where rollbook cannot tell"
            sep = ", " if annotations.pairs else ""
            return (closing, closing, f'{sep}{RUNBOOK_URL}: "{url}"'), ""
        first_key = annotations.pairs[0][0]
        if not _starts_line(text, first_key.start):
            return None, "its annotations do not start on a line of their own"
        start = _line_start(text, first_key.start)
        indent = text[start : first_key.start]
        return (start, start, f"{indent}{RUNBOOK_URL}: {url}{newline}"), ""
    rule = alert.rule_node
    name = alert.name_node
    if rule is None or name is None or rule.flow:
        return None, "the rule is written in flow style ({...})"
    alert_key = next(
        (k for k, v in rule.pairs if isinstance(k, Scalar) and k.value == "alert"), None
    )
    if alert_key is None or not _rest_of_line_is_free(text, name.end):
        return None, "rollbook cannot tell where to add annotations"
    line_end = text.find("\n", name.end)
    if line_end < 0:
        return None, "the rule ends the file without a line break"
    column = alert_key.column - 1
    step = 2
    for key, value in rule.pairs:
        nested = isinstance(key, Scalar) and isinstance(value, Mapping) and value.pairs
        if nested and not value.flow and value.pairs[0][0].column > alert_key.column:
            step = value.pairs[0][0].column - alert_key.column
            break
    pad = " " * column
    block = f"{pad}annotations:{newline}{pad}{' ' * step}{RUNBOOK_URL}: {url}{newline}"
    return (line_end + 1, line_end + 1, block), ""
