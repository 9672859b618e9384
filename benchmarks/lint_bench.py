"""Benchmark `rollbook lint` on a corpus of runbooks, beside its floor and its alternative.

Usage::

    python benchmarks/lint_bench.py [--n 10000] [--keep DIR] [--rounds 3]

Generates N runbooks with make_corpus.py, then measures, each in its own process so that peak
memory is that run's alone (``os.wait4`` gives each child's own max RSS):

- floor: read every runbook and parse it with libyaml (``yaml.CSafeLoader``) and nothing else,
  on one core;
- cold ``rollbook lint --no-cache`` on all of them (every rule, feature coverage from the flagd
  files), with every core (the default) and with one (``ROLLBOOK_JOBS=1``);
- warm ``rollbook lint``: the cache filled by a first run, then one runbook edited: its title
  (the coverage rules' inputs are unchanged, so their findings come from the cache too), and
  then a line added at its top (every position in the file moves: the coverage findings come
  from the cache too, those in that file placed again where its summary now puts them);
- ``check-jsonschema`` with rollbook's exported schema on the same files: what a user could do
  instead, checking only the shape.

With ``--base-src DIR`` (the ``src`` folder of another revision: ``git worktree add /tmp/base
REF``), the cold lint of that revision runs in each round too, right after this tree's, and
the two are compared; ``--cold-only`` leaves out the one-core and warm runs, for a quicker
before/after.

The floor and the lint runs are interleaved, ``--rounds`` times, and each figure is the median
of its rounds: on a machine others share, load that comes and goes then falls on all of them.

Targets: lint within 3x the floor, faster than check-jsonschema, under 500 MB (issue 3); cold
lint at or below the single-core floor using every core, warm lint after one edit under 1 s
(issue 15). Benchmarks print figures; tests never assert wall-clock times.
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
sys.path.insert(0, str(HERE))

from installed import compile_rollbook  # noqa: E402 - a sibling script
from make_corpus import generate  # noqa: E402 - a sibling script, not a package

FLOOR = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    if path.name != "teams.yaml":
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
"""


FLOOR_ROW = "floor: libyaml parse only (1 core)"
COLD_ROW = "rollbook lint, cold (--no-cache, all cores)"
ONE_CORE_ROW = "rollbook lint, cold, 1 core"
WARM_ROW = "rollbook lint, warm (cache, 1 file edited)"
WARM_MOVED_ROW = "rollbook lint, warm (1 file, a line added)"
CJS_ROW = "check-jsonschema (shape only)"
BASE_COLD_ROW = "base revision's lint, cold (all cores)"


