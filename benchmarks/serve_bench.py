"""`rollbook serve`: how long from saving a runbook to the preview serving the edit.

Usage::

    python benchmarks/serve_bench.py [--size 10000] [--edits 3] [--keep DIR] [--port 8765]
                                     [--no-hugo]

Writes the corpus (benchmarks/make_corpus.py), starts ``rollbook serve`` on it and waits for
the first build. Then, ``--edits`` times: saves one runbook with a new sentence in its summary
and polls the runbook's served page every 20 ms until the sentence is there. Prints each
save-to-served time, and the median; for rollbook also the time until the rebuild of the
whole site (listings, search) finished, read from what ``serve`` prints. ``serve`` writes
the edited runbook's page first and reloads the browser (commands/serve_quick.py), then
rebuilds the rest and reloads it again: what a reader sees is the first time plus one page
load.

The peer, in the same run: ``hugo server`` (Debian's Hugo, as in benchmarks/hugo_bench.py,
with its minimal theme) on the same corpus turned into a Hugo site, the same runbooks edited
the same way; then the ratio of the medians, rollbook/Hugo. Hugo serves from memory and
re-renders only what an edit touches (its default "fast render" mode). ``--no-hugo`` skips it.

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

from hugo_bench import hugo_binary, hugo_site  # noqa: E402 - a sibling script
from installed import compile_rollbook  # noqa: E402 - a sibling script
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


def save_and_wait(
    path: Path, page: str, limit: float = 600, rebuilt=None
) -> tuple[float | None, float | None]:
    """Save ``path`` with a new sentence in its summary; seconds until ``page`` shows it,
    and (with ``rebuilt``, which says whether a new build has finished since it was last
    asked) until the rebuild of the whole site finished."""
    token = f"Edited by the benchmark {time.time_ns()}."
    text = path.read_text(encoding="utf-8")
    if rebuilt is not None:
        rebuilt()
    saved = time.perf_counter()
    path.write_text(text.replace("summary: ", f"summary: {token} ", 1), encoding="utf-8")
    seen = wait_for(page, token, limit)
    if seen is None:
        return None, None
    shown = time.perf_counter() - saved
    if rebuilt is None:
        return shown, None
    while time.perf_counter() - saved < limit:
        if rebuilt():
            return shown, time.perf_counter() - saved
        time.sleep(POLL)
    return shown, None


def build_counter(log: Path, marker: str):
    """Whether ``log`` says ``marker`` more often than when last asked."""
    seen = [0]

    def rebuilt() -> bool:
        count = log.read_text(encoding="utf-8", errors="replace").count(marker)
        new = count > seen[0]
        seen[0] = count
        return new

    return rebuilt


def measure_server(
    name: str,
    command: list[str],
    cwd: Path,
    base: str,
    files: list[Path],
    page_of,
    edits: int,
    first_limit: float,
    built_marker: str | None = None,
) -> tuple[list[float], list[float]]:
    """Start a preview server, wait for its first build, then time ``edits`` saves: until
    the edited page is served, and (with ``built_marker``, what the server prints when a
    build ends) until the whole site is rebuilt."""
    start = time.perf_counter()
    log = cwd.parent / f"{name.replace(' ', '-')}.log"  # in the benchmark's folder
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    rebuilt = build_counter(log, built_marker) if built_marker else None
    times: list[float] = []
    whole: list[float] = []
    try:
        if wait_for(base, "<html", first_limit) is None:
            raise SystemExit(f"{name}: the first build did not finish in time")
        print(f"{name}: first build and serve {time.perf_counter() - start:.1f} s", flush=True)
        time.sleep(1)
        for i in range(edits):
            path = files[(i * 7919) % len(files)]
            took, done = save_and_wait(path, page_of(path), rebuilt=rebuilt)
            if took is None:
                print(f"{name} edit {i + 1}: not served within 600 s", flush=True)
                continue
            times.append(took)
            line = f"{name} edit {i + 1}: {path.name} served {took:.2f} s after saving"
            if done is not None:
                whole.append(done)
                line += f"; the whole site rebuilt {done:.2f} s after saving"
            print(line, flush=True)
            time.sleep(1)  # let the server settle before the next save
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        print(f"{name}: its output is in {log}", flush=True)  # kept with --keep
    return times, whole


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", type=Path, help="keep the corpus here")
    parser.add_argument("--first-build-limit", type=float, default=1800.0)
    parser.add_argument("--no-hugo", action="store_true", help="skip the `hugo server` peer")
    args = parser.parse_args(argv)
    compile_rollbook()
    work = args.keep or Path(tempfile.mkdtemp(prefix="rollbook-serve-bench-"))
    corpus = work / f"corpus-{args.size}"
    if not corpus.exists():
        generate(args.size, corpus)
    runbooks = sorted(p for p in (corpus / "runbooks").glob("*.yaml") if p.name != "teams.yaml")
    print(f"{args.size} runbooks; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    try:
        base = f"http://127.0.0.1:{args.port}/"
        mine, mine_whole = measure_server(
            "rollbook serve",
            [sys.executable, "-m", "rollbook", "serve", "--port", str(args.port)],
            corpus,
            base,
            runbooks,
            lambda path: f"{base}runbooks/{path.stem}/",
            args.edits,
            args.first_build_limit,
            built_marker="built ",
        )
        peer: list[float] = []
        if not args.no_hugo:
            hugo = hugo_binary()
            site = hugo_site(corpus, work / f"hugo-{args.size}")
            pages = sorted((site / "content" / "runbooks").glob("*.md"))
            pages = [p for p in pages if p.name != "_index.md"]
            hugo_base = f"http://127.0.0.1:{args.port + 1}/"
            command = [hugo, "server", "--bind", "127.0.0.1", "--port", str(args.port + 1)]
            command += ["--baseURL", hugo_base, "--appendPort=false"]
            peer, _ = measure_server(
                "hugo server",
                command,
                site,
                hugo_base,
                pages,
                lambda path: f"{hugo_base}runbooks/{path.stem}/",
                args.edits,
                args.first_build_limit,
            )
        if mine:
            line = f"median save-to-served: rollbook {statistics.median(mine):.2f} s"
            line += f" over {len(mine)} edits"
            if mine_whole:
                line += f" (whole site rebuilt: {statistics.median(mine_whole):.2f} s)"
            if peer:
                hugo_median = statistics.median(peer)
                line += f"; hugo server {hugo_median:.2f} s over {len(peer)} edits"
                line += f"; rollbook/hugo {statistics.median(mine) / hugo_median:.2f}x"
            print(line, flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
