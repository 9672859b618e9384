"""Cold lint reads the feature sources while its workers check the runbooks: the report is
exactly the one of a run that reads them first, whatever the sources hold, however many
processes, and a source that cannot be read is the same error."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollbook.config import ConfigError, load_project
from rollbook.lint import LintOptions, lint
from rollbook.lint.engine import _SEND_COST, _split
from rollbook.report import render
from tests.lint.conftest import GOOD, TODAY

YAML_FLAGS = """\
flags:
  search.ranking:
    state: ENABLED
    variants: {"on": true, "off": false}
    defaultVariant: "off"
"""


def _many(project, count: int = 60) -> None:
    """Enough runbooks for the run to fork (twenty files per worker at least)."""
    for index in range(count):
        text = GOOD.replace("id: one-click-checkout", f"id: rb-{index:03d}", 1)
        if index % 7 == 0:
            text = text.replace("off: false", "off: true", 1)  # RB109, from the flag file
        if index % 11 == 0:
            text = text.replace("checkout.one_click", f"checkout.flag_{index}")
        project.write(f"runbooks/rb-{index:03d}.yaml", text)


def _both(project, **options) -> str:
    options.setdefault("today", TODAY)
    later = lint(load_project(project.root), LintOptions(**options))
    first = lint(load_project(project.root), LintOptions(**options), sources_first=True)
    assert render("json", later) == render("json", first)
    assert render("text", later) == render("text", first)
    assert later.notes == first.notes
    assert later.coverage == first.coverage
    return render("json", later)


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_the_report_is_the_one_of_a_run_that_reads_the_sources_first(project, jobs):
    _many(project)
    report = _both(project, jobs=jobs)
    assert "RB109" in report and "RB104" in report


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_yaml_flag_file_among_the_runbooks_is_left_out_as_before(project, jobs):
    _many(project)
    config = project.root / "rollbook.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[sources]]\nkind = "flagd"\npaths = ["runbooks/*.flagd.yaml"]\n',
        encoding="utf-8",
    )
    project.write("runbooks/search.flagd.yaml", YAML_FLAGS)  # holds a feature
    project.write("runbooks/empty.flagd.yaml", "flags: {}\n")  # holds none yet
    report = _both(project, jobs=jobs)
    assert "search.ranking" in report
    result = project.lint(jobs=jobs)
    assert not [path for path in result.files if path.endswith(".flagd.yaml")]
    assert any("search.flagd.yaml: not read as a runbook" in n for n in result.notes)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_flag_file_that_cannot_be_read_is_the_same_error(project, jobs):
    _many(project)
    (project.root / "flags/checkout.flagd.json").write_text("{ not json", encoding="utf-8")
    errors = []
    for first in (False, True):
        with pytest.raises(ConfigError) as info:
            lint(
                load_project(project.root),
                LintOptions(today=TODAY, jobs=jobs),
                sources_first=first,
            )
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert "checkout.flagd.json" in errors[0]


def test_of_two_broken_sources_the_first_is_said_as_before(project):
    """The first source's file cannot be read, the second's glob names no file: reading in
    order, the first error is the one a user sees."""
    (project.root / "flags/checkout.flagd.json").write_text("{ not json", encoding="utf-8")
    config = project.root / "rollbook.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[sources]]\nkind = "flagd"\npaths = ["deploy/missing.flagd.json"]\n',
        encoding="utf-8",
    )
    errors = []
    for first in (False, True):
        with pytest.raises(ConfigError) as info:
            lint(load_project(project.root), LintOptions(today=TODAY), sources_first=first)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert "checkout.flagd.json" in errors[0]


def test_a_code_source_is_read_first(project, monkeypatch):
    """A code source's features may be written in any file: read before the runbooks."""
    from rollbook.lint import engine

    config = project.root / "rollbook.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[sources]]\nkind = "code"\npaths = ["src/**/*.py"]\n',
        encoding="utf-8",
    )
    project.write("src/app.py", 'client.get_boolean_value("checkout.one_click", False)\n')
    called = []
    monkeypatch.setattr(engine, "find_source_files", lambda *a: called.append(a))
    _both(project)
    assert called == []


def test_a_feature_in_a_file_checked_as_a_runbook_makes_the_run_read_the_sources_first(
    project, monkeypatch
):
    """Never the case for flag files and feature lists (what they read is left out of the
    runbooks); if it were, the run starts again reading the sources first."""
    from rollbook.lint import engine

    runs = []
    real = engine.lint

    def counted(*args, **kwargs):
        runs.append(kwargs.get("sources_first", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "lint", counted)
    monkeypatch.setattr(engine, "_excluded_all", lambda *a: False)
    result = real(load_project(project.root), LintOptions(today=TODAY))
    assert runs == [True]
    assert render("json", result) == render(
        "json", real(load_project(project.root), LintOptions(today=TODAY), sources_first=True)
    )


@pytest.mark.parametrize("total", [20, 41, 1000, 10_000])
@pytest.mark.parametrize("jobs", [2, 3, 4])
@pytest.mark.parametrize("extra", [None, 0.0, 150.0, 1e9])
def test_the_split_keeps_every_file_once_in_order(total, jobs, extra):
    paths = [Path(f"r{i}.yaml") for i in range(total)]
    runs = _split(paths, jobs, extra)
    assert [p for run in runs for p in run] == paths
    assert len(runs) <= jobs
    if extra is not None and total >= 1000:
        # This process's share and its other work take as long as a worker's share and the
        # sending of its results (within two files: runs are whole files), as far as its
        # share can shrink.
        first, worker = len(runs[0]), len(runs[1])
        if first > 0:
            assert abs(first + extra - worker * (1 + _SEND_COST)) <= 2
        else:
            assert extra >= worker * (1 + _SEND_COST) - 2
        assert first <= len(_split(paths, jobs, 0.0)[0])


def test_no_sources_no_reading(project):
    (project.root / "rollbook.toml").write_text('runbooks = ["runbooks"]\n', encoding="utf-8")
    (project.root / "flags/checkout.flagd.json").unlink()
    _both(project)


@pytest.mark.parametrize("was_on", [True, False])
def test_a_run_leaves_the_garbage_collector_as_it_found_it(project, was_on):
    # Lint pauses Python's cyclic collector while it runs (its collections walked the whole
    # growing heap); a caller's setting is back afterwards, also when the run fails.
    import gc

    _many(project)
    enabled = gc.isenabled()
    try:
        (gc.enable if was_on else gc.disable)()
        seen = []
        lint(load_project(project.root), LintOptions(today=TODAY, jobs=2))
        seen.append(gc.isenabled())
        (project.root / "flags/checkout.flagd.json").write_text("{ not json", encoding="utf-8")
        with pytest.raises(ConfigError):
            lint(load_project(project.root), LintOptions(today=TODAY, jobs=2))
        seen.append(gc.isenabled())
        assert seen == [was_on, was_on]
    finally:
        (gc.enable if enabled else gc.disable)()
