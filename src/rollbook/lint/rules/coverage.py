"""Coverage rules RB1xx: every deployable feature has a runbook, every runbook a rollback.

Features come from the configured sources (flag files, feature lists, code), which exist
independently of the runbooks. A runbook covers a feature when it lists the feature's key
under `flags`, or when its `id` is the key written as a slug (`checkout.oneClick` and
`checkout-one-click` are the same feature).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rollbook.diagnostics import Location, Severity
from rollbook.lint.context import ProjectContext, RunbookContext
from rollbook.lint.registry import Hit, rule

# Flags that live in environment variables or config files are not in any flag system, so no
# source can be expected to know them.
_UNSOURCED_SYSTEMS = frozenset({"env", "config"})


def slug(key: str) -> str:
    """A feature key as a runbook id: ``checkout.oneClick`` -> ``checkout-one-click``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", key)
    return re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-")


def _covered(ctx: ProjectContext) -> tuple[set[str], set[str]]:
    ids = {s.id for s in ctx.summaries}
    flags = {key for s in ctx.summaries for key, _, _ in s.flags}
    return ids, flags


@rule(
    "RB101",
    "feature-without-runbook",
    Severity.ERROR,
    "project",
    help="write one with `rollbook new <id>` and list the flag under `flags:`",
)
def feature_without_runbook(ctx: ProjectContext) -> Iterator[Hit]:
    """A deployable feature has no runbook.

    **What it checks**: every deployable feature found by the configured sources (flagd,
    OpenFeature, Unleash, feature lists, flag keys in code) is covered by a runbook: one that
    lists its key under `flags`, or whose `id` is the key as a slug. The finding points at the
    line of the source that declares the feature. Archived features are skipped.

    **Why it matters**: a feature that reaches production without a rollback procedure is the
    one nobody knows how to switch off during an incident.

    **Failing**:

    ```yaml
    # flags.flagd.yaml declares checkout.one_click; no runbook mentions it.
    flags:
      checkout.one_click: {state: ENABLED, variants: {on: true, off: false}, defaultVariant: off}
    ```

    **Passing**:

    ```yaml
    # runbooks/one-click-checkout.yaml
    id: one-click-checkout
    flags:
      - key: checkout.one_click
        system: flagd
        off: false
        change: Flag console > checkout.one_click > Off
    ```
    """
    if not ctx.complete:
        return
    ids, flags = _covered(ctx)
    for key, feature in ctx.by_key.items():
        if not feature.deployable or key in flags or slug(key) in ids:
            continue
        if ctx.feature_filter is not None and key not in ctx.feature_filter:
            continue
        yield Hit(
            f"deployable feature `{key}` ({feature.source}) has no runbook",
            location=feature.location,
            anchor=key,
            help=f"write one with `rollbook new {slug(key) or 'feature-id'}` and list "
            f"`{key}` under `flags:`",
        )


@rule(
    "RB102",
    "runbook-without-rollback",
    Severity.ERROR,
    help="add `rollback:` with `steps:`, one action each",
)
def runbook_without_rollback(ctx: RunbookContext) -> Iterator[Hit]:
    """A deployable feature's runbook has no rollback steps.

    **What it checks**: a runbook whose `deployable` is true (the default) has `rollback` with
    at least one step.

    **Why it matters**: the rollback is what the person on call reads first; without it the
    runbook is documentation, not a runbook.

    **Failing**:

    ```yaml
    id: one-click-checkout
    rollback:
      when: [Checkout errors above 2%]
    ```

    **Passing**:

    ```yaml
    id: one-click-checkout
    rollback:
      when: [Checkout errors above 2%]
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: Checkout shows the old button within a minute.
    ```
    """
    rb = ctx.runbook
    if not rb.deployable:
        return
    if rb.rollback is None:
        yield Hit(
            "deployable feature has no `rollback` section", ("id",), key=True, anchor="rollback"
        )
    elif not rb.rollback.steps:
        yield Hit("rollback has no steps", ("rollback",), key=True)


@rule(
    "RB103",
    "runbook-without-feature",
    Severity.WARNING,
    "project",
    help="fix the id or the flag keys, or add the feature's source to `sources`",
)
def runbook_without_feature(ctx: ProjectContext) -> Iterator[Hit]:
    """A runbook is for a feature that no source knows.

    **What it checks**: when feature sources are configured, each deployable runbook's `id`
    (as a slug) or one of its flag keys matches a feature a source declares.

    **Why it matters**: a runbook that matches nothing is often for a feature that was renamed
    or removed, or it names the flag wrongly, so the coverage check cannot see it.

    **Failing**:

    ```yaml
    # no source declares one-click-checkout or checkout.oneclick
    id: one-click-checkout
    flags:
      - {key: checkout.oneclick, system: flagd, off: false, change: Flag console}
    ```

    **Passing**:

    ```yaml
    id: one-click-checkout
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    ```
    """
    if not ctx.sources_configured:
        return
    known = set(ctx.by_key)
    slugs = {slug(k) for k in known}
    for summary in ctx.summaries:
        if not summary.checked or not summary.deployable:
            continue
        if summary.id in slugs or any(key in known for key, _, _ in summary.flags):
            continue
        yield Hit(
            f"no feature source knows `{summary.id}` or its flags",
            location=summary.id_location,
            anchor=summary.id,
        )


@rule(
    "RB104",
    "unknown-flag",
    Severity.WARNING,
    "project",
    help="write the key exactly as the flag system knows it",
)
def unknown_flag(ctx: ProjectContext) -> Iterator[Hit]:
    """A flag in a runbook that no source knows.

    **What it checks**: when feature sources are configured, each flag a runbook lists (other
    than `system: env` and `system: config`) is declared by a source, key for key.

    **Why it matters**: a kill switch with a misspelt key is found to be wrong at the worst
    moment: when someone searches the flag console for it during an incident.

    **Failing**:

    ```yaml
    flags:
      - {key: checkout.oneClick, system: flagd, off: false, change: Flag console}
    ```

    **Passing**:

    ```yaml
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    ```
    """
    if not ctx.sources_configured:
        return
    for summary in ctx.summaries:
        if not summary.checked:
            continue
        for key, system, where in summary.flags:
            if system in _UNSOURCED_SYSTEMS or key in ctx.by_key:
                continue
            yield Hit(
                f"flag `{key}` is not declared by any feature source",
                location=where,
                anchor=f"{summary.id}:{key}",
            )


@rule(
    "RB105",
    "no-feature-sources",
    Severity.INFO,
    "project",
    help="add [[sources]] to the configuration (see the README)",
)
def no_feature_sources(ctx: ProjectContext) -> Iterator[Hit]:
    """No feature sources are configured, so coverage is not checked.

    **What it checks**: the configuration has at least one `[[sources]]` entry.

    **Why it matters**: without sources, rollbook cannot know which deployable features lack a
    runbook, which is the main thing the CI gate is for.

    **Failing**:

    ```yaml
    # rollbook.toml has no [[sources]] table
    ```

    **Passing**:

    ```yaml
    # rollbook.toml
    # [[sources]]
    # kind = "flagd"
    # paths = ["deploy/*.flagd.json"]
    ```
    """
    if ctx.sources_configured or not ctx.complete:
        return
    yield Hit(
        "no feature sources are configured; coverage of features is not checked",
        location=Location(ctx.config_path),
        anchor="sources",
    )
