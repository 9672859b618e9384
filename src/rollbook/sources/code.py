"""Feature keys used in code: OpenFeature SDK calls with a literal key, and user patterns.

Built-in patterns find the flag key when it is the first string argument of an OpenFeature
evaluation call, and report the line and column of the key's opening quote:

- Python: ``get_boolean_value("key", ...)``, ``get_string_value``, ``get_integer_value``,
  ``get_float_value``, ``get_object_value``, their ``_details`` and ``_async`` variants, and
  ``flag_key="key"`` as the first argument.
- JavaScript/TypeScript: ``getBooleanValue('key', ...)``, ``getStringValue``, ``getNumberValue``,
  ``getObjectValue``, the ``...Details`` variants (with or without a ``<Type>`` argument), and
  the React SDK hooks (``useBooleanFlagValue``, ``useFlag``, ...). Quotes may be ', " or `.
- Go: ``client.BooleanValue(ctx, "key", ...)``, ``StringValue``, ``IntValue``, ``FloatValue``,
  ``ObjectValue`` and the ``...ValueDetails`` variants; the context argument may be a call.
- Java: ``getBooleanValue("key", ...)``, ``getStringValue``, ``getIntegerValue``,
  ``getDoubleValue``, ``getObjectValue`` and the ``...Details`` variants.

A key built at run time (a variable, an f-string, a template with ``${}``) cannot be known
by reading the code, so it is not reported; a call in a comment is. User patterns are regexes
with a named group ``key``, matched with ``MULTILINE`` against every file the source's paths
select; the column is the start of the ``key`` group.

The built-in patterns read any text in linear time (tests/test_hostile_patterns.py holds them
to it). A user's pattern may not: ``(a|aa)+b`` takes exponential time on a line of ``a``, so
user patterns run on the ``regex`` engine (Python's syntax) with a time limit per file, and a
pattern that exceeds it stops the scan with :class:`PatternTimeout` rather than hang CI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rollbook.diagnostics import Location
from rollbook.sources.documents import TextPositions
from rollbook.sources.feature import Feature, SourceError

if TYPE_CHECKING:
    import regex

    from rollbook.sources.spec import SourceSpec

SOURCE = "code"
DEFAULT_PATHS = ("**/*",)
EXAMPLE_PATH = "src/**/*.py"
OPTIONS = ("patterns", "languages")
RESPECTS_GITIGNORE = True  # paths like **/* would otherwise read build output and vendored code

# String literals on one line; unrolled loops so a long line costs one pass.
_DQ = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_SQ = r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
_BACKTICK = r"`[^`\\$\n]*`"  # a JS template without ${...}, or a Go raw string

# Each pattern starts with a literal ("get_", "Value", ...) and checks the word boundary with a
# lookbehind after it: the regex engine then jumps between occurrences of the literal instead of
# trying every position, which makes a scan of files without flags about fifty times faster.
_PYTHON = re.compile(
    r"get_(?<!\wget_)(?:boolean|string|integer|float|object)"
    r"_(?:value|details|value_details)(?:_async)?"
    rf"\s*\(\s*(?:flag_key\s*=\s*)?(?P<key>{_DQ}|{_SQ})"
)
# A type argument (``getObjectValue<Config>(``) is at most 200 characters: without a bound, a
# long line of ``getBooleanValue<`` would be rescanned to its end from every occurrence.
_JS_CALL = rf"\s*(?:<[^()\n]{{0,200}}?>\s*)?\(\s*(?P<key>{_DQ}|{_SQ}|{_BACKTICK})"
_JAVASCRIPT = re.compile(
    r"get(?<!\wget)(?:Boolean|String|Number|Object)(?:Value|Details)" + _JS_CALL
)
_REACT = re.compile(
    r"use(?<!\wuse)(?:(?:Boolean|String|Number|Object)Flag(?:Value|Details)|(?:Suspense)?Flag)"
    + _JS_CALL
)
# The first argument is the context: a name, a selector or a call such as r.Context(). Its
# repetition is possessive and takes the blanks after "(" itself: a separate \s* there would
# let the two share a long run of blanks in every possible way (quadratic).
_GO = re.compile(
    r"Value(?:(?<=\bBooleanValue)|(?<=\bStringValue)|(?<=\bIntValue)|(?<=\bFloatValue)"
    r"|(?<=\bObjectValue))(?:Details)?"
    rf"\s*\((?:[^,()\"'`]|\([^()]*\))*+,\s*(?P<key>{_DQ}|{_BACKTICK})"
)
_JAVA = re.compile(
    r"get(?<!\wget)(?:Boolean|String|Integer|Double|Object)(?:Value|Details)"
    rf"\s*\(\s*(?P<key>{_DQ})"
)

LANGUAGES: dict[str, tuple[tuple[str, ...], tuple[re.Pattern[str], ...]]] = {
    "python": ((".py", ".pyi"), (_PYTHON,)),
    "javascript": ((".js", ".jsx", ".mjs", ".cjs"), (_JAVASCRIPT, _REACT)),
    "typescript": ((".ts", ".tsx", ".mts", ".cts"), (_JAVASCRIPT, _REACT)),
    "go": ((".go",), (_GO,)),
    "java": ((".java",), (_JAVA,)),
}
DEFAULT_LANGUAGES = tuple(LANGUAGES)

_ESCAPE = re.compile(r"\\(.)")

PATTERN_TIMEOUT = 5.0
"""Seconds one user pattern may spend on one file: a sane pattern needs milliseconds."""


class PatternTimeout(Exception):
    """A user pattern did not finish on one file within :data:`PATTERN_TIMEOUT` seconds."""

    def __init__(self, pattern: regex.Pattern[str], file: str):
        super().__init__(f"pattern {pattern.pattern!r} timed out on {file}")
        self.pattern = pattern
        self.file = file


def sdk_patterns(languages: tuple[str, ...]) -> dict[str, tuple[re.Pattern[str], ...]]:
    """File suffix -> built-in patterns, for the enabled ``languages``."""
    by_suffix: dict[str, tuple[re.Pattern[str], ...]] = {}
    for language in languages:
        suffixes, patterns = LANGUAGES[language]
        for suffix in suffixes:
            by_suffix[suffix] = patterns
    return by_suffix


def scan(
    file: Path,
    name: str,
    builtin: tuple[re.Pattern[str], ...],
    user_patterns: tuple[regex.Pattern[str], ...],
) -> list[Feature]:
    """Feature keys in ``file`` (shown as ``name``), in the order they appear.

    ``builtin`` are the SDK patterns for the file's language (empty for other files);
    ``user_patterns`` apply to every file, each within :data:`PATTERN_TIMEOUT` seconds or
    :class:`PatternTimeout` is raised. Binary files are skipped and undecodable bytes
    replaced, because one odd file must not stop a scan of a whole repository.
    """
    # SDK hits are string literals to unquote; a user's key group is taken as written.
    patterns = [(p, True) for p in builtin] + [(p, False) for p in user_patterns]
    if not patterns:
        return []
    try:
        raw = file.read_bytes()
    except OSError:
        return []
    if b"\x00" in raw:
        return []
    text = raw.decode("utf-8", "replace")
    hits: dict[tuple[int, str], None] = {}  # ordered set: one hit per place and key
    for pattern, quoted in patterns:
        # The time limit covers the whole iteration, not each match.
        matches = (
            pattern.finditer(text) if quoted else pattern.finditer(text, timeout=PATTERN_TIMEOUT)
        )
        try:
            for match in matches:
                literal = match.group("key")
                if literal is None:
                    continue
                key = _unquote(literal) if quoted else literal
                if key:
                    hits[(match.start("key"), key)] = None
        except TimeoutError:
            raise PatternTimeout(pattern, name) from None
    if not hits:
        return []
    positions = TextPositions(text)
    features = []
    for start, key in sorted(hits):
        line, column = positions.line_col(start)
        features.append(Feature(key=key, location=Location(name, line, column), source=SOURCE))
    return features


def _unquote(literal: str) -> str:
    # Keys are plain identifiers in practice; an escaped quote is the only escape worth undoing.
    body = literal[1:-1]
    return _ESCAPE.sub(r"\1", body) if "\\" in body else body


def read_files(spec: SourceSpec, files: Iterable[tuple[Path, str]]) -> Iterator[Feature]:
    """The feature keys in ``files``: the SDK patterns of the spec's languages for files of
    those languages, the spec's own patterns for every file."""
    builtin = sdk_patterns(spec.languages)
    for file, name in files:
        try:
            yield from scan(file, name, builtin.get(file.suffix.lower(), ()), spec.patterns)
        except PatternTimeout as exc:
            raise _timeout_error(spec, exc) from None


def _timeout_error(spec: SourceSpec, exc: PatternTimeout) -> SourceError:
    index = spec.patterns.index(exc.pattern)
    return SourceError(
        f"patterns[{index}] {exc.pattern.pattern!r} did not finish on {exc.file} within "
        f"{PATTERN_TIMEOUT:g} seconds: it backtracks too much on that file's text",
        spec.where or "code source",
        "rewrite the pattern so that no two parts can match the same text: nested or "
        "overlapping alternatives under a repetition, such as (a|aa)+ or (\\w|\\w\\w)+, take "
        "exponential time; or narrow the source's paths so that this file is not scanned",
    )
