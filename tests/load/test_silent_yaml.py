"""RB010: YAML that would silently cut, split or fold a value is an error with the exact fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollbook.model.runbook import TeamsFile
from tests.conftest import run_cli
from tests.load.helpers import (
    HEAD,
    TEAMS,
    runbook_problems,
    spot,
    teams_problems,
    where,
)

# ---------------------------------------------------------------------------------------------
# ` #` ends a plain value

# (name, text after HEAD, the hash that cuts, what YAML kept, the fix the hint must show)
COMMENT_CUTS = [
    (
        "list-item",
        "rollback:\n  after:\n    - Post in #payments what happened.\n",
        "#payments",
        "reads only 'Post in'",
        '- "Post in #payments what happened."',
    ),
    (
        "text-field-in-a-list-of-mappings",
        "rollback:\n  steps:\n    - do: Ask in #checkout-dev for the build number\n",
        "#checkout-dev",
        "reads only 'Ask in'",
        'do: "Ask in #checkout-dev for the build number"',
    ),
    (
        "single-text-for-a-list",
        "rollback:\n  verify: Ticket #4512 is closed   # by the on-call\n",
        "#4512",
        "reads only 'Ticket'",
        'verify: "Ticket #4512 is closed   # by the on-call"',
    ),
    (
        "nested-mapping",
        "flags:\n  - key: checkout.one_click\n    system: flagd\n    off: false\n"
        "    change: Ask #payments to flip it\n",
        "#payments",
        "reads only 'Ask'",
        'change: "Ask #payments to flip it"',
    ),
    (
        "a-comment-meant-as-a-comment",
        "rollback:\n  steps:\n    - do: Switch it off # INC-2231\n",
        "# INC-2231",
        "reads only 'Switch it off'",
        'do: "Switch it off # INC-2231"',
    ),
    (
        "continued-on-the-next-line",
        "summary: Lets returning customers buy\n  with one tap; ask #payments\n",
        "#payments",
        "reads only 'Lets returning customers buy with one tap; ask'",
        "from line 5",
    ),
    (
        "name-that-is-a-channel",
        "signals:\n  - name: Errors #checkout\n    kind: metric\n",
        "#checkout",
        "reads only 'Errors'",
        'name: "Errors #checkout"',
    ),
]


@pytest.mark.parametrize(
    ("name", "body", "needle", "kept", "fix"), COMMENT_CUTS, ids=[c[0] for c in COMMENT_CUTS]
)
def test_comment_after_text_is_an_error_with_the_quoted_fix(
    tmp_path: Path, name, body, needle, kept, fix
):
    text = (
        HEAD.replace("summary: Lets returning customers buy with one tap.\n", "") + body
        if name == "continued-on-the-next-line"
        else HEAD + body
    )
    found = [p for p in runbook_problems(tmp_path, text) if p.code == "RB010"]
    assert [where(p) for p in found] == [f"{spot(text, needle)} RB010"]
    assert "` #` starts a comment in YAML" in found[0].message
    assert kept in found[0].message
    assert fix in found[0].hint


@pytest.mark.parametrize(
    ("body", "fix"),
    [
        (
            "tests:\n  - { kind: manual, what: Ran the #12 checklist }\n",
            'what: "Ran the #12 checklist"',
        ),
        ("rollback:\n  after: [Tell support, post in #payments]\n", '"post in #payments"'),
    ],
)
def test_a_comment_in_a_flow_collection_says_it_hid_the_closing_bracket(tmp_path: Path, body, fix):
    # Not silent (the closing bracket is commented out too), but libyaml only says the bracket
    # is not closed; the hint says why, and how to quote.
    [problem] = runbook_problems(tmp_path, HEAD + body)
    assert problem.code == "RB001"
    assert problem.message.startswith("YAML syntax error: ` #` on line 7 starts a comment")
    assert problem.hint == f"if the # is part of the text, quote it: {fix}"


def test_a_channel_as_the_whole_value_is_not_silently_empty(tmp_path: Path):
    text = TEAMS.replace('    chat: "#payments-oncall"', "    chat: #payments-oncall")
    found = teams_problems(tmp_path, text)
    assert [where(p) for p in found] == [f"{spot(text, '#payments-oncall')} RB010"]
    assert "teams[0].chat is empty" in found[0].message
    assert 'chat: "#payments-oncall"' in found[0].hint


def test_a_person_chat_channel_in_the_teams_file(tmp_path: Path):
    text = TEAMS + "        chat: @amara #payments\n".replace("@amara ", "")
    found = teams_problems(tmp_path, text)
    assert [where(p) for p in found] == [f"{spot(text, '#payments', 1)} RB010"]


@pytest.mark.parametrize(
    "body",
    [
        "risk: high  # agreed with SRE\n",
        "deployable: true # always\n",
        "flags:\n  - key: a.b\n    system: flagd\n    off: false # the kill value\n"
        "    change: Flip it\n",
        "rollout:\n  stages:\n    - percent: 5 # five percent\n",
        'rollback:\n  after:\n    - "Post in #payments what happened."\n',
        "rollback:\n  after:\n    - 'Post in #payments what happened.'\n",
        "rollback:\n  after:\n    - |\n      Post in #payments what happened.\n",
        "rollback:\n  after: [Post in Slack]   # the channel is in the teams file\n",
        "tags: [checkout, payments] # for search\n",
        "rollback:\n  steps:\n    - do: Ticket#4512 is closed\n",
        "contacts:\n  - team: payments # first call\n",
        "rollback:\n  steps:\n    - do: Switch it off  # rollbook: ignore[RB201] agreed\n",
        "rollback:\n  steps:\n    - do: Switch it off  # yamllint disable-line rule:line-length\n",
        "rollback:\n  steps:\n    - do: Switch it off # FILL IN: one action, in words\n",
    ],
)
def test_ordinary_comments_are_not_errors(tmp_path: Path, body: str):
    # False-positive guards: comments after values that cannot lose text, and quoted text.
    found = [p for p in runbook_problems(tmp_path, HEAD.replace("risk: high\n", "") + body)]
    assert [p for p in found if p.code == "RB010"] == [], found


def test_an_empty_value_with_a_real_comment_stays_a_missing_value(tmp_path: Path):
    text = HEAD.replace("title: One-click checkout", "title:   # FILL IN")
    found = runbook_problems(tmp_path, text)
    assert [p.code for p in found] == ["RB004"]


@pytest.mark.parametrize(
    ("body", "needle", "reads", "fix"),
    [
        (
            "rollback:\n  verify: &Co refunds are paid\n",
            "&Co",
            "'refunds are paid'",
            'verify: "&Co refunds are paid"',
        ),
        ("rollback:\n  after:\n    - &A then B\n", "&A", "'then B'", '- "&A then B"'),
    ],
)
def test_text_taken_for_an_anchor_is_an_error(tmp_path: Path, body, needle, reads, fix):
    text = HEAD + body
    [problem] = runbook_problems(tmp_path, text)
    assert where(problem) == f"{spot(text, needle)} RB010"
    assert f"`{needle}` is read as a YAML anchor, not text" in problem.message
    assert problem.message.endswith(f"reads {reads}")
    assert problem.hint == f"if it is text, quote the whole value: {fix}"


def test_an_anchor_that_is_used_is_not_an_error(tmp_path: Path):
    text = HEAD + "rollback:\n  when: [&rate Error rate above 2%]\n  verify: [*rate]\n"
    assert runbook_problems(tmp_path, text) == []


# ---------------------------------------------------------------------------------------------
# A comma in [ ] separates items


@pytest.mark.parametrize(
    ("body", "count", "one"),
    [
        (
            "rollback:\n  when: [error rate above 2%, for 5 minutes]\n",
            "2 items: 'error rate above 2%' and 'for 5 minutes'",
            'when: ["error rate above 2%, for 5 minutes"]',
        ),
        (
            "rollback:\n  verify: [Orders flow again, as before, and the queue drains]\n",
            "3 items",
            'verify: ["Orders flow again, as before, and the queue drains"]',
        ),
        (
            'rollback:\n  after: ["Tell support", then post in the channel]\n',
            "2 items",
            "after: ['\"Tell support\", then post in the channel']",
        ),
    ],
)
def test_a_sentence_split_at_a_comma_in_brackets(tmp_path: Path, body, count, one):
    text = HEAD + body
    found = [p for p in runbook_problems(tmp_path, text) if p.code == "RB010"]
    assert [where(p) for p in found] == [f"{spot(text, ',')} RB010"]
    assert f"reads as {count}" in found[0].message
    assert one in found[0].hint


@pytest.mark.parametrize(
    "body",
    [
        'rollback:\n  when: ["error rate above 2%", "p99 above 800ms"]\n',
        "rollback:\n  when: [error rate above 2% for 5 minutes]\n",
        "signals:\n  - name: A\n    kind: metric\n  - name: B\n    kind: metric\n"
        "rollout:\n  stages:\n    - percent: 5\n      gate: [A, B]\n",
        "tags: [checkout, payments]\n",
    ],
)
def test_lists_whose_commas_are_plainly_separators(tmp_path: Path, body: str):
    found = runbook_problems(tmp_path, HEAD + body)
    assert [p for p in found if p.code == "RB010"] == [], found


# ---------------------------------------------------------------------------------------------
# A list item under a key that already has a value


@pytest.mark.parametrize(
    ("body", "reads"),
    [
        (
            "rollback:\n  when: Error rate above 2%\n    - Checkout p99 above 3s\n",
            "rollback.when reads 'Error rate above 2% - Checkout p99 above 3s'",
        ),
        (
            "rollback:\n  steps:\n    - do: Switch it off\n      expect: The toggle shows Off\n"
            "        - and the error rate drops\n",
            "rollback.steps[0].expect reads 'The toggle shows Off - and the error rate drops'",
        ),
        (
            "signals:\n  - name: Errors\n    kind: metric\nrisks:\n  - what: Double charge\n"
            "    likelihood: low\n    impact: high\n    signals: Errors\n      - Latency\n",
            "risks[0].signals reads 'Errors - Latency'",
        ),
    ],
)
def test_a_list_item_folded_into_the_text_above(tmp_path: Path, body, reads):
    text = HEAD + body
    found = [p for p in runbook_problems(tmp_path, text) if p.code == "RB010"]
    dash = text.rindex("- ")
    assert [where(p) for p in found] == [f"{spot(text, text[dash:], 0)} RB010"]
    assert reads in found[0].message
    assert "alone on its line and each item on a `- ` line" in found[0].hint


def test_a_dash_inside_one_line_of_text_is_fine(tmp_path: Path):
    text = HEAD + "rollback:\n  steps:\n    - do: Open Flags - Checkout - One click\n"
    assert runbook_problems(tmp_path, text) == []


# ---------------------------------------------------------------------------------------------
# A folded command


@pytest.mark.parametrize(
    ("body", "needle", "shown"),
    [
        (
            "rollback:\n  steps:\n    - do: Stop the workers.\n      command: >\n"
            "        kubectl scale deploy/worker --replicas=0\n"
            "        kubectl rollout status deploy/worker\n",
            ">",
            "`kubectl scale deploy/worker --replicas=0 kubectl rollout status deploy/worker`",
        ),
        (
            "flags:\n  - key: a.b\n    system: env\n    off: 'false'\n    change: Set it.\n"
            "    command: >-\n      export A_B=false\n      systemctl restart shop\n",
            ">-",
            "`export A_B=false systemctl restart shop`",
        ),
        (
            "rollback:\n  steps:\n    - do: Restart.\n      command: systemctl stop shop\n"
            "        systemctl start shop\n",
            "systemctl stop",
            "`systemctl stop shop systemctl start shop`",
        ),
        (
            'rollback:\n  steps:\n    - do: Restart.\n      command: "systemctl stop shop\n'
            '        systemctl start shop"\n',
            '"systemctl stop',
            "`systemctl stop shop systemctl start shop`",
        ),
    ],
)
def test_a_command_whose_lines_yaml_would_join(tmp_path: Path, body, needle, shown):
    text = HEAD + body
    found = [p for p in runbook_problems(tmp_path, text) if p.code == "RB010"]
    assert [where(p) for p in found] == [f"{spot(text, needle)} RB010"]
    assert "joins its 2 lines into one" in found[0].message
    assert shown in found[0].message
    assert "command: |" in found[0].hint


@pytest.mark.parametrize(
    "body",
    [
        "rollback:\n  steps:\n    - do: Restart.\n      command: |\n"
        "        systemctl stop shop\n        systemctl start shop\n",
        "rollback:\n  steps:\n    - do: Restart.\n      command: systemctl restart shop\n",
        "signals:\n  - name: Errors\n    kind: metric\n    query: >-\n"
        "      sum(rate(errors_total[5m]))\n      / sum(rate(requests_total[5m]))\n",
        "rollback:\n  steps:\n    - do: >\n        Switch it off\n        in the console.\n",
    ],
)
def test_literal_blocks_one_line_commands_and_folded_prose_are_fine(tmp_path: Path, body: str):
    found = runbook_problems(tmp_path, HEAD + body)
    assert found == [], found


# ---------------------------------------------------------------------------------------------
# Hints quote what was written, not what the parser made of it


@pytest.mark.parametrize(
    ("line", "written", "parsed"),
    [
        ("    oncall_phone: 02079460001\n", "02079460001", "2079460001"),
        ("    oncall_phone: +442079460001\n", "+442079460001", "442079460001"),
        ("    oncall_phone: 0o17\n", "0o17", "15"),
    ],
)
def test_phone_hint_quotes_the_number_as_written(tmp_path: Path, line, written, parsed):
    text = TEAMS.replace('    oncall_phone: "+44 20 7946 0000"\n', line)
    [problem] = teams_problems(tmp_path, text)
    assert where(problem) == f"{spot(text, written)} RB004"
    assert problem.hint == f'put it in quotes: "{written}"'
    assert f"got the number {parsed} (YAML reads {written} as a number)" in problem.message


@pytest.mark.parametrize(
    ("edit", "written"),
    [
        (("title: One-click checkout", "title: 1e3"), '"1e3"'),
        (("title: One-click checkout", "title: 0x1F"), '"0x1F"'),
        (("title: One-click checkout", "title: 2048.50"), '"2048.50"'),
        (("title: One-click checkout", "title: TRUE"), '"TRUE"'),
    ],
)
def test_quote_hint_uses_the_exact_source(tmp_path: Path, edit, written):
    [problem] = runbook_problems(tmp_path, HEAD.replace(*edit))
    assert problem.hint == f"put it in quotes: {written}"


def test_list_item_hint_keeps_the_quotes_that_were_written(tmp_path: Path):
    [problem] = runbook_problems(tmp_path, HEAD + 'tags: "check\\u006fut"\n')
    assert problem.hint.endswith('- "check\\u006fut"')


@pytest.mark.parametrize(
    ("body", "fix"),
    [
        ("rollback:\n  when:\n    - Rate: above 2%\n", '- "Rate: above 2%"'),
        ("rollback:\n  after: [Note: the time]\n", '"Note: the time"'),
        ("rollback:\n  steps:\n    - do: x\n      expect:\n        Result: off\n", '"Result: off"'),
    ],
)
def test_text_read_as_a_mapping_gets_the_quoted_line(tmp_path: Path, body, fix):
    [problem] = runbook_problems(tmp_path, HEAD + body)
    assert problem.code == "RB004"
    assert problem.hint == f"a value that contains ': ' must be quoted: {fix}"


def test_a_comma_in_a_flow_mapping_value(tmp_path: Path):
    text = HEAD + "rollback:\n  steps:\n    - { do: Switch off, then restart, expect: ok }\n"
    [problem] = runbook_problems(tmp_path, text)
    assert where(problem) == f"{spot(text, 'then restart')} RB003"
    assert problem.hint == (
        "in { } a comma ends a value: if `then restart` belongs to `do`, quote the whole "
        'value: do: "Switch off, then restart"'
    )


# ---------------------------------------------------------------------------------------------
# Team and person references are reported with everything else


def test_unknown_team_and_person_reported_with_the_other_problems(tmp_path: Path):
    teams = TeamsFile.model_validate(
        {
            "teams": [
                {"id": "payments", "name": "Payments", "people": [{"id": "amara", "name": "A"}]}
            ]
        }
    )
    text = (
        HEAD.replace("owner: payments", "owner: paymnets").replace("risk: high", "risk: hihg")
        + "contacts:\n  - team: platfrom\n  - person: jo\n  - person: amara\n"
        + "rollback:\n  after:\n    - Post in #payments what happened.\n"
    )
    found = runbook_problems(tmp_path, text, teams)
    assert [where(p) for p in found] == [
        f"{spot(text, 'paymnets')} RB008",
        f"{spot(text, 'hihg')} RB006",
        f"{spot(text, 'platfrom')} RB008",
        f"{spot(text, 'jo')} RB008",
        f"{spot(text, '#payments')} RB010",
    ]


def test_an_id_that_is_not_a_slug_is_not_also_an_unknown_team(tmp_path: Path):
    teams = TeamsFile.model_validate({"teams": [{"id": "payments", "name": "Payments"}]})
    text = HEAD.replace("owner: payments", "owner: Payments Team")
    assert [p.code for p in runbook_problems(tmp_path, text, teams)] == ["RB006"]


def test_cli_reports_the_cut_with_its_fix(project: Path):
    (project / "runbooks" / "cut.yaml").write_text(
        HEAD.replace("one-click-checkout", "cut")
        + "rollback:\n  after:\n    - Post in #payments what happened.\n",
        encoding="utf-8",
    )
    result = run_cli("validate", "runbooks/cut.yaml", cwd=project)
    assert result.returncode == 1
    assert (
        "runbooks/cut.yaml:8:15: RB010 ` #` starts a comment in YAML, so rollback.after[0] "
        "reads only 'Post in': `#payments what happened.` is dropped"
    ) in result.stdout
    assert 'quote the whole value: - "Post in #payments what happened."' in result.stdout
