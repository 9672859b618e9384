"""Alert rules: which alerts exist, where they are written, and which feature each is for.

A runbook's signals name alerts (``alert: CheckoutErrorRateHigh``); the alerts themselves live
in Prometheus rule files or prometheus-operator ``PrometheusRule`` manifests, configured under
``alert-rules`` (see :mod:`rollbook.alerts.spec`). :func:`load_alerts` reads every configured
file (:mod:`rollbook.alerts.rule_files`) into an :class:`AlertIndex`, which the lint rules,
``rollbook link-alerts`` and the site ask: is this alert defined? which alerts belong to this
feature? what should their ``runbook_url`` be?
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rollbook.alerts.rule_files import AlertRule, RuleFile, read_rule_file
from rollbook.alerts.spec import AlertSource, AlertSourceError, parse_alert_source
from rollbook.diagnostics import Location, Problem

__all__ = [
    "AlertIndex",
    "AlertRule",
    "AlertSource",
    "AlertSourceError",
    "alert_sources",
    "load_alerts",
    "page_url",
]


def alert_sources(entries: list, where: str = "alert-rules") -> list[AlertSource]:
    """The configured ``alert-rules`` entries, validated (AlertSourceError if one is wrong)."""
    return [parse_alert_source(entry, f"{where}[{i}]") for i, entry in enumerate(entries)]


def page_url(site_url: str, runbook_id: str) -> str:
    """The web address of a feature's page: what its alerts' ``runbook_url`` should be."""
    from rollbook.render import urls

    return site_url.rstrip("/") + "/" + urls.src_uri_to_url(urls.runbook_page(runbook_id))


def url_matches(value: str, expected: str) -> bool:
    """Whether a ``runbook_url`` leads to ``expected`` (a fragment on the page is fine)."""
    base = value.split("#", 1)[0]
    return base == expected or base.rstrip("/") == expected.rstrip("/")


def is_template(value: str) -> bool:
    """Annotations are Go templates; a value built at alert time cannot be checked here."""
    return "{{" in value


@dataclass
class AlertIndex:
    """Every alert and recording rule of the configured files, and what reading them found."""

    configured: bool = False
    files: list[RuleFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    by_name: dict[str, list[AlertRule]] = field(default_factory=dict)
    by_feature: dict[str, list[AlertRule]] = field(default_factory=dict)
    records: dict[str, Location] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        by_name: dict[str, list[AlertRule]] = defaultdict(list)
        by_feature: dict[str, list[AlertRule]] = defaultdict(list)
        for item in self.files:
            for alert in item.alerts:
                by_name[alert.name].append(alert)
                if alert.feature:
                    by_feature[alert.feature].append(alert)
            for name, location in item.records.items():
                self.records.setdefault(name, location)
        self.by_name = dict(by_name)
        self.by_feature = dict(by_feature)

    @property
    def alerts(self) -> list[AlertRule]:
        return [a for f in self.files for a in f.alerts]

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    def named(self, name: str) -> list[AlertRule]:
        return self.by_name.get(name, [])

    def suggest(self, name: str) -> str | None:
        """The defined alert name closest to ``name``, for "did you mean"."""
        lowered = {n.lower(): n for n in self.by_name}
        if name.lower() in lowered:
            return lowered[name.lower()]
        close = difflib.get_close_matches(name, list(self.by_name), n=1, cutoff=0.75)
        return close[0] if close else None

    def for_runbook(self, runbook) -> list[AlertRule]:
        """The alerts that belong to ``runbook``: named by its signals, or labelled with its
        id (the source's ``feature-label``), each once, in file order."""
        found: dict[tuple[str, int, int], AlertRule] = {}
        for signal in runbook.signals:
            if signal.alert:
                for alert in self.named(signal.alert):
                    found.setdefault(_key(alert), alert)
        for alert in self.by_feature.get(runbook.id, []):
            found.setdefault(_key(alert), alert)
        return sorted(found.values(), key=_key)

    def signal_alerts(self, runbook) -> dict[str, list[AlertRule]]:
        """For each signal name with a defined alert, the alert rules of that name."""
        out: dict[str, list[AlertRule]] = {}
        for signal in runbook.signals:
            if signal.alert and self.named(signal.alert):
                out[signal.name] = self.named(signal.alert)
        return out


def _key(alert: AlertRule) -> tuple[str, int, int]:
    return (alert.path, alert.location.line, alert.location.column)


def load_alerts(project, walk=None) -> AlertIndex:
    """Read every configured alert rule file of ``project``.

    A bad ``alert-rules`` entry, or a file named without wildcards that does not exist, is a
    ConfigError (exit 2); problems inside the files are kept in the index, to be reported as
    findings (RB305, RB306).
    """
    from rollbook.config import ConfigError
    from rollbook.sources.discovery import find_files
    from rollbook.sources.feature import SourceError
    from rollbook.walk import FolderWalk

    entries = project.config.alert_rules
    if not entries:
        return AlertIndex()
    where = (
        f"{project.display(project.config_path)}: alert-rules"
        if project.config_path
        else "alert-rules"
    )
    walk = walk if walk is not None else FolderWalk(project.root)
    files: list[RuleFile] = []
    notes: list[str] = []
    seen: set[str] = set()
    try:
        for source in alert_sources(entries, where):
            found = find_files(
                project.root, source.paths, respect_gitignore=False, where=source.where, walk=walk
            )
            for path, display in found:
                if display in seen:
                    continue
                seen.add(display)
                item = read_rule_file(Path(path), display, source.kind, source.feature_label)
                files.append(item)
                notes.extend(item.notes)
    except AlertSourceError as exc:
        raise ConfigError(f"{exc}" + (f"\n    hint: {exc.hint}" if exc.hint else "")) from None
    except SourceError as exc:
        raise ConfigError(exc.render()) from None
    if not files:
        notes.append(f"{where}: no alert rule file matched the configured paths")
    return AlertIndex(configured=True, files=files, notes=notes)