def _median(results: list[tuple[float, float, int, float]]) -> tuple[float, float, int, float]:
    ordered = sorted(results)
    return ordered[len(ordered) // 2]


def measure(
    args: list[str], cwd: Path, extra_env: dict[str, str] | None = None
) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS in MB, exit code and CPU seconds (user + system, with the
    workers it forked) of one child process."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "ROLLBOOK_JOBS")}
    env.update(extra_env or {})
    # Output goes to files, not pipes: a child that writes more than a pipe holds would block
    # while this process waits for it to exit.
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read(2000).decode("utf-8", "replace").strip()
    if text and code not in (0, 1):
        print(f"  ({Path(args[0]).name} said: {text[:300]})", file=sys.stderr)
    cpu = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss / 1024, code, cpu  # ru_maxrss is in KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="runbooks (default 10,000)")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--skip-check-jsonschema",
        action="store_true",
        help="leave out check-jsonschema (minutes at 10,000 runbooks on a busy machine)",
    )
    parser.add_argument(
        "--base-src",
        type=Path,
        help="also run the cold lint of the rollbook source tree DIR (another revision's src/)",
    )
    parser.add_argument("--cold-only", action="store_true", help="only the floor and the cold runs")
    opts = parser.parse_args(argv)
    compile_rollbook(opts.base_src)

    root = opts.keep or Path(tempfile.mkdtemp(prefix="rollbook-lint-bench-"))
    try:
        if not (root / "rollbook.toml").exists():
            started = time.perf_counter()
            count = generate(opts.n, root)
            print(f"corpus: {count:,} runbooks in {root} ({time.perf_counter() - started:.1f} s)")
        runbooks = root / "runbooks"
        files = sorted(str(p) for p in runbooks.glob("*.yaml") if p.name != "teams.yaml")
        schema = root / "runbook.schema.json"
        subprocess.run(
            [sys.executable, "-m", "rollbook", "schema", "-o", str(schema)],
            check=True,
            capture_output=True,
        )

        lint_cmd = [sys.executable, "-m", "rollbook", "lint", "--exit-zero"]
        lint_cmd += ["--output-format", "json"]
        one_core = {"ROLLBOOK_JOBS": "1"}
        edited = Path(files[len(files) // 2])
        original = edited.read_text(encoding="utf-8")
        runs: dict[str, list[tuple[float, float, int, float]]] = {}

        def record(name: str, result: tuple[float, float, int, float]) -> None:
            runs.setdefault(name, []).append(result)

        for round_ in range(opts.rounds):
            record(FLOOR_ROW, measure([sys.executable, "-c", FLOOR, str(runbooks)], root))
            record(COLD_ROW, measure([*lint_cmd, "--no-cache"], root))
            if opts.base_src is not None:
                base_env = {"PYTHONPATH": str(opts.base_src.resolve())}
                record(BASE_COLD_ROW, measure([*lint_cmd, "--no-cache"], root, base_env))
            if opts.cold_only:
                continue
            record(ONE_CORE_ROW, measure([*lint_cmd, "--no-cache"], root, one_core))
            measure(lint_cmd, root)  # fills the cache (its own figure is a cold run's)
            # One edit, as a person makes between two runs: a new title.
            edited.write_text(
                original.replace("title: ", f"title: Edited {round_} ", 1), encoding="utf-8"
            )
            record(WARM_ROW, measure(lint_cmd, root))
            first, rest = original.split("\n", 1)
            edited.write_text(f"{first}\n# edited {round_}\n{rest}", encoding="utf-8")
            record(WARM_MOVED_ROW, measure(lint_cmd, root))
            edited.write_text(original, encoding="utf-8")
        checker = shutil.which("check-jsonschema") or str(
            Path(sys.executable).parent / "check-jsonschema"
        )
        if opts.skip_check_jsonschema or opts.cold_only:
            pass
        elif Path(checker).exists():
            args = [checker, "--schemafile", str(schema), *files]
            record(CJS_ROW, measure(args, root))
        else:
            print("check-jsonschema is not installed: pip install -e '.[bench]'")

        medians = {name: _median(results) for name, results in runs.items()}
        floor = medians[FLOOR_ROW][0]
        print(f"\n{opts.rounds} interleaved rounds, median of each; {os.cpu_count()} cores")
        print(f"load average at the end: {os.getloadavg()[0]:.2f} (1 min)")
        print(f"{'run':<44} {'wall s':>8} {'x floor':>8} {'cpu s':>7} {'peak MB':>8} {'exit':>5}")
        for name, (wall, peak, code, cpu) in medians.items():
            print(
                f"{name:<44} {wall:>8.2f} {wall / floor:>8.2f} {cpu:>7.2f} {peak:>8.0f} {code:>5}"
            )
        print()
        cold, peak = medians[COLD_ROW][0], medians[COLD_ROW][1]
        print(f"cold lint / single-core floor: {cold / floor:.2f} (target: at most 1.00)")
        if BASE_COLD_ROW in medians:
            base = medians[BASE_COLD_ROW][0]
            print(
                f"cold lint, base revision / single-core floor: {base / floor:.2f}; "
                f"this tree / base: {cold / base:.2f}"
            )
        if WARM_ROW in medians:
            warm = medians[WARM_ROW][0]
            moved = medians[WARM_MOVED_ROW][0]
            print(
                f"warm lint after one edit: {warm:.2f} s, {cold / warm:.1f}x faster than cold "
                "(target: under 1 s)"
            )
            print(
                f"warm lint after one edit that moves its lines: {moved:.2f} s, "
                f"{cold / moved:.1f}x faster than cold"
            )
        print(f"lint within 3x the floor: {'yes' if cold <= 3 * floor else 'NO'}")
        if CJS_ROW in medians:
            cjs = medians[CJS_ROW][0]
            print(
                f"lint faster than check-jsonschema: {'yes' if cold < cjs else 'NO'} "
                f"({cjs / cold:.2f}x)"
            )
        print(f"lint under 500 MB: {'yes' if peak < 500 else 'NO'} ({peak:.0f} MB)")
    finally:
        if opts.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
