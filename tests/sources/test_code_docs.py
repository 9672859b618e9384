"""The README's guide to the `code` source works as written: its configuration blocks, run on
the code they describe, find what the guide says, and miss what it says cannot be found."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from rollbook.config import load_project
from rollbook.lint import LintOptions, lint
from rollbook.sources.code import LANGUAGES
from tests.lint.conftest import CONFIG, FLAGS, FLAGS_PATH, GOOD, TEAMS, TODAY

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
_START = README.index("#### Flag keys in code")
SECTION = README[_START : README.index("\n### ", _START)]  # up to the next section

CODE = {
    "app/pay.rb": "if Flags.enabled?(:wallet_pay)\n  pay\nend\n",
    "web/cart.ts": (
        "const saved = await client.getBooleanValue('cart.saved_for_later', false);\n"
        "if (isOn('cart.wrapped')) { show(); }\n"
        "const key = 'cart.hidden';\n"
        "const hidden = await client.getBooleanValue(key, false);\n"
    ),
    "src/shop/flags.py": 'FLAG_EXPRESS = "checkout.express"\n',
    "src/shop/express.py": (
        "from shop.flags import FLAG_EXPRESS\n"
        "on = client.get_boolean_value(FLAG_EXPRESS, False)\n"
        'regional = client.get_boolean_value(f"search.{region}", False)\n'
    ),
}


def toml_blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", SECTION, re.S)


def test_the_guide_names_every_language_and_extension():
    for language, (suffixes, _) in LANGUAGES.items():
        row = next(line for line in SECTION.splitlines() if line.startswith(f"| `{language}` |"))
        for suffix in suffixes:
            assert f"`{suffix}`" in row, (language, suffix)


def test_the_guide_examples_find_what_it_says(tmp_path):
    blocks = toml_blocks()
    assert len(blocks) == 2
    sources = [s for block in blocks for s in tomllib.loads(block)["sources"]]
    assert len(sources) == 3
    config = CONFIG + "".join(_table(s) for s in sources)
    files = {
        "rollbook.toml": config,
        "runbooks/teams.yaml": TEAMS,
        "runbooks/one-click-checkout.yaml": GOOD,
        FLAGS_PATH: FLAGS,
        **CODE,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = lint(load_project(tmp_path), LintOptions(today=TODAY, select=["RB101"])).findings
    where = {f.message.split("`")[1]: str(f.location) for f in found}
    # The console example of the guide, line and column.
    shown = re.search(r"^(app/pay\.rb:\d+:\d+): RB101", SECTION, re.M).group(1)
    assert where["wallet_pay"] == shown
    assert where["cart.wrapped"] == "web/cart.ts:2:11"
    assert where["cart.saved_for_later"] == "web/cart.ts:1:44"
    # The constant is found where it is defined, by the pattern, not at the call.
    assert where["checkout.express"] == "src/shop/flags.py:1:17"
    # What the guide says is not found: a variable, a key built at run time.
    assert "cart.hidden" not in where and not any(k.startswith("search.") for k in where)
    assert len(where) == 4


def _table(source: dict) -> str:
    lines = ["", "[[sources]]"]
    for key, value in source.items():
        if isinstance(value, list):
            items = ", ".join("'''" + v + "'''" for v in value)
            lines.append(f"{key} = [{items}]")
        else:
            lines.append(f"{key} = '''{value}'''")
    return "\n".join(lines) + "\n"
