"""Forked workers that die with their parent.

The build and the linter fork workers to use every core. A parent killed outright (SIGKILL,
the out-of-memory killer, a CI job cancelled hard) runs no cleanup, so its workers would
carry on writing into a staging folder nobody will publish, and hold its lock (see
:mod:`rollbook.site.output`) so that the next build could not remove it. :func:`fork_worker` forks
a child that the kernel kills when its parent dies (Linux ``PR_SET_PDEATHSIG``); elsewhere
the child watches its parent and exits when it is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# How often a child without PR_SET_PDEATHSIG checks that its parent is alive.
WATCH_INTERVAL = 0.5

_prctl = None


def _load_prctl():
    """libc's ``prctl``, loaded in the parent once (not in every child), or None."""
    global _prctl
    if _prctl is None and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            _prctl = libc.prctl
        except (OSError, AttributeError):
            _prctl = False
    return _prctl or None


def fork_worker() -> int:
    """``os.fork()``, with the child set to die when this process does.

    Returns the child's pid in the parent and 0 in the child, as ``os.fork`` does. Fork only
    from the main thread: Linux sends the signal when the *thread* that forked exits.
    """
    prctl = _load_prctl()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        _die_with(parent, prctl)
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
