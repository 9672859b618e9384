"""`rollbook build`: load the runbooks, lint them if the linter is there, render, build."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from rollbook.config import ConfigError, Project
from rollbook.load.runbooks import Loaded, LoadedProject, load_project_runbooks, load_teams
from rollbook.render import LintResults, render_site
from rollbook.render.views import FindingView, RuleView
from rollbook.site import SiteOptions, SiteReport, build_site

OVERRIDES_NAME = "mkdocs.overrides.yml"


@dataclass
class BuildOutcome:
    """What `rollbook build` did: the site report and the runbooks it could not read."""

    report: SiteReport
    loaded: LoadedProject
    unreadable: int


def build_time() -> dt.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set: two builds of one input are byte-identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ConfigError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    return dt.datetime.now(dt.UTC)


def read_overrides(path: Path | None, project: Project) -> dict:
    """The optional MkDocs overrides file: given, or ``mkdocs.overrides.yml`` at the root."""
    if path is None:
        default = project.root / OVERRIDES_NAME
        if not default.is_file():
            return {}
        path = default
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the overrides file: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the overrides file must be a mapping of MkDocs settings")
    return data


def collect_lint(project: Project, on_loaded=None) -> LintResults:
    """Findings and rule docs from ``rollbook.lint``, when that package is installed.

    The linter is optional for the site: without it, pages show the loader's problems only.
    A linter failure (a misconfigured feature source, say) leaves the pages without lint
    findings rather than leaving the on-call without a site.
    """
    try:
        from rollbook.lint import LintOptions, all_rules, lint
    except ImportError:
        return LintResults()
    results = LintResults(available=True)
    for rule in all_rules():
        results.rules.append(
            RuleView(
                code=rule.code,
                name=rule.name,
                severity=rule.severity.value,
                summary=rule.summary,
                doc=rule.body,
            )
        )
    try:
        found = lint(project, LintOptions(on_loaded=on_loaded))
    except Exception as exc:
        results.available = False
        results.note = f"lint did not run: {exc}"
        return results
    for f in found.findings:
        results.by_file.setdefault(f.location.path, []).append(
            FindingView(f.code, f.message, str(f.location), f.severity.value, f.help)
        )
    return results


def build(
    project: Project, out: Path, *, overrides: Path | None = None, service_worker: bool = True
) -> BuildOutcome:
    """Build the site for ``project`` into ``out``."""
    built = build_time()
    user_templates = project.resolve(project.config.templates) if project.config.templates else None
    if user_templates is not None and not user_templates.is_dir():
        raise ConfigError(f"templates folder {project.config.templates} does not exist")
    # The linter reads every runbook anyway: keep what it loaded (without the YAML positions,
    # which pages do not need) rather than reading every file twice.
    seen: list[Loaded] = []

    def keep(item: Loaded) -> None:
        item.document = None
        seen.append(item)

    lint_results = collect_lint(project, on_loaded=keep)
    if lint_results.available and seen:
        loaded = LoadedProject(project, load_teams(project), seen, [])
    else:
        loaded = load_project_runbooks(project)
    pages = render_site(loaded, lint=lint_results, built=built, user_templates=user_templates)
    options = SiteOptions(
        site_name=project.config.site_name,
        site_url=project.config.site_url,
        built_iso=built.strftime("%Y-%m-%dT%H:%M:%SZ"),
        built_text=built.strftime("%Y-%m-%d %H:%M UTC"),
        user_templates=user_templates,
        overrides=read_overrides(overrides, project),
        service_worker=service_worker,
    )
    report = build_site(pages, out, options)
    unreadable = sum(1 for item in loaded.runbooks if item.runbook is None)
    return BuildOutcome(report, loaded, unreadable)
