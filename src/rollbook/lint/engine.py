"""Run the rules over a project: stream the runbooks, then check coverage across them.

Each runbook is loaded, checked and its document dropped before the next is read; only a
small :class:`RunbookSummary` is kept for the cross-file coverage rules, so memory stays flat
on ten thousand files. Inline suppressions are applied at the end, because coverage findings
(RB103, RB104, RB106-RB110) land in runbook files too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rollbook.alerts import AlertIndex, load_alerts
from rollbook.codes import Code
from rollbook.config import ConfigError, Project
from rollbook.diagnostics import Location, Problem, Severity, format_path
from rollbook.lint.cache import (
    CacheUnreadable,
    Found,
    LintCache,
    decode_stored,
    encode_entry,
    encode_stored,
    file_digest,
    run_key,
    stored_digest,
    stored_value,
)
from rollbook.lint.changes import Changes, changes_since, source_changes_since
from rollbook.lint.context import (
    NOT_GIVEN,
    FlagSummary,
    ProjectContext,
    RunbookContext,
    RunbookSummary,
)
from rollbook.lint.finding import Finding, fingerprint
from rollbook.lint.registry import REGISTRY, Hit, Rule, registered
from rollbook.lint.rules import all_rules
from rollbook.lint.rules.coverage import Coverage, coverage
from rollbook.lint.rules.suppressions import suppression_hits
from rollbook.lint.selection import Selection, build_selection
from rollbook.lint.suppressions import Suppression, parse_suppressions
from rollbook.load.ids import DuplicateIds
from rollbook.load.not_runbooks import not_runbooks
from rollbook.load.runbooks import (
    Loaded,
    LoadedProject,
    find_runbooks,
    load_runbook,
    project_walk,
)
from rollbook.model.runbook import Runbook, TeamsFile
from rollbook.parallel import forked
from rollbook.sources import (
    Feature,
    ReadLater,
    SourceError,
    collect_features,
    find_source_files,
    parse_source_spec,
)
from rollbook.sources.cache import PlannedFeatures, plan_features
from rollbook.walk import FolderWalk

TODAY_ENV = "ROLLBOOK_TODAY"
SEVERITY_ORDER = (Severity.INFO, Severity.WARNING, Severity.ERROR)


@dataclass
class LintOptions:
    """What to lint and how; the command line's options, callable from Python."""

    paths: list[Path] | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None
    inline_ignores: bool = True
    since: str | None = None
    today: dt.date | None = None
    fail_on: Severity | None = None
    keep_loaded: bool = False
    """Hand back every runbook loaded (in :attr:`LintResult.loaded`), so that `rollbook
    build` renders them instead of reading every file a second time."""
    jobs: int = 1
    """Processes loading and checking the runbook files: the files are split into as many
    runs of consecutive files, each checked in a forked worker (POSIX only; the coverage
    rules and suppressions still run once, over all files, in this process)."""
    cache: bool = False
    """Keep each file's own results in the lint cache (:mod:`rollbook.lint.cache`) and
    re-check only the files that changed; the command line turns it on (``--no-cache``
    off). Never used with ``since``, which needs the files read. With ``keep_loaded``
    (`rollbook build`), each file as loaded is kept too, and an unchanged file is taken
    from the cache instead of being loaded again."""


@dataclass
class LintResult:
    """Every finding of one run, and what the reporters say about the run."""

    findings: list[Finding]
    files: list[str]
    fail_on: Severity
    suppressed: int = 0
    since: str | None = None
    notes: list[str] = field(default_factory=list)
    loaded: LoadedProject | None = None
    cache: LintCache | None = None
    """The lint cache this run used (``hits``: files taken from it, ``rechecked``: files
    checked again), or None when it ran without."""
    """With :attr:`LintOptions.keep_loaded`: the teams file and every runbook as loaded,
    without their YAML positions (``document``), a later file with a taken id carrying
    RB009 as :func:`~rollbook.load.runbooks.load_project_runbooks` gives it."""
    coverage: Coverage | None = None
    """The features the sources declare and those no runbook covers (the site lists them)."""

    @property
    def failed(self) -> bool:
        """Whether a finding is at or above ``fail_on``: the run exits 1."""
        return any(f.severity.rank >= self.fail_on.rank for f in self.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def rules(self) -> list[Rule]:
        """The rules that have findings, in code order (for SARIF and summaries)."""
        codes = sorted({f.code for f in self.findings})
        return [REGISTRY[c] for c in codes]


def today_from_env() -> dt.date:
    """Today, or the date in ``$ROLLBOOK_TODAY`` (for tests and reproducible CI runs)."""
    value = os.environ.get(TODAY_ENV)
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"${TODAY_ENV}={value!r} is not a date written YYYY-MM-DD") from None


