"""Reading Prometheus rule files and PrometheusRule manifests: real files, written variants,
and bad input, each with the exact line and column a person would be sent to."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rollbook.alerts.promql import MAX_OPERATORS, operator_count, promql_error
from rollbook.alerts.rule_files import MAX_BYTES, read_rule_bytes, read_rule_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alert-rules"
RULEFMT = FIXTURES / "prometheus-rulefmt"
KUBE = FIXTURES / "kube-prometheus"


def read(text: str, kind: str = "auto", label: str | None = None):
    return read_rule_bytes(text.encode("utf-8"), "rules.yaml", kind, label)


def where(problem) -> tuple[str, int, int]:
    return (problem.code, problem.location.line, problem.location.column)


# -- the real files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "alerts", "records"),
    [
        ("test.yaml", ["HighErrors"] * 4, {"new_metric"}),
        (
            "test_aliases.yaml",
            ["HighAlert", "HighAlert", "HighAlert2", "HighAlert", "HighAlert", "HighAlert2"],
            {"new_metric"},
        ),
        ("multi_doc.good.yaml", ["HighErrors"], {"new_metric"}),
    ],
)
def test_prometheus_accepts_these_and_so_does_rollbook(name, alerts, records):
    found = read_rule_file(RULEFMT / name, name)
    assert found.problems == []
    assert [a.name for a in found.alerts] == alerts
    assert set(found.records) == records


def test_merge_keys_give_the_merged_rule_its_own_name_and_the_anchor_s_fields():
    found = read_rule_file(RULEFMT / "test_aliases.yaml", "test_aliases.yaml")
    high2 = found.alerts[2]
    assert (high2.name, high2.location.line, high2.location.column) == ("HighAlert2", 33, 16)
    assert high2.for_ == "5m" and high2.severity == "critical"
    assert "rate(errors_total[5m])" in high2.expr
    # The annotations come through the anchor: shared, so link-alerts leaves them alone.
    assert high2.shared
    # Without `for:` the fifth alert fires at once.
    assert found.alerts[4].for_ is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bad_expr.bad.yaml", ("RB306", 5, 15, "not valid PromQL")),
        ("bad_field.bad.yaml", ("RB306", 8, 9, "did you mean 'annotations'")),
        ("duplicate_grp.bad.yaml", ("RB306", 3, 11, "'yolo' is repeated")),
        ("no_rec_alert.bad.yaml", ("RB306", 4, 9, "neither `alert` nor `record`")),
        ("record_and_alert.bad.yaml", ("RB306", 4, 9, "both `alert` and `record`")),
    ],
)
def test_what_prometheus_refuses_is_reported_where_it_is(name, expected):
    found = read_rule_file(RULEFMT / name, name)
    [problem] = found.problems
    assert where(problem) == expected[:3]
    assert expected[3] in problem.message
    assert problem.location.path == name


def test_kube_prometheus_manifests_every_alert_with_its_runbook_url():
    small = read_rule_file(KUBE / "alertmanager-prometheusRule.yaml", "am.yaml")
    assert small.problems == [] and len(small.alerts) == 9
    first = small.alerts[0]
    assert (first.name, first.location.line, first.location.column) == (
        "AlertmanagerFailedReload",
        18,
        14,
    )
    assert first.runbook_url == (
        "https://runbooks.prometheus-operator.dev/runbooks/alertmanager/alertmanagerfailedreload"
    )
    assert (first.runbook_url_location.line, first.runbook_url_location.column) == (21, 22)
    assert first.for_ == "10m" and first.severity == "critical"
    assert first.expr.startswith("# Without max_over_time")  # a comment inside the literal
    big = read_rule_file(KUBE / "kubernetesControlPlane-prometheusRule.yaml", "cp.yaml")
    assert big.problems == []
    assert len(big.alerts) == 63
    assert all(a.runbook_url for a in big.alerts)


# -- files written here: several groups, comments, streams, quoting ---------------------------

STREAM = """\
# The checkout service's Kubernetes objects, one stream.
apiVersion: v1
kind: ConfigMap
metadata: {name: checkout-config}
data:
  groups: "not rules: a ConfigMap's data"
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: checkout-rules   # picked up by the operator
spec:
  groups:
    - name: checkout.errors
      rules:
        # Pages the payments on-call.
        - alert: 'CheckoutErrorRateHigh'
          expr: >-
            sum(rate(checkout_errors_total[5m]))
              / sum(rate(checkout_requests_total[5m])) > 0.02
          for: "5m"
          labels:
            severity: "critical"
            feature: one-click-checkout
          annotations:
            runbook_url: "https://runbooks.example.com/runbooks/one-click-checkout/"
        - record: checkout:errors:rate5m
          expr: sum(rate(checkout_errors_total[5m]))
    - name: checkout.latency
      rules:
        - {alert: CheckoutSlow, expr: 'max(x_seconds) > 2', labels: {severity: warning}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout}
