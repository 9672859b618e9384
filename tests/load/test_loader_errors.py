"""Every broken input gets a clear one-line problem with its exact line and column, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

VALID_HEAD = """\
id: one-click-checkout
title: One-click checkout
summary: Lets returning customers buy with one tap.
owner: payments
risk: high
"""

# (name, file content, expected "line:col: CODE", a phrase the message must contain)
CASES = [
    ("syntax-error", VALID_HEAD + "tags: [checkout\n", "7:1: RB001", "YAML syntax error"),
    ("duplicate-key", VALID_HEAD + "title: Again\n", "6:1: RB002", "duplicate key 'title'"),
    ("unknown-key", VALID_HEAD + "rolback:\n  steps: []\n", "6:1: RB003", "unknown key `rolback`"),
    (
        "nested-unknown-key",
        VALID_HEAD + "rollback:\n  steps:\n    - do: Switch it off\n      expcet: It is off\n",
        "9:7: RB003",
        "unknown key `expcet`",
    ),
    ("wrong-type", VALID_HEAD + "tags: checkout\n", "6:7: RB004", "tags should be a list"),
    (
        "wrong-type-bool",
        VALID_HEAD + "deployable: sometimes\n",
        "6:13: RB004",
        "deployable should be true or false",
    ),
    (
        "missing-field",
        "id: x\ntitle: X\nsummary: S\nrisk: low\n",
        "1:1: RB005",
        "missing required field `owner`",
    ),
    (
        "bad-enum",
        VALID_HEAD.replace("risk: high", "risk: hihg"),
        "5:7: RB006",
        "risk must be one of low, medium, high, critical",
    ),
    (
        "bad-slug",
        VALID_HEAD.replace("id: one-click-checkout", "id: One Click"),
        "1:5: RB006",
        "id must be a slug",
    ),
    (
        "bad-date",
        VALID_HEAD + "review:\n  last_reviewed: 2026-02-30\n  by: Ana\n",
        "7:18: RB006",
        "not a real date",
    ),
    (
        "javascript-link",
        VALID_HEAD
        + "signals:\n  - name: Errors\n    kind: metric\n    link: javascript:alert(1)\n",
        "9:11: RB006",
        "must be a web link",
    ),
    (
        "alias-bomb",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
        "5:",
        "alias bomb",
    ),
    ("deep-nesting", "a: " + "[" * 100 + "]" * 100 + "\n", "1:67: RB007", "nested more than 64"),
    (
        "very-deep-nesting",
        "a: " + "[" * 200_000 + "]" * 200_000 + "\n",
        "1:",
        "nested more than 64",
    ),
    (
        "two-documents",
        VALID_HEAD + "---\n" + VALID_HEAD,
        "6:1: RB007",
        "more than one YAML document",
    ),
    ("empty-file", "", "1:1: RB007", "file is empty"),
    ("only-comments", "# nothing yet\n", "1:1: RB007", "file is empty"),
    ("not-a-mapping", "- a\n- b\n", "1:1: RB004", "expected a mapping"),
    (
        "python-tag",
        VALID_HEAD + "x: !!python/object/apply:os.system [ls]\n",
        "6:4: RB001",
        "not supported",
    ),
    ("tab-indent", VALID_HEAD + "rollback:\n\tsteps: []\n", "7:1: RB001", "tab"),
]


@pytest.mark.parametrize(("name", "content", "where", "phrase"), CASES, ids=[c[0] for c in CASES])
def test_broken_runbook_is_reported_at_its_line(project: Path, name, content, where, phrase):
    path = project / "runbooks" / f"{name}.yaml"
    path.write_text(content, encoding="utf-8")
    result = run_cli("validate", f"runbooks/{name}.yaml", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"runbooks/{name}.yaml:{where}" in result.stdout
    assert phrase.lower() in result.stdout.lower()
    assert "Traceback" not in result.stdout + result.stderr


def test_file_over_one_mebibyte(project: Path):
    path = project / "runbooks" / "huge.yaml"
    path.write_text(VALID_HEAD + "notes: |\n" + ("  " + "x" * 98 + "\n") * 21000, encoding="utf-8")
    assert path.stat().st_size > 2 * 1024 * 1024 - 100_000
    result = run_cli("validate", "runbooks/huge.yaml", cwd=project)
    assert result.returncode == 1
    assert "runbooks/huge.yaml: RB007 file is 2.0 MiB; runbook files are limited to 1 MiB" in (
        result.stdout
    )
    assert "Traceback" not in result.stderr


def test_binary_file(project: Path):
    path = project / "runbooks" / "image.yaml"
    path.write_bytes(b"id: x\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run_cli("validate", "runbooks/image.yaml", cwd=project)
    assert result.returncode == 1
    assert "runbooks/image.yaml:4:1: RB007 binary file" in result.stdout


def test_non_utf8_file(project: Path):
    path = project / "runbooks" / "latin1.yaml"
    path.write_bytes(VALID_HEAD.encode() + "tags: [caf\xe9]\n".encode("latin-1"))
    result = run_cli("validate", "runbooks/latin1.yaml", cwd=project)
    assert result.returncode == 1
    assert "runbooks/latin1.yaml:6:11: RB007 not UTF-8: byte 0xe9" in result.stdout


def test_every_problem_in_a_file_is_reported(project: Path):
    path = project / "runbooks" / "many.yaml"
    path.write_text(
        "id: Many Problems\ntitle: T\nsummary: S\nowner: payments\nrisk: extreme\n"
        "colour: blue\ntags: x\ntitle: again\n",
        encoding="utf-8",
    )
    result = run_cli("validate", "runbooks/many.yaml", cwd=project)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("runbooks/")]
    codes = [line.split()[1] for line in lines]
    assert codes == ["RB006", "RB006", "RB003", "RB004", "RB002"], result.stdout
    assert "5 problems in 1 of 2 files" in result.stdout


def test_unknown_key_suggests_the_right_one(project: Path):
    path = project / "runbooks" / "typo.yaml"
    path.write_text(VALID_HEAD + "rolback:\n  steps: []\n", encoding="utf-8")
    result = run_cli("validate", "runbooks/typo.yaml", cwd=project)
    assert "did you mean `rollback`?" in result.stdout


def test_unknown_team_reference(project: Path):
    path = project / "runbooks" / "orphan.yaml"
    path.write_text(VALID_HEAD.replace("owner: payments", "owner: paymnets"), encoding="utf-8")
    result = run_cli("validate", "runbooks/orphan.yaml", cwd=project)
    assert result.returncode == 1
    assert "runbooks/orphan.yaml:4:8: RB008 owner 'paymnets' is not a team" in result.stdout
    assert "known teams: payments" in result.stdout


def test_kill_switch_must_name_a_flag(project: Path):
    path = project / "runbooks" / "ks.yaml"
    path.write_text(VALID_HEAD + "rollback:\n  kill_switch: checkout.one_clik\n", encoding="utf-8")
    result = run_cli("validate", "runbooks/ks.yaml", cwd=project)
    assert result.returncode == 1
    assert "runbooks/ks.yaml:7:16: RB008 kill switch 'checkout.one_clik'" in result.stdout


def test_duplicate_runbook_ids_across_files(project: Path):
    (project / "runbooks" / "a.yaml").write_text(VALID_HEAD, encoding="utf-8")
    (project / "runbooks" / "b.yaml").write_text(VALID_HEAD, encoding="utf-8")
    result = run_cli("validate", cwd=project)
    assert result.returncode == 1
    assert (
        "runbooks/b.yaml:1:5: RB009 runbook id 'one-click-checkout' is also used by "
        "runbooks/a.yaml" in result.stdout
    )


def test_quote_numbers_hint(project: Path):
    path = project / "runbooks" / "num.yaml"
    path.write_text(
        VALID_HEAD.replace("title: One-click checkout", "title: 2048"), encoding="utf-8"
    )
    result = run_cli("validate", "runbooks/num.yaml", cwd=project)
    assert "runbooks/num.yaml:2:8: RB004 title should be text; got the number 2048" in result.stdout
    assert 'put it in quotes: "2048"' in result.stdout
