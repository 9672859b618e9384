"""RB202 (vague text) and RB207 (a concrete handle): the documented examples, and dodges.

The tables in the rules' own documentation are parsed and each row is linted, so the docs
cannot promise a verdict the code does not give.
"""

from __future__ import annotations

import json
import re

import pytest

from rollbook.lint.registry import REGISTRY
from rollbook.lint.rules.rollback import vague_phrase
from tests.lint.conftest import GOOD, RUNBOOK_PATH, position

STEP = (
    "    - do: Switch checkout.one_click Off in the flag console.\n"
    "      expect: The flag shows Off within a minute.\n"
)
VERIFY = "    - Checkout error rate back below 0.5% within 10 minutes.\n"
FIELD = re.compile(r"(do|expect|if_not|verify|command|link): (.+)\Z", re.S)


def documented(code: str) -> list[tuple[dict[str, str], bool]]:
    """The rows of a rule's verdict table: (fields of one step or check, fails?)."""
    if code not in REGISTRY:  # a rule that does not exist fails its one case
        return [({"do": f"{code} is not a rule"}, True)]
    cases = []
    for line in REGISTRY[code].docs.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) != 2 or not cells[1].startswith(("fail", "pass")):
            continue
        fails = cells[1].startswith("fail")
        segments = re.findall(r"`([^`]+)`", cells[0])
        if " with " in cells[0]:
            fields = dict(FIELD.match(s).groups() for s in segments)  # type: ignore[union-attr]
            cases.append((fields, fails))
            continue
        name = None
        for segment in segments:
            match = FIELD.match(segment)
            if match:
                name, text = match.groups()
            else:
                text = segment
            assert name, f"{code}: {segment!r} has no field"
            cases.append(({name: text}, fails))
    return cases


def runbook_with(fields: dict[str, str]) -> str:
    """GOOD with its one step (or its verify line) made of ``fields``."""
    if "verify" in fields:
        return GOOD.replace(VERIFY, f"    - {json.dumps(fields['verify'])}\n")
    step = {"do": "Switch checkout.one_click Off in the flag console."}
    step["expect"] = "The flag shows Off within a minute."
    step.update(fields)
    lines = [
        f"{'    - ' if i == 0 else '      '}{k}: {json.dumps(v)}"
        for i, (k, v) in enumerate(sorted(step.items(), key=lambda kv: kv[0] != "do"))
    ]
    return GOOD.replace(STEP, "\n".join(lines) + "\n")


RB202_CASES = documented("RB202")
RB207_CASES = documented("RB207")


def test_the_rules_document_failing_and_passing_texts():
    for cases in (RB202_CASES, RB207_CASES):
        assert len(cases) >= 8
        assert {fails for _, fails in cases} == {True, False}


@pytest.mark.parametrize(("fields", "fails"), RB202_CASES, ids=[str(c[0]) for c in RB202_CASES])
def test_rb202_documented_examples(project, fields, fails):
    text = runbook_with(fields)
    project.runbook(text)
    found = project.findings("RB202")
    if not fails:
        assert found == [], text
        return
    assert len(found) == 1, text
    name = next(k for k in fields if k in ("do", "expect", "if_not", "verify"))
    value = json.dumps(fields[name])
    assert (found[0].line, found[0].column) == position(text, value)
    assert found[0].severity.value == "error"


@pytest.mark.parametrize(("fields", "fails"), RB207_CASES, ids=[str(c[0]) for c in RB207_CASES])
def test_rb207_documented_examples(project, fields, fails):
    text = runbook_with(fields)
    project.runbook(text)
    found = project.findings("RB207")
    if not fails:
        assert found == [], text
        return
    [finding] = found
    assert (finding.path, finding.line, finding.column) == (RUNBOOK_PATH, *position(text, "steps:"))
    assert finding.severity.value == "error"


def test_rb207_one_step_with_a_handle_is_enough(project):
    text = GOOD.replace(
        STEP,
        "    - do: Tell the support lead that one-click is being switched off.\n"
        "      expect: They reply in the channel.\n" + STEP,
    )
    project.runbook(text)
    assert project.findings("RB207") == []


def test_rb207_a_key_that_is_not_in_flags_is_no_handle(project):
    # A dotted word is not a handle by looking like a key: it must be a key from `flags:`.
    text = GOOD.replace(
        "Switch checkout.one_click Off in the flag console.",
        "Switch checkout.express Off in the flag console.",
    )
    project.runbook(text)
    assert [f.code for f in project.findings("RB207")] == ["RB207"]


def test_rb207_a_longer_key_does_not_count_as_the_flag(project):
    text = GOOD.replace("Switch checkout.one_click Off", "Switch checkout.one_click_v2 Off")
    project.runbook(text)
    assert [f.code for f in project.findings("RB207")] == ["RB207"]


# --- dodges: what a reader sees is what the rule matches ------------------------------------

