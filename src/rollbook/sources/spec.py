"""A configured feature source, as written in ``[[tool.rollbook.sources]]`` or rollbook.toml.

Example configuration::

    [[tool.rollbook.sources]]
    kind = "flagd"
    paths = ["deploy/*.flagd.json"]

    [[tool.rollbook.sources]]
    kind = "code"
    paths = ["src/**/*.py", "web/**/*.ts"]
    languages = ["python", "typescript"]
    patterns = ['flags\\.enabled\\("(?P<key>[\\w.-]+)"\\)']
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rollbook.sources import code
from rollbook.sources.discovery import check_pattern
from rollbook.sources.feature import SourceError
from rollbook.sources.kinds import SOURCE_KINDS

if TYPE_CHECKING:
    # Imported where a pattern is compiled: most projects have none, and the engine's
    # import is a tenth of a warm lint's start.
    import regex


def _keys() -> tuple[str, ...]:
    """The keys a source table may have: kind, paths and every kind's options."""
    options = (key for kind in SOURCE_KINDS.values() for key in kind.OPTIONS)
    return ("kind", "paths", *dict.fromkeys(options))


@dataclass(frozen=True)
class SourceSpec:
    """One configured source: its kind, the globs it reads and, for code, what to look for.

    ``paths`` are globs relative to the project root; when empty, the kind's usual file names
    are used (``unleash`` and ``list`` have none and need paths). ``patterns`` are regexes
    with a named group ``key``, compiled here for the ``regex`` engine (which can stop a
    pattern that runs too long); ``languages`` choose the built-in SDK patterns. ``where``
    names the configuration entry, for error messages. Invalid values raise
    :class:`SourceError`.
    """

    kind: str
    paths: tuple[str, ...] = ()
    patterns: tuple[regex.Pattern[str], ...] = ()
    languages: tuple[str, ...] = code.DEFAULT_LANGUAGES
    where: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        where = self.where or "feature source"
        if self.kind not in SOURCE_KINDS:
            raise SourceError(
                f"unknown source kind '{self.kind}'{_did_you_mean(str(self.kind), SOURCE_KINDS)}",
                where,
                f"kind is one of: {', '.join(SOURCE_KINDS)}",
            )
        paths = tuple(_as_strings(self.paths, "paths", where))
        for pattern in paths:
            check_pattern(pattern, where)
        if not paths and not SOURCE_KINDS[self.kind].DEFAULT_PATHS:
            raise SourceError(
                f"a '{self.kind}' source needs paths: its files have no usual name",
                where,
                f'add e.g. paths = ["{SOURCE_KINDS[self.kind].EXAMPLE_PATH}"]',
            )
        languages = tuple(_as_strings(self.languages, "languages", where))
        for language in languages:
            if language not in code.LANGUAGES:
                raise SourceError(
                    f"unknown language '{language}'{_did_you_mean(language, code.LANGUAGES)}",
                    where,
                    f"languages are: {', '.join(code.LANGUAGES)}",
                )
        patterns = tuple(
            _compile(pattern, index, where) for index, pattern in enumerate(self.patterns)
        )
        # Frozen dataclass: normalise in place once, so a spec is always valid and compiled.
        object.__setattr__(self, "paths", paths)
        object.__setattr__(self, "languages", languages)
        object.__setattr__(self, "patterns", patterns)

    @property
    def globs(self) -> tuple[str, ...]:
        """The globs actually read: ``paths``, or the kind's usual file names."""
        return self.paths or SOURCE_KINDS[self.kind].DEFAULT_PATHS


def parse_source_spec(d: dict, where: str) -> SourceSpec:
    """Validate one source table from TOML configuration; ``where`` names it in errors.

    Raises SourceError for a non-table, unknown keys (with a "did you mean"), a missing or
    unknown kind, values of the wrong type, code-only keys on other kinds, bad globs, and
    regexes that do not compile or lack a ``key`` group.
    """
    if not isinstance(d, dict):
        raise SourceError(
            f"a source must be a table, found {type(d).__name__}",
            where,
            'write [[tool.rollbook.sources]] with kind = "..." and paths = [...]',
        )
    keys = _keys()
    for key in d:
        if key not in keys:
            raise SourceError(
                f"unknown key '{key}' in source{_did_you_mean(str(key), keys)}",
                where,
                f"a source has: {', '.join(keys)}",
            )
    if "kind" not in d:
        raise SourceError(
            "source has no 'kind'", where, f'add kind = "..." (one of: {", ".join(SOURCE_KINDS)})'
        )
    kind = d["kind"]
    if not isinstance(kind, str):
        raise SourceError(f"'kind' must be text, found {type(kind).__name__}", where)
    own = SOURCE_KINDS[kind].OPTIONS if kind in SOURCE_KINDS else ()
    for key in keys[2:]:
        if key in d and key not in own:
            takers = [name for name, k in SOURCE_KINDS.items() if key in k.OPTIONS]
            quoted = " or ".join(f'"{t}"' for t in takers)
            raise SourceError(
                f"'{key}' applies only to kind = {quoted}, not \"{kind}\"",
                where,
                f"remove '{key}', or make this a {' or '.join(takers)} source",
            )
    return SourceSpec(
        kind=kind,
        paths=tuple(_as_strings(d.get("paths", ()), "paths", where)),
        patterns=tuple(_as_strings(d.get("patterns", ()), "patterns", where)),
        languages=tuple(
            _as_strings(d.get("languages", code.DEFAULT_LANGUAGES), "languages", where)
        ),
        where=where,
    )


def _as_strings(value: object, name: str, where: str) -> Iterable:
    """``value`` as a list of strings (a single string counts as one), or SourceError."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return value
    # Compiled regexes are accepted for patterns only, from callers building specs in Python.
    if name == "patterns" and isinstance(value, list | tuple):
        import regex

        if all(isinstance(v, str | re.Pattern | regex.Pattern) for v in value):
            return value
    raise SourceError(
        f"'{name}' must be a list of text, found {value!r}",
        where,
        f'write e.g. {name} = ["..."]',
    )


def _compile(
    pattern: str | re.Pattern[str] | regex.Pattern[str], index: int, where: str
) -> regex.Pattern[str]:
    import regex

    if isinstance(pattern, re.Pattern):
        # The same pattern and flags (their values agree between re and regex), on an engine
        # with a time limit.
        pattern = regex.compile(pattern.pattern, pattern.flags)
    elif isinstance(pattern, str):
        try:
            pattern = regex.compile(pattern, regex.MULTILINE)
        except regex.error as exc:
            raise SourceError(
                f"patterns[{index}] is not a valid regex: {exc.msg} at position {exc.pos}: "
                f"{pattern!r}",
                where,
                "check brackets and escapes; in TOML, single-quoted strings keep backslashes "
                "as written",
            ) from None
    if "key" not in pattern.groupindex:
        raise SourceError(
            f"patterns[{index}] has no named group 'key': {pattern.pattern!r}",
            where,
            "wrap the part that matches the flag key in (?P<key>...)",
        )
    return pattern


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
