"""Visibility rules RB305-RB311: runbooks against the alert rules that really exist.

A signal's ``alert:`` is only a name until a rule file defines it; an alert only helps the
person it pages when its ``runbook_url`` leads to the runbook. These rules read the files
configured under ``alert-rules`` (Prometheus rule files, PrometheusRule manifests) once per
run. Without ``alert-rules`` they are silent, except RB310 (PromQL), which needs no rule file.

RB305 and RB306 are found by the reader (:mod:`rollbook.alerts.rule_files`), like the input
rules RB0xx; the others check one runbook at a time and point either at the runbook or, when
the fix belongs there, at the alert in its rule file.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from rollbook.alerts import is_template, page_url, url_matches
from rollbook.alerts.promql import promql_error
from rollbook.codes import Code
from rollbook.diagnostics import Location, Severity
from rollbook.lint.context import RunbookContext
from rollbook.lint.registry import Hit, register, rule

E, W = Severity.ERROR, Severity.WARNING

# Signals whose query is a metric query; logs and traces have languages of their own.
PROMQL_KINDS = frozenset({"metric", "alert"})

register(
    Code.UNREADABLE_ALERT_RULES,
    "unreadable-alert-rules",
    E,
    "input",
    "fix the file at the position shown, or narrow `alert-rules` paths to rule files",
    """
    A configured alert rule file cannot be read as rules.

    **What it checks**: every file matched by `alert-rules` is UTF-8 YAML of at most 4 MiB,
    and each YAML document in it is a Prometheus rule file (`groups:`) or a `PrometheusRule`
    manifest (`apiVersion: monitoring.coreos.com/v1`, `spec.groups`). Other Kubernetes kinds
    in a stream are skipped with a note; a file with nothing but other kinds is reported.

    **Why it matters**: alerts in a file rollbook cannot read are alerts it cannot check:
    every runbook naming one of them would be reported as naming an unknown alert.

    **Failing**: the reference configuration reads `alert-rules = ["alerts/*.yaml"]`, and a
    Deployment manifest was put in that folder.

    ```yaml
    # alerts/checkout-deployment.yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: checkout}
    ```

    **Passing**: the folder holds rule files only (here a `PrometheusRule` manifest); the
    Deployment lives with the other manifests.

    ```yaml
    # alerts/checkout-latency.yaml
    apiVersion: monitoring.coreos.com/v1
    kind: PrometheusRule
    metadata: {name: checkout-latency}
    spec:
      groups:
        - name: checkout-latency
          rules:
            - alert: CheckoutLatencyHigh
              expr: histogram_quantile(0.99, sum by (le) (rate(checkout_seconds_bucket[5m]))) > 2
              for: 10m
    ```
""",
)

register(
    Code.INVALID_ALERT_RULE,
    "invalid-alert-rule",
    E,
    "input",
    "fix the rule as the message says; `promtool check rules` agrees",
    """
    A rule in an alert rule file is one Prometheus would refuse.

    **What it checks**: each rule has `alert` or `record` (not both) and an `expr` that parses
    as PromQL; only the keys Prometheus knows (`alert`, `record`, `expr`, `for`,
    `keep_firing_for`, `labels`, `annotations`), each once; labels and annotations map names
    to text; group names are unique in a file; recording rules have no `for` or annotations.

    **Why it matters**: Prometheus refuses the whole file, so none of its alerts fire; a
    misspelt `annotation:` silently drops the `runbook_url` that leads to the runbook.

    **Failing**: the rule has no `expr`, and `annotation` is misspelt.

    ```yaml
    # alerts/checkout.rules.yaml
    groups:
      - name: checkout
        rules:
          - alert: CheckoutErrorRateHigh
            for: 5m
            annotation:
              runbook_url: https://runbooks.example.com/runbooks/one-click-checkout/
    ```

    **Also reported**: RB307 and RB311, because a rule Prometheus refuses defines no alert:
    the runbook's `CheckoutErrorRateHigh` is then unknown, and nothing would page anyone.

    **Passing**:

    ```yaml
    # alerts/checkout.rules.yaml
    groups:
      - name: checkout
        rules:
          - alert: CheckoutErrorRateHigh
            expr: sum(rate(checkout_errors_total[5m])) > 2
            for: 5m
            annotations:
              runbook_url: https://runbooks.example.com/runbooks/one-click-checkout/
    ```
