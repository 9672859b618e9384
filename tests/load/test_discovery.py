"""Finding runbooks and source files: deep folders, long paths, symbolic links, skipped names.

What a user must be able to rely on: a folder nested absurdly deep or a path too long for the
system is a clear configuration error (exit 2), never an internal error; a symbolic link that
leads outside the project is not read (a pull request must not make CI print /etc/passwd)
unless `follow-external-symlinks = true`; a link loop does not hang; and a file that looks
like a runbook but is skipped by a naming rule is named in a note, with the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rollbook.walk import MAX_DEPTH, PATH_MAX
from tests.conftest import run_cli

SECRET = "root:x:0:0:do-not-print-me"


def runbook_copy(project: Path, rel: str, rid: str) -> Path:
    """The example runbook under another id, written at ``rel``."""
    example = (project / "runbooks" / "saved-search-alerts.yaml").read_text(encoding="utf-8")
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.replace("id: saved-search-alerts", f"id: {rid}"), encoding="utf-8")
    return path


def outside_file(tmp_path: Path, name: str = "outside.yaml") -> Path:
    """A file outside the project whose content must never be printed."""
    folder = tmp_path.parent / f"{tmp_path.name}-outside"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"id: outside\ntitle: {SECRET}\n", encoding="utf-8")
    return path


def both(project: Path, *args: str) -> list:
    """``rollbook lint`` and ``rollbook validate`` with the same arguments."""
    return [run_cli("lint", *args, cwd=project), run_cli("validate", *args, cwd=project)]


def out(result) -> str:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.stdout + result.stderr


def make_nested(top: Path, depth: int, name: str = "d") -> str:
    """``depth`` folders ``name/name/...`` under ``top`` holding a runbook at the bottom; works
    past PATH_MAX by creating each folder relative to the last one's descriptor."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        file = os.open("deep.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(file, b"id: deep\n")
        os.close(file)
    finally:
        os.close(fd)
    return name


def remove_nested(top: Path) -> None:
    """Delete the contents of ``top`` however deep: shutil.rmtree (and so pytest's clean-up)
    recurses and gives up near a thousand levels. Each level is entered with chdir, which
    works past PATH_MAX, and emptied on the way back up."""
    home = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
    below: list[str] = []
    try:
        os.chdir(top)
        while True:
            with os.scandir(".") as scan:
                entries = list(scan)
            folder = next((e.name for e in entries if e.is_dir(follow_symlinks=False)), None)
            if folder is not None:
                os.chdir(folder)
                below.append(folder)
                continue
            for entry in entries:
                os.unlink(entry.name)
            if not below:
                break
            os.chdir("..")
            os.rmdir(below.pop())
    finally:
        os.fchdir(home)
        os.close(home)


@pytest.fixture
def deep_tree_cleanup():
    """Folders registered here are removed after the test, however deep they are."""
    tops: list[Path] = []
    yield tops.append
    for top in tops:
        remove_nested(top)


# --- very deep folders and long paths ------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 300, 3000], ids=lambda d: f"depth-{d}")
def test_folders_nested_too_deep_are_a_clear_error(
    project: Path, depth: int, deep_tree_cleanup
) -> None:
    deep_tree_cleanup(project / "runbooks")
    make_nested(project / "runbooks", depth)
    for result in both(project):
        assert result.returncode == 2, out(result)
        assert f"folders nested more than {MAX_DEPTH} levels deep" in out(result)
        assert "runbooks/d/d/d/" in result.stderr
        assert "hint: move the files nearer the top" in result.stderr


def test_folders_as_deep_as_allowed_are_read(project: Path) -> None:
    make_nested(project / "runbooks", MAX_DEPTH)
    result = run_cli("validate", cwd=project)
    assert f"runbooks/{'d/' * MAX_DEPTH}deep.yaml:1:1: RB005" in out(result)


@pytest.mark.parametrize("length", [200, 250], ids=lambda n: f"names-of-{n}")
def test_a_path_longer_than_the_system_allows_is_a_clear_error(
    project: Path, length: int, deep_tree_cleanup
) -> None:
    deep_tree_cleanup(project / "runbooks")
    levels = PATH_MAX // length + 2  # well within the depth limit, beyond the path limit
    make_nested(project / "runbooks", levels, name="n" * length)
    for result in both(project):
        assert result.returncode == 2, out(result)
        assert f"the path is longer than the system allows ({PATH_MAX} bytes)" in out(result)
        assert " ... " in result.stderr  # the path is shortened in the message
        assert len(result.stderr) < 1000


def test_deep_folders_in_a_code_source_name_the_source(project: Path, deep_tree_cleanup) -> None:
    deep_tree_cleanup(project / "src")
    config = project / "rollbook.toml"
    config.write_text(
        config.read_text() + '\n[[sources]]\nkind = "code"\npaths = ["src/**/*.py"]\n'
    )
    (project / "src").mkdir()
    make_nested(project / "src", MAX_DEPTH + 5)
    result = run_cli("lint", cwd=project)
    assert result.returncode == 2, out(result)
    assert out(result).startswith("error: rollbook.toml: sources[1]: src/d/d/")
    assert f"folders nested more than {MAX_DEPTH} levels deep" in result.stderr


