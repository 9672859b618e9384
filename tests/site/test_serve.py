"""`rollbook serve`: a busy port is a usage error with a hint; files with errors do not stop the
preview, and every page of it says so."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.site.sitetools import REPO, make_project

BROKEN = "runbooks/broken.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@contextmanager
def listening(port: int) -> Iterator[socket.socket]:
    """Something else listening on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        yield sock


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive ports that are free now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count >= 65536:
            continue
        try:
            with ExitStack() as stack:
                for port in range(first, first + count):
                    stack.enter_context(listening(port))
            return first
        except OSError:
            continue
    raise RuntimeError("no free ports")


def test_a_busy_port_is_a_usage_error_that_names_a_free_one(project: Path) -> None:
    port = free_ports(3)
    with listening(port):
        result = run_cli("serve", "--port", str(port), cwd=project)
    assert result.returncode == 2, result.stderr
    assert f"error: port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"--port {port + 1} is free" in result.stderr
    assert "built" not in result.stdout  # refused before building anything
    assert "Traceback" not in result.stderr


def test_the_hint_skips_ports_that_are_busy_too(project: Path) -> None:
    port = free_ports(3)
    with listening(port), listening(port + 1):
        result = run_cli("serve", "--port", str(port), cwd=project)
    assert result.returncode == 2, result.stderr
    assert f"--port {port + 2} is free" in result.stderr


def start_serve(
    project: Path, tmp_path: Path, *, environ: dict | None = None
) -> tuple[subprocess.Popen, int, Path]:
    """`rollbook serve` on a free port in ``project``, with its own temporary folder, its
    output in ``tmp_path/serve.log``: the process, its port and that log."""
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    port = free_ports(1)
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "rollbook", "serve", "--port", str(port)],
            cwd=project,
            env={
                **(os.environ if environ is None else environ),
                "PYTHONPATH": str(REPO / "src"),
                "TMPDIR": str(temp),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return serve, port, log_path


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(condition, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    return False


BANNER = "<strong>Preview:</strong> 1 file with errors; 1 runbook missing from this site."


def test_serve_shows_files_with_errors_on_every_page(project: Path, tmp_path: Path) -> None:
    (project / BROKEN).write_text("id: broken\nowner: my-team\nrisk: [\n", encoding="utf-8")
    serve, port, _ = start_serve(project, tmp_path)
    temp = tmp_path / "tmp"
    url = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(lambda: "Preview:" in fetch(url)), (tmp_path / "serve.log").read_text()
        for page in ("", "runbooks/saved-search-alerts/", "teams/my-team/", "problems/"):
            html = fetch(url + page)
            assert BANNER in html, page
            assert 'href="' in html.split(BANNER, 1)[1][:80]  # links to the problems page
        problems = fetch(url + "problems/")
        assert "runbooks/broken.yaml:4:1</code> <code>RB001</code> YAML syntax error" in problems
        team = fetch(url + "teams/my-team/")
        assert "1 runbook missing from this team" in team
        assert "is missing from this site" in team
        log_text = (tmp_path / "serve.log").read_text()
        assert "1 file with errors (1 runbook missing)" in log_text

        # Fixed, the preview is rebuilt and the banner goes.
        (project / BROKEN).unlink()
        assert wait_for(lambda: "Preview:" not in fetch(url)), (tmp_path / "serve.log").read_text()
        assert "Runbooks" in fetch(url)
        assert next(p.name for p in temp.iterdir()).startswith("rollbook-serve-")
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
    assert serve.returncode == 128 + signal.SIGTERM
    assert list(temp.iterdir()) == []  # its temporary folder went with it


FLAGS = """\
{"flags": {"%s": {"state": "ENABLED", "variants": {"on": true, "off": false},
 "defaultVariant": "off"}}}
"""


def test_serve_rebuilds_for_a_source_file_outside_the_runbooks_and_not_for_editor_files(
    project: Path, tmp_path: Path
) -> None:
    config = project / "rollbook.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[sources]]\nkind = "flagd"\npaths = ["flags/*.flagd.json"]\n',
        encoding="utf-8",
    )
    (project / "flags").mkdir()
    (project / "flags" / "a.flagd.json").write_text(FLAGS % "first_flag", encoding="utf-8")
    serve, port, log_path = start_serve(project, tmp_path)
    url = f"http://127.0.0.1:{port}/coverage/"

    def builds() -> int:
        return log_path.read_text().count("built ")

    try:
        assert wait_for(lambda: "first_flag" in fetch(url)), log_path.read_text()
        assert builds() == 1
        # An editor's swap and backup files, and the lint cache, are no reason to rebuild.
        (project / "runbooks" / ".saved-search-alerts.yaml.swp").write_bytes(b"swap")
        (project / "runbooks" / "saved-search-alerts.yaml~").write_text("old", encoding="utf-8")
        (project / "flags" / "4913").write_text("", encoding="utf-8")
        time.sleep(2)
        assert builds() == 1, log_path.read_text()
        # A new flag in a source file outside the runbook folder: the coverage page lists it.
        (project / "flags" / "b.flagd.json").write_text(FLAGS % "second_flag", encoding="utf-8")
        assert wait_for(lambda: "second_flag" in fetch(url)), log_path.read_text()
        assert builds() == 2, log_path.read_text()
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)


TIME = re.compile(r'<time datetime="([^"]+)">')


def test_rebuilds_keep_the_preview_s_time_and_show_the_edit(tmp_path: Path) -> None:
    """Every build of one preview is dated when it started: a save rebuilds the edited page
    and the listings, and every other page is the last build's file as it was. The edited
    page is shown first, before the rebuild (commands/serve_quick.py: with a few runbooks,
    so that the first build verified the runbook pages' frame)."""
    project = make_project(tmp_path / "project", extra_runbooks=5)
    environ = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    serve, port, _ = start_serve(project, tmp_path, environ=environ)
    url = f"http://127.0.0.1:{port}/"
    page = url + "runbooks/saved-search-alerts/"
    try:
        assert wait_for(lambda: "Runbooks" in fetch(url)), (tmp_path / "serve.log").read_text()
        first = {TIME.search(fetch(u)).group(1) for u in (url, page, url + "teams/my-team/")}
        assert len(first) == 1
        time.sleep(1.5)  # a build now would be dated seconds later
        runbook = project / "runbooks" / "saved-search-alerts.yaml"
        text = runbook.read_text(encoding="utf-8")
        runbook.write_text(text.replace("summary: ", "summary: Saved just now. ", 1))
        assert wait_for(lambda: "Saved just now." in fetch(page)), (
            tmp_path / "serve.log"
        ).read_text()
        # The edited page went first (serve_quick), then the rebuild brought the rest.
        assert wait_for(lambda: (tmp_path / "serve.log").read_text().count("built ") == 2)
        said = (tmp_path / "serve.log").read_text()
        shown_at = said.index("showing runbooks/saved-search-alerts/ first; rebuilding the rest")
        assert said.index("built ") < shown_at < said.rindex("built ")
        for u in (url, page, url + "teams/my-team/", url + "tags/"):
            assert {TIME.search(fetch(u)).group(1)} == first, u
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
    assert serve.returncode == 128 + signal.SIGTERM
