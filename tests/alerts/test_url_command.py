"""`rollbook url FEATURE [--alerts]`: a feature's page address, found by id, title or key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.lint.conftest import GOOD, TEAMS

PAGE = "https://runbooks.example.com/docs/runbooks/one-click-checkout/"
CONFIG = """\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"
site-url = "https://runbooks.example.com/docs"
"""
RULES = f"""\
groups:
  - name: checkout
    rules:
      - alert: CheckoutErrorRateHigh
        expr: sum(rate(checkout_errors_total[5m])) > 2
        annotations:
          runbook_url: {PAGE}#roll-back
      - alert: CheckoutSlow
        expr: max(checkout_seconds) > 2
        labels: {{feature: one-click-checkout}}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "rollbook.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "runbooks" / "teams.yaml").write_text(TEAMS, encoding="utf-8")
    (tmp_path / "runbooks" / "one-click-checkout.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "feature",
    ["one-click-checkout", "One-click checkout", "one-click CHECKOUT", "checkout.one_click"],
)
def test_a_feature_is_found_by_id_title_or_flag_key(project, feature):
    result = run_cli("url", feature, cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (0, PAGE + "\n", "")


def test_alerts_prints_the_annotation_and_the_feature_s_alerts(project):
    (project / "monitoring").mkdir()
    (project / "monitoring" / "checkout.yaml").write_text(RULES, encoding="utf-8")
    with (project / "rollbook.toml").open("a", encoding="utf-8") as config:
        config.write(
            '\n[[alert-rules]]\npaths = ["monitoring/*.yaml"]\nfeature-label = "feature"\n'
        )
    result = run_cli("url", "checkout.one_click", "--alerts", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"runbook_url: {PAGE}",
        "# CheckoutErrorRateHigh (monitoring/checkout.yaml:4:16): linked",
        "# CheckoutSlow (monitoring/checkout.yaml:8:16): no runbook_url yet",
    ]


def test_alerts_without_rule_files_prints_the_annotation_only(project):
    result = run_cli("url", "one-click-checkout", "--alerts", cwd=project)
    assert result.stdout == f"runbook_url: {PAGE}\n"


@pytest.mark.parametrize(
    ("feature", "needle"),
    [
        ("one-click-chekout", "did you mean: one-click-checkout"),
        ("checkout.one_clik", "did you mean: one-click-checkout (flag 'checkout.one_click')"),
        ("refunds", "no feature matches 'refunds'"),
    ],
)
def test_an_unknown_feature_exits_2_with_near_names(project, feature, needle):
    result = run_cli("url", feature, cwd=project)
    assert result.returncode == 2 and result.stdout == ""
    assert needle in result.stderr


def test_a_name_two_features_share_is_ambiguous(project):
    other = GOOD.replace("id: one-click-checkout", "id: express-checkout")
    (project / "runbooks" / "express-checkout.yaml").write_text(other, encoding="utf-8")
    result = run_cli("url", "checkout.one_click", cwd=project)
    assert result.returncode == 2
    assert "'checkout.one_click' names 2 features: express-checkout" in result.stderr
    assert "one-click-checkout" in result.stderr


def test_without_site_url_it_says_how_to_set_it(project):
    (project / "rollbook.toml").write_text(CONFIG.replace("site-url", "# site-url"))
    result = run_cli("url", "one-click-checkout", cwd=project)
    assert result.returncode == 2
    assert "site-url is not set in rollbook.toml" in result.stderr
    assert 'add site-url = "https://' in result.stderr


def test_a_hostile_feature_name_is_not_acted_on_by_the_terminal(project):
    result = run_cli("url", "\x1b]0;owned\x07\u202echeckout", cwd=project)
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "\\x1b" in result.stderr and "\\u202e" in result.stderr
