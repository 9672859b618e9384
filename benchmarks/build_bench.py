"""Benchmark `rollbook build` at 100, 1,000 and 10,000 runbooks, beside a naive MkDocs-Material
build of the same 1,000 runbooks as plain Markdown pages.

Usage::

    python benchmarks/build_bench.py [--sizes 100 1000 10000] [--naive 1000] [--keep DIR]

Prints, per run: build time, peak memory (max RSS of the build process, and of its largest
forked worker), site size, median and largest runbook page, home page size, and search: the
index every page load fetches, the biggest file one search word can need, and all search
files together. Each build runs in its own process so that peak memory is that build's alone.
A build uses up to four processes (the usable cores); a forked worker shares much of its
memory with the parent, so parent plus worker overstates the machine's peak.
Set ``ROLLBOOK_JOBS=1`` to measure a one-process build. Benchmarks print figures; tests never
assert wall-clock times.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import generate  # noqa: E402 - a sibling script, not a package

ROLLBOOK_BUILD = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    from rollbook.commands.build import build
    from rollbook.config import load_project
    start = time.perf_counter()
    outcome = build(load_project(Path(sys.argv[1])), Path(sys.argv[2]))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_kb": peak, "child_kb": child}))
""")

NAIVE_BUILD = textwrap.dedent("""
    import json, resource, sys, time
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    start = time.perf_counter()
    cfg = load_config(sys.argv[1])
    cfg.plugins.on_startup(command="build", dirty=False)
    build(cfg)
    cfg.plugins.on_shutdown()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_kb": peak, "child_kb": 0}))
""")


def _run(script: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _measure(site: Path, pages_under: str) -> dict:
    sizes = [p.stat().st_size for p in (site / pages_under).glob("*/index.html")]
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    index_path = site / "search" / "search_index.json"
    index = index_path.stat().st_size if index_path.is_file() else 0
    split = [p.stat().st_size for sub in ("t", "p", "d") for p in (site / "search" / sub).glob("*")]
    return {
        "site_mb": total / 1e6,
        "median_page_kb": statistics.median(sizes) / 1e3 if sizes else 0,
        "max_page_kb": max(sizes) / 1e3 if sizes else 0,
        "home_kb": (site / "index.html").stat().st_size / 1e3,
        # What every page load fetches for search; then the biggest file one search word can
        # need (Material's index is one file, fetched whole), and all search files together.
        "index_kb": index / 1e3,
        "search_file_kb": max(split, default=index) / 1e3,
        "search_mb": (sum(split) + index) / 1e6,
        "pages": len(sizes),
    }


def naive_project(corpus: Path, dest: Path) -> Path:
    """The same runbooks as Markdown pages in a default MkDocs-Material site."""
    import yaml

    shutil.rmtree(dest, ignore_errors=True)
    docs = dest / "docs"
    (docs / "runbooks").mkdir(parents=True)
    (docs / "index.md").write_text("# Runbooks\n", encoding="utf-8")
    for path in sorted((corpus / "runbooks").glob("*.yaml")):
        if path.name == "teams.yaml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        lines = [f"# {data['title']}", "", data["summary"], "", "## Roll back", ""]
        for i, step in enumerate((data.get("rollback") or {}).get("steps", []), 1):
            lines.append(f"{i}. {step['do']}")
            if step.get("expect"):
                lines.append(f"    Expect: {step['expect']}")
        for signal in data.get("signals", []):
            lines += ["", f"## {signal['name']}", "", signal.get("healthy", "")]
        (docs / "runbooks" / f"{data['id']}.md").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    config = dest / "mkdocs.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "site_name": "Runbooks",
                "theme": {"name": "material", "font": False},
                "site_dir": str(dest / "site"),
            }
        ),
        encoding="utf-8",
    )
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--naive", type=int, default=1000, help="0 to skip the naive build")
    parser.add_argument("--keep", type=Path, help="keep corpora and sites here")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="rollbook-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    header = (
        f"{'build':<22}{'runbooks':>9}{'time s':>9}{'peak MB':>9}{'worker MB':>10}"
        f"{'site MB':>9}{'median KB':>10}{'max KB':>8}{'home KB':>9}{'index KB':>9}"
        f"{'file KB':>8}{'search MB':>10}"
    )
    print(header)
    print("-" * len(header))
    try:
        for n in args.sizes:
            corpus = work / f"corpus-{n}"
            if not corpus.exists():
                generate(n, corpus)
            site = work / f"site-{n}"
            run = _run(ROLLBOOK_BUILD, str(corpus), str(site))
            _print("rollbook", n, run, _measure(site, "runbooks"))
            if n == args.naive:
                config = naive_project(corpus, work / f"naive-{n}")
                naive = _run(NAIVE_BUILD, str(config))
                _print(
                    "naive mkdocs-material",
                    n,
                    naive,
                    _measure(work / f"naive-{n}" / "site", "runbooks"),
                )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _print(name: str, n: int, run: dict, sizes: dict) -> None:
    print(
        f"{name:<22}{n:>9}{run['seconds']:>9.1f}{run['peak_kb'] / 1024:>9.0f}"
        f"{run['child_kb'] / 1024:>10.0f}{sizes['site_mb']:>9.1f}{sizes['median_page_kb']:>10.1f}"
        f"{sizes['max_page_kb']:>8.1f}{sizes['home_kb']:>9.1f}{sizes['index_kb']:>9.1f}"
        f"{sizes['search_file_kb']:>8.1f}{sizes['search_mb']:>10.2f}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