# --- symbolic links ----------------------------------------------------------------------------


def test_a_runbook_link_to_a_file_outside_is_skipped_with_a_note(
    project: Path, tmp_path: Path
) -> None:
    target = outside_file(tmp_path)
    (project / "runbooks" / "evil.yaml").symlink_to(target)
    (project / "runbooks" / "relative.yaml").symlink_to(
        os.path.relpath(target, project / "runbooks")
    )
    (project / "runbooks" / "chain.yaml").symlink_to("relative.yaml")  # inside, then out
    for result in both(project):
        assert result.returncode == 0, out(result)
        text = out(result)
        assert SECRET not in text
        for name in ("evil", "relative", "chain"):
            assert (
                f"note: runbooks/{name}.yaml: skipped: a symbolic link to {target}, outside "
                "the project (set `follow-external-symlinks = true` to follow it)"
            ) in text


def test_a_folder_link_outside_is_skipped_and_a_link_inside_is_followed(
    project: Path, tmp_path: Path
) -> None:
    outside = outside_file(tmp_path).parent
    (project / "runbooks" / "shared").symlink_to(outside, target_is_directory=True)
    runbook_copy(project, "elsewhere/gift-cards.yaml", "gift-cards")
    (project / "runbooks" / "more").symlink_to("../elsewhere", target_is_directory=True)
    lint, validate = both(project)
    assert "All 3 files valid." in out(validate)  # teams, the example, more/gift-cards
    assert f"note: runbooks/shared: skipped: a symbolic link to {outside}, outside" in out(lint)
    assert SECRET not in out(lint) + out(validate)
    assert "in 2 runbook files" in lint.stdout


def test_the_runbooks_folder_itself_may_not_lead_outside(project: Path, tmp_path: Path) -> None:
    outside = outside_file(tmp_path).parent
    config = project / "rollbook.toml"
    config.write_text(config.read_text().replace('runbooks = ["runbooks"]', 'runbooks = ["docs"]'))
    (project / "docs").symlink_to(outside, target_is_directory=True)
    for result in both(project):
        assert result.returncode == 2
        assert "no runbooks found in docs" in out(result)
        assert f"note: docs: skipped: a symbolic link to {outside}, outside the project" in (
            result.stderr
        )
        assert SECRET not in out(result)


def test_a_link_named_on_the_command_line_is_checked_too(project: Path, tmp_path: Path) -> None:
    # pre-commit passes the changed files by name: a pull request adding a link must not
    # get its target printed either.
    (project / "runbooks" / "evil.yaml").symlink_to(outside_file(tmp_path))
    for result in both(project, "runbooks/evil.yaml"):
        assert result.returncode == 2
        assert "no runbooks found in runbooks/evil.yaml" in out(result)
        assert "note: runbooks/evil.yaml: skipped: a symbolic link to" in result.stderr
        assert SECRET not in out(result)


def test_follow_external_symlinks_reads_them(project: Path, tmp_path: Path) -> None:
    (project / "runbooks" / "evil.yaml").symlink_to(outside_file(tmp_path))
    config = project / "rollbook.toml"
    config.write_text("follow-external-symlinks = true\n" + config.read_text())
    result = run_cli("validate", cwd=project)
    assert result.returncode == 1
    assert "runbooks/evil.yaml:1:1: RB005" in out(result)
    assert "skipped" not in result.stderr


def test_follow_external_symlinks_must_be_true_or_false(project: Path) -> None:
    config = project / "rollbook.toml"
    config.write_text('follow-external-symlinks = "yes"\n' + config.read_text())
    result = run_cli("validate", cwd=project)
    assert result.returncode == 2
    assert (
        "rollbook.toml:1:1: RB000 `follow-external-symlinks`: Input should be a valid boolean"
        in out(result)
    )


@pytest.mark.parametrize(
    "links",
    [
        {"runbooks/loop": "."},
        {"runbooks/sub/up": ".."},
        {"runbooks/a": "b", "runbooks/b": "a"},
        {"runbooks/x.yaml": "y.yaml", "runbooks/y.yaml": "x.yaml"},
        {"runbooks/sub/top": "../../runbooks"},
    ],
    ids=["to-itself", "to-parent", "folder-pair", "file-pair", "to-an-ancestor-by-name"],
)
def test_link_loops_do_not_hang_and_are_noted(project: Path, links: dict[str, str]) -> None:
    (project / "runbooks" / "sub").mkdir()
    for name, target in links.items():
        (project / name).symlink_to(target)
    lint, validate = both(project)  # run_cli gives up after 120 s: a hang fails the test
    assert lint.returncode == 0, out(lint)
    assert "in 1 runbook file" in lint.stdout
    assert "All 2 files valid." in out(validate)
    assert "skipped: a" in validate.stderr  # a loop, or a link to a folder read already


