"""Read Prometheus rule files and PrometheusRule manifests, keeping where every rule stands.

Two formats hold the same groups of rules:

- a Prometheus rule file (as Prometheus, Thanos, Mimir and the Loki ruler read it)::

      groups:
        - name: checkout
          rules:
            - alert: CheckoutErrorRateHigh
              expr: sum(rate(checkout_errors_total[5m])) > 2
              for: 5m
              labels: {severity: critical}
              annotations:
                runbook_url: https://runbooks.example.com/runbooks/one-click-checkout/

- a prometheus-operator ``PrometheusRule`` resource, the same groups under ``spec.groups``,
  often one document of a Kubernetes YAML stream that holds other kinds too (those are
  skipped, with a note).

The text is read from libyaml's event stream into small nodes that keep their line, column
and character offsets (iteratively, so deep nesting cannot crash the reader; with a cap on
what aliases expand to), then checked the way Prometheus checks it. Every problem names the
file, line and column; nothing here raises for bad input.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:  # libyaml, as the runbook reader uses; the pure-Python parser otherwise.
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

from rollbook.alerts.promql import promql_error
from rollbook.codes import Code
from rollbook.diagnostics import Location, Problem

MAX_BYTES = 4 * 1024 * 1024
"""Rule files larger than this are refused: kube-prometheus' largest is about 100 KB."""
MAX_NODES = 500_000
"""Values read, aliases expanded: an alias bomb stops here."""
MAX_DEPTH = 64

RULE_KEYS = ("alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations")
OPERATOR_API = "monitoring.coreos.com/"
OPERATOR_KIND = "PrometheusRule"
RUNBOOK_URL = "runbook_url"


# -- nodes -------------------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    """A YAML value with where it was written (1-based line and column, 0-based offsets)."""

    line: int
    column: int
    start: int
    end: int
    anchor: str | None = None
    aliased: bool = False
    """True where this value is reached through an alias (``*name``): it is shared."""

    @property
    def where(self) -> tuple[int, int]:
        return self.line, self.column


@dataclass(eq=False)
class Scalar(Node):
    value: str = ""
    style: str = ""
    """``""`` plain, ``'"'``, ``"'"``, ``"|"`` or ``">"``."""
    tag: str | None = None

    @property
    def is_null(self) -> bool:
        return not self.style and self.tag is None and self.value in {"", "~", "null", "Null"}


@dataclass(eq=False)
class Mapping(Node):
    pairs: list[tuple[Scalar | Node, Node]] = field(default_factory=list)
    flow: bool = False


@dataclass(eq=False)
class Sequence(Node):
    items: list[Node] = field(default_factory=list)
    flow: bool = False


class _TooMuch(Exception):
    def __init__(self, message: str, line: int, column: int, hint: str = ""):
        super().__init__(message)
        self.message, self.line, self.column, self.hint = message, line, column, hint


def compose_documents(text: str) -> list[Node | None]:
    """Every document of ``text`` as nodes (None for an empty document).

    Raises yaml.YAMLError for text that is not YAML and :class:`_TooMuch` past the limits.
    """
    parser = _Parser(text)
    docs: list[Node | None] = []
    stack: list[Node] = []
    anchors: dict[str, Node] = {}
    root: Node | None = None
    count = 0

    def mark(event) -> tuple[int, int, int]:
        m = event.start_mark
        return m.line + 1, m.column + 1, m.index

    def place(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        top = stack[-1]
        if isinstance(top, Sequence):
            top.items.append(node)
        else:
            assert isinstance(top, Mapping)
            pending = getattr(top, "_key", None)
            if pending is None:
                top._key = node  # type: ignore[attr-defined]
            else:
                top.pairs.append((pending, node))
                top._key = None  # type: ignore[attr-defined]

    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.DocumentStartEvent):
                root = None
                anchors = {}
                continue
            if isinstance(event, yaml.DocumentEndEvent):
                docs.append(root)
                continue
            if isinstance(event, yaml.StreamStartEvent):
                continue
            count += 1
            if count > MAX_NODES:
                line, column, _ = mark(event)
                raise _TooMuch(
                    f"more than {MAX_NODES:,} values once aliases are expanded",
                    line,
                    column,
                    "use fewer anchors and aliases, or split the file",
                )
            if isinstance(event, yaml.AliasEvent):
                target = anchors.get(event.anchor)
                if target is None:
                    line, column, _ = mark(event)
                    raise _TooMuch(f"unknown alias *{event.anchor}", line, column)
                count += _size(target)
                target.aliased = True
                place(target)
                continue
            if isinstance(event, yaml.ScalarEvent):
                line, column, start = mark(event)
                node = Scalar(
                    line,
                    column,
                    start,
                    event.end_mark.index,
                    event.anchor,
                    value=event.value,
                    style=event.style or "",
                    tag=None if event.implicit[0] or event.implicit[1] else event.tag,
                )
                if event.anchor:
                    anchors[event.anchor] = node
                place(node)
                continue
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                line, column, start = mark(event)
                if len(stack) >= MAX_DEPTH:
                    raise _TooMuch(f"nested more than {MAX_DEPTH} levels deep", line, column)
                cls = Mapping if isinstance(event, yaml.MappingStartEvent) else Sequence
                node = cls(line, column, start, start, event.anchor, flow=bool(event.flow_style))
                if event.anchor:
                    anchors[event.anchor] = node
                stack.append(node)
                continue
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                node = stack.pop()
                node.end = event.end_mark.index
                place(node)
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose:
            dispose()
    return docs


