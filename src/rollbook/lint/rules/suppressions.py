"""Suppression rules RB9xx: inline `# rollbook: ignore[...]` comments are findings too.

The checks live in ``rollbook.lint.suppressions``, which applies the comments; the rules are
registered here for their documentation, selection and severity.
"""

from __future__ import annotations

from rollbook.diagnostics import Severity
from rollbook.lint.registry import register

W = Severity.WARNING

register(
    "RB901",
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
        - do: Switch the flag off.  # rollbook: ignore[RB201]
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Switch the flag off.  # rollbook: ignore[RB201] the console confirms it itself
    ```
""",
)

register(
    "RB902",
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
    # rollbook: ignore[RB201] expected result is obvious
    - do: Switch the flag off.
      expect: The flag shows Off.
    ```

    **Passing**:

    ```yaml
    - do: Switch the flag off.
      expect: The flag shows Off.
    ```
""",
)

register(
    "RB903",
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
    risk: high  # rollbook: ignore[RB501] until=2020-01-01 load test booked for next week
    ```

    **Passing**:

    ```yaml
    risk: high  # rollbook: ignore[RB501] until=2099-01-01 load test booked for next week
    ```
""",
)

register(
    "RB904",
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
    risk: high  # rollbook: ignore[RB5O1] until=2026-13-01 load test booked
    ```

    **Passing**:

    ```yaml
    risk: high  # rollbook: ignore[RB501] until=2026-12-01 load test booked
    ```
""",
)
