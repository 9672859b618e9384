"""The README's promises: its runbook example is valid, its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO, run_cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == ["make demo", "make test"]


def test_readme_runbook_example_is_valid(project: Path):
    example = re.search(r"## A runbook\n\n```yaml\n(.*?)```", README, re.S).group(1)
    (project / "runbooks" / "one-click-checkout.yaml").write_text(example, encoding="utf-8")
    teams = project / "runbooks" / "teams.yaml"
    teams.write_text(
        teams.read_text().replace("id: first-responder", "id: amara-okafor"), encoding="utf-8"
    )
    example_runbook = project / "runbooks" / "saved-search-alerts.yaml"
    example_runbook.write_text(
        example_runbook.read_text().replace("person: first-responder", "person: amara-okafor")
    )
    result = run_cli("validate", cwd=project)
    assert result.returncode == 0, result.stdout