def _size(node: Node) -> int:
    """How many values an alias to ``node`` adds (bounded by the cap, not walked past it)."""
    total, todo = 0, [node]
    while todo and total <= MAX_NODES:
        item = todo.pop()
        total += 1
        if isinstance(item, Mapping):
            for key, value in item.pairs:
                todo.extend((key, value))
        elif isinstance(item, Sequence):
            todo.extend(item.items)
    return total


# -- what the reader finds ---------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRule:
    """One alerting rule and where each part of it is written.

    ``location`` points at the alert's name (the value of ``alert:``). ``doc``, ``group`` and
    ``index`` say which document, group and rule of the file it is (``link-alerts`` edits by
    them). ``annotations_node`` and ``url_node`` are kept for editing; ``shared`` is True when
    the annotations come through a YAML anchor, alias or merge key (editing them would change
    other rules too).
    """

    name: str
    expr: str
    path: str
    location: Location
    group: str
    doc: int
    index: int
    for_: str | None = None
    keep_firing_for: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    runbook_url_location: Location | None = None
    annotations_location: Location | None = None
    feature: str | None = None
    """The value of the source's feature label, if it sets one and the rule has it."""
    rule_node: Mapping | None = field(default=None, compare=False, repr=False)
    name_node: Scalar | None = field(default=None, compare=False, repr=False)
    annotations_node: Node | None = field(default=None, compare=False, repr=False)
    url_node: Node | None = field(default=None, compare=False, repr=False)
    shared: bool = False

    @property
    def severity(self) -> str | None:
        return dict(self.labels).get("severity")

    @property
    def runbook_url(self) -> str | None:
        return dict(self.annotations).get(RUNBOOK_URL)


@dataclass
class RuleFile:
    """What one file holds: its alerts, recording rule names, problems and notes."""

    path: str
    text: str = ""
    alerts: list[AlertRule] = field(default_factory=list)
    records: dict[str, Location] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_rule_file(
    path: Path, display: str, kind: str = "auto", feature_label: str | None = None
) -> RuleFile:
    """Read one rule file or manifest stream; problems instead of exceptions."""
    result = RuleFile(display)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            result.problems.append(
                _unreadable(
                    Location(display, 1, 1),
                    f"file is {size / 1048576:.1f} MiB; alert rule files are limited to "
                    f"{MAX_BYTES // 1048576} MiB",
                    "split the rules into several files, or leave generated bundles out of "
                    "alert-rules",
                )
            )
            return result
        raw = path.read_bytes()
    except OSError as exc:
        result.problems.append(
            _unreadable(Location(display), f"cannot read file: {exc.strerror}", "")
        )
        return result
    return read_rule_bytes(raw, display, kind, feature_label)


