"""Rules and the registry that knows them all.

A rule is a small function with its documentation in its docstring, registered with the
:func:`rule` decorator, as yamllint keeps each rule's docs beside its check. ``rollbook rule``,
the generated docs/rules.md and SARIF's rule metadata all read the registry, so the
documentation cannot drift from the code.

A rule's docstring is Markdown: a one-line summary, then what it checks, why it matters, and a
failing and a passing example in fenced ``yaml`` blocks. The examples are tests
(tests/lint/test_rule_examples.py): each is completed with the reference project of
:mod:`rollbook.lint.examples` and linted; the failing one must trigger the rule (and only the
codes a ``**Also reported**:`` paragraph after it names, with the reason), the passing one
must lint clean. An example shows only what it is about: a YAML block is merged over the
reference runbook (mappings key by key, lists and values replaced), a first line
``# teams.yaml`` (or ``# rollbook.toml``, ``# runbooks/other.yaml``, ``# flags/x.flagd.json``)
makes the block that file of the project, and several blocks after one heading are one
example over several files.

Codes are :class:`rollbook.codes.Code` constants: a rule registers under its constant, whose
name is the rule's name, and :func:`check_complete` (run when :mod:`rollbook.lint.rules` is
imported) fails unless every constant has a rule and every rule a constant.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from rollbook.codes import Code
from rollbook.diagnostics import Location, Severity

Scope = Literal["input", "runbook", "text", "project", "suppression"]
FieldPath = tuple[str | int, ...]

CODE_RE = re.compile(r"RB\d{3}\Z")
NAME_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
# An example: a bold word, a sentence after it that may wrap over several lines (what the
# reader needs to know, e.g. which reference file it relies on), then one or more fenced
# blocks (one per file the example shows).
FENCE_RE = re.compile(r"```(?:yaml|toml|json)\n(.*?)```", re.S)
EXAMPLE_RE = re.compile(
    r"\*\*(\w+)\*\*:?[^\n]*(?:\n[ \t]*(?!```)\S[^\n]*)*\n+((?:```(?:yaml|toml|json)\n.*?```\s*)+)",
    re.S,
)

CATEGORIES = {
    "RB0": "input",
    "RB1": "coverage",
    "RB2": "rollback quality",
    "RB3": "visibility",
    "RB4": "rollout",
    "RB5": "testing",
    "RB6": "people",
    "RB7": "freshness",
    "RB8": "hygiene",
    "RB9": "suppressions",
}


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check yields: a message and where, as a field path or an explicit location.

    ``key=True`` points at the key of ``path`` rather than its value (for "this section is
    missing something" findings, the key is where a person looks). ``anchor`` overrides the
    fingerprint anchor, which defaults to the field path.
    """

    message: str
    path: FieldPath = ()
    key: bool = False
    location: Location | None = None
    anchor: str | None = None
    help: str | None = None


@dataclass(frozen=True)
class Rule:
    """A registered rule: identity, default severity, documentation and its check."""

    code: str
    name: str
    severity: Severity
    scope: Scope
    help: str
    docs: str
    check: Callable[..., Iterable[Hit]] | None = field(default=None, compare=False)

    @property
    def summary(self) -> str:
        """The first line of the docs: what the rule finds, in a phrase."""
        return self.docs.strip().splitlines()[0].strip()

    @property
    def body(self) -> str:
        """The docs after the summary line."""
        lines = self.docs.strip().splitlines()
        return "\n".join(lines[1:]).strip()

    @property
    def category(self) -> str:
        return CATEGORIES.get(self.code[:3], "other")

    @property
    def anchor(self) -> str:
        """The Markdown heading id of this rule in docs/rules.md."""
        return f"{self.code.lower()}-{self.name}"

    def examples(self) -> dict[str, str]:
        """The first fenced block of each example of the docs, keyed by the word before it."""
        return {name: blocks[0] for name, blocks in self.example_blocks().items()}

    def example_blocks(self) -> dict[str, list[str]]:
        """Each example's fenced blocks (one per file it shows), keyed by the word before them.

        See :mod:`rollbook.lint.examples` for how they are completed and linted.
        """
        out: dict[str, list[str]] = {}
        for match in EXAMPLE_RE.finditer(self.docs):
            out[match.group(1).lower()] = FENCE_RE.findall(match.group(2))
        return out

    def run(self, *args: object) -> Iterator[Hit]:
        if self.check is not None:
            yield from self.check(*args)


REGISTRY: dict[str, Rule] = {}


def register(
    code: Code,
    name: str,
    severity: Severity,
    scope: Scope,
    help: str,
    docs: str,
    check: Callable[..., Iterable[Hit]] | None = None,
) -> Rule:
    """Add a rule to the registry; codes and names must be unique and well formed, and the
    code a :class:`Code` constant named after the rule."""
    if not CODE_RE.match(code):
        raise ValueError(f"bad rule code {code!r}")
    try:
        constant = Code(code)
    except ValueError:
        raise ValueError(f"rule code {code} is not in rollbook.codes.Code") from None
    if constant.rule_name != name:
        raise ValueError(f"rule {code} is named {name!r} but its constant is Code.{constant.name}")
    code = str(constant)  # plain text in the registry and in findings
    if not NAME_RE.match(name):
        raise ValueError(f"rule name {name!r} is not kebab-case")
    if code in REGISTRY:
        raise ValueError(f"rule code {code} registered twice")
    if any(r.name == name for r in REGISTRY.values()):
        raise ValueError(f"rule name {name} registered twice")
    item = Rule(code, name, severity, scope, help, inspect.cleandoc(docs), check)
    REGISTRY[code] = item
    return item


def rule(
    code: Code, name: str, severity: Severity, scope: Scope = "runbook", *, help: str
) -> Callable[[Callable[..., Iterable[Hit]]], Callable[..., Iterable[Hit]]]:
    """Register the decorated check; its docstring is the rule's documentation."""

    def decorate(func: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        if not func.__doc__:
            raise ValueError(f"rule {code} has no documentation")
        register(code, name, severity, scope, help, func.__doc__, func)
        return func

    return decorate


def registered(code: str) -> Rule:
    """The rule registered under ``code``; an unknown code is a bug in rollbook, not a finding
    to report under some other rule, so it raises."""
    try:
        return REGISTRY[code]
    except KeyError:
        raise KeyError(f"no rule is registered under code {code!r}") from None


def check_complete() -> None:
    """Raise unless the registry holds exactly one rule per :class:`Code` constant."""
    codes = {str(code) for code in Code}
    missing = sorted(codes - REGISTRY.keys())
    unknown = sorted(REGISTRY.keys() - codes)
    if missing or unknown:
        raise RuntimeError(
            f"rule registry and rollbook.codes disagree: constants without a rule {missing}, "
            f"rules without a constant {unknown}"
        )
