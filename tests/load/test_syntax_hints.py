"""YAML syntax errors name the actual cause and show the line as it should be written."""

from __future__ import annotations

import pytest

from rollbook.load.yaml_reader import YamlError, read_yaml_text


def syntax_error(text: str):
    with pytest.raises(YamlError) as info:
        read_yaml_text(text, "t.yaml")
    [problem] = info.value.problems
    assert problem.code == "RB001"
    return problem


# (name, text, line:col, message part, hint part)
CASES = [
    (
        "colon-in-a-list-item-value",
        "rollback:\n  steps:\n    - do: Run: kubectl rollout undo deploy/api\n",
        "3:14",
        "a value contains ': '",
        'quote the whole value: - do: "Run: kubectl rollout undo deploy/api"',
    ),
    (
        "colon-in-a-top-level-value",
        "title: Checkout: one click\n",
        "1:16",
        "a value contains ': '",
        'quote the whole value: title: "Checkout: one click"',
    ),
    (
        "colon-in-a-value-with-quotes",
        'rollback:\n  verify: Status says: "ok" again\n',
        "2:22",
        "a value contains ': '",
        """quote the whole value: verify: 'Status says: "ok" again'""",
    ),
    (
        "colon-in-a-flow-mapping-value",
        "rollback:\n  steps:\n    - { do: Run: kubectl rollout undo, expect: It is back }\n",
        "3:16",
        "a value contains ': '",
        'quote the whole value: do: "Run: kubectl rollout undo"',
    ),
    (
        "list-item-among-keys",
        "rollback:\n  kill_switch: a.b\n  - Tell support\n",
        "3:3",
        "a `- ` list item among the keys of a mapping",
        "a list goes under a key of its own",
    ),
    (
        "key-one-space-too-far",
        "rollback:\n  steps:\n    - do: Switch it off\n       expect: It is off\n",
        "4:8",
        "`expect:` is indented one space more than `do:` on line 3, so YAML reads it as part "
        "of that value",
        "move `expect:` to column 7, under `do:`",
    ),
    (
        "key-two-spaces-too-far-at-the-top",
        "id: x\n  title: y\n",
        "2:3",
        "`title:` is indented 2 spaces more than `id:` on line 1",
        "move `title:` to column 1, under `id:`",
    ),
    (
        "key-one-space-too-little",
        "rollback:\n  steps:\n    - do: Switch it off\n     expect: It is off\n",
        "4:6",
        "`expect:` is indented one space less than `do:` on line 3",
        "move `expect:` to column 7, under `do:`",
    ),
    (
        "quoted-word-then-text",
        'title: "One-click" checkout\n',
        "1:20",
        "text after the closing quote",
        """quote the whole value: title: '"One-click" checkout'""",
    ),
    (
        "single-quoted-word-then-text-in-a-list",
        "rollback:\n  steps:\n    - do: 'Off' is the safe value\n      expect: y\n",
        "3:17",
        "text after the closing quote",
        """quote the whole value: - do: "'Off' is the safe value\"""",
    ),
    (
        "quoted-word-then-text-in-brackets",
        'tags: ["a" b, c]\n',
        "1:12",
        "text after the closing quote",
        """quote the whole item: '"a" b'""",
    ),
    (
        "bracket-at-the-start",
        "title: [draft] One-click checkout\n",
        "1:16",
        "text after a closing ]",
        'quote the whole value: title: "[draft] One-click checkout"',
    ),
    (
        "tab-indent",
        "rollback:\n\tsteps: []\n",
        "2:1",
        "a tab character at line 2, column 1",
        "YAML indents with spaces only",
    ),
    (
        "tab-after-a-dash",
        "rollback:\n  after:\n    -\tTell support\n",
        "3:6",
        "a tab character at line 3, column 6",
        "replace the tab with spaces",
    ),
    (
        "tab-among-spaces",
        "rollback:\n  steps:\n  \t- do: x\n",
        "3:3",
        "a tab character at line 3, column 3",
        "replace the tab with spaces",
    ),
    (
        "at-sign-first",
        "rollback:\n  after:\n    - @payments-oncall knows\n",
        "3:7",
        "a value cannot start with @ unless it is quoted",
        'quote the whole value: - "@payments-oncall knows"',
    ),
    (
        "backtick-first",
        "rollback:\n  steps:\n    - do: `flagctl off` then wait\n",
        "3:11",
        "a value cannot start with `",
        'quote the whole value: - do: "`flagctl off` then wait"',
    ),
    (
        "star-first",
        "title: *New* one-click checkout\n",
        "1:8",
        "text that starts with * is read as an alias",
        'quote the whole value: title: "*New* one-click checkout"',
    ),
    (
        "star-word-first",
        "rollback:\n  steps:\n    - do: x\n      expect: *Nothing* changes\n",
        "4:15",
        "text that starts with * is read as an alias",
        'quote the whole value: expect: "*Nothing* changes"',
    ),
    (
        "bracket-never-closed",
        "tags: [checkout, payments\nrisk: high\n",
        "2:5",
        "the [ opened on line 1 is not closed before line 2",
        "close it with ] on line 1",
    ),
    (
        "quote-never-closed",
        'title: "One-click checkout\nrisk: high\n',
        "3:1",
        "the quote opened on line 1 is never closed",
        "close the quote",
    ),
    (
        "no-space-after-the-colon",
        "id: x\ntitle:One-click checkout\nrisk: high\n",
        "3:1",
        "`title:` on line 2 has no space after the colon",
        "`title: O...`",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "at", "message", "hint"), CASES, ids=[c[0] for c in CASES]
)
def test_syntax_error_says_what_is_wrong(name, text, at, message, hint):
    problem = syntax_error(text)
    assert f"{problem.location.line}:{problem.location.column}" == at
    assert message in problem.message
    assert hint in problem.hint


@pytest.mark.parametrize(
    ("name", "text", "hint"),
    [(c[0], c[1], c[4]) for c in CASES if "quote the whole value: " in c[4]],
)
def test_the_quoted_fix_reads_back_as_the_text_that_was_written(name, text, hint):
    # The fix the loader gives must be valid YAML that means exactly what the person typed.
    given = syntax_error(text).hint
    assert "quote the whole value: " in given
    fixed = given.split("quote the whole value: ", 1)[1]
    data = read_yaml_text(fixed + "\n", "fix.yaml").data
    while isinstance(data, list):
        (data,) = data
    if isinstance(data, dict):
        (data,) = data.values()
    assert isinstance(data, str)
    assert any(data in row for row in text.split("\n")), data


@pytest.mark.parametrize(
    ("text", "at", "fix"),
    [
        ("title: !important check this\n", "1:8", 'title: "!important check this"'),
        ("rollback:\n  after:\n    - !urgent tell support\n", "3:7", '- "!urgent tell support"'),
    ],
)
def test_text_taken_for_a_tag_gets_the_quoted_fix(text, at, fix):
    problem = syntax_error(text)
    assert f"{problem.location.line}:{problem.location.column}" == at
    assert "text that starts with ! is read as a YAML tag" in problem.message
    assert problem.hint == f"if it is text, quote the whole value: {fix}"