class _Collector:
    """Turns hits and loader problems into findings, applying selection and severity."""

    def __init__(self, selection: Selection):
        self.selection = selection
        self.findings: list[Finding] = []

    def add(
        self, code: str, path: str, message: str, location: Location, help_: str, anchor: str
    ) -> None:
        if not self.selection.enabled_for(code, path):
            return
        item = registered(code)
        self.findings.append(
            Finding(
                code,
                item.name,
                self.selection.severity(code),
                message,
                location,
                help_ or item.help,
                anchor,
            )
        )

    def hit(self, item: Rule, hit: Hit, path: str, locate) -> None:
        location = hit.location or locate(hit.path, key=hit.key)

        anchor = hit.anchor if hit.anchor is not None else (format_path(hit.path) or "document")
        self.add(item.code, location.path, hit.message, location, hit.help or item.help, anchor)

    def problem(self, problem: Problem) -> None:
        code = problem.code
        message = problem.message
        if problem.field and problem.field not in message:
            message = f"{message} ({problem.field})"
        self.add(
            code,
            problem.location.path,
            message,
            problem.location,
            problem.hint,
            problem.field or problem.message,
        )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (back on after, if it was on).

    A run allocates millions of objects and keeps many of them (findings, summaries, the
    workers' results): each collection walks that growing heap again, about a fifth of a
    cold run's CPU at 10,000 runbooks, and finds next to nothing to free (a run makes almost
    no reference cycles; memory is freed by reference counting as each file is dropped).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def lint(
    project: Project, options: LintOptions | None = None, *, sources_first: bool = False
) -> LintResult:
    """Lint the project's runbooks and coverage; ConfigError for usage problems (exit 2).

    ``sources_first``: read the feature sources before the runbooks, never while they are
    checked (see :func:`_read_later`). The cyclic garbage collector is off meanwhile
    (:func:`collector_paused`).
    """
    with collector_paused():
        return _lint(project, options, sources_first)