"""


def test_a_stream_reads_the_rules_and_skips_other_kinds_with_a_note():
    found = read(STREAM, label="feature")
    assert found.problems == []
    assert [(a.name, a.location.line, a.location.column) for a in found.alerts] == [
        ("CheckoutErrorRateHigh", 17, 18),
        ("CheckoutSlow", 31, 19),
    ]
    high, slow = found.alerts
    assert high.group == "checkout.errors" and slow.group == "checkout.latency"
    assert (high.doc, high.index, slow.doc, slow.index) == (1, 0, 1, 0)
    assert high.for_ == "5m" and high.severity == "critical"
    assert high.feature == "one-click-checkout" and slow.feature is None
    assert high.expr.startswith("sum(rate(checkout_errors_total[5m]))")
    assert high.runbook_url == "https://runbooks.example.com/runbooks/one-click-checkout/"
    assert (high.runbook_url_location.line, high.runbook_url_location.column) == (26, 26)
    assert slow.severity == "warning" and slow.runbook_url is None
    assert found.records == {"checkout:errors:rate5m": found.records["checkout:errors:rate5m"]}
    assert found.notes == ["rules.yaml: skipped 2 documents of other kinds (ConfigMap, Deployment)"]


def test_a_kind_that_does_not_match_the_source_is_said():
    [problem] = read(STREAM, kind="prometheus").problems
    assert where(problem) == ("RB305", 9, 7)
    assert 'kind = "prometheus-operator"' in problem.hint
    plain = "groups:\n  - name: a\n    rules: []\n"
    [problem] = read(plain, kind="prometheus-operator").problems
    assert where(problem) == ("RB305", 1, 1)


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('groups:\n  - name: "unclosed\n    rules: []\n', 4, 1),
        ("groups:\n  - name: a\n   rules: []\n", 3, 4),
        ("groups:\n\t- name: a\n", 2, 1),
        ("groups: [a, b\n", 2, 1),
        (
            "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n"
            "       for: 5m\n",
            6,
            8,
        ),
    ],
)
def test_text_that_is_not_yaml_is_one_problem_at_its_position(text, line, column):
    [problem] = read(text).problems
    assert where(problem) == ("RB305", line, column)
    assert problem.message.startswith("not valid YAML")


@pytest.mark.parametrize(
    ("rule", "line", "column", "needle"),
    [
        ("- alert: NoExpr\n        for: 5m\n", 4, 9, "alert 'NoExpr' has no `expr`"),
        ("- alert: EmptyExpr\n        expr:\n", 5, 14, "has no `expr`"),
        ('- alert: BlankExpr\n        expr: "  "\n', 5, 15, "has no `expr`"),
        ("- alert: ListExpr\n        expr: [up]\n", 5, 15, "has no `expr`"),
        ("- record: rec\n        labels: {a: b}\n", 4, 9, "recording rule 'rec' has no `expr`"),
    ],
)
def test_a_rule_without_expr_is_reported_at_the_rule(rule, line, column, needle):
    text = f"groups:\n  - name: g\n    rules:\n      {rule}"
    [problem] = read(text).problems
    assert where(problem) == ("RB306", line, column)
    assert needle in problem.message


def test_a_ten_megabyte_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.yaml"
    chunk = "groups:\n" + "  - name: g\n    rules: []\n" * 10
    path.write_text(chunk * (10 * 1024 * 1024 // len(chunk) + 1), encoding="utf-8")
    assert path.stat().st_size > MAX_BYTES
    [problem] = read_rule_file(path, "huge.yaml").problems
    assert where(problem) == ("RB305", 1, 1)
    assert "10.0 MiB" in problem.message and "limited to 4 MiB" in problem.message


@pytest.mark.parametrize(
    ("text", "line", "column", "kinds"),
    [
        ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n", 2, 7, "Deployment"),
        (
            "# a stream\napiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Service\n",
            3,
            7,
            "ConfigMap, Service",
        ),
        # The right kind in the wrong group of APIs is someone else's resource.
        ("apiVersion: example.com/v1\nkind: PrometheusRule\nspec: {groups: []}\n", 2, 7, ""),
    ],
)
def test_a_manifest_of_another_kind_only_is_reported(text, line, column, kinds):
    [problem] = read(text).problems
    assert where(problem) == ("RB305", line, column)
    assert "no PrometheusRule" in problem.message and kinds in problem.message


@pytest.mark.parametrize(
    ("raw", "line", "column", "needle"),
    [
        (b"groups:\n  - name: caf\xe9\n", 2, 14, "not UTF-8"),
        (b"groups:\n  - name: a\x00\n", 2, 12, "NUL byte"),
        (b"", 1, 1, "file is empty"),
        (b"just text\n", 1, 1, "not a mapping"),
        (b"rules:\n  - alert: X\n", 1, 1, "neither a rule file"),
    ],
)
def test_other_bad_files_are_clear_problems(raw, line, column, needle):
    [problem] = read_rule_bytes(raw, "rules.yaml").problems
    assert (problem.location.line, problem.location.column) == (line, column)
    assert needle in problem.message


def test_an_alias_bomb_stops_at_the_limit():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    text = "\n".join(lines) + "\ngroups: *a8\n"
    [problem] = read(text).problems
    assert problem.code == "RB305" and "aliases are expanded" in problem.message


@pytest.mark.parametrize(("depth", "needle"), [(100, "nested more than 64"), (5000, "nesting")])
def test_deep_nesting_stops_at_a_limit(depth, needle):
    text = "groups: " + "[" * depth + "]" * depth + "\n"
    [problem] = read(text).problems
    assert problem.code == "RB305" and needle in problem.message


def test_unknown_and_duplicate_rule_keys():
    text = (
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n"
        "        expr: up\n        runbook_url: https://x.example/\n"
    )
    problems = read(text).problems
    assert [where(p) for p in problems] == [("RB306", 7, 9), ("RB306", 6, 9)] or [
        where(p) for p in sorted(problems, key=lambda p: p.location)
    ] == [("RB306", 6, 9), ("RB306", 7, 9)]
    assert any("duplicate key 'expr'" in p.message for p in problems)


# -- the PromQL parser's guard -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "x+" * 5000 + "x",
        "-" * 10000 + "x",
        "(" * 5000 + "x" + ")" * 5000,
        "x and " * 3000 + "x",
    ],
)
def test_queries_nested_past_the_parser_s_stack_are_refused_not_crashed(query):
    # Each of these ends the interpreter with a segmentation fault if it reaches the parser.
    assert operator_count(query) > MAX_OPERATORS
    error = promql_error(query)
    assert error is not None and not error.checked


def test_operators_inside_strings_do_not_count():
    query = 'sum(rate(http_requests_total{path=~"' + "/a-b+c" * 500 + '"}[5m]))'
    assert operator_count(query) < 10
    assert promql_error(query) is None


@pytest.mark.parametrize(
    "text",
    [
        "groups: &g [*g]\n",
        "groups:\n  - name: g\n    rules: &r [*r]\n",
        "a: &a {b: *a}\ngroups: [*a]\n",
        "groups:\n  - &x {name: g, rules: [*x]}\n",
    ],
)
def test_self_referencing_aliases_end_in_problems_not_loops(text):
    found = read(text)
    assert found.problems and found.alerts == []


# Random damage to a real stream: whatever the text, problems come back, never an exception.
_SOURCE = (KUBE / "alertmanager-prometheusRule.yaml").read_text(encoding="utf-8")[:3000] + STREAM


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, len(_SOURCE)),
            st.integers(0, 6),
            st.sampled_from(
                ["", ":", "-", " ", "\n", "&a ", "*a", "<<: ", "[", "{", "'", '"', "#"]
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_damaged_files_never_raise(edits):
    text = _SOURCE
    for at, cut, insert in edits:
        text = text[:at] + insert + text[at + cut :]
    found = read(text)
    for problem in found.problems:
        assert problem.location.line >= 1 and problem.location.column >= 1
