"""Rollback quality rules RB2xx: a rollback a non-expert can follow, step by step."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rollbook.diagnostics import Severity
from rollbook.lint.context import RunbookContext
from rollbook.lint.registry import Hit, rule

# Phrases that describe a goal rather than an action. Matched case-insensitively, except the
# marker words, which are only markers when shouted (a "todo list" feature is not a TODO).
_VAGUE_PHRASES = re.compile(
    r"\b(check(?:ing)? (?:the )?logs?|look (?:at|into) (?:the )?(?:logs?|it|issue|problem)"
    r"|investigate|investigating|fix (?:it|things|the (?:issue|problem|bug))|figure out"
    r"|as (?:needed|appropriate|necessary)|if necessary|do the usual|handle it)\b",
    re.IGNORECASE,
)
_MARKERS = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b")


def vague_phrase(text: str) -> str | None:
    """The first vague phrase or marker in ``text``, if any."""
    match = _MARKERS.search(text) or _VAGUE_PHRASES.search(text)
    return match.group(1) if match else None


@rule(
    "RB201",
    "step-without-expect",
    Severity.ERROR,
    help="add `expect:` saying what the person should see when the step worked",
)
def step_without_expect(ctx: RunbookContext) -> Iterator[Hit]:
    """A rollback step does not say what should happen.

    **What it checks**: every rollback step has an `expect`.

    **Why it matters**: without an expected result, the person following the runbook cannot
    tell whether the step worked, and either stops or carries on blindly.

    **Failing**:

    ```yaml
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off, and checkout shows the old button within a minute.
    ```
    """
    if ctx.runbook.rollback is None:
        return
    for i, step in enumerate(ctx.runbook.rollback.steps):
        if step.expect is None:
            yield Hit(
                f"rollback step {i + 1} does not say what to expect", ("rollback", "steps", i)
            )


@rule(
    "RB202",
    "vague-step",
    Severity.ERROR,
    help="say exactly what to do and where: the command, the button, the query",
)
def vague_step(ctx: RunbookContext) -> Iterator[Hit]:
    """A rollback step or check too vague to act on: "check logs", "investigate", TODO.

    **What it checks**: the `do`, `expect` and `if_not` of each rollback step and each
    `verify` line contain none of: check logs, look into it, investigate, fix it, figure out,
    as needed, if necessary, TODO, TBD, FIXME.

    **Why it matters**: "check the logs" is not a step: which logs, where, looking for what?
    A person who is not the feature's author cannot act on it at 3 a.m.

    **Failing**:

    ```yaml
    rollback:
      steps:
        - do: Check the logs and fix it.
          expect: TBD
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Open the Checkout errors log query (link below) and look for "card declined".
          link: https://grafana.example.com/explore?q=checkout
          expect: Fewer than 10 lines per minute.
    ```
    """
    rollback = ctx.runbook.rollback
    if rollback is None:
        return
    for i, step in enumerate(rollback.steps):
        for name in ("do", "expect", "if_not"):
            text = getattr(step, name)
            phrase = vague_phrase(text) if text else None
            if phrase:
                yield Hit(
                    f"rollback step {i + 1} `{name}` is too vague to act on: {phrase!r}",
                    ("rollback", "steps", i, name),
                )
    for i, text in enumerate(rollback.verify):
        phrase = vague_phrase(text)
        if phrase:
            # A single `verify: text` is stored as a one-item list; locate() then falls back
            # to the `verify` value itself, which is where the text is.
            yield Hit(
                f"rollback check {i + 1} is too vague to act on: {phrase!r}",
                ("rollback", "verify", i),
            )


@rule(
    "RB203",
    "no-kill-switch",
    Severity.ERROR,
    help="add the flag under `flags:` with its `off` value and name it in `rollback.kill_switch`",
)
def no_kill_switch(ctx: RunbookContext) -> Iterator[Hit]:
    """A high or critical risk feature has no kill switch whose off value is stated.

    **What it checks**: a runbook with `risk: high` or `risk: critical` names a flag in
    `rollback.kill_switch`, and that flag's `off` value is not empty.

    **Why it matters**: for a risky feature, one switch that turns it off is the fastest and
    safest rollback. Kill-switch polarity is a classic source of mistakes, so the value that
    turns the feature off is written down.

    **Failing**:

    ```yaml
    risk: critical
    rollback:
      steps:
        - do: Redeploy the previous release.
          expect: The deploy page shows the previous version.
    ```

    **Passing**:

    ```yaml
    risk: critical
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    rollback:
      kill_switch: checkout.one_click
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off.
    ```
    """
    if not ctx.high_risk:
        return
    rb = ctx.runbook
    if rb.rollback is None or not rb.rollback.kill_switch:
        where = ("rollback",) if rb.rollback is not None else ("risk",)
        yield Hit(
            f"{rb.risk}-risk feature has no kill switch (`rollback.kill_switch`)",
            where,
            key=True,
            anchor="rollback.kill_switch",
        )
        return
    flag = rb.kill_switch_flag
    if flag is not None and isinstance(flag.off, str) and not flag.off.strip():
        index = rb.flags.index(flag)
        yield Hit(
            f"kill switch `{flag.key}` does not state the value that turns it off",
            ("flags", index, "off"),
        )


@rule(
    "RB204",
    "engineer-step-without-alternative",
    Severity.WARNING,
    help="add `if_not:` saying what someone who is not an engineer does (who to call), "
    "or set `rollback.audience: engineers`",
)
def engineer_step_without_alternative(ctx: RunbookContext) -> Iterator[Hit]:
    """A step needs an engineer, in a rollback meant for anyone, with no alternative.

    **What it checks**: when `rollback.audience` is `anyone` (the default), every step marked
    `engineer: true` has an `if_not` that tells a non-engineer what to do instead, in plain
    words (usually who to call).

    **Why it matters**: the person holding the pager at 3 a.m. may be a support lead or a
    product manager; a step only an engineer can do must not be a dead end for them.

    **Failing**:

    ```yaml
    rollback:
      steps:
        - do: Scale the checkout workers to zero.
          command: kubectl scale deploy/checkout-worker --replicas=0
          engineer: true
          expect: No checkout-worker pods are running.
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Scale the checkout workers to zero.
          command: kubectl scale deploy/checkout-worker --replicas=0
          engineer: true
          expect: No checkout-worker pods are running.
          if_not: Not an engineer? Call the payments on-call, +44 20 7946 0000.
    ```
    """
    rollback = ctx.runbook.rollback
    if rollback is None or rollback.audience != "anyone":
        return
    for i, step in enumerate(rollback.steps):
        if step.engineer and not step.if_not:
            yield Hit(
                f"rollback step {i + 1} needs an engineer and gives no alternative for anyone else",
                ("rollback", "steps", i, "engineer"),
            )


@rule(
    "RB205",
    "irreversible-without-warning",
    Severity.ERROR,
    help="add `warning:` (what will be lost) and `backup:` (how the data is saved first)",
)
def irreversible_without_warning(ctx: RunbookContext) -> Iterator[Hit]:
    """An irreversible step has no warning or no backup note.

    **What it checks**: every step marked `irreversible: true` has both `warning` (what will be
    lost) and `backup` (how the data is backed up first, and where).

    **Why it matters**: a step that deletes or rewrites data must be announced before anyone
    acts, and the way back must exist before the step is taken.

    **Failing**:

    ```yaml
    rollback:
      steps:
        - do: Drop the one_click_tokens table.
          irreversible: true
          expect: The table is gone.
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Drop the one_click_tokens table.
          irreversible: true
          warning: Saved one-click cards are lost; customers re-enter their card once.
          backup: The nightly snapshot (Backups > checkout-db) holds the table.
          expect: The table is gone.
    ```
    """
    if ctx.runbook.rollback is None:
        return
    for i, step in enumerate(ctx.runbook.rollback.steps):
        if not step.irreversible:
            continue
        missing = [name for name in ("warning", "backup") if not getattr(step, name)]
        if missing:
            yield Hit(
                f"irreversible rollback step {i + 1} has no "
                f"{' and no '.join(f'`{m}`' for m in missing)}",
                ("rollback", "steps", i, "irreversible"),
            )


@rule(
    "RB206",
    "no-verification",
    Severity.WARNING,
    help="add `rollback.verify:` saying how to tell the rollback worked",
)
def no_verification(ctx: RunbookContext) -> Iterator[Hit]:
    """The rollback does not say how to verify that it worked.

    **What it checks**: a rollback with steps has at least one `verify` line.

    **Why it matters**: each step may have worked and the feature may still be broken; the
    person on call needs to know what "fixed" looks like before they stand down.

    **Failing**:

    ```yaml
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off.
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off.
      verify:
        - Checkout error rate is back below 0.5% within 10 minutes.
    ```
    """
    rollback = ctx.runbook.rollback
    if rollback is None or not rollback.steps or rollback.verify:
        return
    yield Hit(
        "rollback does not say how to verify that it worked",
        ("rollback",),
        key=True,
        anchor="rollback.verify",
    )
