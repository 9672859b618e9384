"""Coverage rules RB1xx: every deployable feature has a runbook, and runbooks agree with sources.

Features come from the configured sources (flag files, feature lists, code), which exist
independently of the runbooks. A runbook *covers* a feature when

- it lists the feature's key under `flags:` (for a plain feature list, which has ids rather
  than flag keys, its `id` may be the feature id instead, written exactly),
- it has a rollback with at least one step, and
- it does not say `deployable: false`.

Nothing else counts: a runbook whose `id` is merely the key written as a slug
(`checkout-one-click` for `checkout.one_click`) does not cover it (RB106 says so at the
runbook). Where a source declares a flag's values or its system, the runbook must agree with
it: `off` is one of the flag's values and not the one that turns the feature on (RB109), and
`system` names the system that declares the key (RB110).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rollbook.codes import Code
from rollbook.diagnostics import Location, Severity
from rollbook.lint.context import (
    NOT_GIVEN,
    FlagSummary,
    ProjectContext,
    RunbookContext,
    RunbookSummary,
)
from rollbook.lint.registry import Hit, rule
from rollbook.sources import Feature
from rollbook.sources.feature import Variant

# Flags that live in environment variables or config files are not in any flag system, so no
# source can be expected to know them.
UNSOURCED_SYSTEMS = frozenset({"env", "config"})

# The runbook `system:` values that agree with each flag-system source. An OpenFeature
# manifest declares the flags code evaluates through OpenFeature, whatever service serves
# them; flagd files and Unleash exports are the service itself.
AGREEING_SYSTEMS: dict[str, frozenset[str]] = {
    "flagd": frozenset({"flagd"}),
    "unleash": frozenset({"unleash"}),
    "openfeature": frozenset({"openfeature", "flagd", "unleash", "launchdarkly", "flipt", "other"}),
}


_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)
def slug(key: str) -> str:
    """A feature key as a runbook id: ``checkout.oneClick`` -> ``checkout-one-click``."""
    # Asked for every key of every source on every run: most keys have no capital letter,
    # and a template replacement costs more than the search that finds there is none.
    spaced = _CAMEL.sub(r"\1-\2", key) if key != key.lower() else key
    return _NOT_SLUG.sub("-", spaced.lower()).strip("-")


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` most likely misspells: same letters and digits, or close enough."""
    options = list(choices)
    squashed = _squash(word)
    same = [c for c in options if _squash(c) == squashed and c != word]
    if same:
        return sorted(same)[0]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.8)
    return close[0] if close else None


