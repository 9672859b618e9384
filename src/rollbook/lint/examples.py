"""Rule examples as projects: how a documented example becomes files that can be linted.

Every rule documents a **Failing** and a **Passing** example, and the test suite
(tests/lint/test_rule_examples.py) lints each one: the failing example must trigger its rule
(and only the codes named in an ``**Also reported**:`` paragraph after it), the passing one
must lint clean. An example shows only what it is about, so that it reads well to the
feature owner who looks it up; to be linted it is completed with the *reference project*
below, a small project that passes every rule:

- A YAML example is merged over the reference runbook, ``runbooks/one-click-checkout.yaml``:
  block mappings key by key (at any depth), while a list, a value or a flow-style
  ``{...}`` mapping in the example replaces the reference's. So ``rollback:`` with only
  ``steps:`` under it keeps the reference's kill switch and verification, ``flags: []``
  leaves no flags at all, and ``kill_switch:`` with no value leaves no kill switch.
- A first line ``# <path>`` (``# teams.yaml``, ``# rollbook.toml``,
  ``# runbooks/checkout-v2.yaml``) says which file of the project the example is. A YAML
  example is merged over that reference file (a new runbook over the reference runbook,
  beside it), any other file replaces the reference file or is added. The marker line is
  not written to the file, so JSON files can have one too.
- Several fenced blocks after one **Failing** or **Passing** heading are one example over
  several files (a flag file and the runbook that names its flag).
- An example that is not YAML a reader can merge (broken YAML, several documents, a list) is
  linted exactly as written: it is about the file itself.
- ``# .rollbook-baseline.json`` and the configuration's ``[[exempt]]`` entries work as in
  ``rollbook lint``: the examples are linted with the baseline and exemptions applied.
- A block marked ``# <path> (before)`` is that file as committed before the change the
  example shows (a flag moved from 5% to 25%): the project with the before blocks is
  committed to git, the example's other blocks are written over it, and it is linted with
  ``rollbook lint --since`` that commit.
- Dated examples are checked as of :data:`EXAMPLES_TODAY`.

The merge works on the text, not on parsed data: the example's own lines, comments, quotes
and hidden characters reach the linter unchanged, and the reference's missing keys are
inserted after the example's lines of the same mapping.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: The date the examples are linted on, so that dated examples stay true.
EXAMPLES_TODAY = dt.date(2026, 3, 1)

REFERENCE_RUNBOOK_PATH = "runbooks/one-click-checkout.yaml"

REFERENCE_CONFIG = """\
runbooks = ["runbooks"]
teams = "teams.yaml"
alert-rules = ["alerts/*.yaml"]

[[sources]]
kind = "flagd"
paths = ["flags/*.flagd.json"]
"""

REFERENCE_TEAMS = """\
teams:
  - id: payments
    name: Payments
    oncall_phone: "+44 20 7946 0000"
    chat: "#payments-oncall"
    people:
      - id: amara
        name: Amara Obi
        phone: "+44 113 496 0001"
"""

REFERENCE_FLAGS = """\
{
  "flags": {
    "checkout.one_click": {
      "state": "ENABLED",
      "variants": {"on": true, "off": false},
      "defaultVariant": "off"
    }
  }
}
"""

REFERENCE_RUNBOOK = """\
id: one-click-checkout
title: One-click checkout
summary: Lets returning customers pay with one tap. If it breaks, nobody can pay.
owner: payments
risk: critical
contacts:
  - person: amara
    when: If the on-call does not answer within 10 minutes
flags:
  - key: checkout.one_click
    system: flagd
    off: false
    change: Flag console > checkout.one_click > Off
signals:
  - name: Checkout error rate
    kind: metric
    query: sum(rate(checkout_errors_total[5m]))
    threshold: above 2% for 5 minutes
    alert: CheckoutErrorRateHigh
    link: https://grafana.example.com/d/checkout
risks:
  - what: Customers are charged twice.
    likelihood: low
    impact: high
    signals: [Checkout error rate]
rollout:
  stages:
    - name: Staff only
      audience: staff accounts
    - percent: 5
    - percent: 100
rollback:
  kill_switch: checkout.one_click
  steps:
    - do: Switch checkout.one_click Off in the flag console.
      link: https://flags.example.com/flags/checkout.one_click
      expect: The flag shows Off within a minute.
  verify:
    - Checkout error rate back below 0.5% within 10 minutes.
tests:
  - kind: failure
    what: Flag service down during checkout; checkout falls back to the old button.
review:
  last_reviewed: 2026-02-01
  by: Amara Obi
drills:
  - date: 2026-02-10
    result: pass
    by: Jo Park
"""

REFERENCE_ALERTS_PATH = "alerts/checkout.rules.yaml"

REFERENCE_ALERTS = """\
groups:
  - name: checkout
    rules:
      - alert: CheckoutErrorRateHigh
        expr: sum(rate(checkout_errors_total[5m])) > 2
        for: 5m
        annotations:
          summary: Checkout errors above 2%
          runbook_url: https://runbooks.example.com/runbooks/one-click-checkout/
