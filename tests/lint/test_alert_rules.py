"""RB305-RB311: runbooks against real-format alert rule files, every finding with its position."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from tests.lint.conftest import CONFIG, GOOD, RUNBOOK_PATH, position

ALERT_CODES = ["RB305", "RB306", "RB307", "RB308", "RB309", "RB310", "RB311"]
SITE = "https://runbooks.example.com/"
PAGE = "https://runbooks.example.com/runbooks/one-click-checkout/"
RULES_PATH = "monitoring/checkout.rules.yml"

WITH_ALERTS = CONFIG.replace(
    'teams = "runbooks/teams.yaml"\n',
    f'teams = "runbooks/teams.yaml"\nsite-url = "{SITE}"\n\n'
    '[[alert-rules]]\npaths = ["monitoring/*.rules.yml"]\n\n'
    '[[alert-rules]]\npaths = ["deploy/*.yaml"]\nkind = "prometheus-operator"\n'
    'feature-label = "feature"\n',
)

# Two groups, comments, several quoting styles; CheckoutErrorRateHigh is the good runbook's.
RULES = f"""\
# Checkout alerts. Owned by payments.
groups:
  - name: checkout.errors
    interval: 30s
    rules:
      - alert: CheckoutErrorRateHigh   # pages the on-call
        expr: |
          sum(rate(checkout_errors_total[5m]))
            / sum(rate(checkout_requests_total[5m])) > 0.02
        for: 5m
        labels:
          severity: 'critical'
        annotations:
          summary: "Checkout errors above 2%"
          runbook_url: "{PAGE}"
      - record: checkout:errors:rate5m
        expr: sum(rate(checkout_errors_total[5m]))
  - name: checkout.latency
    rules:
      - alert: CheckoutLatencyHigh
        expr: histogram_quantile(0.95, sum by (le) (rate(checkout_seconds_bucket[5m]))) > 2
        for: 10m
"""

MANIFEST = """\
apiVersion: v1
kind: Service
metadata: {name: checkout}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: checkout
spec:
  groups:
    - name: checkout.payments
      rules:
        - alert: PaymentProviderDown
          expr: up{job="payment-provider"} == 0
          labels:
            feature: one-click-checkout
            severity: critical
