"""The one way rollbook runs work in parallel: forked workers that die with their parent.

The build and the linter fork workers after loading, so that the children share the
parent's memory copy-on-write; each worker sends one pickled result back through a pipe.
Everything about that lives here:

- :func:`fork_map` runs ``func(0)`` in this process and ``func(1)``... in forked workers,
  and :func:`forked` does the same while this process streams its own share (the linter);
- a worker that raises has its exception raised in the parent (the first, in worker order);
- a worker that dies without a word (``os._exit``, a signal, the out-of-memory killer) is a
  clear error naming how it died;
- an interrupt or any other exception in the parent kills and reaps every worker and closes
  every pipe: nothing is left behind;
- :class:`Worker` is the lower-level primitive, for a fork in the middle of someone else's
  code (the site's MkDocs plugin forks inside MkDocs' build).

A parent killed outright (SIGKILL, the out-of-memory killer, a CI job cancelled hard) runs
no cleanup, so its workers would carry on writing into a staging folder nobody will publish,
and hold its lock (see :mod:`rollbook.site.output`) so that the next build could not remove
it. :func:`fork_worker` forks a child that the kernel kills when its parent dies (Linux
``PR_SET_PDEATHSIG``); elsewhere the child watches its parent and exits when it is gone.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

T = TypeVar("T")

JOBS_ENV = "ROLLBOOK_JOBS"
MAX_JOBS = 4
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# How often a child without PR_SET_PDEATHSIG checks that its parent is alive.
WATCH_INTERVAL = 0.5

_prctl = None


class WorkerError(RuntimeError):
    """A worker died without a result, or raised what could not be sent to the parent."""


def default_jobs() -> int:
    """How many processes to use: ``$ROLLBOOK_JOBS``, else the usable cores (at most 4).

    One wherever forking is unsafe: without ``os.fork``, or with other threads running (the
    watcher and server of ``rollbook serve``), whose locks a forked child would inherit held.
    """
    from rollbook.config import ConfigError

    value = os.environ.get(JOBS_ENV, "").strip()
    if value:
        try:
            jobs = int(value)
        except ValueError:
            jobs = 0
        if jobs < 1:
            raise ConfigError(f"${JOBS_ENV}={value!r} is not a positive whole number")
    else:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        jobs = min(cores, MAX_JOBS)
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    return jobs


def _load_prctl():
    """libc's ``prctl``, loaded in the parent once (not in every child), or None."""
    global _prctl
    if _prctl is None and sys.platform.startswith("linux"):
        import ctypes  # here: a run that forks nothing (a warm lint) does not load it
        import ctypes.util

        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            _prctl = libc.prctl
        except (OSError, AttributeError):
            _prctl = False
    return _prctl or None


_INTERRUPTS = {signal.SIGINT, signal.SIGTERM}


def fork_worker() -> int:
    """``os.fork()``, with the child set to die when this process does.

    Returns the child's pid in the parent and 0 in the child, as ``os.fork`` does. Fork only
    from the main thread: Linux sends the signal when the *thread* that forked exits.
    """
    prctl = _load_prctl()
    parent = os.getpid()
    # An interrupt is held back while os.fork() runs its at-fork handlers (logging's lock
    # release among them): an exception raised there would be printed and ignored, and the
    # interrupted command would go on to exit 0. Held back, it is raised right after.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)
    try:
        pid = os.fork()
        if pid == 0:
            _die_with(parent, prctl)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return pid


def _die_with(parent: int, prctl) -> None:
    # Interrupted, a worker ends at once: the parent, interrupted too, does the cleaning up,
    # and a worker must never unwind into the parent's frames and run its cleanup.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    armed = False
    if prctl is not None:
        armed = prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    if not armed:
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    # The parent may have died between fork() and prctl(): the signal is then never sent.
    if os.getppid() != parent:
        os._exit(1)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_INTERVAL)
    os._exit(1)


class Failed:
    """What a worker sends instead of a result when it raised."""

    def __init__(self, error: BaseException):
        self.error = error


