"""Rollout rules RB403-RB404: the runbook's rollout plan against what the flag system serves.

The flagd and Unleash readers say what share of users a flag serves now (a flagd
``fractional`` rule or default variant; an Unleash gradual rollout): see
:attr:`rollbook.sources.Feature.rollout`. A runbook whose plan has no such stage describes a
rollout that is not the one happening; a flag file changed without its runbook is a rollout
nobody reviewed against its plan.
"""

from __future__ import annotations

from collections.abc import Iterator

from rollbook.codes import Code
from rollbook.diagnostics import Severity
from rollbook.lint.context import ProjectContext, RunbookSummary
from rollbook.lint.registry import Hit, rule
from rollbook.sources import Feature


def _plan(summary: RunbookSummary) -> str:
    return ", ".join("audience" if p is None else f"{p:g}%" for p in summary.stage_percents)


def _serving(ctx: ProjectContext, summary: RunbookSummary) -> Iterator[Feature]:
    """The declarations of this runbook's flags (or its id) that say what they serve."""
    keys = [flag.key for flag in summary.flags] or [summary.id]
    for key in keys:
        for feature in ctx.declared.get(key, ()):
            if feature.rollout is not None and feature.enabled is not False:
                yield feature
                break


@rule(
    Code.ROLLOUT_DISAGREES_WITH_SOURCE,
    "rollout-disagrees-with-source",
    Severity.WARNING,
    "project",
    help="add the stage the flag is at to `rollout.stages`, or set the flag to a stage of the plan",
)
def rollout_disagrees_with_source(ctx: ProjectContext) -> Iterator[Hit]:
    """The flag system serves the feature to a share that is no stage of the rollout plan.

    **What it checks**: for each flag of a runbook (or its id) that a flagd file or an Unleash
    export declares with a rollout (a flagd `fractional` rule, or a default variant without
    targeting; an Unleash gradual rollout or `default` strategy): the share it serves, when
    above 0%, is the `percent` of a stage in `rollout.stages`. A runbook without a plan is
    reported when the flag serves a share between 0% and 100%.

    **Why it matters**: the rollout plan is what reviewers approved and what the on-call
    person reads to know how many customers are affected. A flag at 25% while the plan says
    5% then 50% means the plan is not what is happening.

    **Failing**: the flag serves `on` to 25% of users; the reference runbook's plan is staff
    only, then 5%, then 100%.

    ```json
    # flags/checkout.flagd.json
    {
      "flags": {
        "checkout.one_click": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"fractional": [["on", 25], ["off", 75]]}
        }
      }
    }
    ```

    **Passing**: the same flag file, and the plan has the stage the flag is at.

    ```json
    # flags/checkout.flagd.json
    {
      "flags": {
        "checkout.one_click": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"fractional": [["on", 25], ["off", 75]]}
        }
      }
    }
    ```

    ```yaml
    rollout:
      stages:
        - name: Staff only
          audience: staff accounts
        - percent: 5
        - percent: 25
        - percent: 100
    ```
    """
    for summary in ctx.summaries:
        for feature in _serving(ctx, summary):
            wanted = summary.checked or (
                ctx.feature_filter is not None and feature.key in ctx.feature_filter
            )
            share = feature.rollout
            if not wanted or share is None or share <= 0:
                continue
            served = f"{feature.source} serves {feature.key} to {share:g}% ({feature.location})"
            if summary.rollout_location is None:
                if share < 100:
                    yield Hit(
                        f"{served}, but the runbook has no rollout plan",
                        location=summary.id_location,
                        anchor=f"{feature.key}:rollout",
                    )
                continue
            if share not in summary.stage_percents:
                yield Hit(
                    f"{served}, which is no stage of the rollout plan ({_plan(summary)})",
                    location=summary.rollout_location,
                    anchor=f"{feature.key}:rollout",
                )


@rule(
    Code.SOURCE_CHANGED_WITHOUT_RUNBOOK,
    "source-changed-without-runbook",
    Severity.WARNING,
    "project",
    help="check the change against the feature's runbook (its rollout plan, kill switch and "
    "signals) and update the runbook in the same change",
)
def source_changed_without_runbook(ctx: ProjectContext) -> Iterator[Hit]:
    """A feature source changed what a feature serves, and its runbook did not change.

    **What it checks**: with `rollbook lint --since REF` only. For each flag whose rollout,
    targeting, default variant or enabled state changed in a flagd file or Unleash export
    since REF (and for each key now in the sources that was not), the runbook that covers it
    (one listing the flag, or of that id) changed in the same diff. Keys no runbook covers
    are RB101's.

    **Why it matters**: moving a rollout from 5% to 25% changes who is affected as surely as
    a deploy does; the runbook's plan and rollback should be looked at in the same review.

    **Failing**: a pull request moves the flag from 5% to 25%, and leaves
    `runbooks/one-click-checkout.yaml` as it was; `rollbook lint --since main`:

    ```json
    # flags/checkout.flagd.json (before)
    {
      "flags": {
        "checkout.one_click": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"fractional": [["on", 5], ["off", 95]]}
        }
      }
    }
    ```

    ```json
    # flags/checkout.flagd.json
    {
      "flags": {
        "checkout.one_click": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"fractional": [["on", 25], ["off", 75]]}
        }
      }
    }
    ```

    **Passing**: the same pull request adds the new stage to the runbook's plan.

    ```json
    # flags/checkout.flagd.json (before)
    {
      "flags": {
        "checkout.one_click": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"fractional": [["on", 5], ["off", 95]]}
        }
      }
    }
    ```

    ```json
    # flags/checkout.flagd.json
    {
      "flags": {
        "checkout.one_click": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"fractional": [["on", 25], ["off", 75]]}
        }
      }
    }
    ```

    ```yaml
    rollout:
      stages:
        - name: Staff only
          audience: staff accounts
        - percent: 5
        - percent: 25
        - percent: 100
    ```
    """
    for change in ctx.source_changes:
        if change.runbook is None or change.runbook_changed or change.kind == "removed":
            continue
        yield Hit(change.message(), location=change.location, anchor=f"{change.key}:{change.kind}")
