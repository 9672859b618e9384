"""The Hugo peer: `rollbook build` beside Hugo rendering the same corpus, in one run.

Usage::

    python benchmarks/hugo_bench.py [--sizes 10000] [--runs 2] [--keep DIR] [--no-incremental]
    python benchmarks/hugo_bench.py --incremental-only --keep DIR [--sizes 10000] [--runs 3]

For each size, writes the corpus (benchmarks/make_corpus.py), turns it into a Hugo site (every
runbook's YAML becomes the front matter of a content file, the teams file a data file; the
conversion is not timed) with the minimal theme in benchmarks/hugo_theme/, then builds both,
interleaved run by run (Hugo, rollbook, Hugo, rollbook, ...) so that a machine whose load
changes during the run treats both alike. Every rollbook run is a cold full build: its build
cache (.rollbook-cache) is deleted first. Prints, per run and as medians: wall time, CPU time
(user + system, of the process and every worker it forked) and peak memory (largest single
process: rollbook's forked workers share most of their memory with the parent), and the
ratios rollbook/Hugo.

Then, unless ``--no-incremental``, the incremental scenario: one runbook edited in the built
project and ``rollbook build`` again (the build cache reuses every unchanged page), beside
Hugo's own rebuild, which renders everything again.

``--incremental-only`` runs the incremental scenario alone, without Hugo: in the ``--keep``
folder of an earlier run (or a new one, whose corpus is then written and built once, untimed),
``--runs`` edits, each followed by a measured ``rollbook build``. The first builds after a
cold build are the slowest (the site before last is not there yet to take folders from):
each run is printed, then the median.

Hugo is Debian's package (``apt-get install hugo``; 0.111.3 on Debian 12). When it is missing
and the script runs as root, it installs it with apt-get; otherwise it says how to. The
numbers are the machine's at the time: on a machine shared with other work they are noisy;
run with ``--runs 3`` or more and read the medians. Benchmarks print figures; tests never
assert wall-clock times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from installed import compile_rollbook  # noqa: E402 - a sibling script
from make_corpus import generate  # noqa: E402 - a sibling script, not a package

THEME = HERE / "hugo_theme"
EPOCH = "1780000000"

HUGO_CONFIG = """\
baseURL = "/"
title = "Benchmark corpus"
theme = "rollbook-bench"
disableKinds = ["RSS"]
[taxonomies]
tag = "tags"
owner = "owner"
"""


@dataclass
class Run:
    """One measured process: wall seconds, CPU seconds, peak memory of its largest process."""

    wall: float
    cpu: float
    peak_mb: float


def hugo_binary() -> str:
    """Debian's hugo, installed with apt-get when missing and allowed to."""
    found = shutil.which("hugo")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("hugo is not installed: apt-get install -y hugo", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", "hugo"], check=True, env=env)
        found = shutil.which("hugo")
        if found:
            return found
    raise SystemExit(
        "hugo is not installed: install Debian's package as root (`apt-get install hugo`; "
        "0.111.3 on Debian 12) and run the benchmark again"
    )


def hugo_site(corpus: Path, dest: Path) -> Path:
    """The corpus as a Hugo site: each runbook's YAML as the front matter of a page."""
    shutil.rmtree(dest, ignore_errors=True)
    content = dest / "content" / "runbooks"
    content.mkdir(parents=True)
    (dest / "data").mkdir()
    shutil.copytree(THEME, dest / "themes" / "rollbook-bench")
    (dest / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for path in sorted((corpus / "runbooks").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if path.name == "teams.yaml":
            (dest / "data" / "teams.yaml").write_text(text, encoding="utf-8")
            continue
        (content / f"{path.stem}.md").write_text(f"---\n{text}---\n", encoding="utf-8")
    (content / "_index.md").write_text("---\ntitle: Runbooks\n---\n", encoding="utf-8")
    return dest


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` and measure it: wall time, CPU of it and every child it waited for,
    and the peak resident memory of the largest of them (``wait4``'s rusage)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    out = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    err = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{out}{err}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def run_hugo(hugo: str, site: Path) -> Run:
    shutil.rmtree(site / "public", ignore_errors=True)
    return measure([hugo, "--quiet", "--destination", str(site / "public")], cwd=site)


def rollbook_env() -> dict[str, str]:
    return dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)


def run_rollbook(corpus: Path, out: Path, *, cold: bool = True) -> Run:
    if cold:
        shutil.rmtree(corpus / ".rollbook-cache", ignore_errors=True)
    command = [sys.executable, "-m", "rollbook", "build", "--out", str(out)]
    return measure(command, cwd=corpus, env=rollbook_env())


def edit_one(corpus: Path, n: int) -> None:
    """Change one runbook's summary, as a person editing it would."""
    runbooks = sorted(p for p in (corpus / "runbooks").glob("*.yaml") if p.name != "teams.yaml")
    path = runbooks[n % len(runbooks)]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: ", f"summary: Edit {n}. ", 1), encoding="utf-8")


def show(name: str, n: int, run: Run) -> None:
    print(f"{name:<24}{n:>9}{run.wall:>9.2f}{run.cpu:>9.2f}{run.peak_mb:>9.0f}", flush=True)


def medians(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.peak_mb for r in runs),
    )


def incremental_only(work: Path, sizes: list[int], runs: int) -> int:
    """The incremental scenario alone: edit one runbook, build; ``runs`` times per size."""
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    header = f"{'build':<24}{'runbooks':>9}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}"
    for n in sizes:
        corpus = work / f"corpus-{n}"
        out = work / f"rollbook-{n}" / "site"
        if not corpus.exists():
            generate(n, corpus)
        out.parent.mkdir(parents=True, exist_ok=True)
        print(header)
        print("-" * len(header))
        if not (out / ".rollbook-site").exists():
            show("rollbook (cold, setup)", n, run_rollbook(corpus, out))
        done = []
        for i in range(runs):
            edit_one(corpus, i)
            done.append(run_rollbook(corpus, out, cold=False))
            show("rollbook (one edited)", n, done[-1])
        median = medians(done)
        print(
            f"median of {runs}: incremental build {median.wall:.2f} s wall, "
            f"{median.cpu:.2f} s CPU, peak {median.peak_mb:.0f} MB",
            flush=True,
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--runs", type=int, default=1, help="interleaved runs of each")
    parser.add_argument("--keep", type=Path, help="keep corpora and sites here")
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument(
        "--incremental-only",
        action="store_true",
        help="only the incremental scenario, in the --keep folder (no Hugo)",
    )
    args = parser.parse_args(argv)
    compile_rollbook()
    if args.incremental_only:
        if args.keep is None:
            parser.error("--incremental-only needs --keep DIR (the corpus and its site)")
        return incremental_only(args.keep, args.sizes, args.runs)
    hugo = hugo_binary()
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()
    print(f"{version}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="rollbook-hugo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    header = f"{'build':<24}{'runbooks':>9}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}"
    try:
        for n in args.sizes:
            corpus = work / f"corpus-{n}"
            if not corpus.exists():
                generate(n, corpus)
            site = hugo_site(corpus, work / f"hugo-{n}")
            out = work / f"rollbook-{n}" / "site"
            out.parent.mkdir(exist_ok=True)
            print(header)
            print("-" * len(header))
            hugo_runs, rollbook_runs = [], []
            for _ in range(args.runs):
                hugo_runs.append(run_hugo(hugo, site))
                show("hugo", n, hugo_runs[-1])
                rollbook_runs.append(run_rollbook(corpus, out))
                show("rollbook (cold)", n, rollbook_runs[-1])
            h, r = medians(hugo_runs), medians(rollbook_runs)
            print(
                f"median of {args.runs}: hugo {h.wall:.2f} s, rollbook {r.wall:.2f} s; "
                f"rollbook/hugo wall {r.wall / h.wall:.2f}x, CPU {r.cpu / h.cpu:.2f}x; "
                f"peak memory hugo {h.peak_mb:.0f} MB, rollbook {r.peak_mb:.0f} MB",
                flush=True,
            )
            if args.no_incremental:
                continue
            incremental = []
            for i in range(args.runs):
                edit_one(corpus, i)
                incremental.append(run_rollbook(corpus, out, cold=False))
                show("rollbook (one edited)", n, incremental[-1])
            i_run = medians(incremental)
            print(
                f"incremental, one runbook edited: rollbook {i_run.wall:.2f} s "
                f"({i_run.wall / h.wall:.2f}x Hugo's full rebuild, "
                f"{i_run.wall / r.wall:.2f}x rollbook's cold build)",
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
