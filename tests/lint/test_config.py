"""Configuration of the linter: select, ignore, severity, per-file-ignores, fail-on."""

from __future__ import annotations

import pytest

from rollbook.config import ConfigError
from tests.lint.conftest import CONFIG, GOOD

NO_EXPECT = GOOD.replace("      expect: The flag shows Off within a minute.\n", "")


def configure(project, extra: str) -> None:
    # In TOML, top-level keys must come before the first table, and tables after the keys.
    if extra.startswith("["):
        project.write("rollbook.toml", CONFIG + "\n" + extra + "\n")
    else:
        project.write("rollbook.toml", extra + "\n" + CONFIG)


def test_select_by_prefix_and_name(project):
    project.runbook(NO_EXPECT.replace("link: https://grafana", "link: http://grafana"))
    assert {f.code for f in project.findings(select=["RB2"])} == {"RB201"}
    assert {f.code for f in project.findings(select=["step-without-expect"])} == {"RB201"}


def test_ignore_from_config_and_command_line(project):
    project.runbook(NO_EXPECT)
    configure(project, 'ignore = ["RB201"]')
    assert project.findings() == []
    configure(project, "")
    assert project.findings(ignore=["RB20"]) == []


def test_severity_override_and_fail_on(project):
    project.runbook(NO_EXPECT)
    configure(project, 'severity = {RB201 = "warning"}')
    result = project.lint()
    assert [f.severity.value for f in result.findings] == ["warning"]
    assert not result.failed
    configure(project, 'severity = {RB201 = "warning"}\nfail-on = "warning"')
    assert project.lint().failed


def test_per_file_ignores(project):
    project.runbook(NO_EXPECT)
    configure(project, '[per-file-ignores]\n"runbooks/one-*.yaml" = ["RB2"]')
    assert project.findings() == []
    configure(project, '[per-file-ignores]\n"*.yml" = ["RB2"]')
    assert [f.code for f in project.findings()] == ["RB201"]


def test_extend_select(project):
    configure(project, 'select = ["RB1"]\nextend-select = ["RB201"]')
    project.runbook(NO_EXPECT)
    assert [f.code for f in project.findings()] == ["RB201"]


@pytest.mark.parametrize(
    "extra", ['select = ["RB999"]', 'ignore = ["vauge-step"]', 'severity = {RB2X = "info"}']
)
def test_unknown_rule_codes_are_config_errors(project, extra):
    configure(project, extra)
    with pytest.raises(ConfigError, match="unknown rule"):
        project.lint()
