"""Adoption in a real repository, end to end, as a new user goes through it.

A repository with services in three languages calling OpenFeature, a flagd file and no
runbooks: `rollbook init` configures what it finds, `rollbook lint` lists the features that
need a runbook (exit 1), `--write-baseline` accepts today's state, `lint` passes, a flag
added in code fails the gate by name, and `rollbook new KEY` starts its runbook with the flag
filled in; once its placeholders are filled in the gate is green again.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.conftest import run_cli

FLAGD = {
    "$schema": "https://flagd.dev/schema/v0/flags.json",
    "flags": {
        "new-checkout": {
            "state": "ENABLED",
            "variants": {"on": True, "off": False},
            "defaultVariant": "off",
        },
        "search-v2": {
            "state": "ENABLED",
            "variants": {"new": "v2", "old": "v1", "off": "v1-safe"},
            "defaultVariant": "old",
        },
    },
}
PYTHON = """\
from openfeature import api

client = api.get_client()


def checkout(cart):
    if client.get_boolean_value("new-checkout", False):
        return new_flow(cart)
    return old_flow(cart)
"""
GO = """\
package payments

func Refund(ctx context.Context, id string) error {
\tfast, _ := client.BooleanValue(ctx, "fast-refunds", false, evalCtx)
\tif fast {
\t\treturn refundNow(id)
\t}
\treturn queueRefund(id)
}
"""
TYPESCRIPT = """\
import { OpenFeature } from "@openfeature/web-sdk";

const client = OpenFeature.getClient();

export async function searchBox(): Promise<string> {
  return client.getStringValue("search-v2", "v1");
}
"""
ADDED = """
export async function giftCards(): Promise<boolean> {
  return client.getBooleanValue("gift-cards", false);
}
"""
# What a feature owner writes in place of each FILL IN of the scaffold.
FILLED = {
    "title": "Gift cards",
    "summary": "Customers pay with gift cards at checkout. If it breaks, nobody can redeem one.",
    "risk": "medium",
    "change": "Flag console > gift-cards > Off",
    "name": "Gift card redemption errors",
    "query": "sum(rate(giftcard_redeem_errors_total[5m]))",
    "healthy": "below 1 per minute",
    "threshold": "above 10 per minute for 5 minutes",
    "alert": "GiftCardErrors",
    "link": "https://grafana.example.com/d/gift-cards",
    "when": "Redemption errors above 10 per minute for 5 minutes",
    "expect": "The gift card field disappears from checkout within a minute.",
    "if_not": "Call the payments on-call.",
    "verify": "Redemption errors drop to 0 within 5 minutes.",
}


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def lint_json(root: Path, *args: str) -> tuple[int, list[tuple[str, str, int, int]]]:
    result = run_cli("lint", "--output-format", "json", *args, cwd=root)
    findings = json.loads(result.stdout)["findings"]
    return result.returncode, [(f["code"], f["path"], f["line"], f["column"]) for f in findings]


def where(root: Path, rel: str, needle: str) -> tuple[int, int]:
    text = (root / rel).read_text()
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def fill_in(text: str) -> str:
    """Replace each FILL IN placeholder with what the owner would write."""
    out = []
    for line in text.splitlines(keepends=True):
        match = re.match(r"(\s*(?:- )?)(\w+):\s+# FILL IN.*\n", line)
        if match:
            out.append(f"{match.group(1)}{match.group(2)}: {json.dumps(FILLED[match.group(2)])}\n")
            continue
        match = re.match(r"(\s*)-\s+# FILL IN: (when|how).*\n", line)
        if match:
            key = "when" if match.group(2) == "when" else "verify"
            out.append(f"{match.group(1)}- {json.dumps(FILLED[key])}\n")
            continue
        out.append(line)
    return "".join(out)


def test_from_init_to_a_gate_the_team_lives_with(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("ROLLBOOK_TODAY", "2026-12-01")  # the date freshness rules count from
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    root = tmp_path / "shop"
    write(root, "deploy/flags.flagd.json", json.dumps(FLAGD, indent=2) + "\n")
    write(root, "services/checkout/app.py", PYTHON)
    write(root, "services/payments/refund.go", GO)
    write(root, "web/src/search.ts", TYPESCRIPT)
    write(root, ".gitignore", "node_modules/\n")
    git(root, "init", "-q", "-b", "main")

    # 1. init reads the repository and says what it found.
    result = run_cli("init", "--team", "payments", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "found flagd: 2 flags in deploy/flags.flagd.json\n" in result.stdout
    assert (
        "found code (go, python, typescript): 3 flags in 3 files calling OpenFeature\n"
        in result.stdout
    )
    assert (
        "3 features in 2 sources; 3 have no runbook; next: `rollbook new new-checkout`\n"
        in result.stdout
    )
    assert not (root / "runbooks" / "saved-search-alerts.yaml").exists()
    assert not (root / "runbooks" / "flags.flagd.json").exists()
    assert (root / ".gitignore").read_text() == "node_modules/\n# rollbook build output\nsite/\n"

    # 2. lint lists every feature that needs a runbook, where it is declared: exit 1.
    code, found = lint_json(root)
    assert code == 1
    assert found == [
        ("RB101", "deploy/flags.flagd.json", *where(root, "deploy/flags.flagd.json", '"new-c')),
        ("RB101", "deploy/flags.flagd.json", *where(root, "deploy/flags.flagd.json", '"search')),
        (
            "RB101",
            "services/payments/refund.go",
            *where(root, "services/payments/refund.go", '"fast'),
        ),
    ]
    text = run_cli("lint", cwd=root).stdout
    assert "write one with `rollbook new fast-refunds`" in text

    # 3. The team accepts today's state...
    result = run_cli("lint", "--write-baseline", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "wrote .rollbook-baseline.json: 3 findings recorded" in result.stdout
    # 4. ...and the gate is green.
    code, found = lint_json(root)
    assert (code, found) == (0, [])

    # 5. A flag added in code fails the gate, by name and place.
    with (root / "web" / "src" / "search.ts").open("a") as handle:
        handle.write(ADDED)
    result = run_cli("lint", cwd=root)
    assert result.returncode == 1
    line, column = where(root, "web/src/search.ts", '"gift-cards"')
    assert result.stdout.startswith(
        f"web/src/search.ts:{line}:{column}: RB101 [error] deployable feature `gift-cards` "
        "(code) has no runbook\n"
    )

    # 6. new KEY starts its runbook with the flag filled in.
    result = run_cli("new", "gift-cards", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "with flag gift-cards filled in" in result.stdout
    runbook = root / "runbooks" / "gift-cards.yaml"
    text = runbook.read_text()
    assert "  - key: gift-cards\n    system: openfeature" in text
    assert "  kill_switch: gift-cards\n" in text
    assert "owner: payments\n" in text
    # Only its placeholders are left to do.
    code, found = lint_json(root)
    assert code == 1
    assert {(c, p) for c, p, _, _ in found} == {("RB803", "runbooks/gift-cards.yaml")}
    # The code never says what turns gift-cards off: the owner writes it with the rest.
    off = "    off:       # FILL IN: the value that turns the feature OFF (e.g. false)\n"
    assert off in text
    runbook.write_text(fill_in(text.replace(off, "    off: false\n")))
    assert run_cli("validate", cwd=root).returncode == 0
    code, found = lint_json(root)
    assert code == 0, found
    # Never reviewed: a reminder (a warning), not a failure.
    assert found == [("RB701", "runbooks/gift-cards.yaml", 4, 1)]
