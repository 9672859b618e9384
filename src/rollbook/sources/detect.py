"""Find the feature sources a repository already has, for `rollbook init`.

One walk over the repository (skipping what git ignores, ``.git``, ``node_modules`` and
``.venv``) looks at every file once; data files in test folders (``tests/``, ``fixtures/``,
``testdata/`` and the like) are test data, named in a note and not configured:

- flag files by their usual names (``*.flagd.json`` and the like), read as flagd;
- other JSON and YAML files that mention ``flags`` or ``features``, recognised by their shape:
  an OpenFeature CLI manifest (flags with a ``flagType``), a flagd file under another name
  (flags with ``variants``, ``defaultVariant`` or ``state``), an Unleash export (a
  ``features`` list of named toggles with strategies, an ``enabled`` state or a type);
- source files of the languages the ``code`` source knows, scanned with its built-in
  OpenFeature patterns.

A file that looks like a flag file but cannot be read is left out with a note, never guessed
at. What is found becomes ``[[sources]]`` tables: flag files by their exact paths, code as
one ``code`` source with a glob per file extension of the languages in use.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rollbook.sources import code, flagd, openfeature, unleash
from rollbook.sources.discovery import find_files, glob_regex
from rollbook.sources.documents import YAML_SUFFIXES, read_document
from rollbook.sources.feature import Feature, SourceError
from rollbook.walk import FolderWalk

MAX_BYTES = 4 * 1024 * 1024  # a flag file or source file larger than this is generated
_FLAGD_NAMES = [glob_regex(p) for p in flagd.DEFAULT_PATHS]
_DATA_SUFFIXES = (".json", *YAML_SUFFIXES)
# Flag files under folders like these are test data, not the flags a service is served.
TEST_FOLDERS = frozenset(
    {"test", "tests", "testdata", "test-data", "__tests__", "fixtures", "spec", "specs", "e2e"}
)
_UNLEASH_FIELDS = ("strategies", "enabled", "type", "project", "impressionData")
# Wildcard characters in a file's name, and a backslash (which sources read as a folder
# separator, for Windows paths), become ``?``: any one character but "/", so the glob still
# matches the file. (A bracketed "[[]" would do for "[", but Python warns of nested sets.)
_GLOB_MAGIC = str.maketrans({"*": "?", "?": "?", "[": "?", "\\": "?"})


@dataclass
class FoundSource:
    """One source to configure: its kind, the files or globs, and the features it declares."""

    kind: str
    paths: list[str]
    features: list[Feature]
    files: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    def table(self) -> dict[str, object]:
        """The ``[[sources]]`` table for the configuration."""
        out: dict[str, object] = {"kind": self.kind, "paths": self.paths}
        if self.languages:
            out["languages"] = self.languages
        return out

    def describe(self) -> str:
        """One line for the person running init: what was found, and where."""
        keys = len({f.key for f in self.features})
        flags = f"{keys} flag{'s' if keys != 1 else ''}"
        if self.kind == "code":
            langs = ", ".join(self.languages)
            files = len(self.files)
            return (
                f"code ({langs}): {flags} in {files} file{'s' if files != 1 else ''} calling "
                "OpenFeature"
            )
        return f"{self.kind}: {flags} in {', '.join(self.files)}"


@dataclass
class Detection:
    """Every source found, and notes on files that looked like flag files but were not read."""

    sources: list[FoundSource]
    notes: list[str]

    @property
    def keys(self) -> set[str]:
        return {f.key for s in self.sources for f in s.features}


def literal_glob(path: str) -> str:
    """A glob that matches ``path`` (its wildcard characters and backslashes as ``?``)."""
    return path.translate(_GLOB_MAGIC)


def detect_sources(root: Path, *, skip: tuple[Path, ...] = ()) -> Detection:
    """The feature sources in the repository at ``root`` (files under ``skip`` left out)."""
    walk = FolderWalk(root)
    files = find_files(root, ["**/*"], respect_gitignore=True, where="rollbook init", walk=walk)
    skipped = [p.resolve() for p in skip]
    by_kind: dict[str, dict[str, list[Feature]]] = defaultdict(dict)
    code_files: dict[str, dict[str, list[Feature]]] = defaultdict(dict)  # language -> files
    notes = list(walk.notes)
    test_data: list[str] = []
    suffixes = {s: lang for lang, (sfx, _) in code.LANGUAGES.items() for s in sfx}
    patterns = code.sdk_patterns(code.DEFAULT_LANGUAGES)
    for file, name in files:
        if skipped and any(file.resolve().is_relative_to(s) for s in skipped):
            continue
        try:
            if file.stat().st_size > MAX_BYTES:
                continue
        except OSError:
            continue
        suffix = file.suffix.lower()
        if suffix in suffixes:
            found = code.scan(file, name, patterns[suffix], ())
            if found:
                code_files[suffixes[suffix]][name] = found
            continue
        if TEST_FOLDERS.intersection(name.lower().split("/")[:-1]):
            if suffix in _DATA_SUFFIXES:
                test_data.append(name)
            continue
        if any(r.match(name) for r in _FLAGD_NAMES):
            try:
                by_kind["flagd"][name] = flagd.read(file, name)
            except SourceError as exc:
                notes.append(f"{name}: looks like a flagd file but was not read: {exc.message}")
            continue
        if suffix in _DATA_SUFFIXES:
            kind_features = _sniff(file, name)
            if kind_features is not None:
                by_kind[kind_features[0]][name] = kind_features[1]
    flag_like = [n for n in test_data if any(r.match(n) for r in _FLAGD_NAMES) or _sniff_name(n)]
    if flag_like:
        shown = ", ".join(flag_like[:3]) + (
            f" and {len(flag_like) - 3} more" if len(flag_like) > 3 else ""
        )
        notes.append(
            f"flag files in test folders were left out: {shown}; add them to `sources` if "
            "they declare real flags"
        )
    sources = [
        FoundSource(kind, [literal_glob(n) for n in found], _all(found), list(found))
        for kind in ("flagd", "openfeature", "unleash")
        if (found := by_kind.get(kind))
    ]
    if code_files:
        languages = sorted(code_files)
        names = sorted(n for lang in languages for n in code_files[lang])
        globs = [f"**/*{s}" for lang in languages for s in code.LANGUAGES[lang][0]]
        features = [f for lang in languages for fs in code_files[lang].values() for f in fs]
        sources.append(FoundSource("code", globs, features, names, languages))
    return Detection(sources, notes)


def _sniff_name(name: str) -> bool:
    """Whether a data file's name says it holds flags (for the note on test folders)."""
    base = name.rsplit("/", 1)[-1].lower()
    return any(word in base for word in ("flag", "feature", "toggle", "unleash"))


