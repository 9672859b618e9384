"""The lint cache: each runbook file's own results, kept between runs, as ruff keeps its own.

A warm `rollbook lint` re-checks only the files whose bytes changed. What a file's own checks
give (its findings, its suppression comments and the small summary the coverage rules read)
depends on nothing but

- the file's bytes and its path as findings name it (the entry's key),
- rollbook itself (its version and, for an editable install, its source files' sizes and
  times), the configuration, the rule selection (``--select``/``--ignore``, inline ignores),
  the teams file's bytes, the alert rule files' bytes and today's date (review and drill
  ages): the run's key.

An entry is used only when both keys match. The project-scope rules (coverage, duplicate ids)
read every file's summary and run again on every run, cached or not, so they still see all
files. Beside the entries (``lint.pickle``) the folder holds

- ``sources.pickle``: each feature source file's features, by the file's bytes, its name and
  the source's settings (:mod:`rollbook.sources.cache`), under rollbook's version only: a
  warm run parses no flag file and scans no code file that did not change;
- ``models.pickle``: for `rollbook build`, each runbook file as loaded (its model and its
  problems, without YAML positions), by the same key as its lint entry, which holds the
  digest of the stored model: an incremental build loads and validates only the files that
  changed, and a stored model that is not byte for byte the one its entry names is a miss;
  beside each valid runbook's, where the site lists it (:func:`stored_value`), so that a
  build reads back only the models it needs;
- ``project.pickle``: the last run's project-scope findings and coverage, under a key of
  every file's summary without its positions and every feature source file: a run whose
  summaries and sources say all the same (an edit to a runbook's wording, or one that moves
  its lines) decodes neither; the findings in a file whose summary moved are put at the
  same slots of its new summary (each finding's slot is kept with it).

A file's digest (a runbook's, or a feature source file's) is taken again only if its size,
modification time or inode differ from those recorded when it was last hashed, or if it was
written within two seconds of the run that recorded them (an edit in the same tick of a
coarse clock keeps the time), as git treats "racily clean" files; the digest, never the
time, is what entries are keyed by.

The cache lives in ``.rollbook-cache/`` under the project root (``cache-dir`` in the
configuration moves it; ``cache-dir = false`` or ``--no-cache`` turns it off, for `rollbook
build` too). It is safe to delete, holds a ``.gitignore`` of ``*`` so that git ignores it, is
written to temporary files renamed into place (a crashed run leaves the previous cache or
none), and is never trusted across versions of rollbook (every file's key holds rollbook's
version and source fingerprint). Every file is read with :mod:`rollbook.safe_pickle`, which
builds only rollbook's own result and model classes: a cache file that does not read back
exactly as written (truncated, from another version, planted in a pull request) is ignored
and the run is cold; an entry that does not is a miss. A cache folder that cannot be written
costs a note, never the run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from pathlib import Path

import rollbook
from rollbook import safe_pickle
from rollbook.diagnostics import Location, Problem, Severity
from rollbook.lint.context import FlagSummary, RunbookSummary
from rollbook.lint.finding import Finding
from rollbook.lint.suppressions import Suppression
from rollbook.load.runbooks import KeptRunbook, Listed, Loaded
from rollbook.sources.cache import FeatureCache

CACHE_FILE = "lint.pickle"
SOURCES_FILE = "sources.pickle"
MODELS_FILE = "models.pickle"
PROJECT_FILE = "project.pickle"
GITIGNORE = "# Created by rollbook: the lint cache, safe to delete.\n*\n"
# https://bford.info/cachedir/: backup tools skip the folder; rollbook knows it as its own.
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by rollbook.\n"
)
FORMAT = 4  # bump when the layout of an entry or a file changes

# The only classes a lint entry may build (besides plain containers, text, numbers).
_ALLOWED = safe_pickle.Allowed(
    [Finding, Location, Severity, Suppression, RunbookSummary, FlagSummary, date]
)
_FIELDS = safe_pickle.constructor_fields(
    Finding, Location, Suppression, RunbookSummary, FlagSummary
)
_MODEL_FIELDS = safe_pickle.constructor_fields(Problem, Location)


class CacheUnreadable(Exception):
    """The cache file is not one this version wrote: run cold."""


Entry = tuple[list[Finding], list[Suppression], str | None]
"""One file's own results: its findings, its suppression comments, and the digest of its
stored model (None when no build stored one). Its summary is kept apart (:class:`Found`)."""

Stored_entry = tuple[tuple, bytes | None, str | None, bytes, str, str]
"""An entry as the cache file holds it, in plain values that the cache file's one read
builds without a class: the findings as tuples (:func:`_finding_tuple`), the suppression
comments pickled (None when there are none, as in most files), the stored model's digest,
the summary pickled, the summary's digest, and the digest of the summary without its
positions (:meth:`RunbookSummary.without_positions`: what the project-scope part of a run
is keyed by; the positions are put back slot for slot)."""


@dataclass
class Found:
    """A file's entry found in the cache: its own results, and its summary still pickled."""

    entry: Entry
    stored: Stored_entry

    @property
    def summary_digest(self) -> str:
        return self.stored[4]

    @property
    def position_free_digest(self) -> str:
        return self.stored[5]

    def summary(self) -> RunbookSummary | None:
        """The summary, read back (CacheUnreadable if it does not read back as one)."""
        try:
            value = safe_pickle.loads(self.stored[3], _ALLOWED)
        except safe_pickle.Refused as exc:
            raise CacheUnreadable(str(exc)) from None
        if not (value is None or isinstance(value, RunbookSummary)):
            raise CacheUnreadable("damaged summary")
        return value


