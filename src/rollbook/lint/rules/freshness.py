"""Freshness rules RB7xx: runbooks are checked against reality, rollbacks rehearsed."""

from __future__ import annotations

from collections.abc import Iterator

from rollbook.codes import Code
from rollbook.diagnostics import Severity
from rollbook.lint.context import RunbookContext
from rollbook.lint.registry import Hit, rule


@rule(
    Code.REVIEW_OVERDUE,
    "review-overdue",
    Severity.WARNING,
    help="review the runbook against the running system and update `review.last_reviewed`",
)
def review_overdue(ctx: RunbookContext) -> Iterator[Hit]:
    """The runbook was never reviewed, or its last review is older than `review-max-age`.

    **What it checks**: `review.last_reviewed` exists and is at most `review-max-age` days
    (configuration, default 180) before today.

    **Why it matters**: systems drift; a runbook that names last year's dashboard sends the
    person on call to the wrong place. A date forces someone to look.

    **Failing**:

    ```yaml
    review:
      last_reviewed: 2020-01-31
      by: Amara Obi
    ```

    **Passing**:

    ```yaml
    review:
      last_reviewed: 2026-02-01  # within review-max-age days of today
      by: Amara Obi
    ```
    """
    review = ctx.runbook.review
    limit = ctx.config.review_max_age
    if review is None:
        yield Hit(
            "runbook has never been reviewed (no `review`)",
            ("id",),
            key=True,
            anchor="review",
            help="add `review:` with `last_reviewed` and `by` once "
            "someone has checked it against the running system",
        )
        return
    age = (ctx.today - review.last_reviewed).days
    if age > limit:
        yield Hit(
            f"last review was {age} days ago (review-max-age is {limit})",
            ("review", "last_reviewed"),
        )


@rule(
    Code.DRILL_OVERDUE,
    "drill-overdue",
    Severity.WARNING,
    help="rehearse the rollback (ideally someone other than the author) and record it "
    "under `drills`",
)
def drill_overdue(ctx: RunbookContext) -> Iterator[Hit]:
    """A high or critical risk feature's rollback has not passed a drill within `drill-max-age`.

    **What it checks**: for `risk: high` or `risk: critical`, `drills` holds a drill with
    `result: pass` at most `drill-max-age` days (configuration, default 180) before today.

    **Why it matters**: a rollback that has never been rehearsed is a guess; drills find the
    missing permission and the wrong command before an incident does.

    **Failing**:

    ```yaml
    risk: critical
    drills: []
    ```

    **Passing**:

    ```yaml
    risk: critical
    drills:
      - date: 2026-02-10  # within drill-max-age days of today
        result: pass
        by: Jo Park
        duration: 12m
    ```
    """
    if not ctx.high_risk:
        return
    limit = ctx.config.drill_max_age
    passed = [d.date for d in ctx.runbook.drills if d.result == "pass"]
    latest = max(passed, default=None)
    if latest is None:
        where = ("drills",) if ctx.runbook.drills or "drills" in ctx.document.data else ("risk",)  # type: ignore[operator]
        yield Hit(
            f"{ctx.runbook.risk}-risk feature has no passing rollback drill",
            where,
            key=True,
            anchor="drills",
        )
        return
    age = (ctx.today - latest).days
    if age > limit:
        index = next(i for i, d in enumerate(ctx.runbook.drills) if d.date == latest)
        yield Hit(
            f"last passing rollback drill was {age} days ago (drill-max-age is {limit})",
            ("drills", index, "date"),
            anchor="drills",
        )