def test_a_broken_link_that_looks_like_a_runbook_is_noted(project: Path) -> None:
    (project / "runbooks" / "gone.yaml").symlink_to("removed.yaml")
    result = run_cli("validate", cwd=project)
    assert result.returncode == 0, out(result)
    assert "note: runbooks/gone.yaml: skipped: a symbolic link to " in result.stderr
    assert "removed.yaml, which does not exist" in result.stderr


# --- names that are skipped ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "reason"),
    [
        ("runbooks/.gift-cards.yaml", "a hidden file (its name starts with a dot)"),
        ("runbooks/Gift-Cards.YAML", "runbook names end in .yaml or .yml, in lower case"),
        ("runbooks/gift-cards.Yml", "runbook names end in .yaml or .yml, in lower case"),
        ("runbooks/gift-cards.yaml.bak", "runbook names end in .yaml or .yml"),
        ("runbooks/gift-cards.yaml~", "runbook names end in .yaml or .yml"),
    ],
)
def test_files_skipped_by_a_naming_rule_are_noted(project: Path, rel: str, reason: str) -> None:
    runbook_copy(project, rel, "gift-cards")
    lint, validate = both(project)
    assert lint.returncode == 0
    assert f"note: {rel}: skipped: {reason}" in lint.stdout
    assert f"note: {rel}: skipped: {reason}" in validate.stderr


@pytest.mark.parametrize(
    ("folder", "reason"),
    [
        (".drafts", "a hidden folder (its name starts with a dot)"),
        ("node_modules", "a tool's folder"),
        ("__pycache__", "a tool's folder"),
    ],
)
def test_skipped_folders_holding_runbooks_are_noted(
    project: Path, folder: str, reason: str
) -> None:
    runbook_copy(project, f"runbooks/{folder}/a.yaml", "a")
    runbook_copy(project, f"runbooks/{folder}/b.yml", "b")
    result = run_cli("validate", cwd=project)
    assert (
        f"note: runbooks/{folder}: skipped: {reason}; it holds 2 YAML files that are not read"
    ) in out(result)


def test_a_yaml_flag_file_among_runbooks_is_noted_as_not_a_runbook(project: Path) -> None:
    config = project / "rollbook.toml"
    config.write_text(
        config.read_text() + '\n[[sources]]\nkind = "list"\npaths = ["runbooks/features.yaml"]\n'
    )
    (project / "runbooks" / "features.yaml").write_text("- saved_search_alerts\n")
    result = run_cli("lint", cwd=project)
    assert (
        "note: runbooks/features.yaml: not read as a runbook: a feature source reads it"
    ) in out(result)


def test_ordinary_projects_get_no_notes(project: Path) -> None:
    (project / "runbooks" / "README.md").write_text("# Runbooks\n")
    (project / "runbooks" / "notes.txt").write_text("x\n")
    lint, validate = both(project)
    assert "note:" not in lint.stdout + lint.stderr
    assert "note:" not in validate.stderr


# --- feature sources ------------------------------------------------------------------------


def test_a_flag_file_link_outside_is_not_read(project: Path, tmp_path: Path) -> None:
    target = outside_file(tmp_path, "flags.flagd.json")
    target.write_text('{"flags": {"' + SECRET + '": {"state": "ENABLED"}}}')
    (project / "runbooks" / "leak.flagd.json").symlink_to(target)
    result = run_cli("lint", cwd=project)
    assert result.returncode == 0, out(result)
    assert SECRET not in out(result)
    assert f"note: runbooks/leak.flagd.json: skipped: a symbolic link to {target}, outside" in (
        result.stdout
    )


def test_a_named_flag_file_link_outside_is_not_read(project: Path, tmp_path: Path) -> None:
    target = outside_file(tmp_path, "list.txt")
    target.write_text(SECRET + "\n")
    (project / "features.txt").symlink_to(target)
    config = project / "rollbook.toml"
    config.write_text(
        config.read_text() + '\n[[sources]]\nkind = "list"\npaths = ["features.txt"]\n'
    )
    result = run_cli("lint", "--output-format", "github", cwd=project)
    assert SECRET not in out(result)
    assert "note: features.txt: skipped: a symbolic link to" in result.stdout


def test_a_code_source_survives_link_loops(project: Path) -> None:
    config = project / "rollbook.toml"
    config.write_text(config.read_text() + '\n[[sources]]\nkind = "code"\npaths = ["src/**/*"]\n')
    (project / "src" / "app").mkdir(parents=True)
    (project / "src" / "app" / "main.py").write_text('get_boolean_value("gift_cards", False)\n')
    (project / "src" / "app" / "again").symlink_to("..", target_is_directory=True)
    (project / "src" / "self").symlink_to(".", target_is_directory=True)
    result = run_cli("lint", cwd=project)
    assert result.returncode == 1, out(result)  # gift_cards has no runbook: found once
    assert out(result).count("deployable feature `gift_cards` (code) has no runbook") == 1