Outcome = tuple[list[Finding], object, list[str], list[int | None], list[str]]
"""The project-scope part of an earlier run: its findings and coverage, every file's summary
digest then (in order), the slot of each finding in its runbook's summary (None for findings
in other files), and the files with a finding at no slot."""

Stored = tuple[object, list[Problem]]
"""One runbook file as `rollbook build` keeps it: its model (None if invalid), its problems."""


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def package_fingerprint() -> str:
    """rollbook's version and its installed source files (names, sizes, times).

    The version alone would trust a cache across edits of an editable install, where the
    version stays the same while the rules change.
    """
    root = Path(rollbook.__file__).parent
    digest = hashlib.sha256(rollbook.__version__.encode())
    for path in sorted(root.rglob("*.py")):
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def run_key(*parts: object) -> str:
    """One run's key from what every file's results depend on (see the module docstring)."""
    digest = hashlib.sha256(package_fingerprint().encode())
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def _model_classes() -> list[type]:
    """What a stored runbook may be built of: rollbook's model classes and their values."""
    from pydantic import BaseModel

    from rollbook.model import phones
    from rollbook.model import runbook as model

    found: list[type] = [Problem, Location, Severity, date, datetime, timedelta, timezone]
    for module in (model, phones):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and (issubclass(value, BaseModel | Enum) or value is phones.PhoneNumber)
            ):
                found.append(value)
    return found