class Worker:
    """A forked child that reports one pickled result to its parent through a pipe.

    ``name`` says what the worker does in messages ("a build worker died ..."), and
    ``error`` is the exception class of those messages.
    """

    def __init__(self, pid: int, fd: int, name: str = "", error: type[Exception] = WorkerError):
        self.pid = pid
        self.fd = fd
        self.name = name
        self.error = error

    @classmethod
    def fork(
        cls, name: str = "", error: type[Exception] = WorkerError
    ) -> tuple[Worker | None, int]:
        """Fork: the parent gets the worker; the child gets None and the pipe to write to.

        The child dies with this process, and must end with :meth:`report`: it never
        returns into the caller's frames, whose cleanup is the parent's.
        """
        read, write = os.pipe()
        try:
            pid = fork_worker()
        except BaseException:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:
            os.close(read)
            return None, write
        os.close(write)
        return cls(pid, read, name, error), -1

    @staticmethod
    def report(
        fd: int,
        result: object,
        code: int = 0,
        *,
        name: str = "",
        error: type[Exception] = WorkerError,
    ) -> None:
        """In the child: send ``result`` and exit, without running the parent's cleanup.

        A :class:`Failed` result whose exception cannot be pickled and rebuilt is sent as
        ``error`` with the original's type and message.
        """
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            if isinstance(result, Failed):
                pickle.loads(data)  # some exceptions pickle but cannot be rebuilt
        except BaseException as exc:
            raised = result.error if isinstance(result, Failed) else exc
            failed = error(f"{_a(name)}worker failed: {type(raised).__name__}: {raised}")
            data = pickle.dumps(Failed(failed))
            code = 1
        try:
            with os.fdopen(fd, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(code)

    def result(self) -> object:
        """Wait for the child: its result (a :class:`Failed` if it raised), or ``error`` if it
        died without one."""
        with os.fdopen(self.fd, "rb") as pipe:
            self.fd = -1
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if not data:
            raise self.error(f"{_a(self.name)}worker died ({_describe(status)})")
        return pickle.loads(data)

    def kill(self) -> None:
        """Kill and reap the child if it still runs, and close its pipe."""
        if self.pid:
            with suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = 0
        if self.fd >= 0:
            with suppress(OSError):
                os.close(self.fd)
            self.fd = -1


def _a(name: str) -> str:
    return f"a {name} " if name else "a "


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


class Workers:
    """Workers started by :func:`forked`, read back in order with :meth:`results`."""

    def __init__(self, workers: list[Worker]):
        self._workers = workers

    def results(self) -> Iterator[object]:
        """Each worker's result, in worker order; a worker's exception is raised as it comes."""
        for worker in self._workers:
            result = worker.result()
            if isinstance(result, Failed):
                raise result.error
            yield result

    def kill(self) -> None:
        for worker in self._workers:
            worker.kill()


@contextmanager
def forked(
    func: Callable[[int], T],
    indices: Iterable[int],
    *,
    name: str = "",
    error: type[Exception] = WorkerError,
) -> Iterator[Workers]:
    """Fork one worker per index, each computing ``func(index)``; yields the workers.

    On leaving the block, normally or not (an exception, an interrupt), every worker still
    running is killed and reaped and every pipe closed.
    """
    started: list[Worker] = []
    workers = Workers(started)
    try:
        for index in indices:
            worker, fd = Worker.fork(name, error)
            if worker is None:
                try:
                    result: object = func(index)
                except BaseException as exc:
                    Worker.report(fd, Failed(exc), 1, name=name, error=error)
                Worker.report(fd, result, name=name, error=error)
            started.append(worker)
        yield workers
    finally:
        workers.kill()


def fork_map(
    func: Callable[[int], T],
    jobs: int,
    *,
    name: str = "",
    error: type[Exception] = WorkerError,
) -> list[T]:
    """``[func(0), ..., func(jobs - 1)]``: ``func(0)`` here, the others in forked workers.

    Results come back pickled; a worker's exception is raised here (the first, in worker
    order), and a worker that dies without a word is ``error``. Workers never return into
    the caller's frames: a forked child must not run the parent's cleanup.
    """
    with forked(func, range(1, max(1, jobs)), name=name, error=error) as workers:
        results = [func(0)]
        results.extend(workers.results())  # type: ignore[arg-type]
    return results
