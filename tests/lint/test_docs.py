"""The rules' documentation: generated, complete, and in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

from rollbook.commands.rule import rules_markdown
from rollbook.lint import all_rules

ROOT = Path(__file__).resolve().parents[2]


def test_docs_rules_md_is_generated_from_the_code():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert text == rules_markdown(), "run: rollbook rule --markdown > docs/rules.md"


def test_every_rule_is_documented_with_examples():
    for item in all_rules():
        assert re.fullmatch(r"RB\d{3}", item.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", item.name)
        assert "**What it checks**" in item.body, item.code
        assert "**Why it matters**" in item.body, item.code
        assert {"failing", "passing"} <= set(item.examples()), item.code
        assert item.help


def test_readme_lists_every_rule_with_its_severity():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for item in all_rules():
        if item.code < "RB1":
            assert f"| {item.code} |" in readme, item.code  # the loader's table
            continue
        row = (
            f"| [{item.code}](docs/rules.md#{item.anchor}) | {item.name} | {item.severity.value} |"
        )
        assert row in readme, item.code


def test_readme_documents_every_lint_config_key():
    from rollbook.config import Config

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lint_keys = [
        "sources",
        "select",
        "extend_select",
        "ignore",
        "severity",
        "per_file_ignores",
        "fail_on",
        "review_max_age",
        "drill_max_age",
    ]
    for name in lint_keys:
        key = Config.model_fields[name].alias or name
        assert f"| `{key}` |" in readme, key
