"""A clone in any folder, with nothing beside it, passes `make test`.

The fixtures written by other projects are copied into tests/fixtures/ (with their origin and
licence in tests/fixtures/README.md); no test may reach for the folder beside the checkout or
an absolute path of one machine.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent

# What reaching outside the repository looks like in a test: the shared folder beside the
# checkout, a parent of the repository root, or an absolute path of a developer's machine.
OUTSIDE = re.compile(
    r"""\.\.[/\\]shared|shared[/\\]fixtures|parents\[[3-9]\]|\.parent\s*/\s*["']shared"""
    r"""|["']/(?:work|home|Users|root)/"""
)


def test_no_test_reads_outside_the_repository() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert offenders == [], "tests must only read files inside the repository:\n" + "\n".join(
        offenders
    )


def test_every_copied_fixture_names_its_origin() -> None:
    readme = (TESTS / "fixtures" / "README.md").read_text(encoding="utf-8")
    copied = [
        p.relative_to(TESTS / "fixtures").as_posix()
        for p in (TESTS / "fixtures").rglob("*")
        if p.is_file() and p.suffix in {".json", ".yaml", ".yml"}
    ]
    assert copied, "the fixtures folder is empty"
    missing = [rel for rel in copied if rel not in readme]
    assert missing == [], f"fixtures without an origin and licence in README.md: {missing}"
