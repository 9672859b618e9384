"""The lint cache: each runbook file's own results, kept between runs, as ruff keeps its own.

A warm `rollbook lint` re-checks only the files whose bytes changed. What a file's own checks
give (its findings, its suppression comments and the small summary the coverage rules read)
depends on nothing but

- the file's bytes and its path as findings name it (the entry's key),
- rollbook itself (its version and, for an editable install, its source files' sizes and
  times), the configuration, the rule selection (``--select``/``--ignore``, inline ignores),
  the teams file's bytes and today's date (review and drill ages): the run's key.

An entry is used only when both keys match. Feature sources are not in either key: no
per-file check reads them; the project-scope rules (coverage, duplicate ids) read every
file's summary and run again on every run, cached or not, so they still see all files.

The cache lives in ``.rollbook-cache/`` under the project root (``cache-dir`` in the
configuration moves it; ``cache-dir = false`` or ``--no-cache`` turns it off). It is safe to
delete, holds a ``.gitignore`` of ``*`` so that git ignores it, is written to a temporary file
and renamed into place (a crashed run leaves the previous cache or none), and is read with
an unpickler that builds only rollbook's own result classes: a cache file that does not
read back exactly as written (truncated, from another version, planted in a pull request)
is ignored and the run is cold. A cache folder that cannot be written costs a note, never
the run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import rollbook
from rollbook.diagnostics import Location
from rollbook.lint.context import FlagSummary, RunbookSummary
from rollbook.lint.finding import Finding
from rollbook.lint.suppressions import Suppression

CACHE_FILE = "lint.pickle"
GITIGNORE = "# Created by rollbook: the lint cache, safe to delete.\n*\n"
# https://bford.info/cachedir/: backup tools skip the folder; rollbook knows it as its own.
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by rollbook.\n"
)
FORMAT = 2  # bump when the entry layout changes

# The only classes a cache file may build (besides plain containers, str, numbers).
_ALLOWED = {
    ("rollbook.lint.finding", "Finding"),
    ("rollbook.diagnostics", "Location"),
    ("rollbook.diagnostics", "Severity"),
    ("rollbook.lint.suppressions", "Suppression"),
    ("rollbook.lint.context", "RunbookSummary"),
    ("rollbook.lint.context", "FlagSummary"),
    ("datetime", "date"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
}


class CacheUnreadable(Exception):
    """The cache file is not one this version wrote: run cold."""


_RESOLVED: dict[tuple[str, str], object] = {}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        # Every entry is its own pickle, so this runs for each class in each entry: the
        # classes allowed are looked up once.
        found = _RESOLVED.get((module, name))
        if found is None:
            if (module, name) not in _ALLOWED:
                raise CacheUnreadable(f"{module}.{name} is not a lint result class")
            found = _RESOLVED[module, name] = super().find_class(module, name)
        return found


Entry = tuple[list[Finding], list[Suppression], RunbookSummary | None]
"""One file's own results: its findings, its suppression comments, its summary."""


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


