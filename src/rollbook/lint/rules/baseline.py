"""Rules RB905-RB907: the baseline file and per-key exemptions are findings too, when they rot.

``rollbook.lint.baseline`` reads and writes the baseline file and
``rollbook.lint.exemptions`` applies the ``[[exempt]]`` entries of the configuration; both run
after the other rules, on a run's findings. What can go wrong with either is documented here,
beside the other suppression rules (RB9xx).
"""

from __future__ import annotations

from rollbook.codes import Code
from rollbook.diagnostics import Severity
from rollbook.lint.registry import register

W = Severity.WARNING

register(
    Code.STALE_BASELINE_ENTRY,
    "stale-baseline-entry",
    W,
    "suppression",
    "rewrite the baseline: `rollbook lint --write-baseline` drops what is gone",
    """
    A baseline entry matches fewer findings than it recorded: they were fixed.

    **What it checks**: each entry of the baseline file (`.rollbook-baseline.json`, or the
    `baseline` key) records a rule, a file, what the finding is about (a feature key, a field)
    and how many such findings there were. In a run over the whole project, an entry that now
    matches fewer findings than its count is reported, at its line in the baseline file. Runs
    with `--since` or with paths do not check the baseline for stale entries, since they do
    not see every finding.

    **Why it matters**: a stale entry would silently let the same problem back in later. The
    baseline should only ever shrink; rewriting it once the findings are fixed locks the
    progress in.

    **Failing**: the baseline was written when `checkout.one_click` had no runbook; the
    reference project has one now.

    ```json
    # .rollbook-baseline.json
    {
      "version": 1,
      "findings": [
        {"code": "RB101", "path": "flags/checkout.flagd.json", "anchor": "checkout.one_click",
         "count": 1}
      ]
    }
    ```

    **Passing**: rewritten with `rollbook lint --write-baseline`, which drops the fixed finding.

    ```json
    # .rollbook-baseline.json
    {
      "version": 1,
      "findings": []
    }
    ```
""",
)

register(
    Code.EXPIRED_EXEMPTION,
    "expired-exemption",
    W,
    "suppression",
    "write the runbook, or renew the exemption with a new `expires` date and reason",
    """
    An exemption's `expires` date has passed: the feature needs a runbook again.

    **What it checks**: an `[[exempt]]` entry of the configuration with `expires =
    YYYY-MM-DD` holds until the end of that day. After it, the feature's RB101 finding is
    reported again, and so is the expired exemption, at its line in the configuration.

    **Why it matters**: "this flag is going away next quarter" should not hold for ever; an
    expiry turns an exemption into a reminder, like pint's snooze and rollbook's own
    `until=` on inline suppressions.

    **Failing**: `legacy_banner` was to be removed by the end of January; the examples are
    checked on 2026-03-01, and it is still there.

    ```toml
    # rollbook.toml
    runbooks = ["runbooks"]
    teams = "teams.yaml"

    [[sources]]
    kind = "flagd"
    paths = ["flags/*.flagd.json"]

    [[exempt]]
    key = "legacy_banner"
    reason = "removed in the next release"
    expires = 2026-01-31
    ```

    ```json
    # flags/banner.flagd.json
    {
      "flags": {
        "legacy_banner": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "on"
        }
      }
    }
    ```

    **Also reported**: RB101, because once the exemption has expired `legacy_banner` needs a
    runbook again.

    **Passing**: the exemption was renewed, with a new date (or the flag was removed, or it
    got a runbook).

    ```toml
    # rollbook.toml
    runbooks = ["runbooks"]
    teams = "teams.yaml"

    [[sources]]
    kind = "flagd"
    paths = ["flags/*.flagd.json"]

    [[exempt]]
    key = "legacy_banner"
    reason = "removal moved to the June release"
    expires = 2026-06-30
    ```

    ```json
    # flags/banner.flagd.json
    {
      "flags": {
        "legacy_banner": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "on"
        }
      }
    }
    ```
""",
)

register(
    Code.UNUSED_EXEMPTION,
    "unused-exemption",
    W,
    "suppression",
    "remove the `[[exempt]]` entry: the feature has a runbook now, or no source declares it",
    """
    An exemption exempts nothing: no feature with its key lacks a runbook.

    **What it checks**: each `[[exempt]]` entry's `key` is a feature that a source declares and
    that no runbook covers. Checked in runs over the whole project only (not with `--since` or
    paths), and only when RB101 runs.

    **Why it matters**: an exemption left behind after the feature got its runbook, or after
    the flag was renamed, would silently exempt the next feature that reuses the key.

    **Failing**: no flag file declares `old_banner` any more.

    ```toml
    # rollbook.toml
    runbooks = ["runbooks"]
    teams = "teams.yaml"

    [[sources]]
    kind = "flagd"
    paths = ["flags/*.flagd.json"]

    [[exempt]]
    key = "old_banner"
    reason = "internal tool"
    ```

    **Passing**: `flags/tools.flagd.json` declares `internal_tool`, which has no runbook.

    ```toml
    # rollbook.toml
    runbooks = ["runbooks"]
    teams = "teams.yaml"

    [[sources]]
    kind = "flagd"
    paths = ["flags/*.flagd.json"]

    [[exempt]]
    key = "internal_tool"
    reason = "internal tool, no customer sees it"
    ```

    ```json
    # flags/tools.flagd.json
    {
      "flags": {
        "internal_tool": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "on"
        }
      }
    }
    ```
""",
)