""",
)


def _configured(ctx: RunbookContext) -> bool:
    return ctx.alerts is not None and ctx.alerts.configured


@rule(
    Code.UNKNOWN_ALERT,
    "unknown-alert",
    E,
    help="fix the alert name, or add the alerting rule to a file listed under `alert-rules`",
)
def unknown_alert(ctx: RunbookContext) -> Iterator[Hit]:
    """A signal names an alert that no configured rule file defines.

    **What it checks**: with `alert-rules` configured, the `alert` of every signal is the
    name of an alerting rule in one of those files (with a "did you mean" for near misses;
    the name of a recording rule is not an alert).

    **Why it matters**: the runbook says "this pages someone" about an alert that does not
    exist, perhaps renamed long ago: nobody will be paged, and the rollback waits for
    someone to happen to look.

    **Failing**: the reference project's `alerts/checkout.rules.yaml` defines
    `CheckoutErrorRateHigh`.

    ```yaml
    signals:
      - name: Checkout error rate
        kind: metric
        query: sum(rate(checkout_errors_total[5m]))
        threshold: above 2% for 5 minutes
        alert: CheckoutErrorsHigh
        link: https://grafana.example.com/d/checkout
    ```

    **Also reported**: RB311, because the feature's only alerting signal now names an alert
    that does not exist, so nothing pages anyone when it breaks.

    **Passing**:

    ```yaml
    signals:
      - name: Checkout error rate
        kind: metric
        query: sum(rate(checkout_errors_total[5m]))
        threshold: above 2% for 5 minutes
        alert: CheckoutErrorRateHigh
        link: https://grafana.example.com/d/checkout
    ```
    """
    if not _configured(ctx):
        return
    index = ctx.alerts
    assert index is not None
    for i, signal in enumerate(ctx.runbook.signals):
        name = signal.alert
        if not name or index.named(name):
            continue
        if name in index.records:
            message = f"signal {signal.name!r}: {name!r} is a recording rule, not an alert"
            hint = f"{name} is recorded at {index.records[name]}; name the alert that fires on it"
        else:
            close = index.suggest(name)
            message = f"signal {signal.name!r} names alert {name!r}, which no rule file defines"
            if close:
                message += f"; did you mean {close!r}?"
            hint = None
        yield Hit(
            message, ("signals", i, "alert"), anchor=f"signals:{signal.name}:alert", help=hint
        )


@rule(
    Code.ALERT_WITHOUT_RUNBOOK_URL,
    "alert-without-runbook-url",
    W,
    help="run `rollbook link-alerts --write`, or add `runbook_url` under the alert's `annotations`",
)
def alert_without_runbook_url(ctx: RunbookContext) -> Iterator[Hit]:
    """An alert for a feature has no `runbook_url` annotation.

    **What it checks**: every alerting rule that belongs to a feature (named by one of its
    runbook's signals, or labelled with the runbook's id by the `feature-label` of its
    `alert-rules` entry) has a `runbook_url` annotation. The finding points at the alert in
    its rule file.

    **Why it matters**: the page that wakes someone at 3 a.m. is the place to put the link to
    the rollback; without it, they search a wiki half-awake.

    **Failing**: the alert the runbook's signal names has no `runbook_url`.

    ```yaml
    # alerts/checkout.rules.yaml
    groups:
      - name: checkout
        rules:
          - alert: CheckoutErrorRateHigh
            expr: sum(rate(checkout_errors_total[5m])) > 2
            annotations:
              summary: Checkout errors above 2%
    ```

    **Passing**:

    ```yaml
    # alerts/checkout.rules.yaml
    groups:
      - name: checkout
        rules:
          - alert: CheckoutErrorRateHigh
            expr: sum(rate(checkout_errors_total[5m])) > 2
            annotations:
              summary: Checkout errors above 2%
              runbook_url: https://runbooks.example.com/runbooks/one-click-checkout/
    ```
    """
    if not _configured(ctx):
        return
    assert ctx.alerts is not None
    site = ctx.config.site_url
    for alert in ctx.alerts.for_runbook(ctx.runbook):
        if alert.runbook_url is not None:
            continue
        if site:
            hint = (
                f"add runbook_url: {page_url(site, ctx.runbook.id)} under annotations, or run "
                "`rollbook link-alerts --write`"
            )
        else:
            hint = "set site-url in the configuration, then run `rollbook link-alerts --write`"
        yield Hit(
            f"alert {alert.name!r} (feature {ctx.runbook.id!r}) has no runbook_url annotation",
            location=alert.annotations_location or alert.location,
            anchor=f"alert:{alert.name}:{ctx.runbook.id}",
            help=hint,
        )


@rule(
    Code.ALERT_RUNBOOK_URL_MISMATCH,
    "alert-runbook-url-mismatch",
    E,
    help="run `rollbook link-alerts --write`, or set the annotation to the address shown",
)
def alert_runbook_url_mismatch(ctx: RunbookContext) -> Iterator[Hit]:
    """An alert's `runbook_url` does not lead to its feature's page.

    **What it checks**: with `site-url` configured, the `runbook_url` annotation of every
    alert that belongs to a feature is the address of that feature's page
    (`<site-url>/runbooks/<id>/`, a `#fragment` allowed). Annotations built from templates
    (`{{ ... }}`) are not checked.

    **Why it matters**: a link to an old wiki, a renamed runbook or another site is a 404 at
    the worst moment (prometheus-operator/runbooks#6 found 90 of 100 alert links dead).

    **Failing**: the site is published at `https://runbooks.example.com`, and the alert
    still links to the old wiki page.

    ```toml
    # rollbook.toml
    runbooks = ["runbooks"]
    teams = "teams.yaml"
    site-url = "https://runbooks.example.com"
    alert-rules = ["alerts/*.yaml"]

    [[sources]]
    kind = "flagd"
    paths = ["flags/*.flagd.json"]
    ```

    ```yaml
    # alerts/checkout.rules.yaml
    groups:
      - name: checkout
        rules:
          - alert: CheckoutErrorRateHigh
            expr: sum(rate(checkout_errors_total[5m])) > 2
            annotations:
              runbook_url: https://wiki.example.com/Checkout+runbook
    ```

    **Passing**:

    ```toml
    # rollbook.toml
    runbooks = ["runbooks"]
    teams = "teams.yaml"
    site-url = "https://runbooks.example.com"
    alert-rules = ["alerts/*.yaml"]

    [[sources]]
    kind = "flagd"
    paths = ["flags/*.flagd.json"]
    ```

    ```yaml
    # alerts/checkout.rules.yaml
    groups:
      - name: checkout
        rules:
          - alert: CheckoutErrorRateHigh
            expr: sum(rate(checkout_errors_total[5m])) > 2
            annotations:
              runbook_url: https://runbooks.example.com/runbooks/one-click-checkout/
    ```
    """
    site = ctx.config.site_url
    if not _configured(ctx) or not site:
        return
    assert ctx.alerts is not None
    expected = page_url(site, ctx.runbook.id)
    for alert in ctx.alerts.for_runbook(ctx.runbook):
        value = alert.runbook_url
        if value is None or is_template(value) or url_matches(value.strip(), expected):
            continue
        yield Hit(
            f"alert {alert.name!r} has runbook_url {value.strip()!r}, not the page of feature "
            f"{ctx.runbook.id!r}: {expected}",
            location=alert.runbook_url_location or alert.location,
            anchor=f"alert-url:{alert.name}:{ctx.runbook.id}",
        )


# The parser builds the whole syntax tree of each query (a tenth of a millisecond): a query
# written twice (an alert signal and the metric beside it, runbooks made from one template)
# is parsed once per process. Its answer depends on the text alone and is never changed;
# only queries of ordinary length are kept (a few megabytes at most).
_promql_error_kept = functools.lru_cache(maxsize=4096)(promql_error)


def _promql_error(query: str):
    return _promql_error_kept(query) if len(query) <= 1024 else promql_error(query)


@rule(
    Code.INVALID_PROMQL,
    "invalid-promql",
    E,
    help="fix the query (paste it into Prometheus' query page to see it run); ignore RB310 "
    "if your metrics are not queried with PromQL",
)
def invalid_promql(ctx: RunbookContext) -> Iterator[Hit]:
    """A signal's `query` is not valid PromQL.

    **What it checks**: the `query` of every `metric` or `alert` signal parses as PromQL
    (checked by the `promql-parser` library, which reports what is wrong). Queries of log,
    trace and dashboard signals are not checked. The finding points at the first line of
    the query in the runbook.

    **Why it matters**: the person on call pastes the query mid-incident; a query that only
    returns a parse error wastes the minutes the runbook was meant to save.

    **Failing**: a closing parenthesis is missing.

    ```yaml
    signals:
      - name: Checkout error rate
        kind: metric
        query: sum(rate(checkout_errors_total[5m])
        threshold: above 2% for 5 minutes
        alert: CheckoutErrorRateHigh
        link: https://grafana.example.com/d/checkout
    ```

    **Passing**:

    ```yaml
    signals:
      - name: Checkout error rate
        kind: metric
        query: sum(rate(checkout_errors_total[5m]))
        threshold: above 2% for 5 minutes
        alert: CheckoutErrorRateHigh
        link: https://grafana.example.com/d/checkout
    ```
    """
    for i, signal in enumerate(ctx.runbook.signals):
        if signal.kind not in PROMQL_KINDS or not signal.query or not signal.query.strip():
            continue
        error = _promql_error(signal.query)
        if error is None:
            continue
        what = "is not valid PromQL" if error.checked else "was not checked as PromQL"
        yield Hit(
            f"query of signal {signal.name!r} {what}: {error.message}",
            location=_query_start(ctx, ("signals", i, "query")),
            anchor=f"signals:{signal.name}:query",
        )


def _query_start(ctx: RunbookContext, path: tuple[str | int, ...]) -> Location:
    """Where the query's own text starts: for `query: >-` the line below the indicator."""
    location = ctx.document.locate(path)
    note = ctx.document.note(path)
    if note is None or note.style not in {"|", ">"}:
        return location
    text = ctx.document.text
    newline = text.find("\n", note.start)
    if newline < 0:
        return location
    at = newline + 1
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    line = text.count("\n", 0, at) + 1
    return Location(location.path, line, at - text.rfind("\n", 0, at))


@rule(
    Code.ROLLBACK_NOT_ALERTED,
    "rollback-not-alerted",
    E,
    help="name in a signal's `alert` (or in a `rollback.when` trigger) an alerting rule that "
    "exists, or label the feature's alert with the feature label",
)
def rollback_not_alerted(ctx: RunbookContext) -> Iterator[Hit]:
    """A high or critical risk feature has no trigger or signal backed by a real alert.

    **What it checks**: with `alert-rules` configured, a `risk: high` or `risk: critical`
    runbook whose signals name alerts has at least one signal whose `alert`, or one
    `rollback.when` trigger whose text names an alert, that a rule file defines; an alert
    labelled with the feature's id (`feature-label`) counts too. (A runbook with no alerting
    signal at all is RB303's finding.)

    **Why it matters**: if no alert fires when the feature breaks, the rollback depends on
    someone happening to look at a dashboard.

    **Failing**: the reference project's `alerts/checkout.rules.yaml` defines only
    `CheckoutErrorRateHigh`.

    ```yaml
    risk: critical
    signals:
      - name: Checkout error rate
        kind: metric
        query: sum(rate(checkout_errors_total[5m]))
        threshold: above 2% for 5 minutes
        alert: CheckoutErrorsHigh
        link: https://grafana.example.com/d/checkout
    rollback:
      when:
        - CheckoutErrorsHigh fires
    ```

    **Also reported**: RB307, because the signal names an alert that no rule file defines.

    **Passing**:

    ```yaml
    risk: critical
    signals:
      - name: Checkout error rate
        kind: metric
        query: sum(rate(checkout_errors_total[5m]))
        threshold: above 2% for 5 minutes
        alert: CheckoutErrorRateHigh
        link: https://grafana.example.com/d/checkout
    rollback:
      when:
        - CheckoutErrorRateHigh fires
    ```
    """
    if not _configured(ctx) or not ctx.high_risk:
        return
    index = ctx.alerts
    assert index is not None
    rb = ctx.runbook
    if not any(s.kind == "alert" or s.alert for s in rb.signals):
        return  # RB303 says it
    if index.by_feature.get(rb.id) or index.signal_alerts(rb):
        return
    triggers = rb.rollback.when if rb.rollback else []
    names = set(index.by_name)
    if any(word.strip(".,;:()'\"`") in names for when in triggers for word in when.split()):
        return
    where: tuple[str, ...] = ("rollback", "when") if triggers else ("signals",)
    yield Hit(
        f"{rb.risk}-risk feature: no rollback trigger or signal is backed by an alerting rule "
        "in the configured rule files",
        where,
        key=True,
        anchor="rollback.alerted",
    )