"""

#: The reference project, path by path: the files every example is completed with.
REFERENCE_FILES: dict[str, str] = {
    "rollbook.toml": REFERENCE_CONFIG,
    "teams.yaml": REFERENCE_TEAMS,
    "flags/checkout.flagd.json": REFERENCE_FLAGS,
    REFERENCE_ALERTS_PATH: REFERENCE_ALERTS,
    REFERENCE_RUNBOOK_PATH: REFERENCE_RUNBOOK,
}

# `# path/to/file.ext` alone on the first line of a block, or followed by ` (before)`.
MARKER_RE = re.compile(
    r"# (?P<path>[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*\.(?:ya?ml|toml|json))"
    r"(?P<before> \(before\))?\n"
)
YAML_SUFFIXES = (".yaml", ".yml")


class ExampleError(ValueError):
    """An example the convention cannot place (a bad marker, a file outside the project)."""


def split_marker(block: str) -> tuple[str, str]:
    """The project path a block is for, and its text without the marker line."""
    match = MARKER_RE.match(block)
    if match is None:
        return REFERENCE_RUNBOOK_PATH, block
    path = match.group("path")
    if ".." in path.split("/"):
        raise ExampleError(f"example marker {path!r} leaves the project")
    return path, block[match.end() :]


def is_before(block: str) -> bool:
    """Whether a block shows a file as it was before the change (``# <path> (before)``)."""
    match = MARKER_RE.match(block)
    return match is not None and match.group("before") is not None


def example_files(blocks: list[str]) -> dict[str, str]:
    """The reference project's files with an example's blocks applied, path by path."""
    return _apply([b for b in blocks if not is_before(b)])


def example_history(blocks: list[str]) -> dict[str, str] | None:
    """The project before the change an example shows, or None if it shows no change.

    Blocks marked ``# <path> (before)`` are files as committed before the change; the
    example's other blocks are the change, linted with ``rollbook lint --since`` that commit.
    """
    before = [b for b in blocks if is_before(b)]
    return _apply(before) if before else None


def _apply(blocks: list[str]) -> dict[str, str]:
    files = dict(REFERENCE_FILES)
    for block in blocks:
        path, text = split_marker(block)
        base = files.get(path)
        if base is None and path.startswith("runbooks/") and path.endswith(YAML_SUFFIXES):
            base = REFERENCE_RUNBOOK
        if base is not None and path.endswith(YAML_SUFFIXES):
            files[path] = merge_yaml(base, text)
        else:
            files[path] = text
    return files


def merge_yaml(base: str, example: str) -> str:
    """``example`` with the keys of ``base`` it does not have, merged as text.

    Mappings merge key by key at any depth; a list, a value or a flow-style mapping in the
    example replaces the base's. An example that is not a readable YAML mapping is returned
    as written, and one with no YAML at all (only comments) leaves the base as it is.
    """
    if example and not example.endswith("\n"):
        example += "\n"
    try:
        node = yaml.compose(example, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return example
    if node is None:
        return example + base
    if not _is_block_mapping(node):
        return example
    base_node = yaml.compose(base, Loader=yaml.SafeLoader)
    base_lines = base.splitlines(keepends=True)
    inserts: list[tuple[int, str]] = []
    _merge(node, base_node, base_lines, inserts)
    # A nested mapping and its parents can end on the same line: the nested keys go first,
    # in the order _merge recorded them (innermost first).
    by_line: dict[int, list[str]] = {}
    for after, text in inserts:
        by_line.setdefault(after, []).append(text)
    lines = example.splitlines(keepends=True)
    for after in sorted(by_line, reverse=True):
        lines[after + 1 : after + 1] = by_line[after]
    return "".join(lines)


def _is_block_mapping(node: Node) -> bool:
    return isinstance(node, MappingNode) and not node.flow_style and bool(node.value)


def _merge(
    node: MappingNode, base: MappingNode, base_lines: list[str], inserts: list[tuple[int, str]]
) -> None:
    """Record, in ``inserts``, the base's keys that ``node`` lacks; recurse into mappings."""
    own = {key.value: value for key, value in node.value if isinstance(key, ScalarNode)}
    column = node.value[0][0].start_mark.column
    missing: list[str] = []
    for key, value in base.value:
        if key.value not in own:
            first, last = key.start_mark.line, _last_line(value)
            section = base_lines[first : last + 1]
            missing.append(_reindent(section, key.start_mark.column, column))
        elif _is_block_mapping(own[key.value]) and _is_block_mapping(value):
            _merge(own[key.value], value, base_lines, inserts)
    if missing:
        inserts.append((_last_line(node), "".join(missing)))


def _last_line(node: Node) -> int:
    """The 0-based line of the last character of ``node``'s text."""
    if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_line(last[1] if isinstance(node, MappingNode) else last)
    end = node.end_mark
    if end.column == 0 and end.line > node.start_mark.line:
        # A block scalar ends after its line break, possibly after blank lines too.
        line = end.line - 1
        while line > node.start_mark.line and not end.buffer.splitlines()[line].strip():
            line -= 1
        return line
    return end.line


def _reindent(lines: list[str], have: int, want: int) -> str:
    if want >= have:
        pad = " " * (want - have)
        return "".join(pad + line if line.strip() else line for line in lines)
    cut = have - want
    return "".join(line[cut:] if line[:cut].isspace() else line for line in lines)


ALSO_REPORTED_RE = re.compile(r"\*\*Also reported\*\*:(.*?)(?:\n[ \t]*\n|\Z)", re.S)


def also_reported(docs: str) -> list[str]:
    """The codes a rule's docs say its failing example also triggers, in the order written.

    They are listed in a paragraph after the failing example, with the reason, e.g.
    ``**Also reported**: RB101, because a runbook that cannot be read covers no feature.``
    """
    match = ALSO_REPORTED_RE.search(docs)
    return re.findall(r"\bRB\d{3}\b", match.group(1)) if match else []
