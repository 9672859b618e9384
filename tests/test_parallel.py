"""The one way rollbook runs work in parallel (rollbook.parallel): results come back in worker
order, a worker's exception is raised in the parent, a worker that dies is a clear error, and
an interrupt in the parent leaves no worker and no pipe behind."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from rollbook.parallel import WorkerError, fork_map, forked

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forks workers")


def open_fds() -> set[int]:
    return (
        {int(fd) for fd in os.listdir("/proc/self/fd")} if Path("/proc/self/fd").is_dir() else set()
    )


def gone(pid: int) -> bool:
    """True once ``pid`` is neither running nor a zombie waiting for this process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("jobs", [1, 2, 4, 7])
def test_results_in_worker_order(jobs: int) -> None:
    # Later workers finish first: the order is still the workers', not their finishing order.
    def work(index: int) -> list[object]:
        time.sleep(0.05 * (jobs - index))
        return [index, os.getpid(), {"square": index * index}]

    results = fork_map(work, jobs)
    assert [r[0] for r in results] == list(range(jobs))
    assert [r[2] for r in results] == [{"square": i * i} for i in range(jobs)]
    assert results[0][1] == os.getpid()
    assert len({r[1] for r in results}) == jobs  # each share ran in its own process


def test_results_are_the_workers_own_memory() -> None:
    # Loaded before forking, a big object is read by every worker without being sent to it.
    data = list(range(200_000))
    assert fork_map(lambda i: sum(data[i::3]), 3) == [sum(data[i::3]) for i in range(3)]


class Custom(Exception):
    def __init__(self, code: int, text: str):
        super().__init__(code, text)
        self.code = code


class Unbuildable(Exception):
    """Pickles, but cannot be rebuilt from its pickle (a required argument is missing)."""

    def __init__(self, code: int, text: str):
        super().__init__(text)


@pytest.mark.parametrize(
    ("error", "raised", "match"),
    [
        (ValueError("worker one broke"), ValueError, "worker one broke"),
        (Custom(7, "custom"), Custom, "custom"),
        (KeyError("missing"), KeyError, "missing"),
        (Unbuildable(3, "cannot rebuild"), WorkerError, r"worker failed: Unbuildable: cannot"),
    ],
)
def test_a_workers_exception_is_raised_in_the_parent(
    error: Exception, raised: type[Exception], match: str
) -> None:
    def work(index: int) -> int:
        if index == 2:
            raise error
        return index

    with pytest.raises(raised, match=match) as caught:
        fork_map(work, 4)
    if isinstance(error, Custom):
        assert caught.value.code == 7


def test_the_first_failing_worker_in_worker_order_wins() -> None:
    # Worker 3 fails at once, worker 1 later: worker 1's error is the one raised.
    def work(index: int) -> int:
        if index == 1:
            time.sleep(0.2)
            raise ValueError("from worker one")
        if index == 3:
            raise ValueError("from worker three")
        return index

    with pytest.raises(ValueError, match="from worker one"):
        fork_map(work, 4)


def test_the_parents_own_exception_comes_first_and_kills_the_workers(tmp_path: Path) -> None:
    pids = tmp_path / "pids"

    def work(index: int) -> int:
        if index == 0:
            wait_for_lines(pids, 2)
            raise ValueError("parent broke")
        with pids.open("a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(60)
        return index

    with pytest.raises(ValueError, match="parent broke"):
        fork_map(work, 3)
    assert all(gone(int(pid)) for pid in pids.read_text().split())


@pytest.mark.parametrize(
    ("death", "described"),
    [
        (lambda: os._exit(0), "exit status 0"),
        (lambda: os._exit(3), "exit status 3"),
        (lambda: os.kill(os.getpid(), signal.SIGKILL), f"killed by signal {int(signal.SIGKILL)}"),
        (lambda: os.kill(os.getpid(), signal.SIGTERM), f"killed by signal {int(signal.SIGTERM)}"),
    ],
    ids=["exit-0", "exit-3", "sigkill", "sigterm"],
)
def test_a_worker_that_dies_is_a_clear_error(death, described: str) -> None:
    def work(index: int) -> int:
        if index == 1:
            death()
        return index

    with pytest.raises(WorkerError, match=rf"a build worker died \({described}\)"):
        fork_map(work, 3, name="build")


def test_the_caller_chooses_the_error_class() -> None:
    class BuildFailed(Exception):
        pass

    with pytest.raises(BuildFailed, match=r"a lint worker died \(exit status 9\)"):
        fork_map(lambda i: os._exit(9) if i else 0, 2, name="lint", error=BuildFailed)


def wait_for_lines(path: Path, count: int, timeout: float = 20) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = path.read_text().split() if path.exists() else []
        if len(lines) >= count:
            return lines
        time.sleep(0.01)
    raise AssertionError(f"only {path.read_text() if path.exists() else ''!r} after {timeout} s")


@pytest.mark.parametrize("where", ["fork_map", "forked"])
def test_an_interrupt_in_the_parent_leaves_no_worker_and_no_pipe(
    tmp_path: Path, where: str
) -> None:
    pids = tmp_path / "pids"
    before = open_fds()

    def work(index: int) -> int:
        with pids.open("a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(60)
        return index

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    # Ctrl-C as the parent sees it, while it waits on its workers.
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with pytest.raises(KeyboardInterrupt):
            if where == "fork_map":

                def mine(index: int) -> int:
                    if index == 0:
                        wait_for_lines(pids, 3)
                        signal.setitimer(signal.ITIMER_REAL, 0.05)
                        time.sleep(60)
                    return work(index)

                fork_map(mine, 4)
            else:
                with forked(work, range(1, 4)) as workers:
                    wait_for_lines(pids, 3)
                    signal.setitimer(signal.ITIMER_REAL, 0.05)
                    list(workers.results())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    workers_seen = [int(pid) for pid in pids.read_text().split()]
    assert len(workers_seen) == 3
    # Killed and reaped before the interrupt reached the caller: no zombie, nothing running.
    assert all(gone(pid) for pid in workers_seen)
    assert open_fds() == before


def test_a_worker_never_returns_into_the_callers_frames(tmp_path: Path) -> None:
    # A worker's cleanup must not run the parent's: a `finally` around the pool runs once.
    ran = tmp_path / "cleanup"

    try:
        fork_map(lambda i: i, 3)
    finally:
        with ran.open("a") as f:
            f.write(f"{os.getpid()}\n")
    assert ran.read_text().split() == [str(os.getpid())]


def test_a_worker_killed_by_the_interrupt_of_its_group_is_reported(tmp_path: Path) -> None:
    # Ctrl-C reaches every process of the terminal's group: a worker ends at once (it never
    # unwinds into the parent's frames) and the parent, if it did not see the interrupt,
    # says how its worker ended.
    def work(index: int) -> int:
        if index == 1:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        return index

    with pytest.raises(WorkerError, match=rf"killed by signal {int(signal.SIGINT)}"):
        fork_map(work, 2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_no_pipe_is_left_open_after_a_failure() -> None:
    before = open_fds()
    with pytest.raises(WorkerError):
        fork_map(lambda i: os._exit(1) if i == 2 else i, 4)
    with pytest.raises(ValueError):
        fork_map(lambda i: (_ for _ in ()).throw(ValueError("x")) if i == 1 else i, 4)
    assert fork_map(lambda i: i, 4) == [0, 1, 2, 3]
    assert open_fds() == before
