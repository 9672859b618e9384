"""`rollbook diff` refuses what it cannot know, with exit 2 and what to do: never a traceback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from rollbook.cli import cli
from tests.review.conftest import GIT_ENV, RUNBOOK_PATH, Repo, git


def run(root: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--config", str(root / "rollbook.toml"), "diff", *args], catch_exceptions=False
    )


def test_not_a_git_repository(repo: Repo, tmp_path: Path):
    plain = tmp_path / "plain"
    shutil.copytree(repo.root, plain, ignore=shutil.ignore_patterns(".git"))
    result = run(plain, "--base", "main")
    assert result.exit_code == 2
    assert "--base needs a git repository" in result.output
    assert "Traceback" not in result.output


def test_unknown_ref(repo: Repo):
    result = run(repo.root, "--base", "no-such-branch")
    assert result.exit_code == 2
    assert "--base no-such-branch: no such commit, branch or tag" in result.output


def test_ref_that_looks_like_an_option(repo: Repo):
    result = run(repo.root, "--base=--output=/tmp/x")
    assert result.exit_code == 2
    assert "cannot be empty or start with '-'" in result.output


def test_shallow_clone_without_the_base(repo: Repo, tmp_path: Path):
    repo.edit(RUNBOOK_PATH, ("risk: high", "risk: low"))
    repo.commit("second")
    repo.edit(RUNBOOK_PATH, ("risk: low", "risk: medium"))
    repo.commit("third")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
        check=True,
        env={**GIT_ENV, "PATH": "/usr/bin:/bin"},
    )
    first = git(repo.root, "rev-list", "--max-parents=0", "HEAD").strip()
    result = run(clone, "--base", first)
    assert result.exit_code == 2
    assert "shallow clone" in result.output and "git fetch --unshallow" in result.output


def test_the_base_has_no_runbooks_yet(repo: Repo, tmp_path: Path):
    # A repository that adopts rollbook in this change: everything is added.
    root = tmp_path / "new"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "README").write_text("hello\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "before rollbook")
    shutil.copytree(repo.root, root, ignore=shutil.ignore_patterns(".git"), dirs_exist_ok=True)
    result = run(root, "--base", "HEAD", "--format", "text")
    assert result.exit_code == 0, result.output
    assert "0 runbooks changed, 2 added, 0 removed" in result.output


def test_a_runbook_with_errors_is_listed_not_compared(repo: Repo):
    repo.edit(RUNBOOK_PATH, ("risk: high", "risk: sky-high"))
    result = run(repo.root, "--base", "HEAD", "--format", "text")
    assert result.exit_code == 0, result.output
    assert "0 runbooks changed, 0 added, 0 removed; 0 changes weaken" in result.output
    assert "Not compared (the file has errors; see `rollbook validate`):\n  - " + RUNBOOK_PATH in (
        result.output
    )


def test_project_in_a_subfolder_and_export_ignore(repo: Repo):
    # The project moves into ops/ of the repository; its runbooks are export-ignored (which
    # `git archive` would leave out): the base is still read exactly as committed.
    ops = repo.root / "ops"
    ops.mkdir()
    for name in ("rollbook.toml", "runbooks", "flags", "src"):
        (repo.root / name).rename(ops / name)
    (repo.root / ".gitattributes").write_text("ops/runbooks/** export-ignore\n")
    repo.commit("move into ops/")
    (ops / RUNBOOK_PATH).write_text(
        (ops / RUNBOOK_PATH).read_text().replace("risk: high", "risk: low")
    )
    result = run(ops, "--base", "HEAD", "--format", "text")
    assert result.exit_code == 0, result.output
    assert "1 runbook changed, 0 added, 0 removed; 1 change weakens a rollback" in result.output


def test_hostile_file_names_cannot_reach_the_terminal(repo: Repo):
    names = ["evil\x1b[2J\x1b]0;owned\x07.yaml", "rtl\u202etxt.yaml", "zero\u200bwidth.yaml"]
    for n, name in enumerate(names):
        text = repo.read("runbooks/search-ranking-v2.yaml").replace(
            "search-ranking-v2", f"copy-{n}"
        )
        (repo.root / "runbooks" / name).write_text(text)
    result = run(repo.root, "--base", "HEAD", "--format", "text")
    assert result.exit_code == 0, result.output
    for char in ("\x1b", "\x07", "\u202e", "\u200b"):
        assert char not in result.output
    assert "added in runbooks/evil\\x1b[2J\\x1b]0;owned\\x07.yaml" in result.output
    assert "added in runbooks/rtl\\u202etxt.yaml" in result.output


def test_unknown_origin_branch_says_how_to_fetch_it(repo: Repo):
    result = run(repo.root, "--base", "origin/release-7")
    assert result.exit_code == 2
    assert "fetch it first: `git fetch origin release-7`" in result.output