def _all(found: dict[str, list[Feature]]) -> list[Feature]:
    return [f for features in found.values() for f in features]


def _sniff(file: Path, name: str) -> tuple[str, list[Feature]] | None:
    """The kind and features of a JSON or YAML file that is a flag file, else None."""
    try:
        head = file.read_bytes()
    except OSError:
        return None
    if b"flags" not in head and b"features" not in head:
        return None
    try:
        doc = read_document(file, name)
    except (SourceError, ValueError, RecursionError):
        return None  # not readable as data: not a flag file anyone relies on
    data = doc.data
    if not isinstance(data, dict):
        return None
    flags = data.get("flags")
    entries = list(flags.values()) if isinstance(flags, dict) else flags
    if isinstance(entries, list) and entries and all(isinstance(e, dict) for e in entries):
        try:
            if isinstance(flags, dict) and any("flagType" in e for e in entries):
                return "openfeature", openfeature.features_from(doc)
            if any({"variants", "defaultVariant", "state"} & e.keys() for e in entries):
                return "flagd", flagd.features_from(doc)
        except SourceError:
            return None
    toggles = data.get("features")
    if (
        isinstance(toggles, list)
        and toggles
        and all(isinstance(t, dict) and isinstance(t.get("name"), str) for t in toggles)
        and ("featureStrategies" in data or any(k in t for t in toggles for k in _UNLEASH_FIELDS))
    ):
        try:
            return "unleash", unleash.features_from(doc)
        except SourceError:
            return None
    return None
