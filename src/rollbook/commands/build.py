"""`rollbook build`: lint the runbooks (which loads them), render, build.

A site that silently lacks a runbook is worse than no new site: the on-call finds out at the
worst moment. So a runbook file with errors (or a teams file with errors) stops the build
before anything is written, unless the caller asks to keep going; the site then says on its
pages what is missing and why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rollbook.codes import CONFIG_ERROR
from rollbook.config import ConfigError, Project
from rollbook.diagnostics import Location, Problem
from rollbook.lint import LintOptions, all_rules
from rollbook.lint import lint as lint_project
from rollbook.lint.engine import today_from_env
from rollbook.lint.exemptions import active_keys
from rollbook.lint.rules.coverage import Coverage
from rollbook.load.runbooks import Loaded, LoadedProject, load_project_runbooks
from rollbook.load.yaml_reader import YamlError, read_yaml_text
from rollbook.model.links import web_href
from rollbook.parallel import default_jobs, forked
from rollbook.render import LintResults
from rollbook.render.coverage import coverage_view
from rollbook.render.memo import RenderedRunbooks
from rollbook.render.pages import PROBLEMS_REPORT, SiteRenderer, problems_report
from rollbook.render.views import FindingView, RuleView, SitePage
from rollbook.site import SiteBuildError, SiteOptions, SiteReport, build_site
from rollbook.site.mkdocs_driver import overrides_problems
from rollbook.site.output import recover_output
from rollbook.site.page_cache import cache_folder
from rollbook.site.state import BuildState

OVERRIDES_NAME = "mkdocs.overrides.yml"


@dataclass
class BuildOutcome:
    """What `rollbook build` did: the site report, and the files with errors it built without."""

    report: SiteReport
    loaded: LoadedProject
    unreadable: int
    """Runbook files that could not be loaded at all (no page)."""
    invalid: list[Loaded] = field(default_factory=list)
    """Every file with errors (runbooks, teams file): only with ``keep_going``."""
    missing: int = 0
    """Runbooks without a page: unreadable ones, and later files with an id already taken."""
    notes: list[str] = field(default_factory=list)
    """What was skipped while looking for runbooks (links outside the project, hidden files)."""
    runbooks_reused: int = 0
    """Runbook pages not rendered again: taken from the build cache as an earlier build
    rendered them (the site's cache use is in ``report``)."""
    listings_reused: int = 0
    """Listing pages (home, teams, tags, rules, ...) taken from the build cache likewise."""
    listings_rendered: tuple[str, ...] = ()
    """The listing pages rendered by this build's templates, by ``src_uri``."""
    renderer: SiteRenderer | None = field(default=None, repr=False)
    """What rendered the pages (``rollbook serve`` renders an edited runbook's page with it)."""


class InvalidRunbooks(Exception):
    """Runbook files (or the teams file) have errors, so nothing was built.

    A site built without them would lack their pages; the previous site is left as it was.
    """

    def __init__(self, files: list[Loaded]):
        self.files = files
        n = len(files)
        super().__init__(f"{n} file{'s' if n != 1 else ''} with errors")

    @property
    def problems(self) -> list[Problem]:
        return [p for item in self.files for p in item.problems]


def invalid_files(loaded: LoadedProject) -> list[Loaded]:
    """The teams file if it has errors, then every runbook file that has any."""
    files = [loaded.teams] if loaded.teams is not None and loaded.teams.problems else []
    files.extend(item for item in loaded.runbooks if item.problems or item.listed is None)
    return files


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
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the overrides file: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the overrides file must be a mapping of MkDocs settings")
    refused = overrides_problems(data)
    if refused:
        problems = [
            Problem(CONFIG_ERROR, message, _overrides_location(path, text, where), hint=hint)
            for where, message, hint in refused
        ]
        summary = "\n".join(p.render() for p in problems)
        raise ConfigError(f"invalid overrides:\n{summary}", problems)
    return data


def _overrides_location(path: Path, text: str, where: tuple[str | int, ...]) -> Location:
    """Where a setting of the overrides file was written (the file, if it cannot tell)."""
    try:
        document = read_yaml_text(text, str(path))
    except YamlError as exc:
        document = exc.document
    return document.locate(where, key=True) if document else Location(str(path))


def lint_and_load(
    project: Project, jobs: int = 1, cache: bool = False
) -> tuple[LoadedProject, LintResults]:
    """The project as loaded, and the findings and rule docs the pages show.

    The linter loads every runbook anyway: its run keeps what it loaded (without the YAML
    positions, which pages do not need) rather than reading every file twice. A linter
    failure (a misconfigured feature source, say) leaves the pages without lint findings
    rather than leaving the on-call without a site: the project is then loaded without it.
    ``cache``: use the lint cache (``cache-dir``), which then also keeps each runbook file as
    loaded, so that only the files that changed since the last build are loaded again.
    """
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
        found = lint_project(project, LintOptions(keep_loaded=True, jobs=jobs, cache=cache))
    except Exception as exc:
        results.available = False
        results.note = f"lint did not run: {exc}"
        return load_project_runbooks(project), results
    for f in found.findings:
        results.by_file.setdefault(f.location.path, []).append(
            FindingView(f.code, f.message, str(f.location), f.severity.value, f.help)
        )
    results.coverage = coverage_view(_without_exempted(project, found.coverage))
    assert found.loaded is not None  # asked for with keep_loaded
    return found.loaded, results


def _without_exempted(project: Project, found: Coverage | None) -> Coverage | None:
    """The coverage the site lists: gaps that `[[exempt]]` exempts today are not gaps, as
    `rollbook lint` does not report them (an expired exemption's gap is listed again)."""
    if found is None or not project.config.exempt:
        return found
    keys = active_keys(list(project.config.exempt), today_from_env())
    return dataclasses.replace(found, gaps=tuple(g for g in found.gaps if g.key not in keys))


def render_pages(
    loaded: LoadedProject,
    *,
    lint: LintResults,
    built: dt.datetime,
    user_templates: Path | None,
    jobs: int = 1,
    preview: bool = False,
    memo: RenderedRunbooks | None = None,
    renderer: SiteRenderer | None = None,
) -> list[SitePage]:
    """The site's pages, with the runbook pages (nearly all the work) dealt out to ``jobs``
    forked workers. The pages, and their order, are the same whatever ``jobs``.

    ``memo``: runbook pages of earlier builds, reused where their inputs are unchanged (and
    filled with the pages rendered now). ``renderer``: the renderer to use, made by the
    caller from the same arguments (:func:`site_renderer`)."""
    if renderer is None:
        renderer = site_renderer(loaded, lint, built, user_templates, preview)
    ready: dict[str, SitePage] = {}
    entries = renderer.entries
    if memo is not None:
        memo.attach(renderer)
        for entry in entries:
            page = memo.get(entry)
            if page is not None:
                ready[entry.src_uri] = page
        entries = [entry for entry in entries if entry.src_uri not in ready]
    if jobs <= 1 or len(entries) < 20:
        fresh = {entry.src_uri: renderer.runbook(entry) for entry in entries}
        if memo is not None:
            for entry in entries:
                fresh[entry.src_uri] = memo.put(entry, fresh[entry.src_uri])
        pages = renderer.pages(prerendered={**ready, **fresh})
    else:
        # The runbook pages are dealt out to `jobs` forked workers, which also keep them in
        # the memo; this process renders the listing pages meanwhile (they need the runbooks'
        # models, not their pages), then only gathers.
        def share(index: int) -> tuple[list[SitePage], list[list | None] | None]:
            mine = entries[index::jobs]
            made = [renderer.runbook(entry) for entry in mine]
            if memo is None:
                return made, None
            return made, [memo.store(entry, page) for entry, page in zip(mine, made, strict=True)]

        fresh = {}
        with forked(share, range(jobs), name="build", error=SiteBuildError) as workers:
            listings = renderer.listing_pages()
            for index, (made, stored) in enumerate(workers.results()):  # type: ignore[misc]
                for i, (entry, page) in enumerate(zip(entries[index::jobs], made, strict=True)):
                    if memo is not None:
                        page = memo.record(entry, page, stored[i])
                    fresh[entry.src_uri] = page
        pages = renderer.assemble({**ready, **fresh}, listings)
    if memo is not None:
        pages = [page if page.kind == "runbook" else memo.listing_page(page) for page in pages]
    return pages


def site_renderer(
    loaded: LoadedProject,
    lint: LintResults,
    built: dt.datetime,
    user_templates: Path | None,
    preview: bool,
) -> SiteRenderer:
    """What renders the site's pages from ``loaded``, as the build renders them."""
    return SiteRenderer(
        loaded, lint=lint, built=built, user_templates=user_templates, preview=preview
    )


def build(
    project: Project,
    out: Path,
    *,
    overrides: Path | None = None,
    service_worker: bool = True,
    keep_going: bool = False,
    preview: bool = False,
    cache: bool | Path = True,
    built: dt.datetime | None = None,
    state: BuildState | None = None,
) -> BuildOutcome:
    """Build the site for ``project`` into ``out``.

    Raises :class:`InvalidRunbooks`, before writing anything, when a runbook file or the
    teams file has errors; with ``keep_going`` the site is built without the runbooks that
    cannot have a page, and its home, team, tag and problems pages say what is missing and
    why. ``preview`` (``rollbook serve``) also puts a banner on every page when files have
    errors. ``cache``: reuse the finished pages of earlier builds whose inputs are unchanged,
    kept in the project's ``.rollbook-cache/build/`` (or the folder given); the output is
    byte for byte the same as without. False renders every page and keeps none. ``built``:
    the time the pages say they were built (by default now, or ``SOURCE_DATE_EPOCH``).

    ``state``: a :class:`rollbook.site.state.BuildState` to keep the build cache's indexes
    in memory from one build to the next. A process that builds the same project again and
    again (``rollbook serve``) makes one, ``BuildState()``, and passes it to every build:
    each build then takes from it what the previous one wrote to the cache folder instead of
    reading and parsing it again (an index changed on disk meanwhile is read again). The
    output is byte for byte the same with or without it; without one (``rollbook build``),
    the indexes are read from the cache folder, which is what persists. Ignored with
    ``cache=False``. The state also keeps the theme's frames (:attr:`BuildState.frames`), and
    the outcome then holds the renderer: with the two, ``rollbook serve`` finishes an edited
    runbook's page as the next build will (:mod:`rollbook.commands.serve_quick`).
    """
    recover_output(out)
    built = build_time() if built is None else built
    jobs = default_jobs()
    user_templates = project.resolve(project.config.templates) if project.config.templates else None
    if user_templates is not None and not user_templates.is_dir():
        raise ConfigError(f"templates folder {project.config.templates} does not exist")
    # Loading keeps every runbook model: the cyclic garbage collector would walk the growing
    # heap again and again (a quarter of the loading time at 10,000 runbooks, and more to
    # unpickle what the workers loaded). What is loaded then lives until the end of the
    # build, so it is frozen out of collections (which also spares forked workers from
    # copying it page by page). The collector stays off for the whole build: the rest of it
    # keeps most of what it makes (pages, their keys and links) till the end too, and its
    # collections cost a fifth of an incremental build at 10,000 runbooks while freeing
    # next to nothing (peak memory is the same). It is back on, as it was, once the build
    # returns.
    enabled = gc.isenabled()
    gc.disable()
    try:
        loaded, lint_results = lint_and_load(project, jobs, cache=cache is not False)
        gc.freeze()
        return _build_loaded(
            project,
            out,
            loaded,
            lint_results,
            built,
            user_templates,
            overrides,
            _Mode(service_worker, keep_going, preview, cache, state),
            jobs,
        )
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _cache_folder(project: Project, cache: bool | Path) -> Path | None:
    if cache is True:
        return cache_folder(project.root)
    return cache or None


@dataclass(frozen=True)
class _Mode:
    service_worker: bool
    keep_going: bool
    preview: bool
    cache: bool | Path = True
    state: BuildState | None = None


def _build_loaded(
    project: Project,
    out: Path,
    loaded: LoadedProject,
    lint_results: LintResults,
    built: dt.datetime,
    user_templates: Path | None,
    overrides: Path | None,
    mode: _Mode,
    jobs: int,
) -> BuildOutcome:
    # Stop before anything is written: the previous site stays, complete.
    invalid = invalid_files(loaded)
    if invalid and not mode.keep_going:
        raise InvalidRunbooks(invalid)
    cache = _cache_folder(project, mode.cache)
    memo = RenderedRunbooks(cache, user_templates, mode.state) if cache is not None else None
    renderer = site_renderer(loaded, lint_results, built, user_templates, mode.preview)
    pages = render_pages(
        loaded,
        lint=lint_results,
        built=built,
        user_templates=user_templates,
        jobs=jobs,
        preview=mode.preview,
        memo=memo,
        renderer=renderer,
    )
    extra_files = {}
    # The offline cards the home page offers for download (and the service worker keeps).
    from rollbook.commands.card import site_cards
    from rollbook.render.card import SITE_PATH as CARDS_PATH

    extra_files[CARDS_PATH] = site_cards(loaded, built)[0].encode("utf-8")
    if invalid:
        report = problems_report(loaded, built)
        extra_files[PROBLEMS_REPORT] = (json.dumps(report, indent=1) + "\n").encode("utf-8")
    gc.freeze()
    options = SiteOptions(
        site_name=project.config.site_name,
        site_url=web_href(project.config.site_url) if project.config.site_url else None,
        built_iso=built.strftime("%Y-%m-%dT%H:%M:%SZ"),
        built_text=built.strftime("%Y-%m-%d %H:%M UTC"),
        user_templates=user_templates,
        overrides=read_overrides(overrides, project),
        service_worker=mode.service_worker,
        jobs=jobs,
        extra_files=extra_files,
        cache=cache,
        frames=mode.state.frames if mode.state is not None else None,
        state=mode.state,
    )
    site = build_site(pages, out, options)
    if memo is not None:
        memo.prune()  # the new site is in place: keep only what it was made of
    unreadable = sum(1 for item in loaded.runbooks if item.listed is None)
    missing = len(loaded.runbooks) - sum(1 for page in pages if page.kind == "runbook")
    return BuildOutcome(
        site,
        loaded,
        unreadable,
        invalid,
        missing,
        loaded.notes,
        runbooks_reused=memo.reused if memo is not None else 0,
        listings_reused=memo.listings_reused if memo is not None else 0,
        listings_rendered=tuple(memo.listings_rendered) if memo is not None else (),
        renderer=renderer if mode.state is not None else None,
    )
