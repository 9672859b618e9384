"""Run a function in a forked process with a generous time limit, for hostile-input tests.

The limit is not a measurement: a linear scan of the inputs these tests use takes a few
milliseconds, a backtracking one minutes or hours. Only the expiry of the limit fails a test,
never a duration compared with another.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any

import pytest

LIMIT = 15.0
"""Seconds: hundreds of times what the linear code needs, far below what a quadratic one does."""


def _child(conn, fn: Callable[..., Any], args: tuple) -> None:
    try:
        conn.send(("ok", fn(*args)))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def finishes(fn: Callable[..., Any], *args: Any, limit: float = LIMIT) -> Any:
    """``fn(*args)``, or a test failure when it has not returned within ``limit`` seconds."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(limit):
            pytest.fail(
                f"{getattr(fn, '__name__', fn)} did not finish within {limit:.0f} s on a hostile "
                "input: it backtracks (quadratic or worse) where it should read the text once"
            )
        status, value = receive.recv()
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receive.close()
    if status == "error":
        pytest.fail(f"{getattr(fn, '__name__', fn)} raised:\n{value}")
    return value
