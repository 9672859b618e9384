"""The site shows the wiring: a signal backed by an alert rule shows the rule's expression,
`for:` and severity beside the runbook's threshold; search finds features by alert name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rollbook.config import load_project
from rollbook.load.runbooks import load_project_runbooks
from rollbook.render.pages import render_site
from rollbook.site.search import write_search_index
from tests.lint.conftest import GOOD, TEAMS
from tests.site.searchtools import IndexReader

CONFIG = """\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"
alert-rules = [{paths = ["monitoring/*.yaml"], feature-label = "feature"}]
"""

RULES = """\
# Checkout alerts.
groups:
  - name: checkout
    rules:
      - alert: CheckoutErrorRateHigh
        expr: |
          sum(rate(checkout_errors_total[5m]))
            / sum(rate(checkout_requests_total[5m])) > 0.02
        for: 5m
        labels:
          severity: critical
  - name: checkout-extra
    rules:
      - alert: PaymentProviderUnreachable
        expr: up{job="payment-provider"} == 0
        labels: {feature: one-click-checkout, severity: page}
"""


def _pages(root: Path) -> dict[str, object]:
    loaded = load_project_runbooks(load_project(root))
    built = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    return {p.src_uri: p for p in render_site(loaded, built=built)}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "monitoring").mkdir()
    (tmp_path / "rollbook.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "runbooks" / "teams.yaml").write_text(TEAMS, encoding="utf-8")
    (tmp_path / "runbooks" / "one-click-checkout.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "monitoring" / "checkout.yaml").write_text(RULES, encoding="utf-8")
    return tmp_path


def _signal_html(html: str) -> str:
    start = html.index('id="signal-1"')
    return html[start : html.index("</div>", start)]


def test_a_backed_signal_shows_the_rule_beside_the_threshold(project):
    html = _signal_html(_pages(project)["runbooks/one-click-checkout.md"].html)
    assert '<dt>Trouble</dt><dd class="rb-text">above 2% for 5 minutes</dd>' in html
    assert "Fires after <strong>5m</strong>, severity <strong>critical</strong>" in html
    assert (
        "<pre><code>sum(rate(checkout_errors_total[5m]))\n"
        "  / sum(rate(checkout_requests_total[5m])) &gt; 0.02</code></pre>"
    ) in html
    assert "monitoring/checkout.yaml:5:16" in html


def test_without_alert_rules_the_signal_shows_what_it_did_before(project):
    (project / "rollbook.toml").write_text(CONFIG.replace("alert-rules", "# alert-rules"))
    html = _signal_html(_pages(project)["runbooks/one-click-checkout.md"].html)
    assert "Alert rule" not in html
    assert "<dt>Alert</dt><dd><code>CheckoutErrorRateHigh</code></dd>" in html


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("expr", "'up{a=\"</code></pre><script>alert(1)</script>\"} == 0'", "&lt;script&gt;"),
        ("for", '"<img src=x onerror=alert(1)>"', "&lt;img src=x onerror=alert(1)&gt;"),
        ("severity", '"crit\\u202eical"', "crit\\u202eical"),
        ("severity", '"a\\u200bb"', "a\\u200bb"),
    ],
)
def test_hostile_rule_text_is_escaped_and_hidden_characters_shown(project, field, value, shown):
    rules = RULES.replace(
        "        for: 5m\n        labels:\n          severity: critical\n",
        "        for: 5m\n        labels:\n          severity: critical\n"
        if field == "expr"
        else (
            f"        for: {value}\n        labels:\n          severity: critical\n"
            if field == "for"
            else f"        for: 5m\n        labels:\n          severity: {value}\n"
        ),
    )
    if field == "expr":
        rules = rules.replace(
            "        expr: |\n          sum(rate(checkout_errors_total[5m]))\n"
            "            / sum(rate(checkout_requests_total[5m])) > 0.02\n",
            f"        expr: {value}\n",
        )
    (project / "monitoring" / "checkout.yaml").write_text(rules, encoding="utf-8")
    html = _signal_html(_pages(project)["runbooks/one-click-checkout.md"].html)
    assert shown in html
    assert "<script>" not in html and "<img" not in html
    assert "\u202e" not in html and "\u200b" not in html


def test_search_finds_the_feature_by_an_alert_only_a_rule_file_names(project, tmp_path):
    pages = _pages(project)
    page = pages["runbooks/one-click-checkout.md"]
    assert "PaymentProviderUnreachable" in page.search_text.split()
    out = tmp_path / "site"
    out.mkdir()
    write_search_index(out, list(pages.values()))
    reader = IndexReader(out)
    for query in ("PaymentProviderUnreachable", "paymentproviderunreachable", "CheckoutErrorRate"):
        assert reader.query(query).titles[:1] == ["One-click checkout"], query
    # Without the rule files, only the runbook's own words find it.
    (project / "rollbook.toml").write_text(CONFIG.replace("alert-rules", "# alert-rules"))
    page = _pages(project)["runbooks/one-click-checkout.md"]
    assert "PaymentProviderUnreachable" not in page.search_text
