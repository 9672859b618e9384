"""An interrupted build leaves nothing behind: its forked workers die with it, and whatever it
had written beside the output is removed by the next build (or at once, on SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rollbook.site.output import MARKER, building_prefix, locked_folder, remove_leftovers
from tests.site.sitetools import REPO, make_project

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc to find the workers"
)


def children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid``."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    """Running or stopped, not dead and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_until(condition, timeout: float = 60.0, step: float = 0.005) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@contextmanager
def reaping(pids: set[int]) -> Iterator[set[int]]:
    """Kill whatever of ``pids`` is still alive at the end, so a failing test leaks nothing."""
    try:
        yield pids
    finally:
        for pid in pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src"), **extra}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    # Enough runbooks that MkDocs' pages are split between two workers.
    return make_project(tmp_path / "project", extra_runbooks=120)


def start_build(project: Path, out: Path) -> subprocess.Popen:
    # Output to a file, not a pipe: a worker that outlived the build would hold a pipe open.
    log = (out.parent / "build.log").open("w")
    try:
        # --no-cache: a build over an earlier one would otherwise reuse its pages and
        # fork no page workers to catch.
        return subprocess.Popen(
            [sys.executable, "-m", "rollbook", "build", "--no-cache", "--out", str(out)],
            cwd=project,
            env=env(ROLLBOOK_JOBS="2"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    finally:
        log.close()


def build_log(out: Path) -> str:
    log = out.parent / "build.log"
    text = log.read_text(encoding="utf-8")
    log.unlink()
    return text


def catch_workers(build: subprocess.Popen, out: Path) -> set[int]:
    """Wait until the build is writing its pages with workers; their pids."""
    workers: set[int] = set()

    def writing() -> bool:
        if build.poll() is not None:
            return True
        if leftovers(out.parent):
            workers.update(children(build.pid))
        return bool(workers)

    assert wait_until(writing), "the build never forked its page workers"
    assert build.poll() is None, build_log(out)
    return workers


def test_a_killed_build_leaves_no_worker_and_the_next_build_cleans_up(
    project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    first = subprocess.run(
        [sys.executable, "-m", "rollbook", "build", "--out", str(out)],
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0, first.stderr
    before = tree(out)
    build = start_build(project, out)
    with reaping(catch_workers(build, out)) as workers:
        # Stopped, a worker that outlived its parent would stay for good; one set to die
        # with its parent is killed all the same.
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        build.kill()
        build.wait()
        build_log(out)
        assert wait_until(lambda: not any(alive(pid) for pid in workers), timeout=30)
    left = leftovers(tmp_path)
    assert left and left[0].startswith(building_prefix(out)), left
    assert tree(out) == before  # the killed build never touched the site

    again = subprocess.run(
        [sys.executable, "-m", "rollbook", "build", "--out", str(out)],
        cwd=project,
        env=env(ROLLBOOK_JOBS="2"),
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]
    assert not [p for p in out.rglob("*") if ".building-" in p.name or p.name == "scratch"]


def test_a_terminated_build_cleans_up_at_once(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build = start_build(project, out)
    with reaping(catch_workers(build, out)) as workers:
        build.send_signal(signal.SIGTERM)
        build.wait(timeout=60)
        output = build_log(out)
        assert build.returncode == 128 + signal.SIGTERM, output
        assert "Terminated." in output
        assert wait_until(lambda: not any(alive(pid) for pid in workers), timeout=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


POOLS = {
    # Each starts three workers that would sleep for a minute, and prints their pids.
    "site": r"""
        from rollbook.parallel import fork_map
        def work(index):
            if index:
                os.write(1, f"{os.getpid()}\n".encode())
            time.sleep(60)
        fork_map(work, 3)
    """,
    "lint": r"""
        from pathlib import Path
        from rollbook.lint.engine import _scan_all
        parent = os.getpid()
        def scan(path):
            if os.getpid() != parent:
                os.write(1, f"{os.getpid()}\n".encode())
            time.sleep(60)
        list(_scan_all([Path(f"{i}.yaml") for i in range(60)], scan, 3))
    """,
}


@pytest.mark.parametrize("death", ["prctl", "watch"])
@pytest.mark.parametrize("pool", sorted(POOLS))
def test_workers_of_either_pool_die_with_their_parent(pool: str, death: str) -> None:
    script = "import os, time\n"
    if death == "watch":  # as where PR_SET_PDEATHSIG does not exist: the child watches
        script += "import rollbook.parallel as w\nw._load_prctl = lambda: None\n"
    script += textwrap.dedent(POOLS[pool])
    parent = subprocess.Popen(
        [sys.executable, "-c", script], env=env(), stdout=subprocess.PIPE, text=True
    )
    workers: set[int] = set()
    with reaping(workers):
        assert parent.stdout is not None
        for _ in range(2):
            workers.add(int(parent.stdout.readline()))
        assert all(alive(pid) for pid in workers)
        parent.kill()
        parent.wait()
        assert wait_until(lambda: not any(alive(pid) for pid in workers), timeout=10)


def hold_lock(folder: Path) -> subprocess.Popen:
    """Another process holding ``folder``'s lock, as a running build holds its folder."""
    script = (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(folder)!r}, os.O_RDONLY)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_only_folders_nobody_holds_are_removed(tmp_path: Path) -> None:
    prefix = ".site.building-"
    stale = tmp_path / f"{prefix}abcd1234"
    running = tmp_path / f"{prefix}efgh5678"
    for folder in (stale, running):
        (folder / "site").mkdir(parents=True)
        (folder / "site" / "index.html").write_text("x")
    # Not a build's folder: another name, or not rollbook's random part.
    mine = [tmp_path / f"{prefix}notes", tmp_path / ".site.building-ABCDEFGH", tmp_path / "site"]
    for folder in mine:
        folder.mkdir()
    (tmp_path / f"{prefix}zzzz9999").write_text("a file, not a folder")
    holder = hold_lock(running)
    try:
        assert remove_leftovers(tmp_path, prefix) == [stale]
        assert running.is_dir() and all(folder.is_dir() for folder in mine)
        assert (tmp_path / f"{prefix}zzzz9999").is_file()
    finally:
        holder.kill()
        holder.wait()
    assert remove_leftovers(tmp_path, prefix) == [running]


def test_a_site_moved_aside_by_a_killed_build_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "site"
    left = tmp_path / f"{building_prefix(out)}abcd1234"
    (left / "previous").mkdir(parents=True)
    (left / "previous" / MARKER).write_text("{}")
    (left / "previous" / "index.html").write_text("the last good site")
    (left / "site").mkdir()  # the new one, half written
    with locked_folder(tmp_path, building_prefix(out), restore=out) as work:
        assert work != left and not left.exists()
        assert (out / "index.html").read_text() == "the last good site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_build_stopped_by_errors_still_puts_back_a_site_moved_aside(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    (root / "runbooks" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    out = tmp_path / "site"
    left = tmp_path / f"{building_prefix(out)}abcd1234"
    (left / "previous").mkdir(parents=True)
    (left / "previous" / MARKER).write_text("{}")
    (left / "previous" / "index.html").write_text("the last good site")
    result = subprocess.run(
        [sys.executable, "-m", "rollbook", "build", "--out", str(out)],
        cwd=root,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    assert (out / "index.html").read_text() == "the last good site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]
