"""Compare `rollbook lint` and `rollbook build` at a baseline git revision with this tree.

Usage::

    python benchmarks/revision_bench.py --base REF [--n 10000] [--rounds 2] [--keep DIR]

Issue 14 (the architecture change) asked that lint and build at 10,000 runbooks be no slower
than before. This script checks the baseline revision out into a temporary git worktree, runs
it from its own ``src/`` and ``templates/`` with this environment's packages (the changes
under test add no package the baseline lacks), and runs both on the same corpus, alternating
baseline and current in each round so that a busy machine slows both alike. It prints each
round and the best of each, side by side, with the ratio current / baseline.

Benchmarks print figures; tests never assert wall-clock times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from make_corpus import generate  # noqa: E402 - a sibling script, not a package


def measure(src: Path, args: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of ``rollbook ARGS`` run from ``src``."""
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["PYTHONPATH"] = str(src)
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "rollbook", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read(2000).decode("utf-8", "replace").strip()
    if code not in (0, 1):
        print(f"  (rollbook {' '.join(args)} exited {code}: {text[:300]})", file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the baseline revision (a git ref)")
    parser.add_argument("--n", type=int, default=10_000, help="runbooks (default 10,000)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="rollbook-revbench-"))
    base_tree = work / "base"
    try:
        add = ["worktree", "add", "--detach", "-q", str(base_tree), args.base]
        subprocess.run(["git", "-C", str(REPO), *add], check=True)
        corpus = args.keep or work / "corpus"
        if not (corpus / "rollbook.toml").is_file():
            generate(args.n, corpus)
        trees = {"baseline": base_tree / "src", "current": REPO / "src"}
        commands = {"lint": ["lint", "--output-format", "json"], "build": ["build"]}
        best: dict[tuple[str, str], tuple[float, float]] = {}
        print(f"{args.n:,} runbooks; baseline {args.base}; {os.cpu_count()} cores")
        for rnd in range(1, args.rounds + 1):
            for name, cmd in commands.items():
                for label, src in trees.items():
                    if name == "build":
                        shutil.rmtree(corpus / "site", ignore_errors=True)
                    wall, rss, code = measure(src, cmd, corpus)
                    print(
                        f"round {rnd}  {name:5} {label:8}  {wall:7.2f} s  {rss:7.0f} MB"
                        f"  exit {code}"
                    )
                    old = best.get((name, label))
                    if old is None or wall < old[0]:
                        best[(name, label)] = (wall, rss)
        print("\nbest of each      baseline          current          current/baseline")
        for name in commands:
            bw, brss = best[(name, "baseline")]
            cw, crss = best[(name, "current")]
            print(
                f"{name:5}  {bw:8.2f} s {brss:6.0f} MB  {cw:8.2f} s {crss:6.0f} MB"
                f"   {cw / bw:5.2f}x time  {crss / brss:5.2f}x memory"
            )
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(base_tree)],
            check=False,
        )
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
