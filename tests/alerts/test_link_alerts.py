"""`rollbook link-alerts`: only the annotations change, whole files compared, twice over."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rollbook.commands.link_alerts import link_alerts
from rollbook.config import ConfigError, load_project
from tests.conftest import run_cli
from tests.lint.conftest import GOOD, TEAMS

SITE = "https://runbooks.example.com/"
CHECKOUT = "https://runbooks.example.com/runbooks/one-click-checkout/"
GIFTS = "https://runbooks.example.com/runbooks/gift-cards/"

CONFIG = f"""\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"
site-url = "{SITE}"

[[alert-rules]]
paths = ["deploy/*.yaml"]
feature-label = "feature"
"""

GIFT_RUNBOOK = (
    GOOD.replace("id: one-click-checkout", "id: gift-cards")
    .replace("title: One-click checkout", "title: Gift cards")
    .replace("alert: CheckoutErrorRateHigh", "alert: GiftCardErrors")
)

# A commented Kubernetes stream: one document of another kind, then the rules, in every shape
# link-alerts meets: a wrong url in double quotes, annotations without the url, no
# annotations at all (nested four spaces deep), flow annotations, a right url in single
# quotes, an alert of no feature, and annotations shared through an anchor.
STREAM = """\
# Checkout monitoring. Generated once, edited by hand since.
apiVersion: v1
kind: ConfigMap   # not rules: skipped
metadata:
  name: checkout-dashboards
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: checkout
spec:
  groups:
  - name: checkout.errors   # the payments team's
    rules:
    - alert: CheckoutErrorRateHigh
      expr: sum(rate(checkout_errors_total[5m])) > 2
      for: 5m
      annotations:
        summary:   "Checkout errors above 2%"
        runbook_url: "https://wiki.example.com/Checkout"   # the old wiki
    - alert: CheckoutPaymentsFailing
      expr: |
        # Card payments only.
        sum(rate(payments_failed_total{method="card"}[5m])) > 0
      labels:
        feature: one-click-checkout
      annotations:
        description: >-
          Card payments are failing.
  - name: gift-cards
    rules:
    - alert: GiftCardErrors    # pages gift-cards
      expr: 'sum(rate(gift_card_errors_total[5m])) > 1'
      labels:
          severity: warning
    - alert: GiftCardBalanceNegative
      expr: min(gift_card_balance) < 0
      labels: {feature: gift-cards}
      annotations: {summary: 'A balance went below zero'}
    - alert: GiftCardSlow
      expr: histogram_quantile(0.95, sum by (le) (rate(gift_card_seconds_bucket[5m]))) > 2
      labels:
        feature: "gift-cards"
      annotations:
        runbook_url: 'https://runbooks.example.com/runbooks/gift-cards/'
    - alert: DiskFull
      expr: node_filesystem_avail_bytes == 0
    - alert: GiftCardQueueStuck
      expr: gift_card_queue_depth > 100
      labels: {feature: gift-cards}
      annotations: &shared
        summary: The queue is stuck
    - alert: GiftCardQueueSlow
      expr: gift_card_queue_depth > 50
      labels: {feature: gift-cards}
      annotations: *shared
