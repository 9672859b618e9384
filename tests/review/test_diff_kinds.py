"""`rollbook diff` on a real git repository: one commit per kind of change, the JSON asserted."""

from __future__ import annotations

import pytest

from tests.review.conftest import RUNBOOK_PATH, Repo

CHECKOUT = "one-click-checkout"


def changes(data: dict, ident: str = CHECKOUT) -> list[dict]:
    [rb] = [r for r in data["runbooks"] if r["id"] == ident]
    return rb["changes"]


def only(data: dict, kind: str, ident: str = CHECKOUT) -> dict:
    found = [c for c in changes(data, ident) if c["kind"] == kind]
    assert len(found) == 1, changes(data, ident)
    return found[0]


def test_nothing_changed(repo: Repo):
    repo.commit("empty")
    data = repo.data()
    assert data["version"] == 1 and data["base"] == "HEAD~1" and len(data["base_commit"]) == 40
    assert data["runbooks"] == [] and data["sources"] == [] and data["weakening"] == []
    assert repo.diff().exit_code == 0


def test_step_removed_weakens_and_fails_on_weakened(repo: Repo):
    repo.edit(
        RUNBOOK_PATH,
        (
            "    - do: Purge the checkout cache from the admin page.\n"
            "      expect: The admin page says the cache is empty.\n",
            "",
        ),
    )
    repo.commit("drop a step")
    data = repo.data()
    step = only(data, "step-removed")
    assert step == {
        "kind": "step-removed",
        "what": "rollback step 3 (of 3)",
        "old": "Purge the checkout cache from the admin page.",
        "new": None,
        "weakens": True,
        "why": "a rollback step is gone",
    }
    assert data["weakening"] == [{"id": CHECKOUT, **step}]
    assert repo.diff(fail_on_weakened=True).exit_code == 1
    assert repo.diff(fail_on_weakened=False).exit_code == 0


def test_step_added_does_not_weaken(repo: Repo):
    repo.edit(
        RUNBOOK_PATH,
        (
            "  verify:",
            "    - do: Tell the support team in the support channel.\n"
            "      expect: Someone from support replies.\n  verify:",
        ),
    )
    repo.commit("add a step")
    data = repo.data()
    step = only(data, "step-added")
    assert (step["what"], step["new"], step["weakens"]) == (
        "rollback step 4 (of 4)",
        "Tell the support team in the support channel.",
        False,
    )
    assert data["weakening"] == []
    assert repo.diff(fail_on_weakened=True).exit_code == 0


def test_step_reworded_shows_old_and_new_wording(repo: Repo):
    repo.edit(
        RUNBOOK_PATH,
        (
            "Press the switch so it shows Off, then press Save.",
            "Press the switch so it shows Off, then press Save and wait a minute.",
        ),
    )
    repo.commit("reword")
    step = only(repo.data(), "step-reworded")
    assert step["what"] == "rollback step 2"
    assert step["old"] == "Press the switch so it shows Off, then press Save."
    assert step["new"] == "Press the switch so it shows Off, then press Save and wait a minute."
    assert [c["kind"] for c in changes(repo.data())] == ["step-reworded"]


def test_steps_reordered(repo: Repo):
    text = repo.read(RUNBOOK_PATH)
    first = (
        "    - do: Open the flag console and find checkout.one_click.\n"
        "      expect: The flag page shows On.\n"
    )
    second = (
        "    - do: Press the switch so it shows Off, then press Save.\n"
        "      expect: The switch shows Off.\n"
    )
    repo.write(RUNBOOK_PATH, text.replace(first + second, second + first))
    repo.commit("swap")
    data = repo.data()
    kinds = [c["kind"] for c in changes(data)]
    assert "steps-reordered" in kinds and "step-removed" not in kinds and "step-added" not in kinds
    assert only(data, "steps-reordered")["new"] == "now in the old order 2, 1, 3"