def read_rule_bytes(
    raw: bytes, display: str, kind: str = "auto", feature_label: str | None = None
) -> RuleFile:
    """Read the bytes of one rule file (see :func:`read_rule_file`)."""
    result = RuleFile(display)
    if b"\x00" in raw:
        head = raw[: raw.index(b"\x00")].decode("utf-8", "replace")
        line = head.count("\n") + 1
        result.problems.append(
            _unreadable(
                Location(display, line, len(head) - head.rfind("\n")),
                "binary file: a NUL byte where text was expected",
                "alert rules are YAML text; is this the right file?",
            )
        )
        return result
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = raw[: exc.start].decode("utf-8", "replace")
        result.problems.append(
            _unreadable(
                Location(display, head.count("\n") + 1, len(head) - head.rfind("\n")),
                f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
                "save the file as UTF-8",
            )
        )
        return result
    result.text = text
    try:
        docs = compose_documents(text)
    except yaml.MarkedYAMLError as exc:
        m = exc.problem_mark or exc.context_mark
        line, column = (m.line + 1, m.column + 1) if m else (1, 1)
        message = exc.problem or "invalid YAML"
        if exc.context:
            message += f" ({exc.context})"
        result.problems.append(
            _unreadable(
                Location(display, line, column),
                f"not valid YAML: {message}",
                "fix the YAML at the line shown (promtool check rules says the same)",
            )
        )
        return result
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", 0) or 0
        head = text[:position]
        result.problems.append(
            _unreadable(
                Location(display, head.count("\n") + 1, len(head) - head.rfind("\n")),
                f"not valid YAML: {getattr(exc, 'reason', None) or exc}",
                "remove the control character",
            )
        )
        return result
    except _TooMuch as exc:
        result.problems.append(
            _unreadable(Location(display, exc.line, exc.column), exc.message, exc.hint)
        )
        return result
    _FileReader(result, kind, feature_label).read(docs)
    return result


def _unreadable(location: Location, message: str, hint: str) -> Problem:
    return Problem(Code.UNREADABLE_ALERT_RULES, message, location, hint=hint)


