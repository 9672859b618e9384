"""Every rule's documented examples are tests: the failing one triggers the rule, the passing
one lints clean.

The examples live in each rule's docstring (and so in docs/rules.md). Each is completed with
the reference project of :mod:`rollbook.lint.examples` (merged over the reference runbook,
or over the file its ``# path`` marker names) and linted as a user would lint it:

- the failing example must trigger its rule, and nothing else but the codes its docs list
  under ``**Also reported**:`` (findings that cannot be separated from it, each with the
  reason in the docs, so that a reader knows what else to expect);
- the passing example must lint clean: no finding at all, so a reader can copy it.

The tests run over the registry, so a new rule is covered the moment it is registered, and a
rule without examples fails.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import subprocess
import tempfile
from pathlib import Path

import pytest

from rollbook.commands.lint import adopt
from rollbook.config import ConfigError, load_project
from rollbook.lint import LintOptions, all_rules, lint
from rollbook.lint.examples import (
    EXAMPLES_TODAY,
    REFERENCE_FILES,
    REFERENCE_RUNBOOK,
    ExampleError,
    also_reported,
    example_files,
    example_history,
    merge_yaml,
    split_marker,
)
from rollbook.lint.finding import Finding
from rollbook.lint.registry import REGISTRY, Rule

# Rules whose failing example cannot be shown by a project in a doc: code -> why. Each entry
# is checked: the code exists, and its failing example really does not trigger it. Multi-file
# cases (RB009 duplicate ids, RB101 flag files, RB3xx rule files) use `# path` markers, and
# the configuration and the baseline are an example's files too (RB105, RB905-RB907), and a
# `# <path> (before)` block gives an example a git history (RB404, `--since`). An exempt
# rule's passing example is still linted, and must be clean.
EXEMPT: dict[str, str] = {}

HOW = (
    "Examples are completed with the reference project (src/rollbook/lint/examples.py; "
    "the end of docs/rules.md shows it): a YAML example is merged over the reference "
    "runbook, mappings key by key, lists and values replaced; a first line `# <path>` makes "
    "the block that file of the project. After editing a docstring, run: "
    "rollbook rule --markdown > docs/rules.md"
)


def where(item: Rule) -> str:
    """Where a rule's docstring is, for the person who has to fix it."""
    check = item.check
    if check is not None:
        path = Path(inspect.getsourcefile(check) or "?")
        return f"the docstring of {check.__name__}() in {path.name}"
    return "its docs in src/rollbook/lint/rules/input.py or suppressions.py"


def write_files(files: dict[str, str], root: Path) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def commit_files(files: dict[str, str], root: Path) -> None:
    """Commit ``files`` as the project's history: what `--since HEAD` compares with."""
    write_files(files, root)
    git = ["git", "-c", "user.name=rollbook", "-c", "user.email=dev@rollbook.invalid"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "before"]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)


def lint_files(
    files: dict[str, str], root: Path, before: dict[str, str] | None = None
) -> list[Finding]:
    """Write the project and lint it as `rollbook lint` would, as of EXAMPLES_TODAY; with
    ``before``, as `rollbook lint --since HEAD` after committing ``before``."""
    if before is not None:
        commit_files(before, root)
        for rel in set(before) - set(files):
            (root / rel).unlink()
    write_files(files, root)
    try:
        project = load_project(root)
        options = LintOptions(today=EXAMPLES_TODAY, since="HEAD" if before is not None else None)
        result = lint(project, options)
        # As `rollbook lint` does: the configuration's exemptions, then the baseline file.
        adopt(project, options, result)
    except ConfigError as exc:
        pytest.fail(
            f"the example's project cannot be linted (rollbook would exit 2): {exc}\n"
            "A `# rollbook.toml` block replaces the whole configuration of the reference "
            f"project; start from its rollbook.toml.\n{show_files(files)}"
        )
    return result.findings


@functools.cache
def reference_findings() -> tuple[Finding, ...]:
    """What the reference project alone gives: nothing, unless a new rule fires on it."""
    with tempfile.TemporaryDirectory() as folder:
        return tuple(lint_files(dict(REFERENCE_FILES), Path(folder)))