@dataclass
class LintCache:
    """One run's view of the cache folder: entries read at the start, written at the end."""

    folder: Path
    key: str
    blobs: dict[tuple[str, str], Stored_entry] = field(default_factory=dict, repr=False)
    """The entries read, each still pickled: decoded when used, written back as read."""
    notes: list[str] = field(default_factory=list)
    hits: int = 0
    rechecked: int = 0
    sources: FeatureCache | None = None
    """Feature source files' features (None when the folder is not rollbook's)."""
    models: dict[tuple[str, str], tuple] | None = field(default=None, repr=False)
    """Stored runbook models, read by :meth:`open` only when asked for (`rollbook build`):
    :func:`stored_value`'s, by file and digest."""
    fresh_models: dict[tuple[str, str], tuple] = field(default_factory=dict, repr=False)
    """The stored models this run's files have: what ``models.pickle`` holds after it."""
    usable: bool = True
    stats: dict[str, tuple[int, int, int, str]] = field(default_factory=dict, repr=False)
    """Each file's size, time and inode when its digest was taken, and the digest."""
    fresh_stats: dict[str, tuple[int, int, int, str]] = field(default_factory=dict, repr=False)
    hashed: int = 0
    """Files read to know their digest (the others' size, time and inode were as recorded)."""
    started_ns: int = field(default_factory=time.time_ns)
    stats_before_ns: int = 0
    """Stats taken earlier than this (the last run's start, less a margin) are trusted."""
    project_reused: bool = False
    """Whether the project-scope findings and coverage came from the cache (:meth:`outcome`,
    placed again by the engine)."""

    @property
    def file(self) -> Path:
        return self.folder / CACHE_FILE

    @classmethod
    def open(cls, folder: Path, key: str, *, models: bool = False) -> LintCache:
        """Read the cache written by an earlier run with the same key; empty otherwise.

        ``models``: read the stored runbook models too (a build keeps what it loaded).
        """
        cache = cls(folder, key)
        if not _ours(folder):
            cache.usable = False
            cache.notes.append(
                f"lint cache not used: {folder} holds files that are not rollbook's "
                "(set `cache-dir` to a folder of its own)"
            )
            return cache
        cache.blobs = cache._read(CACHE_FILE, key)
        cache._read_stats(cache.blobs.pop(_STATS, None))
        # A feature source file is hashed again only if its size, time or inode changed.
        cache.sources = FeatureCache(cache._read(SOURCES_FILE, _sources_key()), digest=cache.digest)
        if models:
            cache.models = cache._read(MODELS_FILE, key)
        return cache

    def _read(self, name: str, key: str) -> dict:
        try:
            data = (self.folder / name).read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            where = self.folder / name
            self.notes.append(f"lint cache {where} not read ({exc.strerror}): ran cold")
            return {}
        # Another version's, another configuration's, or damaged: a cold run.
        try:
            return _decode(data, key)
        except CacheUnreadable:
            return {}

    def _read_stats(self, blob: object) -> None:
        try:
            value = safe_pickle.loads(blob, _NOTHING) if isinstance(blob, bytes) else None
        except safe_pickle.Refused:
            return
        if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict)):
            return
        started, stats = value
        if isinstance(started, int):
            self.stats_before_ns = started - _RACY_NS
            self.stats = stats

    def digest(self, path: Path, display: str) -> str | None:
        """The digest of ``path``'s bytes: the one recorded if its size, time and inode are
        those recorded when it was taken (a while before that run, so that an edit within
        the same tick of the clock cannot hide), else read and hashed; None if unreadable.
        """
        try:
            st = os.stat(path)
        except OSError:
            return None
        stat = (st.st_size, st.st_mtime_ns, st.st_ino)
        known = self.stats.get(display)
        if (
            isinstance(known, tuple)
            and len(known) == 4
            and known[:3] == stat
            and stat[1] < self.stats_before_ns
            and isinstance(known[3], str)
        ):
            self.fresh_stats[display] = known
            return known[3]
        try:
            digest = file_digest(path.read_bytes())
        except OSError:
            return None
        self.hashed += 1
        self.fresh_stats[display] = (*stat, digest)
        return digest

    def get(self, display: str, digest: str) -> Found | None:
        """The entry of this file with these bytes; None if none."""
        stored = self.blobs.get((display, digest))
        try:
            entry = _entry(stored)
        except Exception:  # a damaged entry is a miss, never trusted
            return None
        self.hits += 1
        return Found(entry, stored)

    def outcome(self, key: str) -> Outcome | None:
        """The project-scope findings and coverage of an earlier run whose project-scope
        inputs (every file's summary without its positions, every feature source file, the
        run's key) were ``key``, with what places them again (see :data:`Outcome`); None if
        the last run's were not."""
        stored = self._read(PROJECT_FILE, self.key).get(("outcome",))
        if not isinstance(stored, bytes):
            return None
        from rollbook.lint.registry import Hit
        from rollbook.lint.rules.coverage import Coverage, Gap
        from rollbook.sources.feature import Feature, Variant

        allowed = safe_pickle.Allowed(
            [Finding, Location, Severity, Coverage, Gap, Hit, Feature, Variant, date, datetime]
        )
        try:
            value = safe_pickle.loads(stored, allowed)
        except safe_pickle.Refused:
            return None
        if not (isinstance(value, tuple) and len(value) == 6 and value[0] == key):
            return None
        _, findings, coverage, digests, refs, pinned = value
        if not (
            isinstance(findings, list)
            and all(isinstance(f, Finding) for f in findings)
            and (coverage is None or isinstance(coverage, Coverage))
            and isinstance(digests, list)
            and all(type(d) is str for d in digests)
            and isinstance(refs, list)
            and len(refs) == len(findings)
            and all(r is None or (type(r) is int and r >= 0) for r in refs)
            and isinstance(pinned, list)
            and all(type(p) is str for p in pinned)
        ):
            return None
        return findings, coverage, digests, refs, pinned

    def keep_outcome(
        self,
        key: str,
        findings: list[Finding],
        coverage: object,
        digests: list[str],
        refs: list[int | None],
        pinned: list[str],
    ) -> None:
        """Keep the project-scope part of this run for the next (see :meth:`outcome`)."""
        if not self.usable:
            return
        from rollbook.lint.registry import Hit

        fields = safe_pickle.constructor_fields(Finding, Location, Hit)
        blob = safe_pickle.dumps((key, findings, coverage, digests, refs, pinned), fields)
        self._write(PROJECT_FILE, self.key, {("outcome",): blob})

    def kept(
        self, path: Path, display: str, digest: str, model_digest: str | None
    ) -> Loaded | None:
        """The file with these bytes as stored, if its stored model is the one its entry
        names: a valid runbook as a :class:`~rollbook.load.runbooks.KeptRunbook` (its model
        read back when first asked for), any other file read back now."""
        if self.models is None or model_digest is None:
            return None
        value = self.models.get((display, digest))
        if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], bytes)):
            return None
        if stored_digest(value) != model_digest:
            return None
        blob, shown = value
        if shown is None:
            found = decode_stored(blob)
            if found is None:
                return None
            loaded = Loaded(path, display, found[0], None, found[1], model_digest)
        else:
            listed = _listed(shown)
            if listed is None:
                return None
            loaded = KeptRunbook(
                path, display, listed, lambda: _kept_model(blob, display), [], model_digest
            )
        self.fresh_models[(display, digest)] = value
        return loaded

    def forget(self) -> None:
        """Remove the entries file: something in it did not read back as written."""
        with contextlib.suppress(OSError):
            self.file.unlink(missing_ok=True)

    def save(self, entries: dict[tuple[str, str], Stored_entry], keep_others: bool) -> None:
        """Write ``entries`` (each pickled), with the old ones too if ``keep_others``.

        ``keep_others`` is for a run over some of the files only: the others' entries stay.
        The feature sources' store and (when read) the stored models are written too.
        """
        if not self.usable:
            return  # said when it was opened
        if keep_others:
            entries = {**self.blobs, **entries}
        writes: list[tuple[str, str, dict]] = []
        stats = self.fresh_stats
        if keep_others:
            stats = {**self.stats, **stats}
        if not (
            entries.keys() == self.blobs.keys() and self.rechecked == 0 and stats == self.stats
        ):
            stored = safe_pickle.dumps((self.started_ns, stats), {})
            writes.append((CACHE_FILE, self.key, {**entries, _STATS: stored}))
        sources = self.sources
        if sources is not None and sources.fresh.keys() != sources.blobs.keys():
            writes.append((SOURCES_FILE, _sources_key(), sources.fresh))
        if self.models is not None:
            models = self.fresh_models
            if keep_others:
                models = {**self.models, **models}
            old = self.models
            if models.keys() != old.keys() or any(old[k] is not v for k, v in models.items()):
                writes.append((MODELS_FILE, self.key, models))
        for name, key, blobs in writes:
            if not self._write(name, key, blobs):
                break

    def _write(self, name: str, key: str, entries: dict) -> bool:
        payload = pickle.dumps((FORMAT, key, entries), protocol=5)
        target = self.folder / name
        tmp = target.with_name(f".{name}.tmp{os.getpid()}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for other, text in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
                if not (self.folder / other).exists():
                    (self.folder / other).write_text(text, encoding="utf-8")
            tmp.write_bytes(payload)
            tmp.replace(target)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.notes.append(
                f"lint cache not written to {self.folder} ({reason}); "
                "the next run will check every file again"
            )
            return False
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        return True


_STATS = ("stat",)  # the entry of the entries file that holds the files' stats
_RACY_NS = 2_000_000_000  # file times within two seconds of a run may hide a later edit
_NOTHING = safe_pickle.Allowed([])


def _sources_key() -> str:
    return run_key("feature sources")


def _ours(folder: Path) -> bool:
    """Whether rollbook may write in ``folder``: missing, empty, or tagged as its cache.

    A `cache-dir` pointed at the project root or a runbook folder must never get a
    ``.gitignore`` of ``*`` that would hide the user's files from git.
    """
    try:
        if (folder / "CACHEDIR.TAG").is_file():
            return True
        return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))
    except OSError:
        return False


