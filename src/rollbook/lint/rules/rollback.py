"""Rollback quality rules RB2xx: a rollback a non-expert can follow, step by step.

Text rules here (RB202, RB207) match on :func:`rollbook.lint.normalise.fold` of the text, so
that a zero-width space, a non-breaking space, fullwidth letters or Cyrillic look-alikes do not
hide a vague phrase from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rollbook.codes import Code
from rollbook.diagnostics import Severity
from rollbook.lint.context import RunbookContext
from rollbook.lint.normalise import fold
from rollbook.lint.registry import Hit, rule
from rollbook.model.runbook import Step

# Phrases that describe a goal rather than an action, matched in folded (lower-case) text.
_VAGUE_PHRASES = re.compile(
    r"\b(check(?:ing)? (?:the )?logs?|look (?:at|into) (?:the )?(?:logs?|it|issue|problem)"
    r"|investigate|investigating|fix (?:it|things|the (?:issue|problem|bug))|figure out"
    r"|as (?:needed|appropriate|necessary)|if necessary|do the usual|handle it)\b"
)
# Markers are only markers when shouted (a "todo list" feature is not a TODO), so they are
# matched in folded text that keeps its case.
_MARKERS = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b")

# Words that say nothing about *what* or *where* on their own: generic actions ("roll back",
# "restart"), generic objects ("the deployment", "the service"), generic outcomes ("works",
# "fine", "looks good") and filler. A text made only of these is too vague to act on; one
# specific word (a name, a number, a key, a button) is enough to pass. Kept as one list,
# because "restart it" and "it works" are vague for the same reason.
_GENERIC_BY_KIND = {
    "actions": (
        "roll rollback rolled rolling revert reverted undo fix fixed fixing restart restarted "
        "reboot redeploy redeployed rerun retry try tried deploy deployed disable disabled turn "
        "switch switched stop stopped kill repair resolve resolved mitigate escalate investigate "
        "check checked verify confirm monitor watch wait do done handle sort apply make ensure "
        "see test go get put set run bring take follow call ask contact help "
    ),
    "objects": (
        "it everything anything something things thing stuff deployment release change changes "
        "service services app application system systems feature code version commit flag toggle "
        "setting settings config configuration problem problems issue issues bug bugs error "
        "errors rollout update patch build server servers pod pods cluster infra infrastructure "
        "environment prod production site database db procedure process step steps runbook "
        "playbook action someone somebody team usual standard previous last old new latest prior "
        "earlier whole entire "
    ),
    "outcomes": (
        "works work working worked is are was were be been being should will would must can "
        "could fine ok okay good great better normal expected success successful successfully "
        "succeeded succeeds green healthy stable right correct looks look looking seems seem gone "
        "solved complete completed finished up running ready live restored recovered recover "
        "resume resumed happy nothing wrong no not more "
    ),
    "filler": (
        "the a an this that these those its our your their my now please then and or to of on "
        "in into at for with from by just quickly immediately asap if when so until state there "
        "here any all some bit while moment time properly correctly again off out down over "
        "also probably hopefully whatever etc thats whats yes back necessary needed appropriate "
        "required"
    ),
}
GENERIC_WORDS = frozenset(w for words in _GENERIC_BY_KIND.values() for w in words.split())
_WORD = re.compile(r"[a-z0-9]+(?:[._/:-][a-z0-9]+)*")


def vague_phrase(text: str) -> str | None:
    """The first vague phrase or marker in ``text``, if any, matched on folded text."""
    return _phrase(fold(text, keep_case=True))


def only_generic_words(text: str) -> bool:
    """Whether ``text`` says nothing specific: every word is in :data:`GENERIC_WORDS`."""
    return _generic(fold(text))


def _phrase(kept: str) -> str | None:
    # ``kept`` is folded with its case; folding its case too gives fold(text).
    match = _MARKERS.search(kept) or _VAGUE_PHRASES.search(kept.casefold())
    return match.group(1) if match else None


def _generic(folded: str) -> bool:
    return all(word in GENERIC_WORDS for word in _WORD.findall(folded.replace("'", "")))


def _no_object(folded: str) -> bool:
    """Whether an action names no object: its one specific word is the verb ("Press.")."""
    words = _WORD.findall(folded.replace("'", ""))
    specific = [word for word in words if word not in GENERIC_WORDS]
    return len(specific) == 1 and words[0] == specific[0] and specific[0].isalpha()


def _vague(text: str, generic: bool, action: bool = False) -> str | None:
    """Why ``text`` is too vague, or None. ``action``: it is a step's `do`."""
    kept = fold(text, keep_case=True)
    phrase = _phrase(kept)
    if phrase:
        return repr(phrase)
    if not generic:
        return None
    shown = kept.strip()
    shown = repr(shown if len(shown) <= 60 else shown[:57] + "...")
    if _generic(kept.casefold()):
        return f"{shown} names nothing specific"
    if action and _no_object(kept.casefold()):
        return f"{shown} says what to do but not to what"
    return None