"""


@pytest.fixture
def alerting(project):
    """The lint project with alert rule files and a site-url configured."""
    project.write("rollbook.toml", WITH_ALERTS)
    project.write(RULES_PATH, RULES)
    project.write(
        "deploy/checkout.yaml",
        MANIFEST.replace(
            "          labels:\n            feature",
            "          annotations:\n"
            f"            runbook_url: {PAGE}\n          labels:\n            feature",
        ),
    )
    return project


def at(found) -> list[tuple[str, str, int, int]]:
    return [(f.code, f.path, f.line, f.column) for f in found]


def test_the_good_runbook_and_its_rules_pass_every_alert_rule(alerting):
    result = alerting.lint()
    assert [f for f in result.findings if f.code in ALERT_CODES] == []
    assert result.notes == ["deploy/checkout.yaml: skipped 1 document of other kinds (Service)"]


def test_without_alert_rules_the_rules_that_need_them_are_silent(project, edit):
    project.runbook(edit(("alert: CheckoutErrorRateHigh", "alert: NoSuchAlert")))
    assert [f for f in project.findings() if f.code in ALERT_CODES] == []


# -- RB307 unknown alert -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("CheckoutErrorRateHi", "did you mean 'CheckoutErrorRateHigh'?"),
        ("checkouterrorratehigh", "did you mean 'CheckoutErrorRateHigh'?"),
        ("CheckoutLatencyHihg", "did you mean 'CheckoutLatencyHigh'?"),
        ("SomethingElseEntirely", "which no rule file defines"),
        ("checkout:errors:rate5m", "is a recording rule, not an alert"),
    ],
)
def test_rb307_names_the_unknown_alert_at_the_signal(alerting, edit, name, needle):
    text = edit(("alert: CheckoutErrorRateHigh", f"alert: {name}"))
    alerting.runbook(text)
    [found] = alerting.findings("RB307")
    assert at([found]) == [("RB307", RUNBOOK_PATH, *position(text, name))]
    assert needle in found.message


# -- RB308 and RB309: runbook_url ----------------------------------------------------------------


def test_rb308_points_at_the_alert_s_annotations_in_the_rule_file(alerting):
    rules = RULES.replace(f'          runbook_url: "{PAGE}"\n', "")
    alerting.write(RULES_PATH, rules)
    [found] = alerting.findings("RB308")
    assert at([found]) == [("RB308", RULES_PATH, *position(rules, "annotations:"))]
    assert "CheckoutErrorRateHigh" in found.message
    assert PAGE in found.help


def test_rb308_an_alert_labelled_for_the_feature_needs_the_url_too(alerting):
    alerting.write("deploy/checkout.yaml", MANIFEST)
    [found] = alerting.findings("RB308")
    assert at([found]) == [
        ("RB308", "deploy/checkout.yaml", *position(MANIFEST, "PaymentProviderDown"))
    ]


def test_rb308_without_site_url_says_to_set_it(alerting):
    alerting.write("rollbook.toml", WITH_ALERTS.replace(f'site-url = "{SITE}"\n', ""))
    alerting.write("deploy/checkout.yaml", MANIFEST)
    [found] = alerting.findings("RB308")
    assert "set site-url" in found.help
    assert alerting.findings("RB309") == []


@pytest.mark.parametrize(
    "wrong",
    [
        "https://wiki.example.com/Checkout+runbook",
        "https://runbooks.example.com/runbooks/one-click/",
        "http://runbooks.example.com/runbooks/one-click-checkout/",
        "",
    ],
)
def test_rb309_a_url_that_leads_elsewhere_is_reported_at_its_value(alerting, wrong):
    rules = RULES.replace(f'runbook_url: "{PAGE}"', f'runbook_url: "{wrong}"')
    alerting.write(RULES_PATH, rules)
    [found] = alerting.findings("RB309")
    line, column = position(rules, f'"{wrong}"')
    assert at([found]) == [("RB309", RULES_PATH, line, column)]
    assert PAGE in found.message


@pytest.mark.parametrize(
    "fine",
    [
        PAGE + "#roll-back",
        PAGE.rstrip("/"),
        "{{ $externalURL }}/runbooks/{{ $labels.feature }}/",
    ],
)
def test_rb309_fragments_a_missing_slash_and_templates_pass(alerting, fine):
    alerting.write(RULES_PATH, RULES.replace(f'runbook_url: "{PAGE}"', f'runbook_url: "{fine}"'))
    assert alerting.findings("RB309") == []


# -- RB310 PromQL ------------------------------------------------------------------------------

QUERY = "query: sum(rate(checkout_errors_total[5m]))"


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("sum(rate(checkout_errors_total[5m])", "unclosed left parenthesis"),
        ("rate(checkout_errors_total)", "expected type matrix"),
        ("sum(rate(checkout_errors_total[5m])) >", "invalid promql"),
        ('\'{app="checkout"} |= "error"\'', "unexpected character"),
    ],
)
def test_rb310_reports_the_parser_s_message_at_the_query(project, edit, query, needle):
    text = edit((QUERY, f"query: {query}"))
    project.runbook(text)
    [found] = project.findings("RB310")
    assert at([found]) == [("RB310", RUNBOOK_PATH, *position(text, query))]
    assert needle in found.message


def test_rb310_a_folded_query_is_pointed_at_on_its_own_line(project, edit):
    text = edit((QUERY, "query: >-\n      sum(rate(checkout_errors_total[5m]))\n        / 0 +"))
    project.runbook(text)
    [found] = project.findings("RB310")
    assert at([found]) == [("RB310", RUNBOOK_PATH, *position(text, "sum(rate(checkout"))]


def test_rb310_checks_metric_and_alert_signals_only(project, edit):
    text = edit((QUERY, 'query: \'{app="checkout"} |= "error"\''), ("kind: metric", "kind: log"))
    project.runbook(text)
    assert project.findings("RB310") == []


def test_rb310_a_query_too_deep_to_parse_is_said_not_crashed(project, edit):
    query = "(" * 450 + "x" + ")" * 450
    project.runbook(edit((QUERY, f"query: {query}")))
    [found] = project.findings("RB310")
    assert "was not checked as PromQL" in found.message


# -- RB311 rollback not alerted ----------------------------------------------------------------


def test_rb311_a_critical_feature_whose_alerts_do_not_exist(alerting, edit):
    text = edit(
        ("alert: CheckoutErrorRateHigh", "alert: CheckoutErrorsGone"),
        ("rollback:\n", "rollback:\n  when:\n    - CheckoutErrorsGone fires\n"),
    )
    alerting.write("deploy/checkout.yaml", MANIFEST.replace("feature: one-click", "feature: x"))
    alerting.runbook(text)
    [found] = alerting.findings("RB311")
    assert at([found]) == [("RB311", RUNBOOK_PATH, *position(text, "when:\n    - Checkout"))]


@pytest.mark.parametrize(
    "trigger",
    ["CheckoutLatencyHigh fires for 10 minutes", "the alert `CheckoutLatencyHigh` pages"],
)
def test_rb311_a_trigger_naming_a_real_alert_is_enough(alerting, edit, trigger):
    text = edit(
        ("alert: CheckoutErrorRateHigh", "alert: CheckoutErrorsGone"),
        ("rollback:\n", f"rollback:\n  when:\n    - {trigger}\n"),
    )
    alerting.write("deploy/checkout.yaml", MANIFEST.replace("feature: one-click", "feature: x"))
    alerting.runbook(text)
    assert alerting.findings("RB311") == []


def test_rb311_an_alert_labelled_for_the_feature_is_enough(alerting, edit):
    alerting.runbook(edit(("alert: CheckoutErrorRateHigh", "alert: CheckoutErrorsGone")))
    assert alerting.findings("RB311") == []


def test_rb311_leaves_low_risk_features_alone(alerting, edit):
    alerting.write("deploy/checkout.yaml", MANIFEST.replace("feature: one-click", "feature: x"))
    alerting.runbook(
        edit(
            ("alert: CheckoutErrorRateHigh", "alert: CheckoutErrorsGone"),
            ("risk: critical", "risk: low"),
        )
    )
    assert alerting.findings("RB311") == []


# -- RB305 and RB306 through lint ---------------------------------------------------------------


def test_rb305_and_rb306_are_findings_in_the_rule_files(alerting):
    alerting.write("deploy/other.yaml", "apiVersion: apps/v1\nkind: Deployment\n")
    broken = RULES.replace("        for: 10m\n", "        for: 10m\n        annotation: {}\n")
    alerting.write(RULES_PATH, broken)
    found = [f for f in alerting.findings() if f.code in {"RB305", "RB306"}]
    assert at(found) == [
        ("RB305", "deploy/other.yaml", 2, 7),
        ("RB306", RULES_PATH, *position(broken, "annotation: {}")),
    ]
    assert alerting.lint().failed


def test_a_suppression_in_the_rule_file_is_honoured(alerting):
    # Thanos reads `partial_response_strategy` on rules; Prometheus does not.
    rules = RULES.replace(
        "      - alert: CheckoutLatencyHigh\n",
        "      - alert: CheckoutLatencyHigh\n"
        "        # rollbook: ignore[RB306] Thanos reads this key\n"
        "        partial_response_strategy: warn\n",
    )
    alerting.write(RULES_PATH, rules)
    assert alerting.findings("RB306") == []
    alerting.write(
        RULES_PATH, rules.replace("        # rollbook: ignore[RB306] Thanos reads this key\n", "")
    )
    assert len(alerting.findings("RB306")) == 1


# -- configuration errors: exit 2 with the file and key --------------------------------------


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ('[[alert-rules]]\npathz = ["r/*.yaml"]\n', "unknown key 'pathz'; did you mean 'paths'"),
        ('[[alert-rules]]\npaths = ["r/*.yaml"]\nkind = "operator"\n', "unknown kind"),
        ('alert-rules = ["../outside/*.yaml"]\n', "leaves the project root"),
        ('[[alert-rules]]\npaths = ["r.yaml"]\nfeature-label = "my feature"\n', "label name"),
        ('alert-rules = ["missing.rules.yml"]\n', "no file 'missing.rules.yml'"),
    ],
)
def test_a_bad_alert_rules_entry_exits_2_naming_the_file_and_key(project, entry, needle):
    # A plain key goes above the tables, a table below them (TOML's rule).
    text = entry + CONFIG if entry.startswith("alert-rules") else CONFIG + "\n" + entry
    project.write("rollbook.toml", text)
    result = run_cli("lint", cwd=project.root)
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr
    assert "rollbook.toml" in result.stderr and "alert-rules" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_good_runbook_is_the_one_the_rules_expect():
    assert "alert: CheckoutErrorRateHigh" in GOOD
    assert QUERY in GOOD
