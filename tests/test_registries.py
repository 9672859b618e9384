"""Rule codes, feature sources and report formats: each listed once, read everywhere."""

from __future__ import annotations

import types
from pathlib import Path

import click
import pytest

from rollbook.cli import cli
from rollbook.codes import CONFIG_ERROR, Code
from rollbook.commands.lint import parse_report_spec
from rollbook.config import ConfigError
from rollbook.diagnostics import Location, Problem, Severity
from rollbook.lint import all_rules
from rollbook.lint.registry import REGISTRY, check_complete, register, registered
from rollbook.report import FORMATS, reporter
from rollbook.sources import SOURCE_KINDS, SourceError, collect_features, parse_source_spec
from rollbook.sources.feature import Feature

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


# -- rule codes ---------------------------------------------------------------------------


def test_every_code_constant_has_its_rule_and_every_rule_a_constant():
    assert {r.code for r in all_rules()} == {str(c) for c in Code}
    for code in Code:
        assert REGISTRY[code].name == code.rule_name


@pytest.mark.parametrize("code", ["RB999", "RB07", "rb001", "RB1O1", ""])
def test_a_problem_with_an_unknown_code_is_a_bug_not_an_rb007(code):
    with pytest.raises(ValueError, match="unknown rule code"):
        Problem(code, "x", Location("a.yaml", 1, 1))


def test_problem_codes_are_plain_text_as_reports_print_them():
    problem = Problem(Code.YAML_SYNTAX, "x", Location("a.yaml", 1, 1))
    assert type(problem.code) is str and problem.code == "RB001"
    assert Problem(CONFIG_ERROR, "x", Location("rollbook.toml")).code == "RB000"


@pytest.mark.parametrize("code", ["RB999", "RB000", "RB803x"])
def test_looking_up_an_unregistered_code_raises(code):
    with pytest.raises(KeyError, match="no rule is registered"):
        registered(code)


def test_registering_a_code_without_a_constant_or_under_another_name_fails():
    with pytest.raises(ValueError, match=r"not in rollbook\.codes\.Code"):
        register("RB998", "made-up", Severity.ERROR, "runbook", "h", "Docs.")
    with pytest.raises(ValueError, match=r"its constant is Code\.YAML_SYNTAX"):
        register(Code.YAML_SYNTAX, "yaml-typo", Severity.ERROR, "input", "h", "Docs.")


def test_the_import_time_check_finds_a_missing_or_an_extra_rule(monkeypatch):
    check_complete()
    monkeypatch.delitem(REGISTRY, "RB202")
    with pytest.raises(RuntimeError, match=r"constants without a rule \['RB202'\]"):
        check_complete()
    monkeypatch.setitem(REGISTRY, "RB202", REGISTRY["RB201"])
    monkeypatch.setitem(REGISTRY, "RB299", REGISTRY["RB201"])
    with pytest.raises(RuntimeError, match=r"rules without a constant \['RB299'\]"):
        check_complete()


# -- feature sources ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SOURCE_KINDS))
def test_every_source_kind_is_a_complete_module(kind):
    module = SOURCE_KINDS[kind]
    assert isinstance(module.DEFAULT_PATHS, tuple)
    assert isinstance(module.OPTIONS, tuple)
    assert isinstance(module.RESPECTS_GITIGNORE, bool)
    assert callable(module.read_files)
    assert module.DEFAULT_PATHS or module.EXAMPLE_PATH


@pytest.mark.parametrize("kind", list(SOURCE_KINDS))
def test_every_source_kind_is_named_in_errors_and_in_the_readme(kind):
    with pytest.raises(SourceError) as info:
        parse_source_spec({"kind": "no-such-kind"}, "rollbook.toml: sources[0]")
    assert kind in info.value.render()
    with pytest.raises(SourceError) as info:
        parse_source_spec({"paths": ["x"]}, "rollbook.toml: sources[0]")
    assert kind in info.value.render()
    row = next(line for line in README.splitlines() if line.startswith("| `sources` |"))
    assert kind in row


def _fake_kind() -> types.ModuleType:
    module = types.ModuleType("csv_source")
    module.DEFAULT_PATHS = ()
    module.EXAMPLE_PATH = "features.csv"
    module.OPTIONS = ("delimiter",)
    module.RESPECTS_GITIGNORE = False

    def read_files(spec, files):
        for file, name in files:
            for line_no, line in enumerate(file.read_text().splitlines(), 1):
                key = line.split(",")[0]
                yield Feature(key=key, location=Location(name, line_no, 1), source="csv")

    module.read_files = read_files
    return module


def test_a_new_source_kind_is_one_module_and_one_entry(monkeypatch, tmp_path):
    monkeypatch.setitem(SOURCE_KINDS, "csv", _fake_kind())
    (tmp_path / "features.csv").write_text("checkout.one_click,on\nsearch.v2,off\n")
    spec = parse_source_spec({"kind": "csv", "paths": ["*.csv"], "delimiter": ","}, "s")
    found = collect_features([spec], tmp_path)
    assert [(f.key, f.location.line) for f in found] == [
        ("checkout.one_click", 1),
        ("search.v2", 2),
    ]
    with pytest.raises(SourceError, match="needs paths") as info:
        parse_source_spec({"kind": "csv"}, "s")
    assert "features.csv" in info.value.render()
    with pytest.raises(SourceError, match=r"'delimiter' applies only to kind = \"csv\"") as info:
        parse_source_spec({"kind": "flagd", "delimiter": ","}, "s")
    with pytest.raises(SourceError) as info:
        parse_source_spec({"kind": "cvs"}, "s")
    assert "did you mean 'csv'" in info.value.render()


# -- report formats -------------------------------------------------------------------------


def _lint_option(name: str) -> click.Option:
    return next(p for p in cli.commands["lint"].params if p.name == name)


def test_the_cli_offers_exactly_the_registered_formats():
    assert list(_lint_option("output_format").type.choices) == list(FORMATS)


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_renders_and_is_named_in_errors_and_the_readme(name):
    assert callable(reporter(name).render)
    with pytest.raises(ConfigError) as info:
        parse_report_spec("nosuchformat=out.txt")
    assert name in str(info.value)
    assert name == parse_report_spec(f"{name}=out.txt")[0]
    row = next(line for line in README.splitlines() if line.startswith("| `--output-format "))
    assert f"`--output-format {'|'.join(FORMATS)}`" in row.replace("\\|", "|")