# What a person can act on in a step's `do` (besides `command:` and `link:`): a link, a label
# in quotes or backticks ("Pay now", `Save`; look-alike quotes fold to these), or a menu path
# (Flag console > checkout.one_click > Off). Matched on folded text that keeps its case.
_URL = re.compile(r"https?://\S")
_LABELS = (
    re.compile(r'"([^"\n]{1,80})"'),
    re.compile(r"''(.{1,80}?)''"),
    re.compile(r"(?:^|(?<=[\s(\[]))'([^'\n]{1,80}?)'(?=$|[\s.,;:!?)\]])"),
    re.compile(r"`([^`\n]{1,80})`"),
    re.compile(r"«([^»\n]{1,80})»"),
)
_MENU_PATH = re.compile(r"[A-Za-z0-9][^>\n]*?\s*(?:>|→)\s*[A-Za-z0-9]")


def step_handles(step: Step, flag_keys: list[str]) -> Iterator[str]:
    """The concrete handles of ``step``, cheapest first: what a non-expert can act on (RB207)."""
    if step.command and step.command.strip():
        yield "command"
    if step.link:
        yield "link"
    text = fold(step.do, keep_case=True)
    if _URL.search(text):
        yield "link in the text"
    lowered = text.casefold()
    for key in flag_keys:
        if _mentions(lowered, fold(key)):
            yield f"flag key {key}"
            break
    for pattern in _LABELS:
        if any(any(ch.isalnum() for ch in m.group(1)) for m in pattern.finditer(text)):
            yield "label"
            break
    if _MENU_PATH.search(text):
        yield "menu path"


