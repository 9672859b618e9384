"""Testing rules RB5xx: risky features were tried under stress and failure first."""

from __future__ import annotations

from collections.abc import Iterator

from rollbook.codes import Code
from rollbook.diagnostics import Severity
from rollbook.lint.context import RunbookContext
from rollbook.lint.registry import Hit, rule

STRESS_OR_FAILURE = frozenset({"load", "stress", "failure", "chaos"})


@rule(
    Code.NO_STRESS_OR_FAILURE_TEST,
    "no-stress-or-failure-test",
    Severity.WARNING,
    help="record a `tests:` entry of kind load, stress, failure or chaos, with a link",
)
def no_stress_or_failure_test(ctx: RunbookContext) -> Iterator[Hit]:
    """A high or critical risk feature has no stress or failure test recorded.

    **What it checks**: for `risk: high` or `risk: critical`, `tests` holds at least one
    entry of kind `load`, `stress`, `failure` or `chaos`.

    **Why it matters**: unit tests show the feature works; only a stress or failure test shows
    what happens when it does not, which is what the rollback is for.

    **Failing**:

    ```yaml
    risk: high
    tests:
      - kind: unit
    ```

    **Passing**:

    ```yaml
    risk: high
    tests:
      - kind: failure
        what: Flag service down during checkout; checkout falls back to the old button.
        link: https://ci.example.com/runs/1234
    ```
    """
    if not ctx.high_risk:
        return
    if any(t.kind in STRESS_OR_FAILURE for t in ctx.runbook.tests):
        return
    where = ("tests",) if "tests" in ctx.document.data else ("risk",)  # type: ignore[operator]
    yield Hit(
        f"{ctx.runbook.risk}-risk feature has no stress or failure test recorded",
        where,
        key=True,
        anchor="tests",
    )