def _squash(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _mean(word: str, choices: Iterable[str]) -> str:
    near = did_you_mean(word, choices)
    return f"; did you mean `{near}`?" if near else ""


def _covers(summary: RunbookSummary, key: str, ctx: ProjectContext) -> bool:
    """Whether ``summary`` names feature ``key``: lists it, or (list ids only) is its id."""
    return key in summary.flag_keys or (key in ctx.id_only and summary.id == key)


def _index(ctx: ProjectContext) -> _Index:
    """The runbooks and keys of ``ctx``, indexed once for all coverage rules of a run."""
    found = ctx.derived.get("coverage.index")
    if not isinstance(found, _Index):
        found = ctx.derived["coverage.index"] = _Index(ctx)
    return found


class _Index:
    """Runbooks by the keys they list and by id, and source keys by slug."""

    def __init__(self, ctx: ProjectContext):
        self.by_flag: dict[str, list[RunbookSummary]] = defaultdict(list)
        self.by_id: dict[str, list[RunbookSummary]] = defaultdict(list)
        for summary in ctx.summaries:
            self.by_id[summary.id].append(summary)
            for flag in summary.flags:  # each summary once per key it lists
                listed = self.by_flag[flag.key]
                if not listed or listed[-1] is not summary:
                    listed.append(summary)
        self.slugs: dict[str, list[str]] = defaultdict(list)  # slug -> source keys
        for key, feature in ctx.by_key.items():
            if feature.keyed:
                self.slugs[slug(key)].append(key)

    def naming(self, key: str, ctx: ProjectContext) -> list[RunbookSummary]:
        found = list(self.by_flag.get(key, ()))
        if key in ctx.id_only:
            found += [s for s in self.by_id.get(key, ()) if s not in found]
        return found


@rule(
    Code.FEATURE_WITHOUT_RUNBOOK,
    "feature-without-runbook",
    Severity.ERROR,
    "project",
    help="write one with `rollbook new <id>` and list the flag under `flags:`",
)
def feature_without_runbook(ctx: ProjectContext) -> Iterator[Hit]:
    """A deployable feature has no runbook that covers it.

    **What it checks**: every deployable feature found by the configured sources (flagd,
    OpenFeature, Unleash, feature lists, flag keys in code) is covered by a runbook. A runbook
    covers a feature only when all of these hold:

    - it lists the feature's key under `flags:`, exactly as the source writes it (a plain
      feature list has ids, not flag keys: there the runbook's `id` may be the id instead);
    - it has `rollback:` with at least one step;
    - it does not say `deployable: false`.

    A runbook whose `id` is only the key written as a slug (`checkout-one-click` for
    `checkout.one_click`) does not cover it. The finding points at the line of the source that
    declares the feature and says which runbook came close, and why it does not count (or
    which listed key looks like a misspelling of it). Archived features are skipped.

    **Why it matters**: a feature that reaches production without a rollback procedure is the
    one nobody knows how to switch off during an incident. A runbook that merely shares the
    feature's name may be about something else, and says nothing about which flag to switch.

    **Failing**:

    ```json
    # flags/gift-cards.flagd.json
    {
      "flags": {
        "gift_cards.redeem": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off"
        }
      }
    }
    ```

    No runbook lists `gift_cards.redeem`.

    **Passing**: the same flag file, and a runbook that lists the flag:

    ```json
    # flags/gift-cards.flagd.json
    {
      "flags": {
        "gift_cards.redeem": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off"
        }
      }
    }
    ```

    ```yaml
    # runbooks/gift-cards.yaml
    id: gift-cards
    title: Gift card redemption
    flags:
      - {key: gift_cards.redeem, system: flagd, off: false, change: Flag console}
    rollback:
      kill_switch: gift_cards.redeem
      steps:
        - do: Switch gift_cards.redeem Off in the flag console.
          expect: The gift card box disappears from checkout.
    ```
    """
    if not ctx.complete:
        return
    for gap in gaps(ctx):
        yield gap.hit


@dataclass(frozen=True)
class Gap:
    """A deployable feature no runbook covers: the feature, and RB101's finding about it
    (``hit.message`` says why nothing covers it, ``hit.help`` how to fix it)."""

    key: str
    feature: Feature
    hit: Hit


@dataclass(frozen=True)
class Coverage:
    """Which deployable features the sources declare and which no runbook covers: what RB101
    reports and what the site's coverage page lists, computed once."""

    sources_configured: bool
    deployable: int
    gaps: tuple[Gap, ...]


def gaps(ctx: ProjectContext) -> tuple[Gap, ...]:
    """Every deployable feature of ``ctx`` that no runbook covers, in source order.

    Worked out once per run (RB101 and the site's coverage page both ask): each gap's "did
    you mean" compares its key with every key runbooks list."""
    found = ctx.derived.get("coverage.gaps")
    if not isinstance(found, tuple):
        found = ctx.derived["coverage.gaps"] = tuple(_gaps(ctx))
    return found


def _gaps(ctx: ProjectContext) -> Iterator[Gap]:
    index = _index(ctx)
    unknown_listed: dict[str, RunbookSummary] = {}
    for summary in ctx.summaries:
        for flag in summary.flags:
            if flag.key not in ctx.by_key:
                unknown_listed.setdefault(flag.key, summary)
    for key, feature in ctx.by_key.items():
        if not feature.deployable:
            continue
        if ctx.feature_filter is not None and key not in ctx.feature_filter:
            continue
        naming = index.naming(key, ctx)
        if any(s.deployable and s.has_rollback for s in naming):
            continue
        yield Gap(key, feature, _uncovered(key, feature, naming, index, unknown_listed))


def coverage(ctx: ProjectContext) -> Coverage:
    """The project's coverage: how many deployable features, and the gaps (see :func:`gaps`)."""
    deployable = sum(1 for f in ctx.by_key.values() if f.deployable)
    return Coverage(ctx.sources_configured, deployable, gaps(ctx))


def _uncovered(
    key: str,
    feature: Feature,
    naming: list[RunbookSummary],
    index: _Index,
    unknown_listed: dict[str, RunbookSummary],
) -> Hit:
    what = f"deployable feature `{key}` ({feature.source})"
    id_hint = slug(key) or "feature-id"
    if naming:
        summary = naming[0]
        if not summary.deployable:
            why = f"{summary.path} lists it but says `deployable: false`"
            fix = f"remove `deployable: false` from {summary.path}: a source says it is deployed"
        else:
            why = f"{summary.path} lists it but has no rollback steps"
            fix = f"add `rollback:` with `steps:` to {summary.path}"
        return Hit(
            f"{what} has no runbook with a rollback: {why}",
            location=feature.location,
            anchor=key,
            help=fix,
        )
    by_slug = index.by_id.get(slug(key), []) if feature.keyed else []
    if by_slug:
        summary = by_slug[0]
        return Hit(
            f"{what} has no runbook that lists it: {summary.path} has the id `{summary.id}` "
            f"but does not list `{key}` under `flags:`",
            location=feature.location,
            anchor=key,
            help=f"list `{key}` under `flags:` in {summary.path}, with its `off` value",
        )
    near = did_you_mean(key, unknown_listed)
    if near:
        summary = unknown_listed[near]
        return Hit(
            f"{what} has no runbook; did you mean `{near}`, which {summary.path} lists?",
            location=feature.location,
            anchor=key,
            help=f"write the key as the source does: `{key}`",
        )
    return Hit(
        f"{what} has no runbook",
        location=feature.location,
        anchor=key,
        help=f"write one with `rollbook new {id_hint}` and list `{key}` under `flags:`",
    )


@rule(
    Code.RUNBOOK_WITHOUT_ROLLBACK,
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
      steps: []
    ```

    **Also reported**: RB101, because a runbook without rollback steps covers no feature.

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
    Code.RUNBOOK_WITHOUT_FEATURE,
    "runbook-without-feature",
    Severity.WARNING,
    "project",
    help="fix the id or the flag keys, or add the feature's source to `sources`",
)
def runbook_without_feature(ctx: ProjectContext) -> Iterator[Hit]:
    """A runbook is for a feature that no source knows.

    **What it checks**: when feature sources are configured, each deployable runbook lists a
    flag key that a source declares, or its `id` is a feature id from a feature list, or its
    `id` is a source key written as a slug (that last case is an error of its own, RB106).

    **Why it matters**: a runbook that matches nothing is often for a feature that was renamed
    or removed, or it names the flag wrongly, so the coverage check cannot see it.

    **Failing**:

    ```yaml
    # runbooks/gift-cards.yaml
    id: gift-cards
    title: Gift card redemption
    flags:
      - {key: gift_cards.redeem, system: flagd, off: false, change: Flag console}
    rollback:
      kill_switch: gift_cards.redeem
      steps:
        - do: Switch gift_cards.redeem Off in the flag console.
          expect: The gift card box disappears from checkout.
    ```

    No source declares `gift-cards` or `gift_cards.redeem`.

    **Also reported**: RB104 and RB108, because the runbook's flag and kill switch are then
    unknown too.

    **Passing**: the flag's source declares it:

    ```json
    # flags/gift-cards.flagd.json
    {
      "flags": {
        "gift_cards.redeem": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off"
        }
      }
    }
    ```

    ```yaml
    # runbooks/gift-cards.yaml
    id: gift-cards
    title: Gift card redemption
    flags:
      - {key: gift_cards.redeem, system: flagd, off: false, change: Flag console}
    rollback:
      kill_switch: gift_cards.redeem
      steps:
        - do: Switch gift_cards.redeem Off in the flag console.
          expect: The gift card box disappears from checkout.
    ```
    """
    if not ctx.sources_configured:
        return
    index = _index(ctx)
    for summary in ctx.summaries:
        if not summary.checked or not summary.deployable:
            continue
        if summary.id in index.slugs or summary.id in ctx.id_only:
            continue
        if any(flag.key in ctx.by_key for flag in summary.flags):
            continue
        yield Hit(
            f"no feature source knows `{summary.id}` or its flags",
            location=summary.id_location,
            anchor=summary.id,
        )


@rule(
    Code.UNKNOWN_FLAG,
    "unknown-flag",
    Severity.WARNING,
    "project",
    help="write the key exactly as the flag system knows it",
)
def unknown_flag(ctx: ProjectContext) -> Iterator[Hit]:
    """A flag in a runbook that no source knows.

    **What it checks**: when feature sources are configured, each flag a runbook lists (other
    than `system: env` and `system: config`) is declared by a source, key for key; the finding
    suggests a near key. An unknown kill switch is also an error of its own (RB108).

    **Why it matters**: a flag with a misspelt key is found to be wrong at the worst moment:
    when someone searches the flag console for it during an incident.

    **Failing**:

    ```yaml
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
      - {key: checkout.expressPay, system: flagd, off: false, change: Flag console}
    ```

    No source declares `checkout.expressPay`.

    **Passing**: the flag's source declares it, and the runbook writes the key as it does:

    ```json
    # flags/express-pay.flagd.json
    {
      "flags": {
        "checkout.express_pay": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off"
        }
      }
    }
    ```

    ```yaml
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
      - {key: checkout.express_pay, system: flagd, off: false, change: Flag console}
    ```
    """
    if not ctx.sources_configured:
        return
    for summary in ctx.summaries:
        if not summary.checked:
            continue
        for flag in summary.flags:
            if flag.system in UNSOURCED_SYSTEMS or flag.key in ctx.by_key:
                continue
            yield Hit(
                f"flag `{flag.key}` is not declared by any feature source"
                f"{_mean(flag.key, ctx.by_key)}",
                location=flag.key_location,
                anchor=f"{summary.id}:{flag.key}",
            )


@rule(
    Code.NO_FEATURE_SOURCES,
    "no-feature-sources",
    Severity.INFO,
    "project",
    help="add [[sources]] to the configuration: `rollbook rule RB105` shows one",
)
def no_feature_sources(ctx: ProjectContext) -> Iterator[Hit]:
    """No feature sources are configured, so coverage is not checked.

    **What it checks**: the configuration has at least one `[[sources]]` entry.

    **Why it matters**: without sources, rollbook cannot know which deployable features lack a
    runbook, which is the main thing the CI gate is for.

    **Failing**:

    ```toml
    # rollbook.toml
    runbooks = ["runbooks"]
    teams = "teams.yaml"
    ```

    **Passing**:

    ```toml
    # rollbook.toml
    runbooks = ["runbooks"]
    teams = "teams.yaml"

    [[sources]]
    kind = "flagd"
    paths = ["flags/*.flagd.json"]
    ```
    """
    if ctx.sources_configured or not ctx.complete:
        return
    yield Hit(
        "no feature sources are configured; coverage of features is not checked",
        location=Location(ctx.config_path),
        anchor="sources",
    )


@rule(
    Code.MATCHED_BY_ID_ONLY,
    "matched-by-id-only",
    Severity.ERROR,
    "project",
    help="list the flag under `flags:` with its `off` value; a matching id is not enough",
)
def matched_by_id_only(ctx: ProjectContext) -> Iterator[Hit]:
    """A runbook matches a feature by its id only, without listing the feature's flag.

    **What it checks**: when a runbook's `id` is a source's flag key written as a slug
    (`checkout-one-click` for `checkout.one_click`), the runbook lists that key under `flags:`.
    Runbooks marked `deployable: false` are left to RB107.

    **Why it matters**: a name is not a rollback. A runbook that does not name the flag does
    not tell the person on call which switch to use, and its `off` value cannot be checked
    against the flag system; an id can also match a different feature by chance.

    **Failing**:

    ```yaml
    # a flagd file declares checkout.one_click; this runbook describes another switch
    id: checkout-one-click
    flags:
      - {key: CHECKOUT_ONE_CLICK, system: env, off: "0", change: Set it to 0 and redeploy}
    rollback:
      kill_switch: CHECKOUT_ONE_CLICK
    ```

    **Also reported**: RB101, because a runbook that matches by id only does not cover the
    feature.

    **Passing**:

    ```yaml
    id: checkout-one-click
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    rollback:
      kill_switch: checkout.one_click
    ```
    """
    if not ctx.sources_configured:
        return
    index = _index(ctx)
    for summary in ctx.summaries:
        if not summary.checked or not summary.deployable:
            continue
        for key in index.slugs.get(summary.id, ()):
            feature = ctx.by_key[key]
            if key in summary.flag_keys or not feature.deployable:
                continue
            yield Hit(
                f"runbook `{summary.id}` matches feature `{key}` ({feature.source}, "
                f"{feature.location}) by its id only; it does not list `{key}` under `flags:`",
                location=summary.id_location,
                anchor=f"{summary.id}:{key}",
                help=f"list `{key}` under `flags:` with its `off` value",
            )


@rule(
    Code.DEPLOYED_FEATURE_MARKED_UNDEPLOYABLE,
    "deployed-feature-marked-undeployable",
    Severity.ERROR,
    "project",
    help="remove `deployable: false`, and give the runbook a rollback",
)
def deployed_feature_marked_undeployable(ctx: ProjectContext) -> Iterator[Hit]:
    """A runbook says `deployable: false` for a feature a source says is deployed.

    **What it checks**: a runbook with `deployable: false` lists no flag key, has no `id`
    written as a key's slug, and is no feature id, of a deployable feature a source declares
    (archived Unleash toggles are not deployable).

    **Why it matters**: `deployable: false` switches off the checks that a deployed feature
    needs (a rollback, RB102; coverage, RB101). If the flag system serves the feature, it can
    break in production, and its runbook must be one.

    **Failing**:

    ```yaml
    # a flagd file declares checkout.one_click
    id: one-click-checkout
    deployable: false
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    ```

    **Also reported**: RB101, because a runbook that says `deployable: false` covers no
    feature.

    **Passing**:

    ```yaml
    id: one-click-checkout
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off.
    ```
    """
    if not ctx.sources_configured:
        return
    index = _index(ctx)
    for summary in ctx.summaries:
        if not summary.checked or summary.deployable:
            continue
        keys = [k for k in summary.flags if k.key in ctx.by_key]
        named = [flag.key for flag in keys]
        named += [k for k in index.slugs.get(summary.id, ()) if k not in named]
        if summary.id in ctx.id_only and summary.id not in named:
            named.append(summary.id)
        deployed = [k for k in named if ctx.by_key[k].deployable]
        if not deployed:
            continue
        key = deployed[0]
        feature = ctx.by_key[key]
        yield Hit(
            f"runbook says `deployable: false`, but `{key}` is deployed: {feature.source} "
            f"declares it at {feature.location}",
            location=summary.deployable_location or summary.id_location,
            anchor=f"{summary.id}:deployable",
        )


@rule(
    Code.KILL_SWITCH_NOT_IN_SOURCE,
    "kill-switch-not-in-source",
    Severity.ERROR,
    "project",
    help="write the kill switch's key exactly as the flag system knows it",
)
def kill_switch_not_in_source(ctx: ProjectContext) -> Iterator[Hit]:
    """The kill switch is not a key any source declares, or its flag is archived.

    **What it checks**: when feature sources are configured, `rollback.kill_switch` names a
    flag that a source declares and that is not archived; the finding suggests a near key.
    A kill switch listed with `system: env` or `system: config` lives outside any flag system
    and is not checked.

    **Why it matters**: the kill switch is the one step the person on call is told to trust.
    If the flag system does not know the key, the switch does nothing, and nobody finds out
    until the incident.

    **Failing**:

    ```yaml
    # the flagd file declares checkout.one_click only
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
      - {key: checkout.kill_all, system: flagd, off: false, change: Flag console}
    rollback:
      kill_switch: checkout.kill_all
    ```

    **Also reported**: RB104, because the kill switch is a listed flag, and no source declares
    it.

    **Passing**:

    ```yaml
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    rollback:
      kill_switch: checkout.one_click
    ```
    """
    if not ctx.sources_configured:
        return
    for summary in ctx.summaries:
        key = summary.kill_switch
        if not summary.checked or not key or summary.kill_switch_location is None:
            continue
        flag = next((f for f in summary.flags if f.key == key), None)
        if flag is None or flag.system in UNSOURCED_SYSTEMS:
            continue  # a kill switch missing from `flags` is the loader's RB008
        feature = ctx.by_key.get(key)
        if feature is None:
            yield Hit(
                f"kill switch `{key}` is not declared by any feature source"
                f"{_mean(key, ctx.by_key)}",
                location=summary.kill_switch_location,
                anchor=f"{summary.id}:kill_switch",
            )
        elif not feature.deployable:
            yield Hit(
                f"kill switch `{key}` is archived in {feature.source} ({feature.location}): "
                "it cannot be switched",
                location=summary.kill_switch_location,
                anchor=f"{summary.id}:kill_switch",
                help="revive the flag in its flag system, or name a live flag as the kill switch",
            )


@rule(
    Code.OFF_VALUE_MISMATCH,
    "off-value-mismatch",
    Severity.ERROR,
    "project",
    help="write the value (or variant name) the flag system uses to turn the feature off",
)
def off_value_mismatch(ctx: ProjectContext) -> Iterator[Hit]:
    """A flag's `off` value is not one of the flag's values, or is the value that turns it on.

    **What it checks**: for each flag a runbook lists, against what the flag system declares:

    - **flagd**: `off` (and `on`, when given) is one of the flag's `variants`, by value
      (`false`, `v1`, `0`) or by variant name (`off`); `off` is not the variant named `on` (or
      `enabled`), which turns the feature on. The `defaultVariant` is shown in the message
      but says nothing about polarity: it is what flagd serves when no targeting rule
      matches, the off variant during a rollout and the on variant after it.
    - **OpenFeature manifest**: `off` has the flag's `flagType` (`boolean`, `string`,
      `integer`, `float`); object flags are not checked.
    - **Unleash**: a toggle is on or off: `off` is `false` (or `off`), not `true`; for a
      toggle of type `kill-switch` it is the other way round.
    - **any flag**: `off` and `on` are not the same value.

    Types count: the text `"false"` is not the boolean `false`. A flag whose meaning is
    inverted (its `on` variant turns the feature off) says so with `on:` in the runbook,
    which then decides which value turns the feature on.

    **Why it matters**: kill-switch polarity is a classic source of incidents. An `off` value
    the flag system does not have, or the one that turns the feature on, makes the rollback
    do nothing, or the opposite of what the page says.

    **Failing**:

    ```yaml
    # flagd declares checkout.one_click with variants {"on": true, "off": false}
    flags:
      - {key: checkout.one_click, system: flagd, off: true, change: Flag console}
    ```

    **Passing**:

    ```yaml
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    ```
    """
    for summary in ctx.summaries:
        if not summary.checked:
            continue
        for flag in summary.flags:
            declared = _declaring(ctx.declared.get(flag.key, ()), flag.system)
            yield from _check_values(flag, declared)


def _declaring(features: Iterable[Feature], system: str) -> Feature | None:
    """The declaration to check values against: the one of the runbook's system, if any."""
    with_values = [f for f in features if f.declares_values]
    if not with_values:
        return None
    same = [f for f in with_values if system in AGREEING_SYSTEMS.get(f.system or "", ())]
    return (same or with_values)[0]


def _check_values(flag: FlagSummary, feature: Feature | None) -> Iterator[Hit]:
    off, on = flag.off, flag.on
    if off is NOT_GIVEN or flag.off_location is None:
        return
    anchor = f"{flag.key}:off"
    if feature is None:
        if on is not NOT_GIVEN and _same(off, on):
            yield Hit(
                f"`off` and `on` of `{flag.key}` are the same value ({_show(off)})",
                location=flag.off_location,
                anchor=anchor,
            )
        return
    where = f"{feature.source} declares it at {feature.location}"
    if feature.variants:
        off_variant = _variant(feature.variants, off)
        if off_variant is None:
            yield Hit(
                f"`off: {_show(off)}` is not a value of `{flag.key}`: {where} with "
                f"{_variants_text(feature)}{_type_hint(off, feature)}",
                location=flag.off_location,
                anchor=anchor,
            )
            return
        on_variant: Variant | None = None
        if on is not NOT_GIVEN:
            on_variant = _variant(feature.variants, on)
            if on_variant is None:
                yield Hit(
                    f"`on: {_show(on)}` is not a value of `{flag.key}`: {where} with "
                    f"{_variants_text(feature)}{_type_hint(on, feature)}",
                    location=flag.on_location or flag.off_location,
                    anchor=f"{flag.key}:on",
                )
                return
        elif feature.on_variant is not None:
            on_variant = next(v for v in feature.variants if v.name == feature.on_variant)
        if on_variant is not None and on_variant.name == off_variant.name:
            said = "the runbook's `on`" if on is not NOT_GIVEN else f"variant `{on_variant.name}`"
            yield Hit(
                f"`off: {_show(off)}` is the value that turns `{flag.key}` on ({said}): "
                f"{where} with {_variants_text(feature)}",
                location=flag.off_location,
                anchor=anchor,
                help="write the value that turns the feature off; if this flag is inverted "
                "(its `on` variant turns the feature off), say so with `on:` as well",
            )
        return
    value_type = feature.value_type
    if value_type in (None, "object"):
        return
    for name, value, location in (("off", off, flag.off_location), ("on", on, flag.on_location)):
        if value is NOT_GIVEN:
            continue
        if not _fits(value, value_type):
            yield Hit(
                f"`{name}: {_show(value)}` is {_kind_text(value)}, but `{flag.key}` is a "
                f"{value_type} flag: {where}",
                location=location or flag.off_location,
                anchor=f"{flag.key}:{name}",
            )
            return
    if on is not NOT_GIVEN and _same(off, on):
        yield Hit(
            f"`off` and `on` of `{flag.key}` are the same value ({_show(off)})",
            location=flag.off_location,
            anchor=anchor,
        )


def _same(a: object, b: object) -> bool:
    """Equal as the flag system sees it: booleans are not numbers, text is not a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _variant(variants: tuple[Variant, ...], value: object) -> Variant | None:
    """The variant ``value`` names: by value first, then by variant name (any case)."""
    for variant in variants:
        if _same(variant.value, value):
            return variant
    if isinstance(value, str):
        for variant in variants:
            if variant.name == value:
                return variant
        named = [v for v in variants if v.name.lower() == value.lower()]
        if len(named) == 1:
            return named[0]
    return None


def _fits(value: object, value_type: str) -> bool:
    if value_type == "boolean":
        return isinstance(value, bool)
    if value_type == "string":
        return isinstance(value, str)
    if value_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if value_type == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return True


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"' if _looks_typed(value) else value
    return str(value)


def _looks_typed(text: str) -> bool:
    return text.lower() in {"true", "false", "null"} or bool(re.fullmatch(r"-?\d+(\.\d+)?", text))


def _kind_text(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "text"


def _variants_text(feature: Feature) -> str:
    shown = ", ".join(
        f"{v.name} ({_json(v.value)})" if v.name != _json(v.value) else v.name
        for v in feature.variants[:8]
    )
    more = f" and {len(feature.variants) - 8} more" if len(feature.variants) > 8 else ""
    default = f", default {feature.default_variant}" if feature.default_variant else ""
    return f"variants {shown}{more}{default}"


def _json(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "an object" if isinstance(value, dict) else "a list"
    return str(value)


def _type_hint(value: object, feature: Feature) -> str:
    """A hint when the text ``value`` spells one of the values: quotes made it text."""
    if not isinstance(value, str):
        return ""
    for variant in feature.variants:
        if not isinstance(variant.value, str) and _json(variant.value) == value.lower():
            return f" (`{value}` in quotes is text; write it without quotes)"
    return ""


@rule(
    Code.FLAG_SYSTEM_MISMATCH,
    "flag-system-mismatch",
    Severity.ERROR,
    "project",
    help="write the `system:` of the flag system that declares the key",
)
def flag_system_mismatch(ctx: ProjectContext) -> Iterator[Hit]:
    """A flag's `system:` disagrees with the source that declares its key.

    **What it checks**: when a flagd file or an Unleash export declares a flag key, a runbook
    that lists the key says `system: flagd` or `system: unleash` accordingly. A key declared by
    an OpenFeature manifest (which says how code evaluates a flag, not which service serves
    it) may say `openfeature` or the service (flagd, unleash, launchdarkly, flipt, other), but
    not `env` or `config`. Keys that only lists or code know are not checked.

    **Why it matters**: `system:` tells the person on call where to switch the flag. A runbook
    that sends them to the wrong console, or claims a flag-system flag is an environment
    variable (which also skips the checks against the source), costs minutes in an incident.

    **Failing**:

    ```yaml
    # a flagd file declares checkout.one_click
    flags:
      - {key: checkout.one_click, system: env, off: false, change: Set CHECKOUT_ONE_CLICK=0}
    ```

    **Passing**:

    ```yaml
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    ```
    """
    for summary in ctx.summaries:
        if not summary.checked:
            continue
        for flag in summary.flags:
            declared = [f for f in ctx.declared.get(flag.key, ()) if f.system in AGREEING_SYSTEMS]
            if not declared:
                continue
            sets = [AGREEING_SYSTEMS[f.system or ""] for f in declared]
            agreeing = frozenset.intersection(*sets) or frozenset.union(*sets)
            if flag.system in agreeing:
                continue
            first = declared[0]
            expected = first.system if first.system in agreeing else sorted(agreeing)[0]
            yield Hit(
                f"`system: {flag.system}` disagrees with {first.source}, which declares "
                f"`{flag.key}` at {first.location}; write `system: {expected}`",
                location=flag.system_location or flag.key_location,
                anchor=f"{flag.key}:system",
            )