def encode_entry(entry: Entry, summary: RunbookSummary | None) -> Stored_entry:
    """A file's entry as the cache file holds it (see :data:`Stored_entry`)."""
    findings, sups, model_digest = entry
    pickled = safe_pickle.dumps(summary, _FIELDS)
    return (
        tuple(_finding_tuple(f) for f in findings),
        safe_pickle.dumps(sups, _FIELDS) if sups else None,
        model_digest,
        pickled,
        file_digest(pickled),
        position_free_digest(summary),
    )


def position_free_digest(summary: RunbookSummary | None) -> str:
    """The digest of what ``summary`` says but where (see :data:`Stored_entry`)."""
    value = None if summary is None else summary.without_positions()
    return file_digest(repr(value).encode("utf-8", "surrogatepass"))


def _finding_tuple(f: Finding) -> tuple:
    where = f.location
    return (
        str(f.code),
        f.name,
        f.severity.value,
        f.message,
        where.path,
        where.line,
        where.column,
        f.help,
        f.anchor,
        f.fingerprint,
    )


_SEVERITIES = {s.value: s for s in Severity}


def encode_stored(model: object, problems: list[Problem]) -> bytes:
    """One loaded runbook file (its model and problems) as ``models.pickle`` keeps it."""
    return safe_pickle.dumps((model, problems), _MODEL_FIELDS)


