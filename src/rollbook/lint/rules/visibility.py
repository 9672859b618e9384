"""Visibility rules RB3xx: the signals that show when to roll back."""

from __future__ import annotations

from collections.abc import Iterator

from rollbook.codes import Code
from rollbook.diagnostics import Severity
from rollbook.lint.context import RunbookContext
from rollbook.lint.registry import Hit, rule


@rule(
    Code.SIGNAL_WITHOUT_THRESHOLD,
    "signal-without-threshold",
    Severity.WARNING,
    help="add `threshold:` with the value that means trouble, e.g. `above 2% for 5 minutes`",
)
def signal_without_threshold(ctx: RunbookContext) -> Iterator[Hit]:
    """A signal does not say what value means trouble.

    **What it checks**: every signal has a `threshold`, except an alert signal (`kind: alert`
    with the `alert` name), whose alert rule is the threshold.

    **Why it matters**: a graph without a line on it cannot tell a non-expert whether to roll
    back; "above 2% for 5 minutes" can.

    **Failing**:

    ```yaml
    signals:
      - name: Checkout error rate
        kind: metric
        alert: CheckoutErrorRateHigh
        link: https://grafana.example.com/d/checkout
    ```

    **Passing**:

    ```yaml
    signals:
      - name: Checkout error rate
        kind: metric
        alert: CheckoutErrorRateHigh
        link: https://grafana.example.com/d/checkout
        threshold: above 2% for 5 minutes
    ```
    """
    for i, signal in enumerate(ctx.runbook.signals):
        if signal.threshold or (signal.kind == "alert" and signal.alert):
            continue
        yield Hit(
            f"signal {signal.name!r} has no threshold",
            ("signals", i),
            anchor=f"signals:{signal.name}",
        )


@rule(
    Code.SIGNAL_WITHOUT_LINK,
    "signal-without-link",
    Severity.WARNING,
    help="add `link:` to a dashboard or explore page (or the `query` to paste)",
)
def signal_without_link(ctx: RunbookContext) -> Iterator[Hit]:
    """A signal does not say where to see it.

    **What it checks**: every signal has a `link` or a `query`.

    **Why it matters**: "watch the error rate" is no help to someone who does not know which
    dashboard holds it; a link is one tap on a phone.

    **Failing**:

    ```yaml
    signals:
      - name: Checkout error rate
        kind: metric
        alert: CheckoutErrorRateHigh
        threshold: above 2% for 5 minutes
    ```

    **Passing**:

    ```yaml
    signals:
      - name: Checkout error rate
        kind: metric
        alert: CheckoutErrorRateHigh
        threshold: above 2% for 5 minutes
        link: https://grafana.example.com/d/checkout
    ```
    """
    for i, signal in enumerate(ctx.runbook.signals):
        if not signal.link and not signal.query:
            yield Hit(
                f"signal {signal.name!r} has no link or query",
                ("signals", i),
                anchor=f"signals:{signal.name}",
            )


@rule(
    Code.NO_ALERTING_SIGNAL,
    "no-alerting-signal",
    Severity.ERROR,
    help="add a signal with `alert:` naming the alert that pages someone",
)
def no_alerting_signal(ctx: RunbookContext) -> Iterator[Hit]:
    """A high or critical risk feature has no signal that alerts.

    **What it checks**: a runbook with `risk: high` or `risk: critical` has at least one
    signal that alerts: `kind: alert`, or an `alert` name.

    **Why it matters**: for a risky feature, waiting for customers to notice is too late;
    something must page a person when it breaks.

    **Failing**:

    ```yaml
    risk: high
    signals:
      - {name: Checkout error rate, kind: metric, threshold: above 2%,
         link: "https://grafana.example.com/d/checkout"}
    ```

    **Passing**:

    ```yaml
    risk: high
    signals:
      - {name: Checkout error rate, kind: metric, threshold: above 2%,
         link: "https://grafana.example.com/d/checkout", alert: CheckoutErrorRateHigh}
    ```
    """
    if not ctx.high_risk:
        return
    if any(s.kind == "alert" or s.alert for s in ctx.runbook.signals):
        return
    where = ("signals",) if ctx.runbook.signals else ("risk",)
    yield Hit(
        f"{ctx.runbook.risk}-risk feature has no signal that alerts",
        where,
        key=True,
        anchor="signals.alert",
    )


@rule(
    Code.RISK_WITHOUT_SIGNAL,
    "risk-without-signal",
    Severity.WARNING,
    help="list under the risk's `signals:` the names of the signals that would show it",
)
def risk_without_signal(ctx: RunbookContext) -> Iterator[Hit]:
    """A risk has no signal that would detect it.

    **What it checks**: every entry of `risks` names at least one signal in its `signals`.

    **Why it matters**: a risk nobody can see happening is discovered by customers. Naming
    the signal also tells the person on call which graph to watch for it.

    **Failing**:

    ```yaml
    risks:
      - what: Customers are charged twice.
        likelihood: low
        impact: high
    ```

    **Passing**:

    ```yaml
    risks:
      - what: Customers are charged twice.
        likelihood: low
        impact: high
        signals: [Checkout error rate]
    ```
    """
    for i, risk in enumerate(ctx.runbook.risks):
        if not risk.signals:
            yield Hit(
                f"risk {i + 1} has no signal that would detect it",
                ("risks", i),
                anchor=f"risks:{risk.what[:60]}",
            )