def _mentions(text: str, key: str) -> bool:
    """Whether ``key`` is in ``text`` as a whole key, not inside a longer key or word.

    A key may end a sentence (``... checkout.one_click.``) but not go on
    (``checkout.one_click.v2``, ``checkout.one_click_v2``).
    """
    start = text.find(key)
    while start >= 0:
        end = start + len(key)
        before = text[start - 1] if start else " "
        after = text[end : end + 2] + "  "
        joined_before = _word_char(before) or before in ".-"
        joined_after = (
            _word_char(after[0]) or after[0] == "-" or (after[0] == "." and _word_char(after[1]))
        )
        if not joined_before and not joined_after:
            return True
        start = text.find(key, start + 1)
    return False


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@rule(
    Code.STEP_WITHOUT_EXPECT,
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
    Code.VAGUE_STEP,
    "vague-step",
    Severity.ERROR,
    help="say exactly what to do and where (the command, the button, the query) and what "
    "the person will see; if the text is right as it is, suppress with a reason",
)
def vague_step(ctx: RunbookContext) -> Iterator[Hit]:
    """A rollback step or check too vague to act on: "check logs", "restart", "it works", TODO.

    **What it checks**: the `do`, `expect` and `if_not` of each rollback step and each
    `verify` line. A text fails when it

    - contains a vague phrase: check logs, look into it, investigate, fix it, figure out, as
      needed, as appropriate, if necessary, do the usual, handle it; or a marker, in capitals:
      TODO, TBD, FIXME, XXX;
    - or is made only of generic words, with nothing specific left: generic actions (roll
      back, revert, undo, fix, restart, redeploy, retry, disable, escalate, check, wait, call,
      ask ...), generic objects (it, everything, the deployment, the release, the service,
      the flag, the change, the previous version, the database ...), generic outcomes (works,
      fine, OK, good, normal, healthy, as expected, resolved, done, success, looks good ...)
      and filler words. One specific word (a name, a number, a flag key, a button) is enough;
    - or, for a `do`, names an action and no object: its only specific word is the verb it
      starts with ("Press.", "Refresh it.").

    A `do` made only of generic words is accepted when the step has a `command` or a `link`,
    which names the object. Every text is matched after normalisation (NFKC, invisible
    characters removed, all spaces folded, case folded, look-alike letters mapped to Latin),
    so a zero-width space inside TODO, a non-breaking space in "check logs", fullwidth letters
    or a Cyrillic letter that looks Latin do not hide a phrase. When a short text really is
    clear in context, suppress the finding with a reason.

    | text | verdict |
    |---|---|
    | `do: Roll back the deployment.` | fails: generic action and object |
    | `do: Restart.`, `do: Revert.`, `do: Fix it.`, `do: Turn the flag off.` | fail |
    | `do: Follow the usual procedure.` | fails |
    | `do: Press.`, `do: Refresh it.`, `do: Scale down.` | fail: no object |
    | `expect: It works.`, `Everything is fine.`, `Looks good.`, `No errors.` | fail |
    | `if_not: Escalate.`, `if_not: Ask for help.`, `if_not: Try again.` | fail |
    | `verify: The service is healthy again.` | fails |
    | `do: Restart the orders service.` | passes: `orders` is specific |
    | `do: Roll back the deployment.` with `command: kubectl rollout undo` | passes |
    | `do: Roll back to release 4.2.1.` | passes |
    | `do: Press Save.`, `do: Restart checkout-worker.` | pass |
    | `do: Wait 5 minutes.` | passes |
    | `expect: The switch shows Off.` | passes |
    | `expect: Checkout error rate back below 0.5%.` | passes |
    | `if_not: Call the payments on-call on +44 20 7946 0000.` | passes |

    **Why it matters**: "check the logs" is not a step: which logs, where, looking for what?
    "Roll back the deployment" and "it works" are goals, not actions and results. A person who
    is not the feature's author cannot act on them at 3 a.m.

    **Failing**:

    ```yaml
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off within a minute.
        - do: Roll back the deployment.
          expect: It works.
          if_not: Check the logs and fix it.
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off within a minute.
        - do: Open the Checkout errors log query (link below) and look for "card declined".
          link: https://grafana.example.com/explore?q=checkout
          expect: Fewer than 10 lines per minute.
          if_not: Call the payments on-call on +44 20 7946 0000.
    ```
    """
    rollback = ctx.runbook.rollback
    if rollback is None:
        return
    for i, step in enumerate(rollback.steps):
        for name in ("do", "expect", "if_not"):
            text = getattr(step, name)
            if not text:
                continue
            # A command or a link names what a generic `do` acts on.
            generic = name != "do" or not (step.command or step.link)
            why = _vague(text, generic, action=name == "do")
            if why:
                yield Hit(
                    f"rollback step {i + 1} `{name}` is too vague to act on: {why}",
                    ("rollback", "steps", i, name),
                )
    for i, text in enumerate(rollback.verify):
        why = _vague(text, True)
        if why:
            # A single `verify: text` is stored as a one-item list; locate() then falls back
            # to the `verify` value itself, which is where the text is.
            yield Hit(
                f"rollback check {i + 1} is too vague to act on: {why}",
                ("rollback", "verify", i),
            )