def stored_value(blob: bytes, loaded: Loaded) -> tuple[bytes, tuple | None]:
    """What ``models.pickle`` holds of a runbook file: its model and problems as
    :func:`encode_stored` wrote them (``blob``), and, for a valid runbook without problems,
    where the site lists it in plain values (:class:`~rollbook.load.runbooks.Listed`),
    which a build reads without the model."""
    listed = None if loaded.problems else loaded.listed
    return blob, None if listed is None else dataclasses.astuple(listed)


def stored_digest(value: tuple[bytes, tuple | None]) -> str:
    """The digest of :func:`stored_value`'s value: what the file's lint entry names (and
    what stands for the model and problems in the build's keys)."""
    blob, shown = value
    digest = hashlib.sha256(len(blob).to_bytes(8, "big") + blob)
    digest.update(repr(shown).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _listed(value: object) -> Listed | None:
    """A stored :class:`Listed` read back, or None if it is not exactly one (a miss)."""
    from rollbook.model.runbook import RISK_LEVELS

    if not (isinstance(value, tuple) and len(value) == 5):
        return None
    ident, title, owner, tags, risk = value
    if not (
        type(ident) is str
        and type(title) is str
        and type(owner) is str
        and type(tags) is tuple
        and all(type(tag) is str for tag in tags)
        and risk in RISK_LEVELS
    ):
        return None
    return Listed(ident, title, owner, tags, risk)


def _kept_model(blob: bytes, display: str) -> object:
    """The model of a :class:`KeptRunbook`, read back from the blob its entry names."""
    found = decode_stored(blob)
    if found is None or found[0] is None:
        # Its digest was checked when it was found: only a bug in rollbook comes here.
        raise RuntimeError(
            f"{display}: the lint cache's copy of this runbook does not read back; delete "
            "the cache folder (.rollbook-cache) and build again"
        )
    return found[0]


_MODELS_ALLOWED: safe_pickle.Allowed | None = None


def decode_stored(blob: bytes) -> Stored | None:
    """A stored runbook file read back, or None if it is not exactly one (a miss)."""
    global _MODELS_ALLOWED
    if _MODELS_ALLOWED is None:
        _MODELS_ALLOWED = safe_pickle.Allowed(_model_classes())
    from rollbook.model.runbook import Runbook

    try:
        value = safe_pickle.loads(blob, _MODELS_ALLOWED)
    except safe_pickle.Refused:
        return None
    if not (isinstance(value, tuple) and len(value) == 2):
        return None
    model, problems = value
    if not (model is None or type(model) is Runbook):
        return None
    if not (isinstance(problems, list) and all(type(p) is Problem for p in problems)):
        return None
    return model, problems


def _decode(data: bytes, key: str) -> dict[tuple, bytes]:
    """The pickled entries of a cache file written with ``key``, or CacheUnreadable."""
    try:
        outer = safe_pickle.loads(data, _NOTHING)  # plain values only, at every level
    except safe_pickle.Refused as exc:
        raise CacheUnreadable(str(exc)) from None
    if not (isinstance(outer, tuple) and len(outer) == 3):
        raise CacheUnreadable("not a cache file")
    fmt, file_key, raw = outer
    if fmt != FORMAT or file_key != key or not isinstance(raw, dict):
        raise CacheUnreadable("another version or configuration")
    for name, blob in raw.items():
        if not (
            isinstance(name, tuple)
            and all(isinstance(p, str) for p in name)
            and isinstance(blob, bytes | tuple)
        ):
            raise CacheUnreadable("damaged entry")
    return raw


def _entry(value: object) -> Entry:
    """A stored entry's findings, suppressions and model digest; CacheUnreadable unless it
    is exactly what :func:`encode_entry` writes."""
    if not (isinstance(value, tuple) and len(value) == 6):
        raise CacheUnreadable("damaged entry")
    raw, sups_blob, model_digest, summary, summary_digest, free_digest = value
    if not (
        isinstance(raw, tuple)
        and (sups_blob is None or isinstance(sups_blob, bytes))
        and (model_digest is None or isinstance(model_digest, str))
        and isinstance(summary, bytes)
        and isinstance(summary_digest, str)
        and isinstance(free_digest, str)
    ):
        raise CacheUnreadable("damaged entry")
    findings = []
    for item in raw:
        code, name, severity, message, path, line, column, help_, anchor, mark = item
        if not (
            type(code) is str
            and type(name) is str
            and type(message) is str
            and type(path) is str
            and type(line) is int
            and type(column) is int
            and type(help_) is str
            and type(anchor) is str
            and type(mark) is str
        ):
            raise CacheUnreadable("damaged finding")
        findings.append(
            Finding(
                code,
                name,
                _SEVERITIES[severity],
                message,
                Location(path, line, column),
                help_,
                anchor,
                mark,
            )
        )
    sups: list = []
    if sups_blob is not None:
        sups = safe_pickle.loads(sups_blob, _ALLOWED)  # type: ignore[assignment]
        if not (isinstance(sups, list) and all(isinstance(x, Suppression) for x in sups)):
            raise CacheUnreadable("damaged suppressions")
    return findings, sups, model_digest
