"""The one project loader: validate, lint (in one process or several) and build load alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rollbook.config import load_project
from rollbook.lint import LintOptions, lint
from rollbook.load.ids import DuplicateIds
from rollbook.load.runbooks import (
    LoadedProject,
    find_runbooks,
    load_project_runbooks,
    load_runbook,
)
from rollbook.render.pages import SiteRenderer
from rollbook.render.views import SitePage
from tests.conftest import run_cli
from tests.load.helpers import HEAD

ROLLBACK = "rollback:\n  when: [Errors double]\n  steps:\n    - do: Switch it off\n"


def test_a_later_file_with_a_taken_id_gets_rb009_with_its_line(tmp_path: Path) -> None:
    text = "# yaml-language-server: $schema=runbook.schema.json\n" + HEAD + ROLLBACK
    ids = DuplicateIds()
    found = {}
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        path = tmp_path / name
        path.write_text(text if name != "c.yaml" else "\n\n" + text, encoding="utf-8")
        item = load_runbook(path, name)
        assert item.runbook is not None and item.document is not None, item.problems
        found[name] = ids.check(item.runbook.id, name, item.document.locate(("id",)))
    assert found["a.yaml"] is None
    b, c = found["b.yaml"], found["c.yaml"]
    assert b is not None and c is not None
    assert (b.code, str(b.location), b.message, b.field) == (
        "RB009",
        "b.yaml:2:5",
        "runbook id 'one-click-checkout' is also used by a.yaml",
        "id",
    )
    assert (str(c.location), c.message) == (
        "c.yaml:4:5",
        "runbook id 'one-click-checkout' is also used by a.yaml",  # the first, not b
    )


def _write_project(project: Path) -> None:
    """45 runbook files: valid ones, invalid ones, and ids used twice in several ways."""
    folder = project / "runbooks"
    for i in range(40):
        text = HEAD.replace("one-click-checkout", f"feature-{i:02}") + ROLLBACK
        (folder / f"f{i:02}.yaml").write_text(text, encoding="utf-8")
    dup = HEAD.replace("one-click-checkout", "feature-03") + ROLLBACK
    (folder / "z1-same-id.yaml").write_text("\n" + dup, encoding="utf-8")  # taken: RB009
    # An invalid file does not take an id from the site: the valid file after it keeps it.
    broken = HEAD.replace("one-click-checkout", "shared").replace("risk: high", "risk: extreme")
    (folder / "a-broken.yaml").write_text(broken, encoding="utf-8")
    (folder / "b-valid.yaml").write_text(
        HEAD.replace("one-click-checkout", "shared") + ROLLBACK, encoding="utf-8"
    )
    (folder / "c-not-yaml.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (folder / "d-team.yaml").write_text(  # a team the teams file lacks: RB008
        HEAD.replace("one-click-checkout", "d-team").replace("payments", "paymnets") + ROLLBACK,
        encoding="utf-8",
    )


def _shape(loaded: LoadedProject) -> list[tuple[str, str | None, list[tuple[str, str, str]]]]:
    return [
        (
            item.display,
            item.runbook.id if item.runbook else None,
            sorted((p.code, str(p.location), p.message) for p in item.problems),
        )
        for item in loaded.runbooks
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_lint_hands_build_what_validate_loads(project: Path, jobs: int) -> None:
    _write_project(project)
    proj = load_project(project)
    loaded = load_project_runbooks(proj)
    result = lint(proj, LintOptions(keep_loaded=True, jobs=jobs))
    assert result.loaded is not None
    assert _shape(result.loaded) == _shape(loaded)
    shape = {display: problems for display, _, problems in _shape(loaded)}
    assert shape["runbooks/z1-same-id.yaml"] == [
        (
            "RB009",
            "runbooks/z1-same-id.yaml:2:5",
            "runbook id 'feature-03' is also used by runbooks/f03.yaml",
        )
    ]
    assert shape["runbooks/b-valid.yaml"] == []
    assert [c for c, _, _ in shape["runbooks/d-team.yaml"]] == ["RB008"]
    assert result.loaded.teams is not None and result.loaded.teams.display == "runbooks/teams.yaml"
    assert result.loaded.notes == result.notes
    # Positions are dropped: pages do not need them, and they are most of the memory.
    assert all(item.document is None for item in result.loaded.runbooks)
    # Lint's own finding for the taken id: on the later file, at the same place.
    [finding] = [f for f in result.findings if f.code == "RB009" and "feature-03" in f.message]
    assert (finding.path, finding.line) == ("runbooks/z1-same-id.yaml", 2)


def test_lint_keeps_nothing_unless_asked(project: Path) -> None:
    assert lint(load_project(project)).loaded is None


def test_find_runbooks_names_each_file_once_in_report_order(project: Path) -> None:
    _write_project(project)
    files = find_runbooks(load_project(project))
    shown = [files.display(p) for p in files.paths]
    assert shown == sorted(shown)
    assert "runbooks/teams.yaml" not in shown  # the teams file is never a runbook
    assert len(shown) == len(set(shown)) == 46  # 45 written, and the example `init` made
    assert files.load(files.paths[0]).display == shown[0]


def test_prerendered_runbook_pages_are_used_in_place(project: Path) -> None:
    _write_project(project)
    renderer = SiteRenderer(
        load_project_runbooks(load_project(project)), built=dt.datetime(2026, 1, 1)
    )
    plain = renderer.pages()
    entry = renderer.entries[3]
    marker = SitePage(entry.src_uri, "Rendered elsewhere", "", "<p>ready</p>", kind="runbook")
    pages = renderer.pages(prerendered={entry.src_uri: marker})
    assert [p.src_uri for p in pages] == [p.src_uri for p in plain]
    index = [p.src_uri for p in pages].index(entry.src_uri)
    assert pages[index] is marker
    assert [p.html for i, p in enumerate(pages) if i != index] == [
        p.html for i, p in enumerate(plain) if i != index
    ]


def test_validate_and_lint_name_a_linked_runbook_by_its_link(project: Path) -> None:
    # A link inside the project to a runbook inside it is read twice: the duplicate is
    # reported on the link, as written, by every command (validate named the target before).
    (project / "runbooks" / "a.yaml").write_text(HEAD + ROLLBACK, encoding="utf-8")
    (project / "runbooks" / "alias.yaml").symlink_to("a.yaml")
    message = "runbook id 'one-click-checkout' is also used by runbooks/a.yaml"
    for command, code in (("validate", "RB009"), ("lint", "RB009 [error]")):
        result = run_cli(command, cwd=project)
        assert result.returncode == 1, result.stderr
        assert f"runbooks/alias.yaml:1:5: {code} {message}" in result.stdout, result.stdout
