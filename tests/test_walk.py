"""The folder walk itself: what the commands' discovery tests cannot set up as root."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from rollbook.walk import FolderWalk, WalkError


def test_an_unreadable_folder_stops_the_walk_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root here, and root reads any folder: deny one the way the system would.
    (tmp_path / "runbooks" / "locked").mkdir(parents=True)
    (tmp_path / "runbooks" / "a.yaml").write_text("id: a\n")
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    walk = FolderWalk(tmp_path)
    with pytest.raises(WalkError) as info:
        list(walk.files(tmp_path / "runbooks"))
    assert info.value.message == "runbooks/locked: cannot read this folder: Permission denied"
    assert info.value.hint.startswith("fix its permissions")


def test_files_come_in_name_order_with_names_relative_to_the_start(tmp_path: Path) -> None:
    for rel in ("b/2.yaml", "a/z.yaml", "a/b/1.yaml", "c.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    names = [name for name, _ in FolderWalk(tmp_path).files(tmp_path)]
    assert sorted(names) == ["a/b/1.yaml", "a/z.yaml", "b/2.yaml", "c.yaml"]


def test_a_folder_reached_twice_is_read_once_and_noted_once(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "x.yaml").write_text("x")
    (tmp_path / "alias").symlink_to("real", target_is_directory=True)
    walk = FolderWalk(tmp_path)
    for _ in range(2):  # two sources walking the same folder
        assert [name for name, _ in walk.files(tmp_path)] == ["real/x.yaml"]
    assert walk.notes == ["alias: skipped: a link to the folder real, which is read already"]


def test_links_outside_are_followed_when_allowed(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "x.yaml").write_text("x")
    (project / "ext").symlink_to(outside, target_is_directory=True)
    assert [n for n, _ in FolderWalk(project).files(project)] == []
    assert [n for n, _ in FolderWalk(project, follow_external=True).files(project)] == [
        "ext/x.yaml"
    ]


def test_walks_of_one_command_read_each_folder_once_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runbooks' walk and a flag source's glob over the same folder: one read of it, the
    same files in the same order, and each walk's own notes (a sibling's are its own)."""
    (tmp_path / "runbooks" / "sub").mkdir(parents=True)
    for rel in ("runbooks/b.yaml", "runbooks/a.yaml", "runbooks/sub/c.yaml"):
        (tmp_path / rel).write_text("x")
    (tmp_path / "runbooks" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    reads: list[str] = []
    real_scandir = os.scandir

    def scandir(path):
        reads.append(os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    walk = FolderWalk(tmp_path)
    first = list(walk.files(tmp_path / "runbooks"))
    assert [name for name, _ in first] == ["a.yaml", "b.yaml", "sub/c.yaml"]
    assert len(walk.notes) == 1 and "gone.yaml" in walk.notes[0]
    other = walk.sibling()
    assert list(walk.files(tmp_path / "runbooks")) == first
    assert list(other.files(tmp_path / "runbooks", wanted=lambda name: False)) == first
    assert other.notes == []  # the broken link was not wanted by this walk
    assert list(other.files(tmp_path / "runbooks")) == first
    assert other.notes == walk.notes
    assert len(reads) == 2  # runbooks/ and runbooks/sub/, once each


def test_a_glob_asked_twice_gives_the_same_files_and_says_its_notes_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rollbook.sources import discovery

    (tmp_path / "flags").mkdir()
    for name in ("b.flagd.json", "a.flagd.json", "x.yaml"):
        (tmp_path / "flags" / name).write_text("{}")
    (tmp_path / "flags" / "gone.flagd.json").symlink_to(tmp_path / "nowhere.json")
    walk = FolderWalk(tmp_path)
    first = discovery.find_files(
        tmp_path, ["flags/*.flagd.json"], respect_gitignore=False, walk=walk
    )
    assert [name for _, name in first] == ["flags/a.flagd.json", "flags/b.flagd.json"]
    assert len(walk.notes) == 1 and "gone.flagd.json" in walk.notes[0]
    calls: list[object] = []
    real = discovery._find_files
    monkeypatch.setattr(discovery, "_find_files", lambda *a: calls.append(a) or real(*a))
    other = walk.sibling()
    again = discovery.find_files(
        tmp_path, ["flags/*.flagd.json"], respect_gitignore=False, walk=other
    )
    assert again == first and other.notes == walk.notes
    assert calls == []  # the sibling was told, not walked again
    discovery.find_files(tmp_path, ["flags/*.json"], respect_gitignore=False, walk=other)
    assert len(calls) == 1  # another glob is another walk
