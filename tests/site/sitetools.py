"""Helpers for the site tests: make projects, build them, serve them on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from rollbook.commands.build import BuildOutcome, build
from rollbook.commands.scaffold import init_project
from rollbook.config import load_project

REPO = Path(__file__).resolve().parents[2]
EPOCH = "1767225600"  # 2026-01-01 00:00 UTC


def make_project(root: Path, *, extra_runbooks: int = 0, hostile: bool = False) -> Path:
    """A project made by `rollbook init`, plus copies of its example and, if asked, the
    hostile fixture runbook."""
    root.mkdir(parents=True, exist_ok=True)
    init_project(root, team="my-team", force=False)
    example = next((root / "runbooks").glob("saved-search-alerts.yaml"))
    text = example.read_text(encoding="utf-8")
    for i in range(extra_runbooks):
        (root / "runbooks" / f"feature-{i:05d}.yaml").write_text(
            text.replace("id: saved-search-alerts", f"id: feature-{i:05d}").replace(
                "title: Saved-search alerts", f"title: Feature number {i}"
            ),
            encoding="utf-8",
        )
    if hostile:
        write_hostile(root)
    return root


def demo_project() -> Path:
    """The repository's own demo runbooks (the ones `make demo` builds)."""
    return REPO


def build_project(root: Path, out: Path, *, keep_going: bool = False) -> BuildOutcome:
    return build(load_project(root), out, keep_going=keep_going)


# Attack strings: markup, event handlers, script URLs, Markdown and template syntax. Every
# string field of the hostile runbook gets one.
ATTACKS = [
    "<script>alert('script')</script>",
    "<img src=x onerror=alert('img')>",
    "[click me](javascript:alert('md-link'))",
    '" onmouseover="alert(\'attr\')" x="',
    "' autofocus onfocus='alert(1)' '",
    "<svg/onload=alert('svg')>",
    "<a href=\"javascript:alert('a')\">link</a>",
    "<details open ontoggle=alert('details')>",
    "{{ 7 * 7 }} {% raw %} ${alert('tpl')}",
    "</code></pre><script>alert('break-out')</script>",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "![x](javascript:alert('md-img'))",
    "<style>body{display:none}</style>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
]


def _attack(i: int, limit: int = 200) -> str:
    return (ATTACKS[i % len(ATTACKS)] + " " + ATTACKS[(i + 1) % len(ATTACKS)])[:limit]


def write_hostile(root: Path) -> None:
    """A valid runbook (and team) with attack strings in every free-text field."""
    n = iter(range(1000))
    a = lambda limit=200: _attack(next(n), limit)  # noqa: E731 - terse on purpose
    flag_key = "checkout.one_click<script>alert('flag')</script>"
    signal = "Errors <img src=x onerror=alert('signal')>"
    runbook = {
        "id": "hostile",
        "title": "<script>alert('title')</script> Hostile <img src=x onerror=alert('t')> feature",
        "summary": a(4000),
        "owner": "evil-team",
        "risk": "critical",
        "tags": ["attack"],
        "contacts": [{"team": "evil-team", "when": a()}, {"person": "mallory", "when": a()}],
        "flags": [
            {
                "key": flag_key,
                "system": "other",
                "off": "<script>alert('off')</script>",
                "on": a(),
                "change": a(4000),
                "link": "https://example.com/?q=%3Cx%3E&y=1",
                "command": a(4000),
                "who": a(),
                "when_unavailable": a(4000),
            }
        ],
        "signals": [
            {
                "name": signal,
                "kind": "metric",
                "query": a(4000),
                "healthy": a(4000),
                "threshold": a(4000),
                "alert": "Alert<svg/onload=alert('alert')>",
                "link": "https://example.com/d",
                "no_data": a(4000),
            }
        ],
        "logs": [{"name": a(), "where": a(4000), "query": a(4000), "look_for": a(4000)}],
        "risks": [
            {
                "what": a(4000),
                "likelihood": "high",
                "impact": "high",
                "mitigation": a(4000),
                "signals": [signal],
            }
        ],
        "rollout": {"stages": [{"name": a(), "audience": a(4000), "gate": [signal]}]},
        "rollback": {
            "when": [a(4000), a(4000)],
            "kill_switch": flag_key,
            "steps": [
                {
                    "do": a(4000),
                    "command": a(4000),
                    "expect": a(4000),
                    "if_not": a(4000),
                    "engineer": True,
                    "irreversible": True,
                    "warning": a(4000),
                    "backup": a(4000),
                },
                {"do": "javascript:alert('do')", "link": "https://example.com/x"},
            ],
            "verify": [a(4000)],
            "after": [a(4000)],
        },
        "tests": [{"kind": "manual", "what": a(4000)}],
        "review": {"last_reviewed": "2026-01-01", "by": a()},
        "drills": [{"date": "2026-01-02", "result": "pass", "by": a(), "notes": a(4000)}],
    }
    (root / "runbooks" / "hostile.yaml").write_text(
        yaml.safe_dump(runbook, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    teams_path = root / "runbooks" / "teams.yaml"
    teams = yaml.safe_load(teams_path.read_text(encoding="utf-8"))
    teams["teams"].append(
        {
            "id": "evil-team",
            "name": "<script>alert('team')</script>Evil",
            "oncall_phone": "+1 415 555 0100",
            "chat": "#evil\"><img src=x onerror=alert('chat')>",
            "chat_url": "https://chat.example.com/evil",
            "people": [
                {
                    "id": "mallory",
                    "name": "Mallory <img src=x onerror=alert('person')>",
                    "role": a(),
                    "phone": "+1 415 555 0101",
                    "chat": a(),
                }
            ],
        }
    )
    teams_path.write_text(
        yaml.safe_dump(teams, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    config = root / "rollbook.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            'site-name = "Runbooks"', "site-name = \"Runbooks <script>alert('site')</script>\""
        ),
        encoding="utf-8",
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 on a free port; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _SubpathHandler(_QuietHandler):
    """Serves the folder under ``prefix`` only, as GitHub Pages serves a project site under
    ``/repo/``: any request outside it is a 404, so a link that escapes the subpath fails."""

    prefix = "/"

    def send_head(self):  # type: ignore[override]
        path = urllib.parse.urlsplit(self.path).path
        if not path.startswith(self.prefix):
            self.send_error(404, "outside the site's subpath")
            return None
        self.path = "/" + self.path[len(self.prefix) :]
        return super().send_head()


@contextmanager
def serve_folder_under(folder: Path, prefix: str) -> Iterator[str]:
    """Serve ``folder`` at ``http://127.0.0.1:PORT{prefix}`` and nothing else; yield that URL.

    The folder is read per request, so it may be built after the server starts (with the
    address the server got as its ``site-url``)."""
    handler_class = type("Handler", (_SubpathHandler,), {"prefix": prefix})
    handler = functools.partial(handler_class, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, dirs_exist_ok=True)
