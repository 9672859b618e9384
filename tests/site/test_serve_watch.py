"""What `rollbook serve` rebuilds for: every file a build reads, wherever the configuration
puts it, and nothing else (editor swap files, the cache, `.git`, reads)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from rollbook.commands.serve_watch import Watched, start_observer
from rollbook.config import load_project

CONFIG = """\
runbooks = ["runbooks", "more/extra.yaml"]
teams = "runbooks/teams.yaml"
templates = "look"
alert-rules = ["monitoring/**/*.rules.yml"]

[[sources]]
kind = "flagd"
paths = ["flags/*.flagd.json"]

[[sources]]
kind = "code"
paths = ["src/**/*.py"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for folder in ("runbooks/sub", "more", "look/pages", "flags", "src/app", "monitoring/a"):
        (root / folder).mkdir(parents=True)
    (root / "rollbook.toml").write_text(CONFIG, encoding="utf-8")
    (root / "runbooks" / "teams.yaml").write_text("teams: []\n", encoding="utf-8")
    (root / "more" / "extra.yaml").write_text("id: x\n", encoding="utf-8")
    return root


@pytest.fixture
def watched(project: Path) -> Watched:
    return Watched(load_project(project))


@pytest.mark.parametrize(
    "name",
    [
        "runbooks/checkout.yaml",
        "runbooks/sub/deep.yml",
        "runbooks/UPPER.YAML",
        "runbooks/teams.yaml",
        "more/extra.yaml",
        "rollbook.toml",
        "mkdocs.overrides.yml",
        "look/pages/runbook.html",
        "look/theme/main.html",
        "flags/payments.flagd.json",
        "src/app/checkout.py",
        "src/deep/er/still.py",
        "monitoring/a/payments.rules.yml",
        "monitoring/payments.rules.yml",
    ],
)
def test_a_file_the_build_reads_starts_a_rebuild(watched: Watched, project: Path, name) -> None:
    assert watched.wants(str(project / name))


@pytest.mark.parametrize(
    "name",
    [
        "runbooks/.checkout.yaml.swp",  # vim's swap file
        "runbooks/checkout.yaml~",  # a backup
        "runbooks/#checkout.yaml#",  # emacs' autosave
        "runbooks/4913",  # vim's probe of whether it may write the folder
        "runbooks/.hidden/inside.yaml",
        "runbooks/notes.txt",  # not YAML: the loader does not read it
        ".rollbook-cache/lint.pickle",  # a build's own output
        ".git/index",
        "flags/payments.json",  # not the source's glob
        "src/app/checkout.py.tmp",
        "src/.venv/lib/site.py",
        "more/other.yaml",  # only more/extra.yaml is a runbook file
        "README.md",
        "site/index.html",
    ],
)
def test_other_changes_do_not(watched: Watched, project: Path, name) -> None:
    assert not watched.wants(str(project / name))


def test_outside_the_project_nothing_counts(watched: Watched, tmp_path: Path) -> None:
    assert not watched.wants(str(tmp_path / "elsewhere" / "x.yaml"))
    assert not watched.wants("relative/runbooks/x.yaml")


def test_a_folder_moved_away_counts_where_its_files_did(watched: Watched, project: Path) -> None:
    assert watched.wants(str(project / "runbooks" / "sub"), folder=True)
    assert watched.wants(str(project / "src" / "app"), folder=True)
    assert not watched.wants(str(project / "docs"), folder=True)


def test_each_folder_is_observed_once_and_only_where_it_exists(
    watched: Watched, project: Path
) -> None:
    folders = dict(watched.folders())
    root = project.resolve()
    assert folders[root / "runbooks"] is True
    assert folders[root / "look"] is True
    assert folders[root / "flags"] is True
    assert folders[root / "src"] is True
    assert folders[root / "monitoring"] is True
    # The root itself only for its own files (config, overrides), not every folder in it.
    assert folders[root] is False
    # runbooks/teams.yaml is inside a folder already observed recursively.
    assert len(folders) == len(watched.folders())
    assert all(folder.is_dir() for folder in folders)


def _changes(watched: Watched, poll: bool):
    seen: list[str] = []
    event = threading.Event()

    def on_change(path: str) -> None:
        seen.append(path)
        event.set()

    observer, note = start_observer(watched, on_change, poll=poll)
    return observer, note, seen, event


@pytest.mark.parametrize("poll", [False, True], ids=["notifications", "polling"])
def test_the_observer_reports_what_counts_and_only_that(
    watched: Watched, project: Path, poll: bool
) -> None:
    observer, note, seen, event = _changes(watched, poll)
    try:
        assert note == ""
        time.sleep(0.6)
        # Reading files and writing ones that do not count: no change reported.
        (project / "more" / "extra.yaml").read_text(encoding="utf-8")
        (project / "runbooks" / ".new.yaml.swp").write_text("x", encoding="utf-8")
        (project / ".rollbook-cache").mkdir()
        (project / ".rollbook-cache" / "lint.pickle").write_bytes(b"x")
        (project / "src" / "app" / "notes.txt").write_text("x", encoding="utf-8")
        assert not event.wait(1.5), seen
        (project / "src" / "app" / "flags.py").write_text("x = 1\n", encoding="utf-8")
        assert event.wait(10), "the change to a code source's file was not reported"
        assert seen[0].endswith("flags.py")
    finally:
        observer.stop()  # type: ignore[attr-defined]
        observer.join()  # type: ignore[attr-defined]