@rule(
    Code.NO_KILL_SWITCH,
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
      kill_switch:    # none: the only way back is a redeploy
      steps:
        - do: Redeploy the previous release with `deployctl rollback checkout`.
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
    Code.ENGINEER_STEP_WITHOUT_ALTERNATIVE,
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
    Code.IRREVERSIBLE_WITHOUT_WARNING,
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
          command: psql checkout -c 'DROP TABLE one_click_tokens'
          irreversible: true
          expect: The table is gone.
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Drop the one_click_tokens table.
          command: psql checkout -c 'DROP TABLE one_click_tokens'
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
    Code.NO_VERIFICATION,
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
      verify: []
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


@rule(
    Code.ROLLBACK_WITHOUT_HANDLE,
    "rollback-without-handle",
    Severity.ERROR,
    help="give a step a `command:`, a `link:`, the flag key from `flags:` in its `do`, or the "
    "label a person presses, in quotes or as a menu path: Flag console > checkout.one_click > Off",
)
def rollback_without_handle(ctx: RunbookContext) -> Iterator[Hit]:
    """A rollback has no concrete handle: nothing a non-expert can find and act on.

    **What it checks**: a rollback with steps has at least one step with a *concrete
    handle*, one of:

    - a `command:` to run;
    - a `link:` to the place where the action is done, or an `https://` link in its `do`;
    - the key of a flag from the runbook's `flags:` (such as the kill switch) in its `do`,
      written as the flag system knows it: `checkout.one_click`;
    - a UI label in its `do`: the words on a button or menu item in quotes or backticks
      (`press "Save"`, `` `Pay now` ``, typographic quotes too), or a menu path with `>`, `›`
      or `→` between names (`Flag console > checkout.one_click > Off`).

    Text is matched after normalisation (see RB202). Prose alone ("roll back the release",
    "switch the feature off") is not a handle, however well written: the person on call must
    find the thing to act on without knowing the system.

    | rollback steps | verdict |
    |---|---|
    | `do: Roll back the deployment.` | fails |
    | `do: Switch the new checkout off in the flag console.` | fails: no key, no label |
    | `do: Switch checkout.one_click Off in the flag console.` (its key is in flags) | passes |
    | `do: In the flag console, open Flags > checkout > One click and press Off.` | passes |
    | `do: Press "Disable one-click" on the admin page.` | passes |
    | `do: Press “Save” on the checkout settings page.` | passes |
    | `do: Open Settings › Checkout and untick One-click.` | passes |
    | `do: Scale the workers to zero.` with `command: kubectl scale ...` | passes |
    | `do: Open the flag page.` with `link: https://flags.example.com/...` | passes |

    **Why it matters**: "Roll back the deployment" with "expect: It works" reads like a
    procedure but leaves a non-expert with nothing to press, type or open. One concrete
    handle is the least a rollback must give.

    **Failing**:

    ```yaml
    rollback:
      steps:
        - do: Switch the new checkout off in the flag console.
          expect: Customers see the old checkout page again.
    ```

    **Passing**:

    ```yaml
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: Customers see the old checkout page again.
    ```
    """
    rollback = ctx.runbook.rollback
    if rollback is None or not rollback.steps:
        return
    keys = [flag.key for flag in ctx.runbook.flags]
    if any(next(step_handles(step, keys), None) for step in rollback.steps):
        return
    yield Hit(
        f"no rollback step has a command, a link, a flag key or a UI label to act on "
        f"({len(rollback.steps)} step{'s' if len(rollback.steps) != 1 else ''} of prose only)",
        ("rollback", "steps"),
        key=True,
        anchor="rollback.steps",
    )