def test_kill_switch_removed_weakens(repo: Repo):
    repo.edit(RUNBOOK_PATH, ("  kill_switch: checkout.one_click\n", ""))
    repo.commit("no kill switch")
    change = only(repo.data(), "kill-switch-removed")
    assert (change["old"], change["new"], change["why"]) == (
        "checkout.one_click",
        None,
        "the kill switch is gone",
    )


def test_off_value_changed(repo: Repo):
    repo.edit(RUNBOOK_PATH, ("    off: false\n", '    off: "off"\n'))
    repo.commit("off value")
    change = only(repo.data(), "off-value-changed")
    assert (change["what"], change["old"], change["new"]) == (
        "kill switch checkout.one_click off value",
        "false",
        "off",
    )


def test_kill_switch_needing_a_redeploy_weakens(repo: Repo):
    repo.edit(RUNBOOK_PATH, ("    off: false\n", "    off: false\n    redeploy: true\n"))
    repo.commit("redeploy")
    change = only(repo.data(), "kill-switch-redeploy-changed")
    assert (change["old"], change["new"], change["why"]) == (
        "no",
        "yes",
        "rolling back now needs a redeploy",
    )


def test_signal_removed_and_threshold_changed(repo: Repo):
    repo.edit(
        RUNBOOK_PATH,
        (
            "  - name: Payment latency\n    kind: metric\n"
            "    query: histogram_quantile(0.95, payment_seconds_bucket)\n"
            "    threshold: above 2 seconds\n",
            "",
        ),
        ("above 2% for 5 minutes\n", "above 5% for 5 minutes\n"),
    )
    repo.commit("signals")
    data = repo.data()
    removed = only(data, "signal-removed")
    assert (removed["what"], removed["weakens"]) == ("signal Payment latency", True)
    threshold = only(data, "signal-threshold-changed")
    assert (threshold["old"], threshold["new"]) == (
        "above 2% for 5 minutes",
        "above 5% for 5 minutes",
    )


def test_alert_removed_weakens(repo: Repo):
    repo.edit(RUNBOOK_PATH, ("    alert: CheckoutErrorRateHigh\n", ""))
    repo.commit("no alert")
    change = only(repo.data(), "alert-removed")
    assert (change["old"], change["why"]) == ("CheckoutErrorRateHigh", "an alert is gone")


@pytest.mark.parametrize(
    ("new_risk", "kind", "weakens"),
    [("medium", "risk-lowered", True), ("critical", "risk-raised", False)],
)
def test_risk_lowered_or_raised(repo: Repo, new_risk, kind, weakens):
    repo.edit(RUNBOOK_PATH, ("risk: high\n", f"risk: {new_risk}\n"))
    repo.commit("risk")
    change = only(repo.data(), kind)
    assert (change["old"], change["new"], change["weakens"]) == ("high", new_risk, weakens)


def test_rollout_stages_changed(repo: Repo):
    repo.edit(RUNBOOK_PATH, ("    - percent: 50\n", "    - percent: 25\n"))
    repo.commit("stages")
    change = only(repo.data(), "rollout-changed")
    assert (
        change["old"]
        == "1. Staff: staff accounts, at least 1d; 2. 5%, at least 2d; 3. 50%, at least 2d; 4. 100%"
    )
    assert (
        change["new"]
        == "1. Staff: staff accounts, at least 1d; 2. 5%, at least 2d; 3. 25%, at least 2d; 4. 100%"
    )


def test_contacts_changed(repo: Repo):
    repo.edit(RUNBOOK_PATH, ("  - person: amara\n", "  - person: jo\n"))
    repo.commit("contacts")
    change = only(repo.data(), "contacts-changed")
    assert (
        change["old"] == "team payments (First call); person amara (If the on-call does not answer)"
    )
    assert change["new"] == "team payments (First call); person jo (If the on-call does not answer)"
    assert change["weakens"] is False