def _lint(project: Project, options: LintOptions | None, sources_first: bool) -> LintResult:
    options = options or LintOptions()
    config = project.config
    selection = build_selection(config, options.select, options.ignore)
    today = options.today or today_from_env()
    fail_on = options.fail_on or Severity(config.fail_on)
    runbook_rules, text_rules, project_rules = _rules_by_scope(selection)
    config_path = project.display(project.config_path) if project.config_path else ("rollbook.toml")

    walk = project_walk(project)
    alerts = load_alerts(project, walk)
    changes = changes_since(project.root, options.since) if options.since else None
    cache = None
    if options.cache and changes is None:
        cache = _open_cache(project, options, today, config_path, alerts)
    # A warm run whose project-scope inputs did not change takes the project-scope findings
    # from the cache: it then decodes neither the summaries nor the features (nor does a
    # build, which keeps what was loaded: see _check_page_ids).
    deferred = cache is not None and cache.sources is not None and options.paths is None
    planned: PlannedFeatures | None = None
    later = None
    if not (deferred or sources_first or cache is not None or changes is not None):
        later = _read_later(project, config_path, walk, options)
    if deferred:
        planned = _planned_features(project, config_path, walk, cache)  # type: ignore[arg-type]
        features: list[Feature] = []
        feature_paths = planned.paths
    elif later is not None:
        features, feature_paths = [], set()  # read while the runbooks are checked
    else:
        features = _features(project, config_path, walk, cache)
        feature_paths = {f.location.path for f in features}
    collector = _Collector(selection)

    for problem in alerts.problems:  # the alert rule files' own problems (RB305, RB306)
        if _wanted(problem.location.path, changes):
            collector.problem(problem)

    # A YAML flag file among the runbooks is a feature source's, not a runbook: said in a note.
    exclude = dict.fromkeys(
        {(project.root / p).resolve() for p in feature_paths}, "a feature source reads it"
    )
    for rule_file in alerts.files:  # an alert rule file among the runbooks is not one
        exclude[(project.root / rule_file.path).resolve()] = "an alert-rules source reads it"
    # Nor is any YAML file a source reads that holds no feature yet (as every command sees it).
    # Its notes are its own (the sources said theirs); the folders are read once.
    for path, why in not_runbooks(project, walk.sibling()).items():
        exclude.setdefault(path, why)
    # With sources configured, no runbook yet is day one of adoption, not a mistake: the
    # coverage findings list what needs one. Without sources there is nothing to check.
    found_files = find_runbooks(
        project,
        options.paths,
        exclude=exclude,
        walk=walk,
        allow_none=options.paths is None and bool(config.sources),
    )
    teams = found_files.team_model
    if found_files.teams is not None and _wanted(found_files.teams.display, changes):
        for problem in found_files.teams.problems:
            collector.problem(problem)

    summaries: list[RunbookSummary] = []
    suppressions: dict[str, list[Suppression]] = {}
    ids = DuplicateIds()
    # Which file keeps an id, as validate and build decide it: among valid runbooks only.
    page_ids = DuplicateIds()
    kept: list[Loaded] = []
    files: list[str] = []

    def scan(path: Path) -> _Scanned:
        loaded = found_files.load(path)
        display = loaded.display
        checked = _wanted(display, changes)
        found = _Collector(selection)
        sups: list[Suppression] = []
        if checked:
            text = loaded.document.text if loaded.document else _read_text(path)
            _check_file(
                loaded,
                text,
                display,
                found,
                runbook_rules,
                text_rules,
                selection,
                config,
                today,
                teams,
                alerts,
            )
            if options.inline_ignores:
                sups = parse_suppressions(text, display)
        summary = _summarise(loaded, display, checked)
        # Only the summary outlives this file, and the loaded runbook without its document
        # (the YAML positions, most of its memory) when the caller keeps what was loaded.
        keep = None
        if options.keep_loaded:
            loaded.document = None
            keep = loaded
        return _Scanned(display, checked, found.findings, sups, summary, keep)

    fresh_entries: dict[tuple[str, str], tuple] = {}
    read: list[list[Feature]] = []
    if cache is None:
        meanwhile = extra = None
        if later is not None:
            meanwhile = functools.partial(_read_sources, later, read)
            extra = _reading_cost(later, found_files.paths)
        scanned = _scan_all(found_files.paths, scan, options.jobs, meanwhile=meanwhile, extra=extra)
    else:
        scanned = _scan_cached(
            found_files, scan, options.jobs, cache, fresh_entries, options.keep_loaded, deferred
        )
    pending: list[_Scanned] = []
    for item in scanned:
        if item.checked:
            files.append(item.display)
        collector.findings.extend(item.findings)
        if item.suppressions:
            suppressions[item.display] = item.suppressions
        if deferred:
            pending.append(item)
            if item.loaded is not None:
                kept.append(item.loaded)
            continue
        summary = item.summary
        if summary is not None:
            # Read from the document, valid or not: an invalid runbook takes its id too.
            taken = ids.check(summary.id, item.display, summary.id_location)
            if taken is not None and item.checked:
                collector.problem(taken)
            summaries.append(summary)
        if item.loaded is not None:
            listed = item.loaded.listed
            if listed is not None and summary is not None:  # a valid runbook has a summary
                taken = page_ids.check(listed.id, item.display, summary.id_location)
                if taken is not None:
                    item.loaded.problems.append(taken)
            kept.append(item.loaded)
        del item

    if later is not None:
        features = read[0] if read else _read_sources(later, read)
        if not _excluded_all(project, features, exclude):
            # A feature written in a YAML file that was checked as a runbook: the sources
            # must be read first, as without this, to leave it out.
            return lint(project, options, sources_first=True)

    # From here on, what the run adds depends only on the summaries and the features: with
    # the cache, it is kept as the project-scope outcome of these inputs.
    project_start = len(collector.findings)
    outcome = None
    outcome_key = None
    digests: list[str] = []
    if deferred:
        assert cache is not None and planned is not None
        if options.keep_loaded:
            try:
                _check_page_ids(pending, page_ids)
            except CacheUnreadable:
                cache.forget()
                return lint(project, options)
        outcome_key = _outcome_key(cache, planned, pending)
        digests = [item.summary_digest for item in pending]  # type: ignore[misc]
        if outcome_key is not None:
            outcome = _placed(cache, outcome_key, pending, digests)
        if outcome is None:
            try:
                summaries = [s for item in pending if (s := item.take_summary()) is not None]
            except CacheUnreadable:
                # A summary that does not read back as its entry said: nothing of this
                # cache is trusted; the run starts again without it, and rewrites it.
                cache.forget()
                return lint(project, options)
            for summary in summaries:
                # Read from the document, valid or not: an invalid runbook takes its id too.
                taken = ids.check(summary.id, summary.path, summary.id_location)
                if taken is not None:
                    collector.problem(taken)
            features = planned.load()
        else:
            collector.findings.extend(outcome[0])
        del pending

    feature_filter = None
    if changes is not None and not any(p.endswith((".yaml", ".yml")) for p in changes.deleted):
        feature_filter = {
            f.key for f in features if changes.touches(f.location.path, f.location.line)
        }
    pctx = ProjectContext(
        summaries,
        features,
        bool(config.sources),
        config_path,
        feature_filter=feature_filter,
        complete=options.paths is None,
    )
    if (
        changes is not None
        and config.sources
        and Code.SOURCE_CHANGED_WITHOUT_RUNBOOK in {r.code for r in project_rules}
    ):
        pctx.source_changes = source_changes_since(project, changes, features, summaries)
    found_coverage: Coverage | None = None
    if outcome is None:
        for item in project_rules:
            for hit in item.run(pctx):
                assert hit.location is not None, f"{item.code} must give explicit locations"
                collector.hit(item, hit, hit.location.path, None)
        found_coverage = coverage(pctx)
        if cache is not None and outcome_key is not None:
            own = collector.findings[project_start:]
            refs, pinned = slots_of(own, summaries)
            cache.keep_outcome(outcome_key, own, found_coverage, digests, refs, pinned)
    else:
        found_coverage = outcome[1]  # type: ignore[assignment]

    if cache is not None:
        # Before suppressions are applied: they mark what each comment was used for.
        cache.save(fresh_entries, keep_others=options.paths is not None)
    findings = collector.findings
    suppressed = 0
    if options.inline_ignores:
        findings, suppressed = _apply_suppressions(
            project, findings, suppressions, set(files), selection, today, changes
        )
    findings = _with_fingerprints(findings)
    findings.sort(key=Finding.sort_key)
    result = LintResult(findings, files, fail_on, suppressed, options.since, list(walk.notes))
    result.notes.extend(alerts.notes)

    if cache is not None:
        result.cache = cache
        result.notes.extend(cache.notes)
    if options.keep_loaded:
        result.loaded = LoadedProject(project, found_files.teams, kept, list(walk.notes))
    if not found_files.paths:
        where = ", ".join(walk.display(p) for p in found_files.roots)
        result.notes.append(
            f"no runbooks yet in {where}: `rollbook new KEY` starts one for a feature, "
            "with its flag filled in"
        )
    result.coverage = found_coverage
    if changes is not None:
        checked_features = (
            len(feature_filter) if feature_filter is not None else len({f.key for f in features})
        )
        result.notes.append(
            f"only what changed since {options.since} "
            f"({changes.base[:12]}): {len(files)} runbook file"
            f"{'s' if len(files) != 1 else ''} and the coverage of {checked_features} "
            f"feature{'s' if checked_features != 1 else ''}"
            f"{' (all: a runbook was deleted)' if feature_filter is None else ''}"
        )
    return result


