"""Benchmark the build's stylesheet step: ``assets/rollbook/site.css`` (Material's CSS cut
down to what pages use, then rollbook's) and ``assets/rollbook/dark.css`` (dark mode without
JavaScript), each made once per build whatever the number of runbooks.

Usage::

    python benchmarks/stylesheet_bench.py [--repeat 15]

Prints, for each part, the best and the median processor time over ``--repeat`` runs (processor
time, not wall-clock, so that other work on the machine matters less), and the sizes of the
stylesheet Material ships and of the one pages get. Benchmarks print figures; tests never
assert wall-clock times.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rollbook.render.jinja import template_search_path
from rollbook.site import stylesheet
from rollbook.site.dark_css import no_js_dark_css
from rollbook.site.mkdocs_driver import make_theme_dir

ROOT = Path(__file__).resolve().parents[1]
PALETTE = {"scheme": "default", "primary": "indigo", "accent": "indigo"}  # the demo's


def _times(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median processor time of ``work``, in milliseconds."""
    spent = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        spent.append(time.process_time() - start)
    return min(spent) * 1000, statistics.median(spent) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)

    rollbook_css = (ROOT / "templates/site/assets/rollbook.css").read_text("utf-8")
    scripts = [
        stylesheet.material_file("javascripts", "bundle.*.min.js").read_text("utf-8"),
        (ROOT / "templates/site/assets/rollbook.js").read_text("utf-8"),
    ]
    material = "".join(
        stylesheet._CHARSET.sub("", stylesheet.material_file("stylesheets", p).read_text("utf-8"))
        for p in ("main.*.min.css", "palette.*.min.css")
    )
    with tempfile.TemporaryDirectory(prefix="rollbook-theme-") as tmp:
        theme = make_theme_dir(None, Path(tmp) / "theme")
        pages = [folder / "pages" for folder in template_search_path(None)]
        classes = stylesheet.used_classes(theme, pages, scripts)
        assert classes is not None
        colours = stylesheet._palette_values(PALETTE)
        site_css = stylesheet.site_stylesheet(
            rollbook_css, theme_dir=theme, page_dirs=pages, scripts=scripts, palette=PALETTE
        )
        parts: dict[str, Callable[[], object]] = {
            "site.css, all of it": lambda: stylesheet.site_stylesheet(
                rollbook_css, theme_dir=theme, page_dirs=pages, scripts=scripts, palette=PALETTE
            ),
            "  classes pages use": lambda: stylesheet.used_classes(theme, pages, scripts),
            "  Material's CSS cut": lambda: stylesheet.prune(
                material, classes, colours, rollbook_css
            ),
            "dark.css": lambda: no_js_dark_css(rollbook_css),
        }
        print(f"{'part':<24}{'best ms':>10}{'median ms':>12}")
        print("-" * 46)
        for name, work in parts.items():
            best, median = _times(work, args.repeat)
            print(f"{name:<24}{best:>10.1f}{median:>12.1f}")
    print()
    for name, text in (("Material's CSS", material), ("site.css", site_css)):
        data = text.encode("utf-8")
        print(f"{name:<16}{len(data) / 1e3:>8.1f} KB{len(gzip.compress(data)) / 1e3:>8.1f} KB gzip")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
