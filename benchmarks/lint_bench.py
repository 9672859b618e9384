"""Benchmark `rollbook lint` on a corpus of runbooks, beside its floor and its alternative.

Usage::

    python benchmarks/lint_bench.py [--n 10000] [--keep DIR]

Generates N runbooks with make_corpus.py, then measures, each in its own process so that peak
memory is that run's alone (``os.wait4`` gives each child's own max RSS):

- floor: read every runbook and parse it with libyaml (``yaml.CSafeLoader``) and nothing else;
- ``rollbook lint`` on all of them (every rule, feature coverage from the flagd files);
- ``check-jsonschema`` with rollbook's exported schema on the same files: what a user could do
  instead, checking only the shape.

Targets (issue 3): lint within 3x the floor, faster than check-jsonschema, under 500 MB.
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
sys.path.insert(0, str(HERE))

from make_corpus import generate  # noqa: E402 - a sibling script, not a package

FLOOR = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    if path.name != "teams.yaml":
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
"""


def measure(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one child process."""
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
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
    return wall, usage.ru_maxrss / 1024, code  # ru_maxrss is in KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="runbooks (default 10,000)")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    opts = parser.parse_args(argv)

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

        rows: list[tuple[str, float, float, int]] = []
        wall, peak, code = measure([sys.executable, "-c", FLOOR, str(runbooks)], root)
        rows.append(("floor: libyaml parse only", wall, peak, code))
        floor = wall
        lint_cmd = [
            sys.executable,
            "-m",
            "rollbook",
            "lint",
            "--exit-zero",
            "--output-format",
            "json",
        ]
        wall, peak, code = measure(lint_cmd, root)
        rows.append(("rollbook lint (all rules + coverage)", wall, peak, code))
        lint_wall, lint_peak = wall, peak
        checker = shutil.which("check-jsonschema") or str(
            Path(sys.executable).parent / "check-jsonschema"
        )
        cjs_wall = None
        if Path(checker).exists():
            args = [checker, "--schemafile", str(schema), *files]
            wall, peak, code = measure(args, root)
            rows.append(("check-jsonschema (shape only)", wall, peak, code))
            cjs_wall = wall
        else:
            print("check-jsonschema is not installed: pip install -e '.[bench]'")

        print(f"\n{'run':<40} {'wall s':>8} {'x floor':>8} {'peak MB':>8} {'exit':>5}")
        for name, wall, peak, code in rows:
            print(f"{name:<40} {wall:>8.2f} {wall / floor:>8.2f} {peak:>8.0f} {code:>5}")
        print()
        print(
            f"lint within 3x the floor: {'yes' if lint_wall <= 3 * floor else 'NO'} "
            f"({lint_wall / floor:.2f}x)"
        )
        if cjs_wall is not None:
            print(
                f"lint faster than check-jsonschema: {'yes' if lint_wall < cjs_wall else 'NO'} "
                f"({cjs_wall / lint_wall:.2f}x)"
            )
        print(f"lint under 500 MB: {'yes' if lint_peak < 500 else 'NO'} ({lint_peak:.0f} MB)")
    finally:
        if opts.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