# Characters a loader may let through: no-break and other spaces, fullwidth letters and
# look-alike letters. Each variant must be found in the runbook, at the field's line.
DODGED_STEPS = [
    "Check\u00a0the\u00a0logs.",
    "Check the\u2003logs.",
    "\u0421heck the logs.",  # Cyrillic capital Es
    "Investig\u0430te.",  # Cyrillic small a
    "\uff26\uff49\uff58 \uff49\uff54.",  # fullwidth
    "\u0422\u041e\u0044\u041e",  # Cyrillic capitals
    "R\u043ell b\u0430ck the deployment.",  # Cyrillic o and a in a generic-only step
]


@pytest.mark.parametrize("text", DODGED_STEPS)
def test_rb202_is_not_dodged_by_spaces_width_or_look_alikes(project, text):
    runbook = GOOD.replace("Switch checkout.one_click Off in the flag console.", json.dumps(text))
    project.runbook(runbook)
    [found] = project.findings("RB202")
    assert (found.line, found.column) == position(runbook, json.dumps(text))


@pytest.mark.parametrize(
    "text",
    ["It w\u043erks.", "Everything\u00a0is\u00a0fine.", "\uff2c\uff4f\uff4f\uff4b\uff53 good"],
)
def test_rb202_vague_expectation_not_dodged(project, text):
    runbook = GOOD.replace("The flag shows Off within a minute.", json.dumps(text))
    project.runbook(runbook)
    [found] = project.findings("RB202")
    assert "expect" in found.message


@pytest.mark.parametrize(
    "text",
    [
        "TO\u200bDO",
        "T\u2060B\u2060D",
        "FIX\u00adME",
        "check\u200b logs",
        "in\u200dvestigate",
        "\ufeffTODO",
    ],
)
def test_invisible_characters_do_not_hide_a_vague_phrase(text):
    # The loader may refuse these characters outright; the rule must not rely on that.
    assert vague_phrase(text) is not None


@pytest.mark.parametrize(
    "text", ["Roll\u200b back", "It\u2060 works", "rest\u00adart", "\u200b\u200b"]
)
def test_invisible_characters_do_not_make_generic_text_specific(text):
    from rollbook.lint.rules.rollback import only_generic_words

    assert only_generic_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "mysql --pass\u200bword=hunter2hunter2",
        "mysql --p\u0430ssword=hunter2hunter2",
        "mysql --\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44=hunter2hunter2",
        "AKIA\u200bIOSFODNN7EXAMPLE",
        "gh\u200bp_abcdefghijklmnopqrstuvwxyz0123456789",
        "Authorization: Bearer\u00a09f8e7d6c5b4a39281706f5e4d3c2b1a0",
    ],
)
def test_secrets_are_not_hidden_by_invisible_or_look_alike_characters(text):
    # The loader may refuse invisible characters outright; the rule must not rely on that.
    from rollbook.lint.rules.hygiene import secret_kind

    assert secret_kind(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "mysql --p\u0430ssword=hunter2hunter2",
        "mysql --\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44=hunter2hunter2",
        "curl -H 'Authorization: Bearer\u00a09f8e7d6c5b4a39281706f5e4d3c2b1a0' https://x.example",
    ],
)
def test_rb801_finds_secrets_spelt_with_look_alikes_in_a_runbook(project, text):
    runbook = GOOD.replace(
        "      expect: The flag shows Off within a minute.\n",
        f"      expect: The flag shows Off within a minute.\n      command: {json.dumps(text)}\n",
    )
    project.runbook(runbook)
    [found] = project.findings("RB801")
    assert (found.line, found.column) == position(runbook, json.dumps(text))
    assert "hunter2" not in found.message and "9f8e7d" not in found.message


@pytest.mark.parametrize(
    "marker",
    [
        "FILL\u00a0IN",
        "FILL\u2003IN",
        "\uff26\uff29\uff2c\uff2c \uff29\uff2e",
        "F\u0406LL IN",  # Cyrillic I
        "FILL\u200b IN",
        "FI\u200bLL IN",
    ],
)
def test_rb803_placeholder_not_dodged_and_column_is_where_it_starts(project, marker):
    text = GOOD.replace("title: One-click checkout", f"title:    # {marker}: the name")
    project.runbook(text)
    [found] = project.findings("RB803")
    assert (found.line, found.column) == position(text, marker)
    assert "FILL IN" in found.message


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u2066"])
def test_a_hidden_character_beside_a_placeholder_is_still_refused(project, hidden):
    # The FILL IN comment explains an empty value on its line, not a hidden character there:
    # the gate must report both.
    text = GOOD.replace("title: One-click checkout", f"title:    # FILL IN{hidden}: the name")
    project.runbook(text)
    assert [f.code for f in project.findings("RB803")] == ["RB803"]
    assert [f.code for f in project.findings("RB011")] == ["RB011"]
