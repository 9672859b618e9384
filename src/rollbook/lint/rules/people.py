"""People rules RB6xx: someone can be reached, by phone or chat."""

from __future__ import annotations

from collections.abc import Iterator

from rollbook.codes import Code
from rollbook.diagnostics import Severity
from rollbook.lint.context import RunbookContext
from rollbook.lint.registry import Hit, rule


@rule(
    Code.OWNER_UNREACHABLE,
    "owner-unreachable",
    Severity.ERROR,
    help="give the team an `oncall_phone` or a `chat` in the teams file",
)
def owner_unreachable(ctx: RunbookContext) -> Iterator[Hit]:
    """The owning team has no phone or chat contact.

    **What it checks**: the team named in `owner` has an `oncall_phone`, a `chat` or a
    `chat_url` in the teams file. (Without a teams file this rule cannot check anything.)

    **Why it matters**: when the rollback fails, the runbook's last instruction is "call the
    owner": that needs a number or a channel.

    **Failing**:

    ```yaml
    # teams.yaml
    teams:
      - id: payments
        name: Payments
        people:
          - {id: amara, name: Amara Obi, phone: "+44 113 496 0001"}
    ```

    **Passing**:

    ```yaml
    # teams.yaml
    teams:
      - id: payments
        name: Payments
        oncall_phone: "+44 20 7946 0000"
        chat: "#payments-oncall"
        people:
          - {id: amara, name: Amara Obi, phone: "+44 113 496 0001"}
    ```
    """
    if ctx.teams is None:
        return
    team = ctx.teams.team(ctx.runbook.owner)
    if team is not None and not (team.oncall_phone or team.chat or team.chat_url):
        yield Hit(f"owner `{team.id}` has no on-call phone or chat in the teams file", ("owner",))


@rule(
    Code.CONTACT_UNREACHABLE,
    "contact-unreachable",
    Severity.WARNING,
    help="give the person a `phone` or `chat` (or the team an `oncall_phone`) in the teams file",
)
def contact_unreachable(ctx: RunbookContext) -> Iterator[Hit]:
    """A contact has no phone or chat.

    **What it checks**: each entry of `contacts` names a team with an on-call phone or chat,
    or a person with a phone or chat, in the teams file.

    **Why it matters**: an escalation list of names without numbers is a list of people
    nobody can call.

    **Failing**:

    ```yaml
    # teams.yaml
    teams:
      - id: payments
        name: Payments
        chat: "#payments"
        people:
          - {id: amara, name: Amara Obi}
    ```

    **Passing**:

    ```yaml
    # teams.yaml
    teams:
      - id: payments
        name: Payments
        chat: "#payments"
        people:
          - {id: amara, name: Amara Obi, phone: "+44 113 496 0001"}
    ```
    """
    if ctx.teams is None:
        return
    for i, contact in enumerate(ctx.runbook.contacts):
        if contact.team:
            team = ctx.teams.team(contact.team)
            if team is not None and not (team.oncall_phone or team.chat or team.chat_url):
                yield Hit(
                    f"contact team `{team.id}` has no on-call phone or chat",
                    ("contacts", i, "team"),
                )
        elif contact.person:
            found = ctx.teams.person(contact.person)
            if found is not None:
                person = found[1]
                if not (person.phone or person.chat or person.chat_url):
                    yield Hit(
                        f"contact `{person.id}` has no phone or chat", ("contacts", i, "person")
                    )