def test_review_date_moved_back_and_drill_removed_weaken(repo: Repo):
    repo.edit(
        RUNBOOK_PATH,
        ("last_reviewed: 2026-02-01", "last_reviewed: 2025-01-01"),
        ("drills:\n  - date: 2026-01-15\n    result: pass\n    by: Jo Park\n", ""),
    )
    repo.commit("stale")
    data = repo.data()
    review = only(data, "review-changed")
    assert (review["old"], review["new"], review["why"]) == (
        "2026-02-01 by Amara Obi",
        "2025-01-01 by Amara Obi",
        "the last review date moved back",
    )
    drill = only(data, "drills-changed")
    assert (drill["old"], drill["new"], drill["why"]) == (
        "2026-01-15 pass by Jo Park",
        None,
        "no rollback drill is recorded any more",
    )


def test_review_renewed_does_not_weaken(repo: Repo):
    repo.edit(RUNBOOK_PATH, ("last_reviewed: 2026-02-01", "last_reviewed: 2026-02-28"))
    repo.commit("reviewed")
    assert only(repo.data(), "review-changed")["weakens"] is False


def test_runbook_added_and_removed(repo: Repo):
    repo.write(
        "runbooks/gift-cards.yaml",
        repo.read("runbooks/search-ranking-v2.yaml")
        .replace("search-ranking-v2", "gift-cards")
        .replace("Search ranking v2", "Gift cards"),
    )
    (repo.root / "runbooks/search-ranking-v2.yaml").unlink()
    repo.commit("swap runbooks")
    data = repo.data()
    by_id = {r["id"]: r for r in data["runbooks"]}
    assert by_id["gift-cards"]["status"] == "added"
    assert by_id["gift-cards"]["path"] == "runbooks/gift-cards.yaml"
    assert by_id["search-ranking-v2"]["status"] == "removed"
    assert by_id["search-ranking-v2"]["old_path"] == "runbooks/search-ranking-v2.yaml"
    assert [w["kind"] for w in data["weakening"]] == ["runbook-removed"]


def test_rename_with_edit_is_matched_by_id(repo: Repo):
    text = repo.read(RUNBOOK_PATH).replace("title: One-click checkout", "title: One-tap checkout")
    (repo.root / RUNBOOK_PATH).unlink()
    repo.write("runbooks/payments/checkout.yaml", text)
    repo.commit("move and retitle")
    data = repo.data()
    [rb] = data["runbooks"]
    assert (rb["id"], rb["status"], rb["renamed"]) == (CHECKOUT, "changed", True)
    assert (rb["old_path"], rb["path"]) == (RUNBOOK_PATH, "runbooks/payments/checkout.yaml")
    assert [(c["kind"], c["old"], c["new"]) for c in rb["changes"]] == [
        ("title-changed", "One-click checkout", "One-tap checkout")
    ]
    assert data["summary"] == {
        "changed": 1,
        "added": 0,
        "removed": 0,
        "weakening": 0,
        "unreviewed_source_changes": 0,
    }


def test_uncommitted_changes_are_compared_with_head(repo: Repo):
    repo.edit(RUNBOOK_PATH, ("risk: high\n", "risk: low\n"))
    data = repo.data("HEAD")
    assert only(data, "risk-lowered")["new"] == "low"


def test_tests_changed_and_details_no_term_covers(repo: Repo):
    repo.edit(
        RUNBOOK_PATH,
        ("review:\n", "tests:\n  - kind: load\n    what: 2x peak traffic\nreview:\n"),
    )
    repo.commit("tests")
    change = only(repo.data(), "tests-changed")
    assert (change["old"], change["new"]) == (None, "load")
    repo.edit(RUNBOOK_PATH, ("    what: 2x peak traffic\n", "    what: 3x peak traffic\n"))
    repo.commit("details")
    change = only(repo.data(), "tests-changed")
    assert (change["old"], change["new"]) == ("load", "load")
