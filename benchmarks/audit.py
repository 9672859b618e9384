"""Run Lighthouse (npm lighthouse@12.2.3, Debian chromium) on a built site at mobile settings.

Usage::

    python benchmarks/audit.py SITE_DIR [--page runbooks/ID/]

Serves SITE_DIR on 127.0.0.1 (gzip-compressed, as a production server would), audits the
home page and a runbook page (the first one, unless given), and prints the four scores
(performance, accessibility, best practices, SEO). Lighthouse 13 needs Node 22, hence the
pin.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

LIGHTHOUSE = "lighthouse@12.2.3"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "speed-index",
    "total-blocking-time",
    "cumulative-layout-shift",
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the site gzip-compressed, as any production web server or CDN would."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):
        url_path = self.path.split("?")[0]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not url_path.endswith("/"):
                return super().send_head()  # the base class redirects to the slash URL
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def audit(url: str) -> tuple[dict[str, int], dict[str, str]]:
    """The four Lighthouse scores (0-100) of ``url`` at Lighthouse's default mobile settings,
    and the performance metrics behind the first one (as Lighthouse displays them)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
        subprocess.run(
            [
                "npx",
                "--yes",
                LIGHTHOUSE,
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                f"--chrome-flags={CHROME_FLAGS}",
                "--only-categories=" + ",".join(CATEGORIES),
            ],
            check=True,
            env=env,
        )
        data = json.loads(report.read_text(encoding="utf-8"))
    scores = {c: round((data["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    metrics = {m: data["audits"][m].get("displayValue", "?") for m in METRICS}
    return scores, metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--page", help="runbook page path, e.g. runbooks/one-click-checkout/")
    args = parser.parse_args(argv)
    page = args.page or next(
        f"runbooks/{p.name}/" for p in sorted((args.site / "runbooks").iterdir()) if p.is_dir()
    )
    handler = functools.partial(_Quiet, directory=str(args.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        print(f"{'page':<40}" + "".join(f"{c:>16}" for c in CATEGORIES))
        for path in ("", page):
            scores, metrics = audit(base + path)
            print(
                f"{path or '(home)':<40}" + "".join(f"{scores[c]:>16}" for c in CATEGORIES),
                flush=True,
            )
            print("    " + ", ".join(f"{m} {v}" for m, v in metrics.items()), flush=True)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