@dataclass
class LintCache:
    """One run's view of the cache folder: entries read at the start, written at the end."""

    folder: Path
    key: str
    blobs: dict[tuple[str, str], bytes] = field(default_factory=dict)
    """The entries read, each still pickled: decoded when used, written back as read."""
    notes: list[str] = field(default_factory=list)
    hits: int = 0
    rechecked: int = 0

    @property
    def file(self) -> Path:
        return self.folder / CACHE_FILE

    @classmethod
    def open(cls, folder: Path, key: str) -> LintCache:
        """Read the cache written by an earlier run with the same key; empty otherwise."""
        cache = cls(folder, key)
        if not _ours(folder):
            cache.notes.append(
                f"lint cache not used: {folder} holds files that are not rollbook's "
                "(set `cache-dir` to a folder of its own)"
            )
            return cache
        try:
            data = cache.file.read_bytes()
        except FileNotFoundError:
            return cache
        except OSError as exc:
            cache.notes.append(f"lint cache {cache.file} not read ({exc.strerror}): ran cold")
            return cache
        # Another version's, another configuration's, or damaged: a cold run.
        with contextlib.suppress(CacheUnreadable):
            cache.blobs = _decode(data, key)
        return cache

    def get(self, display: str, digest: str) -> tuple[Entry, bytes] | None:
        """The entry of this file with these bytes, and its pickled form; None if none."""
        blob = self.blobs.get((display, digest))
        if blob is None:
            return None
        try:
            entry = _entry(_loads(blob))
        except Exception:  # a damaged entry is a miss, never trusted
            return None
        self.hits += 1
        return entry, blob

    def save(self, entries: dict[tuple[str, str], bytes], keep_others: bool) -> None:
        """Write ``entries`` (each pickled), with the old ones too if ``keep_others``.

        ``keep_others`` is for a run over some of the files only: the others' entries stay.
        """
        if keep_others:
            entries = {**self.blobs, **entries}
        elif entries.keys() == self.blobs.keys() and self.rechecked == 0:
            return  # nothing changed: leave the file as it is
        if not _ours(self.folder):
            return  # said when it was opened
        payload = pickle.dumps((FORMAT, self.key, entries), protocol=5)
        tmp = self.file.with_name(f".{CACHE_FILE}.tmp{os.getpid()}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, text in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
                if not (self.folder / name).exists():
                    (self.folder / name).write_text(text, encoding="utf-8")
            tmp.write_bytes(payload)
            tmp.replace(self.file)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.notes.append(
                f"lint cache not written to {self.folder} ({reason}); "
                "the next run will check every file again"
            )
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


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


class _Pickler(pickle.Pickler):
    """Writes rollbook's dataclasses as calls of their constructors with their fields.

    Reading them back then builds each with one call, about twice as fast as the default
    (an empty object and then ``__setstate__``, which looks the fields up every time) on
    the hundreds of thousands of findings and locations of a warm run.
    """

    def reducer_override(self, obj: object) -> object:
        names = _FIELDS.get(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple(getattr(obj, name) for name in names)


_FIELDS = {
    cls: tuple(f.name for f in dataclasses.fields(cls) if f.init)
    for cls in (Finding, Location, Suppression, RunbookSummary, FlagSummary)
}


def encode_entry(entry: Entry) -> bytes:
    out = io.BytesIO()
    _Pickler(out, protocol=5).dump(entry)
    return out.getvalue()


def _decode(data: bytes, key: str) -> dict[tuple[str, str], bytes]:
    """The pickled entries of a cache file written with ``key``, or CacheUnreadable."""
    try:
        outer = _loads(data)
        if not (isinstance(outer, tuple) and len(outer) == 3):
            raise CacheUnreadable("not a cache file")
        fmt, file_key, raw = outer
        if fmt != FORMAT or file_key != key or not isinstance(raw, dict):
            raise CacheUnreadable("another version or configuration")
        for name, blob in raw.items():
            if not (
                isinstance(name, tuple)
                and len(name) == 2
                and all(isinstance(p, str) for p in name)
                and isinstance(blob, bytes)
            ):
                raise CacheUnreadable("damaged entry")
        return raw
    except CacheUnreadable:
        raise
    except Exception as exc:  # any damage means: do not trust it
        raise CacheUnreadable(str(exc)) from None


def _loads(data: bytes) -> object:
    return _Unpickler(io.BytesIO(data)).load()


def _entry(value: object) -> Entry:
    if not (isinstance(value, tuple) and len(value) == 3):
        raise CacheUnreadable("damaged entry")
    findings, sups, summary = value
    if not (
        isinstance(findings, list)
        and all(isinstance(f, Finding) for f in findings)
        and isinstance(sups, list)
        and all(isinstance(s, Suppression) for s in sups)
        and (summary is None or isinstance(summary, RunbookSummary))
    ):
        raise CacheUnreadable("damaged entry")
    return findings, sups, summary