def _check_page_ids(items: list[_Scanned], page_ids: DuplicateIds) -> None:
    """Which file keeps each id among valid runbooks, as the scan loop decides it for files
    whose summaries it read: a later valid runbook with a taken id gets RB009 in its problems.
    Only such a file's summary is read (for where its id is written); CacheUnreadable as
    :meth:`_Scanned.take_summary`."""
    for item in items:
        loaded = item.loaded
        listed = loaded.listed if loaded is not None else None
        if loaded is None or listed is None:
            continue
        if not page_ids.taken(listed.id) and item.found is not None:
            # Taken from the cache, its summary still pickled: a valid runbook has one.
            page_ids.check(listed.id, item.display, Location(item.display))
            continue
        summary = item.take_summary()
        if summary is not None:
            taken = page_ids.check(listed.id, item.display, summary.id_location)
            if taken is not None:
                loaded.problems.append(taken)


def _planned_features(
    project: Project, config_path: str, walk: FolderWalk, cache: LintCache
) -> PlannedFeatures:
    """The sources' files, each read now or found in the cache (see :func:`_features`)."""
    assert cache.sources is not None
    try:
        specs = [
            parse_source_spec(table, f"{config_path}: sources[{index}]")
            for index, table in enumerate(project.config.sources)
        ]
        return plan_features(specs, project.root, walk, cache.sources)
    except SourceError as exc:
        raise ConfigError(exc.render()) from None


def _outcome_key(cache: LintCache, planned: PlannedFeatures, items: list[_Scanned]) -> str | None:
    """What the project-scope part of a run reads: every file's summary without its
    positions, in order, and the feature sources' files; None when one is not known (a file
    that cannot be read)."""
    features = planned.key
    if features is None or any(
        item.summary_digest is None or item.free_digest is None for item in items
    ):
        return None
    return run_key(cache.key, features, [(item.display, item.free_digest) for item in items])


def _placed(
    cache: LintCache, key: str, items: list[_Scanned], digests: list[str]
) -> tuple[list[Finding], Coverage | None] | None:
    """The project-scope findings and coverage the cache keeps for ``key``, each finding in
    a runbook file at the place that file's summary now gives its slot; None if the cache
    has none, or one that cannot be placed (then the rules run again).

    ``key`` leaves the positions out, so an edit that moves a file's lines (a line added
    at its top) keeps the outcome: only the files whose summaries changed (``digests``,
    each file's summary digest, against those the outcome was kept with) are read again,
    and their findings moved to the same slots of the new summaries. Where a kept finding
    of such a file has no slot (or an ambiguous one), nothing is moved: the rules run.
    """
    found = cache.outcome(key)
    if found is None:
        return None
    findings, coverage_found, kept_digests, refs, pinned = found
    if len(kept_digests) != len(items):
        return None
    changed = {
        item.display: item
        for item, old, new in zip(items, kept_digests, digests, strict=True)
        if old != new
    }
    if not changed:
        cache.project_reused = True
        return findings, coverage_found
    if not changed.keys().isdisjoint(pinned):
        return None
    slots: dict[str, list[Location | None]] = {}
    for display, item in changed.items():
        try:
            summary = item.take_summary()
        except CacheUnreadable:
            return None
        if summary is not None:
            slots[display] = summary.locations()
    placed = []
    for finding, ref in zip(findings, refs, strict=True):
        path = finding.location.path
        if path in changed:
            places = slots.get(path)
            if ref is None or places is None or ref >= len(places) or places[ref] is None:
                return None
            finding = dataclasses.replace(finding, location=places[ref])
        placed.append(finding)
    # Kept as placed now: the next run reads no summary again for these files.
    cache.keep_outcome(key, placed, coverage_found, digests, refs, pinned)
    cache.project_reused = True
    return placed, coverage_found


def slots_of(
    findings: list[Finding], summaries: list[RunbookSummary]
) -> tuple[list[int | None], list[str]]:
    """For each project-scope finding in a runbook file, the slot of that file's summary
    (:meth:`RunbookSummary.locations`) it is placed at (None for findings in other files),
    and the files with a finding that is at no slot, or at two (never moved: see
    :func:`_placed`)."""
    by_path = {summary.path: summary for summary in summaries}
    refs: list[int | None] = []
    pinned: set[str] = set()
    for finding in findings:
        path = finding.location.path
        summary = by_path.get(path)
        if summary is None:
            refs.append(None)
            continue
        places = summary.locations()
        matches = [index for index, place in enumerate(places) if place == finding.location]
        if len(matches) == 1:
            refs.append(matches[0])
        else:
            refs.append(None)
            pinned.add(path)
    return refs, sorted(pinned)


def _features(
    project: Project,
    config_path: str,
    walk: FolderWalk | None = None,
    cache: LintCache | None = None,
) -> list[Feature]:
    specs = []
    sources = cache.sources if cache is not None else None
    try:
        for index, table in enumerate(project.config.sources):
            specs.append(parse_source_spec(table, f"{config_path}: sources[{index}]"))
        return collect_features(specs, project.root, walk=walk, cache=sources) if specs else []
    except SourceError as exc:
        raise ConfigError(exc.render()) from None


