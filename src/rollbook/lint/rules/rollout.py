"""Rollout rules RB4xx: risky features reach everyone gradually."""

from __future__ import annotations

from collections.abc import Iterator

from rollbook.codes import Code
from rollbook.diagnostics import Severity
from rollbook.lint.context import RunbookContext
from rollbook.lint.registry import Hit, rule

FIRST_STAGE_MAX_PERCENT = 10


@rule(
    Code.FIRST_STAGE_TOO_LARGE,
    "first-stage-too-large",
    Severity.ERROR,
    help=f"start with staff only or at most {FIRST_STAGE_MAX_PERCENT}% of traffic",
)
def first_stage_too_large(ctx: RunbookContext) -> Iterator[Hit]:
    """A high or critical risk feature's first rollout stage exceeds 10%.

    **What it checks**: for `risk: high` or `risk: critical`, the first stage of
    `rollout.stages` is an audience (such as staff) or at most 10 percent.

    **Why it matters**: the first stage is where a bad release is meant to be caught; at 50%
    it is caught by half of the customers.

    **Failing**:

    ```yaml
    risk: high
    rollout:
      stages:
        - percent: 50
        - percent: 100
    ```

    **Passing**:

    ```yaml
    risk: high
    rollout:
      stages:
        - percent: 5
        - percent: 100
    ```
    """
    rollout = ctx.runbook.rollout
    if not ctx.high_risk or rollout is None:
        return
    first = rollout.stages[0]
    if first.percent is not None and first.percent > FIRST_STAGE_MAX_PERCENT:
        yield Hit(
            f"{ctx.runbook.risk}-risk feature starts its rollout at {first.percent:g}% "
            f"(more than {FIRST_STAGE_MAX_PERCENT}%)",
            ("rollout", "stages", 0, "percent"),
        )


@rule(
    Code.STRAIGHT_TO_EVERYONE,
    "straight-to-everyone",
    Severity.ERROR,
    help="add `rollout.stages`: a small first stage, then more, then 100%",
)
def straight_to_everyone(ctx: RunbookContext) -> Iterator[Hit]:
    """A high or critical risk feature goes straight to 100%.

    **What it checks**: for `risk: high` or `risk: critical`, there is a `rollout` plan and
    it has a stage before 100% (a percentage below 100, or an audience such as staff).

    **Why it matters**: a risky feature switched on for everyone at once turns every bug into
    an incident for every customer.

    **Failing**:

    ```yaml
    risk: critical
    rollout:
      stages:
        - percent: 100
    ```

    **Also reported**: RB401, because a first stage of 100% is also larger than 10%.

    **Passing**:

    ```yaml
    risk: critical
    rollout:
      stages:
        - name: Staff only
          audience: staff accounts
        - percent: 100
    ```
    """
    if not ctx.high_risk:
        return
    rollout = ctx.runbook.rollout
    if rollout is None:
        yield Hit(
            f"{ctx.runbook.risk}-risk feature has no rollout plan",
            ("risk",),
            key=True,
            anchor="rollout",
        )
        return
    gradual = any(s.percent is None or s.percent < 100 for s in rollout.stages)
    if not gradual:
        yield Hit(
            f"{ctx.runbook.risk}-risk feature goes straight to 100%", ("rollout", "stages", 0)
        )
