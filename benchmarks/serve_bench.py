"""`rollbook serve`: how long from saving a runbook to the preview serving the edit.

Usage::

    python benchmarks/serve_bench.py [--size 10000] [--edits 3] [--keep DIR] [--port 8765]

Writes the corpus (benchmarks/make_corpus.py), starts ``rollbook serve`` on it and waits for
the first build. Then, ``--edits`` times: saves one runbook with a new sentence in its summary
and polls the runbook's served page every 20 ms until the sentence is there. Prints each
save-to-served time, and the median. The browser reloads when the server tells it a build
finished, so what a reader sees is this time plus one page load.

Every rebuild is ``rollbook build`` with the preview's build cache: the edited runbook's
page and the listings are rendered, every other page is reused. The numbers are the
machine's at the time; on a machine shared with other work they are noisy. Benchmarks print
figures; tests never assert wall-clock times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import generate  # noqa: E402 - a sibling script, not a package

POLL = 0.02


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, text: str, limit: float) -> float | None:
    """Seconds until the page at ``url`` holds ``text``, or None after ``limit`` seconds."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        body = fetch(url)
        if body is not None and text in body:
            return time.perf_counter() - start
        time.sleep(POLL)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", type=Path, help="keep the corpus here")
    parser.add_argument("--first-build-limit", type=float, default=1800.0)
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="rollbook-serve-bench-"))
    corpus = work / f"corpus-{args.size}"
    if not corpus.exists():
        generate(args.size, corpus)
    runbooks = sorted(p for p in (corpus / "runbooks").glob("*.yaml") if p.name != "teams.yaml")
    base = f"http://127.0.0.1:{args.port}/"
    print(f"{args.size} runbooks; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "rollbook", "serve", "--port", str(args.port)],
        cwd=corpus,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times: list[float] = []
    try:
        first = wait_for(base, "<html", args.first_build_limit)
        if first is None:
            raise SystemExit("the first build did not finish in time")
        print(f"first build and serve: {time.perf_counter() - start:.1f} s", flush=True)
        for i in range(args.edits):
            path = runbooks[(i * 7919) % len(runbooks)]
            page = f"{base}runbooks/{path.stem}/"
            token = f"Edited by the benchmark {time.time_ns()}."
            text = path.read_text(encoding="utf-8")
            saved = time.perf_counter()
            path.write_text(text.replace("summary: ", f"summary: {token} ", 1), encoding="utf-8")
            seen = wait_for(page, token, 600)
            if seen is None:
                print(f"edit {i + 1}: not served within 600 s", flush=True)
                continue
            times.append(time.perf_counter() - saved)
            print(f"edit {i + 1}: {path.name} served {times[-1]:.2f} s after saving", flush=True)
            time.sleep(1)  # let the server settle before the next save
        if times:
            print(
                f"median save-to-served: {statistics.median(times):.2f} s over {len(times)} edits"
            )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