def _read_later(
    project: Project, config_path: str, walk: FolderWalk, options: LintOptions
) -> ReadLater | None:
    """The sources' files, found now, to be read while the runbooks are checked; None when
    they must be read first.

    Which YAML files are not runbooks is known without reading the sources
    (:func:`not_runbooks`: every file a flag-file or feature-list source reads) unless a
    code source is configured (its features may be written in any file) or only some
    runbooks are checked. The run checks after reading them that no feature is written in
    a file it checked as a runbook (and runs again reading them first if one is).
    """
    if options.paths is not None or not project.config.sources:
        return None
    try:
        specs = [
            parse_source_spec(table, f"{config_path}: sources[{index}]")
            for index, table in enumerate(project.config.sources)
        ]
        if any(spec.kind == "code" for spec in specs):
            return None
        return find_source_files(specs, project.root, walk)
    except SourceError as exc:
        raise ConfigError(exc.render()) from None


def _read_sources(later: ReadLater, into: list[list[Feature]]) -> list[Feature]:
    try:
        features = later.load()
    except SourceError as exc:
        raise ConfigError(exc.render()) from None
    into.append(features)
    return features


def _excluded_all(project: Project, features: list[Feature], exclude: dict[Path, str]) -> bool:
    """Whether every YAML file a feature is written in was left out of the runbooks."""
    paths = {f.location.path for f in features}
    return all(
        (project.root / path).resolve() in exclude
        for path in paths
        if path.lower().endswith((".yaml", ".yml"))
    )


# What reading a flag file costs beside checking a runbook, per byte (measured at 10,000
# runbooks: 0.37 s and 0.32 s of CPU per MB), and what sending one checked runbook back to
# this process costs a worker, beside checking it (pickling it: a fiftieth).
_SOURCE_BYTE_COST = 1.15
_SEND_COST = 0.02


