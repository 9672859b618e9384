"""A runbook page's guard outlook (who can be reached for the next 24 hours, as of the build)
depends on the build time: a page kept by an earlier build must not show another time's
outlook. Incremental builds at a later time are compared with full builds of that time."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitetools import EPOCH, make_project
from test_incremental_build import tree

from rollbook.commands.build import build
from rollbook.config import load_project

DAY = 86400
AWAY = """\
        away:
          - start: 2026-01-03
            end: 2026-01-04
            reason: Hiking
"""


@pytest.fixture(params=["", "UTC", "Europe/Berlin", "America/Los_Angeles"])
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    root = make_project(tmp_path / "project", extra_runbooks=2)
    if request.param:
        config = root / "rollbook.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text + f'\n[guard]\ntime-zone = "{request.param}"\n', encoding="utf-8")
    teams = root / "runbooks" / "teams.yaml"
    text = teams.read_text(encoding="utf-8")
    person = 'chat: "@first-responder"\n'
    teams.write_text(text.replace(person, person + AWAY), encoding="utf-8")
    return root


@pytest.mark.parametrize("later", [2 * DAY, 2 * DAY + 3600, 5 * DAY])
def test_a_later_build_shows_the_outlook_of_its_own_time(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, later: int
) -> None:
    out = tmp_path / "inc" / "site"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    build(load_project(project), out)
    page = (out / "runbooks" / "feature-00000" / "index.html").read_text(encoding="utf-8")
    assert "Hiking" not in page  # on 1 January nobody is away in the next 24 hours
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + later))
    build(load_project(project), out)
    full = tmp_path / "full" / "site"
    build(load_project(project), full, cache=False)
    got, want = tree(out), tree(full)
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []
    page = (out / "runbooks" / "feature-00000" / "index.html").read_text(encoding="utf-8")
    assert ("Hiking" in page) == (later < 4 * DAY)
