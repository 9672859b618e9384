"""Suppression rules RB9xx: inline `# rollbook: ignore[...]` comments are findings too.

``rollbook.lint.suppressions`` reads the comments (and finds the ones it cannot read, RB904);
the engine applies them to the findings of a run. What is then wrong with each comment
(RB901-RB903, and RB904 as read) is decided here, by :func:`suppression_hits`, next to the
rules' documentation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from rollbook.codes import Code
from rollbook.diagnostics import Severity
from rollbook.lint.registry import Hit, register
from rollbook.lint.suppressions import Suppression

W = Severity.WARNING

register(
    Code.SUPPRESSION_WITHOUT_REASON,
    "suppression-without-reason",
    W,
    "suppression",
    "say why after the brackets: `# rollbook: ignore[RB201] the flag page shows it`",
    """
    An inline suppression gives no reason.

    **What it checks**: each `# rollbook: ignore[CODE]` comment is followed by a reason. The
    suppression still applies; the missing reason is reported.

    **Why it matters**: a suppression is a decision someone made; without the reason the next
    person cannot tell whether it still holds.

    **Failing**:

    ```yaml
    rollback:
      steps:
        - do: Set checkout.one_click to Off.  # rollbook: ignore[RB201]
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Set checkout.one_click to Off.  # rollbook: ignore[RB201] the console shows it
    ```
""",
)

register(
    Code.UNUSED_SUPPRESSION,
    "unused-suppression",
    W,
    "suppression",
    "remove the code from the comment, or the comment",
    """
    An inline suppression suppresses nothing.

    **What it checks**: each code in a `# rollbook: ignore[...]` comment matches a finding on
    its line (or, for a comment on a line of its own, the next line).

    **Why it matters**: stale suppressions hide the next real problem on that line, as ruff's
    unused `noqa` check says.

    **Failing**:

    ```yaml
    rollback:
      steps:
        # rollbook: ignore[RB201] expected result is obvious
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off.
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off.
    ```
""",
)

register(
    Code.EXPIRED_SUPPRESSION,
    "expired-suppression",
    W,
    "suppression",
    "fix the finding, or renew the suppression with a new `until=` date and reason",
    """
    An inline suppression's `until=` date has passed.

    **What it checks**: `# rollbook: ignore[CODE] until=YYYY-MM-DD reason` is only honoured
    until the end of that day. After it, the suppressed finding is reported again, and so is
    the expired comment.

    **Why it matters**: "we will fix it next sprint" should not be for ever; an expiry turns a
    suppression into a reminder, like pint's snooze.

    **Failing**:

    ```yaml
    risk: high
    tests:  # rollbook: ignore[RB501] until=2020-01-01 load test booked for next week
      - kind: unit
    ```

    **Also reported**: RB501, the finding the expired suppression no longer hides.

    **Passing**:

    ```yaml
    risk: high
    tests:  # rollbook: ignore[RB501] until=2099-01-01 load test booked for next week
      - kind: unit
    ```
""",
)

register(
    Code.INVALID_SUPPRESSION,
    "invalid-suppression",
    W,
    "suppression",
    "write `# rollbook: ignore[RB201] reason`, optionally with `until=YYYY-MM-DD`",
    """
    An inline suppression rollbook cannot read: an unknown rule code or a bad date.

    **What it checks**: the codes in brackets are rule codes or names (`rollbook rule` lists
    them) and `until=` is a real date written YYYY-MM-DD.

    **Why it matters**: a suppression with a typo suppresses nothing, silently.

    **Failing**:

    ```yaml
    risk: high
    tests:  # rollbook: ignore[RB5O1] until=2026-13-01 load test booked
      - kind: unit
    ```

    **Also reported**: RB501, the finding the unreadable suppression does not hide.

    **Passing**:

    ```yaml
    risk: high
    tests:  # rollbook: ignore[RB501] until=2026-12-01 load test booked
      - kind: unit
    ```
""",
)


def suppression_hits(
    sup: Suppression, today: dt.date, enabled: Callable[[str], bool]
) -> Iterator[tuple[str, Hit]]:
    """What is wrong with one suppression once the run has applied it: ``(code, hit)`` pairs,
    each hit at the comment. ``enabled(code)`` says whether a rule runs on the comment's file:
    a suppression of a rule that is not run is not reported as unused."""
    where = sup.location
    for code, message in sup.problems:
        yield code, Hit(message, location=where, anchor=f"{code}:{message}")
    if not sup.codes:
        return
    names = ",".join(sorted(sup.codes))
    if sup.expired(today):
        yield (
            Code.EXPIRED_SUPPRESSION,
            Hit(
                f"suppression of {names} expired on {sup.until}",
                location=where,
                anchor=f"expired:{names}",
            ),
        )
        return
    if not sup.reason:
        yield (
            Code.SUPPRESSION_WITHOUT_REASON,
            Hit(
                f"suppression of {names} gives no reason",
                location=where,
                anchor=f"noreason:{names}",
            ),
        )
    for code in sorted(set(sup.codes) - sup.used):
        if enabled(code):
            yield (
                Code.UNUSED_SUPPRESSION,
                Hit(
                    f"suppression of {code} is unused: nothing to suppress on line "
                    f"{sup.target_line}",
                    location=where,
                    anchor=f"unused:{code}:{sup.target_line}",
                ),
            )