def _reading_cost(later: ReadLater, paths: list[Path]) -> float:
    """What reading the sources costs, in runbooks checked (for :func:`_scan_all`'s split)."""
    if not paths:
        return 0.0
    sample = paths[:: max(1, len(paths) // 32)]
    sizes = [_size(path) for path in sample]
    runbook = max(1.0, sum(sizes) / len(sizes))
    source = sum(_size(file) for _, files in later.files for file, _ in files)
    return source * _SOURCE_BYTE_COST / runbook


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _wanted(display: str, changes: Changes | None) -> bool:
    return changes is None or display in changes.changed


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return ""  # the loader has reported it already (RB007)


@dataclass
class _Scanned:
    """One runbook file after its own checks: what the cross-file part of a run needs."""

    display: str
    checked: bool
    findings: list[Finding]
    suppressions: list[Suppression]
    summary: RunbookSummary | None
    loaded: Loaded | None
    stored: bytes | None = None
    """With the cache and ``keep_loaded``: ``loaded``'s model and problems, pickled as the
    cache keeps them (a worker sends this instead of ``loaded``)."""
    found: Found | None = None
    """Taken from the cache with its summary still pickled (``summary`` is then None)."""
    summary_digest: str | None = None
    """With the cache: the digest of the summary as the cache keeps it."""
    free_digest: str | None = None
    """With the cache: the digest of the summary without its positions."""

    def take_summary(self) -> RunbookSummary | None:
        """The summary, read from the cache if it was left there (CacheUnreadable)."""
        if self.found is not None:
            self.summary = self.found.summary()
            self.found = None
        return self.summary


def _scan_all(
    paths: list[Path],
    scan: Callable[[Path], _Scanned],
    jobs: int,
    ship: Callable[[_Scanned], None] | None = None,
    unship: Callable[[_Scanned], None] | None = None,
    *,
    meanwhile: Callable[[], object] | None = None,
    extra: float | None = None,
) -> Iterator[_Scanned]:
    """``scan`` each path, in order; with ``jobs`` > 1, runs of paths go to forked workers.

    This process scans the first run itself, one file at a time, while the workers scan the
    others; each worker then hands back its results (pickled, documents dropped) in order.
    ``ship`` prepares a worker's result for the way back, ``unship`` undoes it here.
    ``meanwhile`` is more work for this process, done after its own run while the workers
    finish theirs; ``extra`` is what it costs, in files scanned: this process's run is
    shorter by that much, and by what taking the workers' results back costs.
    """
    jobs = max(1, min(jobs, len(paths) // 20 or 1)) if hasattr(os, "fork") else 1
    if jobs == 1:
        for path in paths:
            yield scan(path)
        if meanwhile is not None:
            meanwhile()
        return
    runs = _split(paths, jobs, extra)

    def scan_run(index: int) -> list[_Scanned]:
        results = []
        for path in runs[index]:
            item = scan(path)
            if item.loaded is not None:
                item.loaded.document = None
            if ship is not None:
                ship(item)
            results.append(item)
        return results

    # Built once here, before forking, rather than by every process when it first validates
    # a runbook (the models are built when first used: rollbook.model.runbook._Model).
    Runbook.model_rebuild()
    with forked(scan_run, range(1, len(runs)), name="lint", error=RuntimeError) as workers:
        for path in runs[0]:
            yield scan(path)
        if meanwhile is not None:
            meanwhile()
        for result in workers.results():
            for item in result:  # type: ignore[attr-defined]
                if unship is not None:
                    unship(item)
                yield item


def _split(paths: list[Path], jobs: int, extra: float | None) -> list[list[Path]]:
    """``paths`` in ``jobs`` runs of consecutive files, the first (this process's) shorter by
    its other work, ``extra`` (None: the runs are equal), and longer by what a worker spends
    sending its results: this process finishes its share as the workers finish theirs.

    Taking the workers' results back is not part of this process's share: it can only
    start once a worker is done (shortening the share by it would leave this process idle,
    waiting, for as long as it then takes).
    """
    if extra is None:
        size = -(-len(paths) // jobs)
        return [paths[i : i + size] for i in range(0, len(paths), size)]
    # This process: n0 + extra == each worker's (N - n0) / (jobs - 1) * (1 + send).
    total, others = len(paths), jobs - 1
    worker = (1 + _SEND_COST) / others
    first = (total * worker - extra) / (1 + worker)
    first = min(total, max(0, round(first)))
    size = -(-(total - first) // others)
    runs = [paths[:first]]
    runs += [paths[i : i + size] for i in range(first, total, size)]
    return runs


def _digest(path: Path) -> str | None:
    try:
        return file_digest(path.read_bytes())
    except OSError:
        return None


def _open_cache(
    project: Project,
    options: LintOptions,
    today: dt.date,
    config_path: str,
    alerts: AlertIndex,
) -> LintCache | None:
    """The lint cache for this run's key, or None when the configuration turns it off."""
    setting = project.config.cache_dir
    if setting is False:
        return None
    teams_path = project.teams_path
    try:
        teams = file_digest(teams_path.read_bytes())
    except OSError:
        teams = None
    key = run_key(
        sys.version_info[:2],
        project.config.model_dump_json(),
        config_path,
        sorted(options.select) if options.select is not None else None,
        sorted(options.ignore or []),
        options.inline_ignores,
        today.isoformat(),
        project.display(teams_path),
        teams,
        # A runbook's alert findings (RB307, RB310, RB311) read the alert rule files.
        [(f.path, _digest(project.root / f.path)) for f in alerts.files],
    )
    return LintCache.open(project.root / str(setting), key, models=options.keep_loaded)


def _scan_cached(
    found_files,
    scan: Callable[[Path], _Scanned],
    jobs: int,
    cache: LintCache,
    fresh: dict[tuple[str, str], tuple],
    keep_loaded: bool = False,
    deferred: bool = False,
) -> Iterator[_Scanned]:
    """Like :func:`_scan_all`, taking each file whose bytes the cache knows from the cache.

    Only the other files are scanned (in forked workers when there are many). Each file's
    entry goes into ``fresh``: what the cache holds after this run. With ``keep_loaded``, a
    file is taken from the cache only with its stored model, and every file scanned has its
    model stored. With ``deferred``, a file taken from the cache keeps its summary pickled
    (:meth:`_Scanned.take_summary` reads it when the project-scope rules must run).
    """
    plan: list[tuple[Path, str, str | None, Found | None, Loaded | None]] = []
    misses: list[Path] = []
    display_of = _fast_display(found_files)
    for path in found_files.paths:
        display = display_of(path)
        # None if unreadable: the loader says why (RB007); never cached.
        digest = cache.digest(path, display)
        hit = cache.get(display, digest) if digest is not None else None
        kept = None
        if hit is not None and keep_loaded:
            kept = cache.kept(path, display, digest, hit.entry[2])  # type: ignore[arg-type]
            if kept is None:
                hit = None
                cache.hits -= 1
        plan.append((path, display, digest, hit, kept))
        if hit is None:
            misses.append(path)
    ship = unship = None
    if keep_loaded:
        ship, unship = _ship_stored, _unship_stored
    checked = _scan_all(misses, scan, jobs, ship, unship)
    for path, display, digest, hit, kept in plan:
        if hit is not None:
            findings, sups, _ = hit.entry
            item = _Scanned(display, True, findings, sups, None, kept, found=hit)
            item.summary_digest = hit.summary_digest
            item.free_digest = hit.position_free_digest
            if not deferred:
                try:
                    item.take_summary()
                except CacheUnreadable:
                    hit = None  # checked again below, as a miss
                    cache.hits -= 1
            if hit is not None:
                fresh[(display, digest)] = hit.stored  # type: ignore[index]
                yield item
                continue
            item = scan(path)
        else:
            item = next(checked)
        cache.rechecked += 1
        model_digest = value = None
        if keep_loaded and item.loaded is not None:
            if item.stored is None:
                item.stored = encode_stored(item.loaded.model, item.loaded.problems)
            value = stored_value(item.stored, item.loaded)
            model_digest = item.loaded.stored_digest = stored_digest(value)
        entry = encode_entry((item.findings, item.suppressions, model_digest), item.summary)
        item.summary_digest, item.free_digest = entry[4], entry[5]
        if digest is not None:
            # Stored only if the file did not change while it was checked: the entry must
            # be what these bytes give.
            try:
                same = file_digest(path.read_bytes()) == digest
            except OSError:
                same = False
            if same:
                if value is not None:
                    cache.fresh_models[(display, digest)] = value
                fresh[(display, digest)] = entry
        item.stored = None
        yield item


def _fast_display(found_files) -> Callable[[Path], str]:
    """``found_files.display``, for the paths found under the project root without pathlib's
    ``relative_to`` (a tenth of a warm run at 10,000 files): the rest of the path string."""
    root = str(found_files.project.root.resolve())
    prefix = root + "/" if os.sep == "/" and not root.endswith("/") else None

    def display(path: Path) -> str:
        text = str(path)
        if prefix is not None and text.startswith(prefix) and path.is_absolute():
            return text[len(prefix) :]
        return found_files.display(path)

    return display


def _ship_stored(item: _Scanned) -> None:
    """In a worker: the loaded file goes back pickled as the cache keeps it, once."""
    if item.loaded is not None:
        item.stored = encode_stored(item.loaded.model, item.loaded.problems)
        item.loaded = dataclasses.replace(item.loaded, model=None, problems=[])


def _unship_stored(item: _Scanned) -> None:
    """Here: the loaded file a worker sent, read back from its stored form."""
    if item.loaded is not None and item.stored is not None:
        found = decode_stored(item.stored)
        if found is None:  # cannot happen for what a worker of this run wrote
            raise RuntimeError(f"{item.display}: a lint worker's result did not read back")
        item.loaded.model, item.loaded.problems = found


# Loader problems that a FILL IN placeholder on the same line already explains.
_UNFINISHED_VALUE = frozenset(
    {Code.WRONG_TYPE, Code.MISSING_FIELD, Code.INVALID_VALUE, Code.SILENT_YAML}
)


def _check_file(
    loaded: Loaded,
    text: str,
    display: str,
    collector: _Collector,
    runbook_rules: list[Rule],
    text_rules: list[Rule],
    selection: Selection,
    config,
    today: dt.date,
    teams: TeamsFile | None,
    alerts: AlertIndex | None = None,
) -> None:
    placeholder_lines: set[int] = set()
    for item in text_rules:
        for hit in item.run(text, display):
            collector.hit(item, hit, display, None)
            if item.code == "RB803" and hit.location is not None:
                placeholder_lines.add(hit.location.line)
    if placeholder_lines and not selection.enabled_for("RB803", display):
        placeholder_lines = set()
    for problem in loaded.problems:
        # An empty or unfinished value next to a FILL IN comment is one mistake, reported once
        # (RB803). Anything else on that line (a hidden character, a syntax error) still is.
        if problem.location.line in placeholder_lines and problem.code in _UNFINISHED_VALUE:
            continue
        collector.problem(problem)
    runbook = loaded.runbook
    if runbook is None or loaded.document is None:
        return
    ctx = RunbookContext(runbook, loaded.document, config, today, teams, alerts)
    locate = loaded.document.locate
    for item in runbook_rules:
        for hit in item.run(ctx):
            collector.hit(item, hit, display, locate)


def _summarise(loaded: Loaded, display: str, checked: bool) -> RunbookSummary | None:
    doc = loaded.document
    if doc is None or not isinstance(doc.data, dict):
        return None
    # Read from the document, valid or not: an invalid runbook still covers its feature, so a
    # typo elsewhere in it must not also produce "feature without runbook" noise. Its values
    # are taken only where they have the right type.
    data = doc.data
    ident = data.get("id")
    if not isinstance(ident, str):
        return None
    flags_data = data.get("flags")
    flags = tuple(
        _flag_summary(doc, i, f)
        for i, f in enumerate(flags_data if isinstance(flags_data, list) else [])
        if isinstance(f, dict) and isinstance(f.get("key"), str)
    )
    runbook = loaded.runbook
    if runbook is not None:
        deployable = runbook.deployable
        rollback = runbook.rollback
        has_rollback = rollback is not None and bool(rollback.steps)
        kill_switch = rollback.kill_switch if rollback is not None else None
    else:
        deployable = data.get("deployable") not in (False, "false", "no", "off", "n")
        rollback_data = data.get("rollback")
        steps = rollback_data.get("steps") if isinstance(rollback_data, dict) else None
        has_rollback = isinstance(steps, list) and bool(steps)
        raw_switch = rollback_data.get("kill_switch") if isinstance(rollback_data, dict) else None
        kill_switch = raw_switch if isinstance(raw_switch, str) else None
    return RunbookSummary(
        ident,
        display,
        doc.locate(("id",)),
        flags,
        deployable,
        checked,
        has_rollback=has_rollback,
        deployable_location=doc.locate(("deployable",)) if "deployable" in data else None,
        kill_switch=kill_switch,
        kill_switch_location=doc.locate(("rollback", "kill_switch")) if kill_switch else None,
        **_rollout_summary(runbook, doc),
    )


def _rollout_summary(runbook: Runbook | None, doc) -> dict:
    """The rollout plan's stage percentages and where it is written (valid runbooks only)."""
    if runbook is None or runbook.rollout is None:
        return {}
    return {
        "stage_percents": tuple(stage.percent for stage in runbook.rollout.stages),
        "rollout_location": doc.locate(("rollout",), key=True),
    }


def _flag_summary(doc, index: int, flag: dict) -> FlagSummary:
    """One flag of a runbook document; values that are not scalars are left out."""

    def scalar(name: str) -> object:
        value = flag.get(name)
        return value if isinstance(value, bool | int | float | str) else NOT_GIVEN

    def where(name: str) -> Location | None:
        return doc.locate(("flags", index, name)) if name in flag else None

    return FlagSummary(
        key=flag["key"],
        system=str(flag.get("system", "")),
        key_location=doc.locate(("flags", index, "key")),
        off=scalar("off"),
        on=scalar("on"),
        off_location=where("off"),
        on_location=where("on"),
        system_location=where("system"),
    )


def _apply_suppressions(
    project: Project,
    findings: list[Finding],
    suppressions: dict[str, list[Suppression]],
    checked: set[str],
    selection: Selection,
    today: dt.date,
    changes: Changes | None = None,
) -> tuple[list[Finding], int]:
    """Drop suppressed findings; add findings about the suppressions themselves.

    With ``changes`` (--since), a feature source is checked only for the features on its
    changed lines, so a suppression there whose target line did not change may have nothing
    to suppress in this run: it still applies, but is never reported unused; and one whose
    comment line did not change is not reported at all (it is not part of the change).
    """
    quiet: set[int] = set()
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for item in findings:
        by_path[item.path].append(item)
    # Feature sources (code, YAML flag files) may carry suppressions for RB101 findings.
    for path in by_path:
        if path not in suppressions and path not in checked:
            file = project.root / path
            if file.is_file() and file.stat().st_size <= 4 * 1024 * 1024:
                found = parse_suppressions(_read_text(file), path)
                if changes is not None:
                    quiet.update(_out_of_scope(found, changes))
                if found:
                    suppressions[path] = found
    kept: list[Finding] = []
    suppressed = 0
    extra = _Collector(selection)
    for path, items in by_path.items():
        sups = suppressions.get(path, [])
        if not sups:
            kept.extend(items)
            continue
        by_line: dict[int, list[Suppression]] = defaultdict(list)
        for sup in sups:
            by_line[sup.target_line].append(sup)
        for item in items:
            hit = next(
                (
                    s
                    for s in by_line.get(item.line, ())
                    if item.code in s.codes and not s.expired(today)
                ),
                None,
            )
            if hit is None:
                kept.append(item)
                continue
            hit.used.add(item.code)
            suppressed += 1
    for path, sups in suppressions.items():
        for sup in sups:
            if id(sup) in quiet:
                continue
            enabled = functools.partial(_enabled_in, selection, path)
            for code, hit in suppression_hits(sup, today, enabled):
                extra.add(code, path, hit.message, hit.location, "", hit.anchor)
    kept.extend(extra.findings)
    return kept, suppressed


def _out_of_scope(sups: list[Suppression], changes: Changes) -> Iterator[int]:
    """For --since, in a feature source: mark suppressions of unchanged lines as not judged.

    One whose target line did not change is marked used (what it covers was not checked in
    this run, so it cannot be called unused); the ids of those whose comment line did not
    change either are yielded, to be left out of the report.
    """
    for sup in sups:
        path = sup.location.path
        if not changes.touches(path, sup.target_line):
            sup.used.update(sup.codes)
            if not changes.touches(path, sup.location.line):
                yield id(sup)


def _enabled_in(selection: Selection, path: str, code: str) -> bool:
    return selection.enabled_for(code, path)


def _with_fingerprints(findings: Iterable[Finding]) -> list[Finding]:
    """Give each finding its fingerprint; identical anchors get an occurrence number."""
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    out = []
    for item in sorted(findings, key=Finding.sort_key):
        key = (item.code, item.path, item.anchor)
        occurrence = seen[key]
        seen[key] += 1
        out.append(
            Finding(
                item.code,
                item.name,
                item.severity,
                item.message,
                item.location,
                item.help,
                item.anchor,
                fingerprint(item.code, item.path, item.anchor, occurrence),
            )
        )
    return out


def _rules_by_scope(selection: Selection) -> tuple[list[Rule], list[Rule], list[Rule]]:
    """The rules ``selection`` enables: runbook-, text- and project-scope."""
    rules = [r for r in all_rules() if r.code in selection.enabled]
    return tuple([r for r in rules if r.scope == scope] for scope in ("runbook", "text", "project"))


def project_scope_codes() -> frozenset[str]:
    """The codes a run gives a runbook file from across the project (coverage, duplicate
    ids): :func:`check_runbook_file` cannot tell them."""
    codes = {str(r.code) for r in all_rules() if r.scope == "project"}
    codes.add(str(Code.DUPLICATE_RUNBOOK_ID))
    return frozenset(codes)


def check_runbook_file(
    project: Project,
    path: Path,
    display: str,
    teams: TeamsFile | None,
    *,
    alerts: AlertIndex | None = None,
    today: dt.date | None = None,
) -> tuple[Loaded, list[Finding]] | None:
    """One runbook file loaded, and its own findings as :func:`lint` reports them for it
    (sorted, with their fingerprints): its loader's problems and the runbook- and text-scope
    rules, under the project's rule selection. Not the project-scope rules (see
    :func:`project_scope_codes`): they need every runbook. The runbook is kept without its
    document, as ``keep_loaded`` keeps it.

    None when the file has inline suppression comments: what they hide, and whether one is
    unused, depends on the project-scope findings too.
    """
    config = project.config
    selection = build_selection(config, None, None)
    runbook_rules, text_rules, _ = _rules_by_scope(selection)
    loaded = load_runbook(path, display, teams)
    text = loaded.document.text if loaded.document else _read_text(path)
    if parse_suppressions(text, display):
        return None
    found = _Collector(selection)
    _check_file(
        loaded,
        text,
        display,
        found,
        runbook_rules,
        text_rules,
        selection,
        config,
        today or today_from_env(),
        teams,
        alerts if alerts is not None else load_alerts(project),
    )
    loaded.document = None
    return loaded, _with_fingerprints(found.findings)
