"""The project as it was at a git ref, written to a temporary folder to be read like any other.

rollbook's readers (runbooks, teams, flag files, code) read files; rather than teach each of
them git, the project's folder at the ref is written out into a temporary folder, which is
removed afterwards. Only the project's own folder is written, not the whole repository.

What can go wrong is a usage error (exit 2) that says what to do: no git, not a repository,
an unknown ref, a shallow clone that lacks the ref or its history.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rollbook.config import ConfigError
from rollbook.lint.changes import SHALLOW_HINT


@dataclass(frozen=True)
class BaseTree:
    """The project at a ref: where it was written, the ref and the commit it names."""

    root: Path
    ref: str
    commit: str


def _git(cwd: Path, *args: str, text: bool = True) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=text,
            check=False,
            **({"encoding": "utf-8", "errors": "replace"} if text else {}),
        )
    except FileNotFoundError:
        raise ConfigError("rollbook diff needs git, and git is not installed") from None


def resolve_ref(root: Path, ref: str, option: str = "--base") -> tuple[Path, str]:
    """The repository's top folder and the commit ``ref`` names; ConfigError when unknowable."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise ConfigError(
            f"{option} needs a git repository; {root} is not in one (run `git init` and "
            "commit the runbooks, or run rollbook inside the repository)"
        )
    if not ref or ref.startswith("-"):
        raise ConfigError(f"{option} {ref!r}: a git ref cannot be empty or start with '-'")
    shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    verify = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if verify.returncode != 0:
        if shallow:
            raise ConfigError(
                f"{option} {ref}: this is a shallow clone and {ref} is not in it; {SHALLOW_HINT}"
            )
        hint = "try origin/main, HEAD~1 or a commit id"
        if ref.startswith("origin/"):
            hint = f"fetch it first: `git fetch origin {ref.removeprefix('origin/')}`"
        raise ConfigError(f"{option} {ref}: no such commit, branch or tag ({hint})")
    return Path(top.stdout.strip()).resolve(), verify.stdout.strip()


def merge_base(root: Path, commit: str, option: str = "--base") -> str:
    """Where HEAD left ``commit``: what a pull request is compared with."""
    shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    found = _git(root, "merge-base", commit, "HEAD")
    if found.returncode != 0:
        if shallow:
            raise ConfigError(
                f"{option}: this is a shallow clone without the history that joins the "
                f"base and HEAD; {SHALLOW_HINT}"
            )
        # No common history (an orphan branch): compare with the ref itself.
        return commit
    return found.stdout.strip()


def _write_tree(toplevel: Path, treeish: str, folder: Path, ref: str, option: str) -> None:
    """Write the regular files of ``treeish`` under ``folder``, exactly as committed.

    Read with ``ls-tree`` and ``cat-file`` rather than ``git archive``, which would leave
    out files marked ``export-ignore`` and rewrite ``export-subst`` ones. Symbolic links and
    submodules are skipped, as the loaders skip a link that leads outside the project.
    """
    listing = _git(toplevel, "ls-tree", "-r", "-z", treeish, text=False)
    if listing.returncode != 0:
        message = listing.stderr.decode("utf-8", "replace").strip()
        raise ConfigError(f"{option} {ref}: git could not read the tree: {message}")
    files: list[tuple[str, str]] = []
    for entry in filter(None, listing.stdout.split(b"\0")):
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, oid = meta.decode("ascii").split(" ")
        if kind != "blob" or mode == "120000":
            continue
        path = raw_path.decode("utf-8", "surrogateescape")
        parts = path.split("/")
        if any(p in ("", ".", "..") for p in parts):
            continue  # git refuses such names; never write outside the folder
        files.append((oid, path))
    if not files:
        return
    batch = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=toplevel,
        input="".join(f"{oid}\n" for oid, _ in files).encode("ascii"),
        capture_output=True,
        check=False,
    )
    if batch.returncode != 0:
        message = batch.stderr.decode("utf-8", "replace").strip()
        raise ConfigError(f"{option} {ref}: git could not read the files: {message}")
    data = batch.stdout
    pos = 0
    for _, path in files:
        header_end = data.index(b"\n", pos)
        size = int(data[pos:header_end].split(b" ")[2])
        content = data[header_end + 1 : header_end + 1 + size]
        pos = header_end + 1 + size + 1  # the content is followed by a newline
        target = folder.joinpath(*path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


@contextlib.contextmanager
def project_at(root: Path, ref: str, *, option: str = "--base") -> Iterator[BaseTree]:
    """The project folder ``root`` as it was at the merge base of ``ref`` and HEAD.

    Yields a :class:`BaseTree` whose folder is deleted when the block ends. A project folder
    that did not exist at the ref yields an empty folder (everything is new).
    """
    toplevel, commit = resolve_ref(root, ref, option)
    base = merge_base(root, commit, option)
    try:
        inside = root.resolve().relative_to(toplevel).as_posix()
    except ValueError:
        raise ConfigError(f"{root} is not inside the git repository {toplevel}") from None
    treeish = base if inside in ("", ".") else f"{base}:{inside}"
    with tempfile.TemporaryDirectory(prefix="rollbook-base-") as tmp:
        folder = Path(tmp) / "project"
        folder.mkdir()
        exists = _git(toplevel, "cat-file", "-e", treeish)
        if exists.returncode == 0:
            _write_tree(toplevel, treeish, folder, ref, option)
        yield BaseTree(folder, ref, base)