def explain(found: list[Finding], files: dict[str, str]) -> str:
    """The findings and the files as linted, for a failure message."""
    note = ""
    if reference_findings():
        note = (
            "\n  NOTE: the reference project itself is not clean; fix it first "
            "(test_the_reference_project_is_clean says how)."
        )
    return (
        f"\n  findings:\n{show(found)}\n  linted (files the example changed):\n"
        f"{show_files(files)}\n{HOW}{note}"
    )


def show(findings: list[Finding]) -> str:
    if not findings:
        return "    (no findings)"
    return "\n".join(f"    {f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings)


def show_files(files: dict[str, str]) -> str:
    """The files the example changed, numbered, as the linter saw them."""
    out = []
    for rel, text in files.items():
        if REFERENCE_FILES.get(rel) == text:
            continue
        numbered = "\n".join(f"    {n:3} | {line}" for n, line in enumerate(text.splitlines(), 1))
        out.append(f"  {rel}:\n{numbered}")
    return "\n".join(out) or "  (the reference project, unchanged)"


def blocks_of(item: Rule, which: str) -> list[str]:
    blocks = item.example_blocks().get(which)
    assert blocks, (
        f"{item.code} has no **{which.title()}** example: add one to {where(item)}, a "
        f"'**{which.title()}**:' line followed by a fenced ```yaml block. {HOW}"
    )
    return blocks


def check_failing(item: Rule, root: Path) -> None:
    """Assert that ``item``'s failing example triggers it and only what its docs announce."""
    also = also_reported(item.docs)
    for code in also:
        assert code in REGISTRY and code != item.code, (
            f"{item.code}: '**Also reported**' names {code}, which is "
            f"{'the rule itself' if code == item.code else 'not a rule'}; fix {where(item)}"
        )
    blocks = blocks_of(item, "failing")
    files = example_files(blocks)
    found = lint_files(files, root, example_history(blocks))
    codes = {f.code for f in found}
    context = explain(found, files)
    assert item.code in codes, (
        f"{item.code}'s failing example does not trigger {item.code}: change the example in "
        f"{where(item)} so that it shows the problem {item.code} finds.{context}"
    )
    unexpected = sorted(codes - {item.code} - set(also))
    assert not unexpected, (
        f"{item.code}'s failing example also triggers {', '.join(unexpected)}: change the "
        f"example in {where(item)} so that it shows only {item.code} (complete what the "
        "reference lacks), or, if they cannot be separated, say so after the failing example: "
        f"'**Also reported**: {', '.join(unexpected)}, because ...'.{context}"
    )
    missing = [code for code in also if code not in codes]
    assert not missing, (
        f"{item.code}'s docs say its failing example is also reported as "
        f"{', '.join(missing)}, but it is not: remove {', '.join(missing)} from "
        f"'**Also reported**' in {where(item)}.{context}"
    )


def check_passing(item: Rule, root: Path) -> None:
    """Assert that ``item``'s passing example lints clean."""
    blocks = blocks_of(item, "passing")
    files = example_files(blocks)
    found = lint_files(files, root, example_history(blocks))
    context = explain(found, files)
    assert item.code not in {f.code for f in found}, (
        f"{item.code}'s passing example triggers {item.code} itself: fix the example in "
        f"{where(item)} so that it shows the fix.{context}"
    )
    assert not found, (
        f"{item.code}'s passing example is not clean: a reader copies it, so it must pass "
        f"every rule. Complete it in {where(item)} (a list in an example replaces the "
        f"reference's whole list, so give each item every field it needs).{context}"
    )


def check_exemptions(exempt: dict[str, str], root: Path) -> None:
    """Assert that every exemption names a rule whose failing example cannot show it."""
    for code, reason in exempt.items():
        assert code in REGISTRY, f"EXEMPT names {code}, which is not a rule: remove it"
        assert reason.strip(), f"EXEMPT gives no reason for {code}: say why it cannot be shown"
        item = REGISTRY[code]
        blocks = item.example_blocks().get("failing")
        if blocks:
            found = lint_files(example_files(blocks), root / code, example_history(blocks))
            codes = {f.code for f in found}
            assert code not in codes, (
                f"{code} is exempt, yet its failing example triggers it: remove {code} from "
                "EXEMPT in tests/lint/test_rule_examples.py, so the example is tested"
            )


RULES = all_rules()


def test_the_reference_project_is_clean():
    found = reference_findings()
    assert not found, (
        "a rule fires on the reference project that completes every example: complete "
        f"REFERENCE_FILES in src/rollbook/lint/examples.py so it passes every rule\n{show(found)}"
    )


@pytest.mark.parametrize("item", RULES, ids=lambda r: r.code)
def test_failing_example_triggers_its_rule(item, tmp_path):
    if item.code in EXEMPT:
        pytest.skip(f"{item.code} cannot be shown by an example: {EXEMPT[item.code]}")
    check_failing(item, tmp_path)


@pytest.mark.parametrize("item", RULES, ids=lambda r: r.code)
def test_passing_example_is_clean(item, tmp_path):
    check_passing(item, tmp_path)


def test_exemptions_name_rules_that_cannot_be_shown(tmp_path):
    check_exemptions(EXEMPT, tmp_path)


# The checks themselves: each fails, with a message that says what to fix, on a broken example.


def with_docs(code: str, old: str, new: str) -> Rule:
    """The registered rule ``code`` with its docs changed: ``old`` must be there."""
    item = REGISTRY[code]
    assert old in item.docs
    return dataclasses.replace(item, docs=item.docs.replace(old, new, 1))


@pytest.mark.parametrize(
    ("code", "old", "new", "says"),
    [
        # RB005's failing example with the missing `off:` put back shows nothing.
        (
            "RB005",
            "    system: flagd\n    change:",
            "    system: flagd\n    off: false\n    change:",
            "does not trigger RB005",
        ),
        # RB201's failing step gets a vague `do` too: RB202 joins in, unannounced.
        (
            "RB201",
            "do: Switch checkout.one_click Off in the flag console.",
            "do: Check the logs.",
            "also triggers RB202",
        ),
        # RB001 announces RB101; a file that now loads does not trigger either.
        ("RB001", 'title: "Saved-search alerts\n', 'title: "Saved-search alerts"\n', "RB001"),
        # An announced code that does not fire is stale.
        (
            "RB402",
            "**Also reported**: RB401,",
            "**Also reported**: RB401 and RB303,",
            "remove RB303",
        ),
        # An announced code that is not a rule.
        ("RB402", "**Also reported**: RB401,", "**Also reported**: RB401, RB499,", "not a rule"),
    ],
)
def test_a_failing_example_that_is_wrong_fails_with_what_to_fix(tmp_path, code, old, new, says):
    item = with_docs(code, old, new)
    with pytest.raises(AssertionError) as caught:
        check_failing(item, tmp_path)
    assert says in str(caught.value)
    assert where(item) in str(caught.value)  # which docstring to edit


@pytest.mark.parametrize(
    ("code", "old", "new", "says"),
    [
        # RB304's passing risk names a signal that does not exist (as it once did: RB008).
        ("RB304", "signals: [Checkout error rate]", "signals: [Duplicate charges]", "not clean"),
        # RB802's passing link goes back to http.
        ("RB802", "link: https://grafana", "link: http://grafana", "triggers RB802 itself"),
        # RB003's passing step loses its `expect`: RB201 fires.
        ("RB003", "      expect: The flag shows Off within a minute.\n", "", "not clean"),
    ],
)
def test_a_passing_example_that_is_wrong_fails_with_what_to_fix(tmp_path, code, old, new, says):
    passing = REGISTRY[code].example_blocks()["passing"][0]
    assert old in passing
    item = with_docs(code, passing, passing.replace(old, new, 1))
    with pytest.raises(AssertionError) as caught:
        check_passing(item, tmp_path)
    assert says in str(caught.value)
    assert where(item) in str(caught.value)


def test_an_example_whose_configuration_does_not_load_fails_with_what_to_fix(tmp_path):
    toml = REGISTRY["RB105"].example_blocks()["failing"][0]
    item = with_docs("RB105", toml, toml + "colour = 'blue'\n")
    with pytest.raises(pytest.fail.Exception, match=r"cannot be linted (.|\n)*colour"):
        check_failing(item, tmp_path)


def test_a_rule_without_examples_fails(tmp_path):
    item = dataclasses.replace(REGISTRY["RB206"], docs="No verification.\n\nNo examples.")
    for check in (check_failing, check_passing):
        with pytest.raises(AssertionError, match=r"RB206 has no \*\*(Failing|Passing)\*\* example"):
            check(item, tmp_path)


@pytest.mark.parametrize(
    ("exempt", "says"),
    [
        ({"RB999": "too hard"}, "RB999, which is not a rule"),
        ({"RB201": ""}, "gives no reason for RB201"),
        ({"RB201": "needs two runbooks"}, "its failing example triggers it"),
    ],
)
def test_an_exemption_that_is_not_needed_fails(tmp_path, exempt, says):
    with pytest.raises(AssertionError, match=says):
        check_exemptions(exempt, tmp_path)


# The merge convention itself.

REF = "rollback:\n  kill_switch: a\n  steps:\n    - do: x\n  verify:\n    - v\nrisk: high\n"


@pytest.mark.parametrize(
    ("example", "merged"),
    [
        # A nested mapping keeps the reference's other keys; the example's list replaces.
        (
            "rollback:\n  steps:\n    - do: y\n",
            "rollback:\n  steps:\n    - do: y\n  kill_switch: a\n  verify:\n    - v\nrisk: high\n",
        ),
        # A key at the top: the rest of the reference follows it.
        (
            "risk: low\n",
            "risk: low\nrollback:\n  kill_switch: a\n  steps:\n    - do: x\n  verify:\n    - v\n",
        ),
        # An empty list or an empty value replaces the reference's.
        (
            "rollback:\n  verify: []\n",
            "rollback:\n  verify: []\n  kill_switch: a\n  steps:\n    - do: x\nrisk: high\n",
        ),
        # A key with no value is the example's: the reference's value is not added.
        (
            "rollback:\n  kill_switch:\n",
            "rollback:\n  kill_switch:\n  steps:\n    - do: x\n  verify:\n    - v\nrisk: high\n",
        ),
        # A flow mapping is the example's whole value.
        ("rollback: {steps: []}\n", "rollback: {steps: []}\nrisk: high\n"),
        # Indented four spaces: the reference's keys follow the example's indentation.
        (
            "rollback:\n    steps: []\n",
            "rollback:\n    steps: []\n    kill_switch: a\n    verify:\n      - v\nrisk: high\n",
        ),
        # Broken YAML, several documents and a list are linted as written.
        ('title: "open\n', 'title: "open\n'),
        ("id: a\n---\nid: b\n", "id: a\n---\nid: b\n"),
        ("- do: y\n", "- do: y\n"),
        # Only comments: the reference as it is, under them.
        ("# nothing\n", "# nothing\n" + REF),
    ],
)
def test_merge_keeps_the_example_and_adds_what_it_lacks(example, merged):
    assert merge_yaml(REF, example) == merged


@pytest.mark.parametrize(
    "example",
    [
        # Comments, quotes, escapes and duplicate keys reach the linter as written.
        'rollback:\n  steps:  # rollbook: ignore[RB201] why\n    - do: "a \\u202e b"\n',
        "rollback:\n  steps:\n    - do: a\n  steps:\n    - do: b\n",
        "rollback:\n  when: [a, b]\n  after:\n    - Post in #payments now.\n",
        "rollback:\n  steps:\n    - do: a\n      command: |\n        one\n        two\n\n",
    ],
)
def test_merge_leaves_the_example_text_unchanged(example):
    merged = merge_yaml(REF, example)
    assert merged.startswith(example.rstrip("\n") + "\n")
    assert "kill_switch: a" in merged and "risk: high" in merged


def test_merge_after_a_block_scalar_keeps_it_whole():
    example = "rollback:\n  steps:\n    - do: a\n      command: |\n        one\n        two\n"
    merged = merge_yaml(REF, example)
    import yaml

    data = yaml.safe_load(merged)
    assert data["rollback"]["steps"][0]["command"] == "one\ntwo\n"
    assert data["rollback"]["kill_switch"] == "a"
    assert data["risk"] == "high"


@pytest.mark.parametrize(
    ("block", "path", "text"),
    [
        ("rollback: {}\n", "runbooks/one-click-checkout.yaml", "rollback: {}\n"),
        ("# teams.yaml\nteams: []\n", "teams.yaml", "teams: []\n"),
        ("# rollbook.toml\nx = 1\n", "rollbook.toml", "x = 1\n"),
        ('# flags/a.flagd.json\n{"flags": {}}\n', "flags/a.flagd.json", '{"flags": {}}\n'),
        # A file as it was before the change the example shows.
        ("# flags/a.flagd.json (before)\n{}\n", "flags/a.flagd.json", "{}\n"),
        # Not a marker: a sentence, a path with words after it, no extension.
        ("# a flagd file declares x\nid: a\n", "runbooks/one-click-checkout.yaml", None),
        ("# teams.yaml has no phone\nid: a\n", "runbooks/one-click-checkout.yaml", None),
        ("# runbooks\nid: a\n", "runbooks/one-click-checkout.yaml", None),
    ],
)
def test_a_marker_names_the_file_and_is_not_written(block, path, text):
    assert split_marker(block) == (path, block if text is None else text)


@pytest.mark.parametrize("block", ["# ../outside.yaml\nid: a\n", "# runbooks/../../x.yaml\n"])
def test_a_marker_cannot_leave_the_project(block):
    with pytest.raises(ExampleError, match="leaves the project"):
        split_marker(block)


def test_a_new_runbook_is_merged_over_the_reference_and_other_files_replace():
    files = example_files(
        ["# runbooks/v2.yaml\nid: v2\n", '# flags/new.flagd.json\n{"flags": {}}\n']
    )
    assert files["runbooks/v2.yaml"].startswith("id: v2\ntitle: One-click checkout\n")
    assert files["runbooks/one-click-checkout.yaml"] == REFERENCE_RUNBOOK
    assert files["flags/new.flagd.json"] == '{"flags": {}}\n'
    assert set(REFERENCE_FILES) < set(files)


def test_also_reported_reads_the_codes_of_its_paragraph_only():
    docs = "x\n\n**Also reported**: RB101 and RB104, because\nof RB108.\n\nSee RB999.\n"
    assert also_reported(docs) == ["RB101", "RB104", "RB108"]
    assert also_reported("no such paragraph, RB101") == []


def test_the_sentence_after_an_example_heading_may_wrap_over_lines():
    docs = (
        "What it checks.\n\n**Failing**: the reference project's rule file defines\n"
        "`CheckoutErrorRateHigh` only.\n\n```yaml\n# alerts/a.yaml\ngroups: []\n```\n\n"
        "```json\n# .rollbook-baseline.json\n{}\n```\n\n"
        "**Why it matters**: a paragraph,\nnot an example.\n\nMore text.\n\n"
        "**Passing**:\n\n```yaml\nid: b\n```\n"
    )
    item = dataclasses.replace(REGISTRY["RB206"], docs=docs)
    assert item.example_blocks() == {
        "failing": ["# alerts/a.yaml\ngroups: []\n", "# .rollbook-baseline.json\n{}\n"],
        "passing": ["id: b\n"],
    }


def test_before_blocks_are_the_history_and_the_others_the_change():
    before = '# flags/checkout.flagd.json (before)\n{"flags": {}}\n'
    after = "# runbooks/v2.yaml\nid: v2\n"
    assert example_history([after]) is None
    history = example_history([before, after])
    assert history is not None
    assert history["flags/checkout.flagd.json"] == '{"flags": {}}\n'
    assert "runbooks/v2.yaml" not in history
    files = example_files([before, after])
    assert files["flags/checkout.flagd.json"] == REFERENCE_FILES["flags/checkout.flagd.json"]
    assert files["runbooks/v2.yaml"].startswith("id: v2\n")