class _FileReader:
    """Checks the documents of one file and collects its rules."""

    def __init__(self, result: RuleFile, kind: str, feature_label: str | None):
        self.result = result
        self.kind = kind
        self.feature_label = feature_label
        self.path = result.path

    def loc(self, node: Node) -> Location:
        return Location(self.path, node.line, node.column)

    def invalid(self, node: Node, message: str, hint: str = "") -> None:
        self.result.problems.append(
            Problem(Code.INVALID_ALERT_RULE, message, self.loc(node), hint=hint)
        )

    def read(self, docs: list[Node | None]) -> None:
        skipped: list[tuple[str, Location]] = []
        read_any = mismatched = False
        first_content: Node | None = None
        for number, doc in enumerate(docs):
            if doc is None or (isinstance(doc, Scalar) and doc.is_null):
                continue
            first_content = first_content or doc
            if not isinstance(doc, Mapping):
                self.result.problems.append(
                    _unreadable(
                        self.loc(doc),
                        "a YAML document here is not a mapping: a rule file starts with "
                        "`groups:`, a manifest with `apiVersion:`",
                        "write `groups:` with a list of rule groups",
                    )
                )
                continue
            keys = _keys(doc)
            if "kind" in keys or "apiVersion" in keys:
                kind_node = keys.get("kind")
                kind = kind_node[1].value if kind_node and isinstance(kind_node[1], Scalar) else ""
                api_node = keys.get("apiVersion")
                api = api_node[1].value if api_node and isinstance(api_node[1], Scalar) else ""
                if kind != OPERATOR_KIND or not api.startswith(OPERATOR_API):
                    where = kind_node[1] if kind_node else doc
                    skipped.append((f"{kind or 'a manifest without kind'}", self.loc(where)))
                    continue
                if self.kind == "prometheus":
                    mismatched = True
                    self.result.problems.append(
                        _unreadable(
                            self.loc(kind_node[1] if kind_node else doc),
                            "a PrometheusRule manifest in a source of kind 'prometheus'",
                            'set kind = "prometheus-operator" (or drop kind) for this source',
                        )
                    )
                    continue
                read_any = True
                spec = keys.get("spec")
                spec_keys = _keys(spec[1]) if spec else {}
                groups = spec_keys.get("groups")
                if groups is None:
                    self.invalid(
                        spec[0] if spec else doc,
                        "PrometheusRule has no spec.groups",
                        "put the rule groups under spec: groups:",
                    )
                    continue
                self.groups(groups[1], number, groups[0])
                continue
            if "groups" in keys:
                if self.kind == "prometheus-operator":
                    mismatched = True
                    self.result.problems.append(
                        _unreadable(
                            self.loc(keys["groups"][0]),
                            "a Prometheus rule file in a source of kind 'prometheus-operator'",
                            'set kind = "prometheus" (or drop kind) for this source',
                        )
                    )
                    continue
                read_any = True
                for name, (key, _value) in keys.items():
                    if name != "groups":
                        self.invalid(
                            key,
                            f"unknown key '{name}' in a rule file",
                            "a rule file holds only `groups:`",
                        )
                self.groups(keys["groups"][1], number, keys["groups"][0])
                continue
            self.result.problems.append(
                _unreadable(
                    self.loc(doc),
                    "neither a rule file (no `groups:`) nor a Kubernetes manifest (no `kind:`)",
                    "a rule file starts with `groups:`; a manifest has `kind: PrometheusRule`",
                )
            )
        if mismatched:
            pass  # said already, and the other kinds do not matter until it is fixed
        elif skipped and not read_any:
            kinds = ", ".join(dict.fromkeys(k for k, _ in skipped))
            self.result.problems.append(
                _unreadable(
                    skipped[0][1],
                    f"no PrometheusRule and no rule groups in this file, only: {kinds}",
                    "remove this file from alert-rules, or narrow its paths to the rule files",
                )
            )
        elif skipped:
            kinds = ", ".join(dict.fromkeys(k for k, _ in skipped))
            count = len(skipped)
            self.result.notes.append(
                f"{self.path}: skipped {count} document{'s' if count != 1 else ''} of other "
                f"kinds ({kinds})"
            )
        elif not read_any and first_content is None:
            self.result.problems.append(
                _unreadable(
                    Location(self.path, 1, 1),
                    "file is empty",
                    "write rule groups here, or remove the file from alert-rules",
                )
            )

    def groups(self, node: Node, doc: int, key: Node) -> None:
        if isinstance(node, Scalar) and node.is_null:
            return
        if not isinstance(node, Sequence):
            self.invalid(node, "`groups` must be a list of groups", "write `- name: ...` items")
            return
        names: dict[str, int] = {}
        for number, group in enumerate(node.items):
            if not isinstance(group, Mapping):
                self.invalid(group, "a group must be a mapping with `name` and `rules`")
                continue
            keys = _keys(group)
            name_entry = keys.get("name")
            name = ""
            if (
                name_entry is None
                or not isinstance(name_entry[1], Scalar)
                or not (name := name_entry[1].value.strip())
            ):
                self.invalid(group, "group has no name", "add `name:` to the group")
            elif name in names:
                self.invalid(
                    name_entry[1],
                    f"group name '{name}' is repeated in this file (first at line {names[name]})",
                    "Prometheus refuses the file: give each group its own name",
                )
            else:
                names[name] = name_entry[1].line
            rules = keys.get("rules")
            if rules is None or (isinstance(rules[1], Scalar) and rules[1].is_null):
                continue
            if not isinstance(rules[1], Sequence):
                self.invalid(rules[1], "`rules` must be a list of rules")
                continue
            for index, rule in enumerate(rules[1].items):
                self.rule(rule, name, doc, number, index)

    def rule(self, node: Node, group: str, doc: int, group_index: int, index: int) -> None:
        if not isinstance(node, Mapping):
            self.invalid(node, "a rule must be a mapping with `alert` or `record` and `expr`")
            return
        keys = self.rule_keys(node)
        for name, (key, _) in keys.items():
            if name not in RULE_KEYS and name != "<<":
                close = difflib.get_close_matches(name, RULE_KEYS, n=1)
                self.invalid(
                    key,
                    f"unknown key '{name}' in a rule"
                    + (f"; did you mean '{close[0]}'?" if close else ""),
                    f"a rule has: {', '.join(RULE_KEYS)} (Prometheus refuses the file)",
                )
        alert = _text(keys.get("alert"))
        record = _text(keys.get("record"))
        if alert and record:
            self.invalid(node, "a rule has both `alert` and `record`", "keep one of the two")
            return
        if not alert and not record:
            self.invalid(
                node,
                "a rule has neither `alert` nor `record`",
                "name it with `alert:` (an alerting rule) or `record:` (a recording rule)",
            )
            return
        expr_entry = keys.get("expr")
        expr = _text(expr_entry)
        if not expr or not expr.strip():
            what = f"alert '{alert}'" if alert else f"recording rule '{record}'"
            self.invalid(
                expr_entry[1] if expr_entry else node,
                f"{what} has no `expr`",
                "add `expr:` with the PromQL query the rule evaluates",
            )
            return
        assert expr_entry is not None
        error = promql_error(expr)
        if error is not None and error.checked:
            self.invalid(
                expr_entry[1],
                f"`expr` is not valid PromQL: {error.message}",
                "promtool check rules shows the same; fix the query",
            )
        if record:
            self.result.records.setdefault(record, self.loc(keys["record"][1]))
            for extra in ("for", "keep_firing_for", "annotations"):
                if extra in keys:
                    self.invalid(
                        keys[extra][0],
                        f"recording rule '{record}' has `{extra}`, which only alerts have",
                        f"remove `{extra}`, or make the rule an alert",
                    )
            return
        labels = self.string_map(keys.get("labels"), "labels")
        annotations_entry = keys.get("annotations")
        annotations = self.string_map(annotations_entry, "annotations")
        url_node = None
        shared = False
        if annotations_entry is not None:
            ann = annotations_entry[1]
            shared = ann.aliased or bool(ann.anchor) or annotations_entry[0] is _MERGED
            if isinstance(ann, Mapping):
                found = _keys(ann).get(RUNBOOK_URL)
                url_node = found[1] if found else None
        name_node = keys["alert"][1]
        assert isinstance(name_node, Scalar)
        feature = dict(labels).get(self.feature_label) if self.feature_label else None
        self.result.alerts.append(
            AlertRule(
                name=alert,
                expr=expr,
                path=self.path,
                location=self.loc(name_node),
                group=group,
                doc=doc,
                index=index,
                for_=_text(keys.get("for")) or None,
                keep_firing_for=_text(keys.get("keep_firing_for")) or None,
                labels=labels,
                annotations=annotations,
                runbook_url_location=self.loc(url_node) if url_node else None,
                annotations_location=(
                    self.loc(annotations_entry[0])
                    if annotations_entry and annotations_entry[0] is not _MERGED
                    else None
                ),
                feature=feature,
                rule_node=node,
                name_node=name_node,
                annotations_node=annotations_entry[1] if annotations_entry else None,
                url_node=url_node,
                shared=shared or name_node.aliased,
            )
        )

    def rule_keys(self, node: Mapping) -> dict[str, tuple[Node, Node]]:
        """The rule's keys, merge keys (``<<: *anchor``) applied: written keys win."""
        keys: dict[str, tuple[Node, Node]] = {}
        merged: dict[str, tuple[Node, Node]] = {}
        for key, value in node.pairs:
            name = key.value if isinstance(key, Scalar) else ""
            if name == "<<" and isinstance(key, Scalar) and not key.style:
                sources = value.items if isinstance(value, Sequence) else [value]
                for source in sources:
                    if isinstance(source, Mapping):
                        for k, (_, v) in _keys(source).items():
                            merged.setdefault(k, (_MERGED, v))
                continue
            if name in keys:
                self.invalid(
                    key,
                    f"duplicate key '{name}' (first written at line {keys[name][0].line})",
                    "YAML keeps only one of them; Prometheus refuses the file",
                )
                continue
            keys[name] = (key, value)
        for name, entry in merged.items():
            keys.setdefault(name, entry)
        return keys

    def string_map(self, entry: tuple[Node, Node] | None, what: str) -> tuple[tuple[str, str], ...]:
        if entry is None:
            return ()
        node = entry[1]
        if isinstance(node, Scalar) and node.is_null:
            return ()
        if not isinstance(node, Mapping):
            self.invalid(node, f"`{what}` must be a mapping of names to text")
            return ()
        out = []
        for key, value in node.pairs:
            if not isinstance(key, Scalar) or not isinstance(value, Scalar):
                self.invalid(value, f"`{what}` values must be text, not lists or mappings")
                continue
            out.append((key.value, value.value))
        return tuple(out)


# A stand-in for the key node of a value that came through a merge key (it has no own key).
_MERGED = Scalar(0, 0, 0, 0, value="<<")


def _keys(node: Node) -> dict[str, tuple[Node, Node]]:
    """A mapping's scalar keys, first of each kept."""
    out: dict[str, tuple[Node, Node]] = {}
    if isinstance(node, Mapping):
        for key, value in node.pairs:
            if isinstance(key, Scalar):
                out.setdefault(key.value, (key, value))
    return out


def _text(entry: tuple[Node, Node] | None) -> str:
    """The text of a scalar entry ('' when absent, null or not a scalar)."""
    if entry is None or not isinstance(entry[1], Scalar) or entry[1].is_null:
        return ""
    return entry[1].value


def iter_alerts(files: list[RuleFile]) -> Iterator[AlertRule]:
    for item in files:
        yield from item.alerts