"""

LINKED = (
    STREAM.replace(
        '"https://wiki.example.com/Checkout"   # the old wiki',
        f'"{CHECKOUT}"   # the old wiki',
    )
    .replace(
        "      annotations:\n        description: >-",
        f"      annotations:\n        runbook_url: {CHECKOUT}\n        description: >-",
    )
    .replace(
        "    - alert: GiftCardErrors    # pages gift-cards\n",
        "    - alert: GiftCardErrors    # pages gift-cards\n"
        f"      annotations:\n          runbook_url: {GIFTS}\n",
    )
    .replace(
        "annotations: {summary: 'A balance went below zero'}",
        f"annotations: {{summary: 'A balance went below zero', runbook_url: \"{GIFTS}\"}}",
    )
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "deploy").mkdir()
    (tmp_path / "rollbook.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "runbooks" / "teams.yaml").write_text(TEAMS, encoding="utf-8")
    (tmp_path / "runbooks" / "one-click-checkout.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "runbooks" / "gift-cards.yaml").write_text(GIFT_RUNBOOK, encoding="utf-8")
    (tmp_path / "deploy" / "checkout.yaml").write_text(STREAM, encoding="utf-8")
    return tmp_path


def test_write_changes_only_the_annotations_whole_file_compared(project):
    rules = project / "deploy" / "checkout.yaml"
    os.chmod(rules, 0o640)
    outcome = link_alerts(load_project(project), write=True)
    assert outcome.written == ["deploy/checkout.yaml"]
    assert rules.read_text(encoding="utf-8") == LINKED
    assert rules.stat().st_mode & 0o777 == 0o640
    assert [c.alerts for c in outcome.plan.changes] == [
        [
            "CheckoutErrorRateHigh",
            "CheckoutPaymentsFailing",
            "GiftCardErrors",
            "GiftCardBalanceNegative",
        ]
    ]
    shared = [n for n in outcome.plan.notes if "GiftCardQueue" in n]
    assert len(shared) == 2 and all("anchor, alias or merge key" in n for n in shared)
    assert not any("DiskFull" in n for n in outcome.plan.notes)


def test_a_second_run_changes_nothing(project):
    link_alerts(load_project(project), write=True)
    again = link_alerts(load_project(project), write=True)
    assert again.plan.changes == [] and again.diff == "" and again.written == []
    assert (project / "deploy" / "checkout.yaml").read_text(encoding="utf-8") == LINKED


def test_without_write_a_diff_is_printed_and_nothing_written(project):
    result = run_cli("link-alerts", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("--- a/deploy/checkout.yaml\n+++ b/deploy/checkout.yaml\n")
    assert f'+        runbook_url: "{CHECKOUT}"   # the old wiki\n' in result.stdout
    assert '-        runbook_url: "https://wiki.example.com/Checkout"   # the old wiki\n' in (
        result.stdout
    )
    assert f"+          runbook_url: {GIFTS}\n" in result.stdout
    assert "4 alerts to link in 1 file(s)" in result.stderr
    assert (project / "deploy" / "checkout.yaml").read_text(encoding="utf-8") == STREAM
    written = run_cli("link-alerts", "--write", cwd=project)
    assert written.returncode == 0 and written.stdout == "wrote deploy/checkout.yaml\n"
    after = run_cli("link-alerts", cwd=project)
    assert after.returncode == 0 and after.stdout == ""
    assert "nothing to change" in after.stderr


def test_crlf_files_and_a_byte_order_mark_are_kept(project):
    text = "groups:\r\n- name: g\r\n  rules:\r\n  - alert: GiftCardErrors\r\n    expr: up == 0\r\n"
    path = project / "deploy" / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    link_alerts(load_project(project), write=True)
    expected = text.replace(
        "  - alert: GiftCardErrors\r\n",
        f"  - alert: GiftCardErrors\r\n    annotations:\r\n      runbook_url: {GIFTS}\r\n",
    )
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")


def test_an_alert_two_runbooks_name_is_left_to_a_person(project):
    both = GOOD.replace("alert: CheckoutErrorRateHigh", "alert: DiskFull")
    (project / "runbooks" / "one-click-checkout.yaml").write_text(both, encoding="utf-8")
    (project / "runbooks" / "gift-cards.yaml").write_text(
        GIFT_RUNBOOK.replace("alert: GiftCardErrors", "alert: DiskFull"), encoding="utf-8"
    )
    outcome = link_alerts(load_project(project))
    assert any(
        "'DiskFull' is named by the runbooks of gift-cards, one-click-checkout" in n
        for n in outcome.plan.notes
    )
    assert "DiskFull" not in outcome.diff


def test_a_symbolic_link_to_a_rule_file_stays_a_link(project):
    real = project / "monitoring" / "rules.yaml"
    real.parent.mkdir()
    real.write_text("groups:\n- name: g\n  rules:\n  - alert: GiftCardErrors\n    expr: up\n")
    (project / "deploy" / "linked.yaml").symlink_to(real)
    link_alerts(load_project(project), write=True)
    assert (project / "deploy" / "linked.yaml").is_symlink()
    assert GIFTS in real.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        (CONFIG.replace(f'site-url = "{SITE}"\n', ""), "site-url is not set"),
        (CONFIG.split("[[alert-rules]]")[0], "no alert-rules are configured"),
    ],
)
def test_what_link_alerts_needs_is_asked_for_with_exit_2(project, config, needle):
    (project / "rollbook.toml").write_text(config, encoding="utf-8")
    with pytest.raises(ConfigError, match=needle):
        link_alerts(load_project(project))
    result = run_cli("link-alerts", "--write", cwd=project)
    assert result.returncode == 2 and needle in result.stderr
    assert (project / "deploy" / "checkout.yaml").read_text(encoding="utf-8") == STREAM


def test_a_rule_file_with_problems_is_noted_and_the_rest_linked(project):
    (project / "deploy" / "broken.yaml").write_text("groups: [\n", encoding="utf-8")
    outcome = link_alerts(load_project(project), write=True)
    assert any(n.startswith("deploy/broken.yaml:2:1: not valid YAML") for n in outcome.plan.notes)
    assert (project / "deploy" / "checkout.yaml").read_text(encoding="utf-8") == LINKED
