"""The pull-request comment, against a local fake of GitHub's and GitLab's APIs.

The fake is a small HTTP server on 127.0.0.1, started and stopped by each test; rollbook
finds it through the same variables CI sets (GITHUB_API_URL, CI_API_V4_URL).
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from rollbook.cli import cli
from rollbook.review.comment import GITHUB_LIMIT, MARKER, comment_body
from rollbook.review.report import ReviewDiff
from tests.review.conftest import RUNBOOK_PATH, Repo

TOKEN = "test-token"


class FakeApi:
    """Comments of one pull request (GitHub) or merge request (GitLab), in memory."""

    def __init__(self, platform: str, *, deny_writes: bool = False, others: int = 0):
        self.platform = platform
        self.deny_writes = deny_writes
        self.comments: list[dict] = [
            {"id": 1000 + i, "body": f"someone else's comment {i}"} for i in range(others)
        ]
        self.calls: list[tuple[str, str]] = []
        self.next_id = 1
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(self, code: int, data: object = None) -> None:
                body = json.dumps(data).encode() if data is not None else b""
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self) -> bool:
                if api.platform == "github":
                    return self.headers.get("Authorization") == f"Bearer {TOKEN}"
                return self.headers.get("PRIVATE-TOKEN") == TOKEN

            def _body(self) -> dict:
                length = int(self.headers.get("Content-Length", "0"))
                return json.loads(self.rfile.read(length))

            def _route(self, method: str) -> None:
                url = urllib.parse.urlsplit(self.path)
                api.calls.append((method, url.path))
                if not self._authorised():
                    return self._send(401, {"message": "Bad credentials"})
                if method != "GET" and api.deny_writes:
                    return self._send(403, {"message": "Resource not accessible by integration"})
                if api.platform == "github":
                    listing = url.path == "/repos/acme/shop/issues/7/comments"
                    prefix = "/repos/acme/shop/issues/comments/"
                else:
                    listing = url.path == "/api/v4/projects/42/merge_requests/3/notes"
                    prefix = "/api/v4/projects/42/merge_requests/3/notes/"
                if listing and method == "GET":
                    query = urllib.parse.parse_qs(url.query)
                    size, page = int(query["per_page"][0]), int(query["page"][0])
                    return self._send(200, api.comments[(page - 1) * size : page * size])
                if listing and method == "POST":
                    item = {"id": api.next_id, "body": self._body()["body"]}
                    api.next_id += 1
                    api.comments.append(item)
                    return self._send(201, item)
                if url.path.startswith(prefix) and method in ("PATCH", "PUT"):
                    ident = int(url.path[len(prefix) :])
                    for item in api.comments:
                        if item["id"] == ident:
                            item["body"] = self._body()["body"]
                            return self._send(200, item)
                return self._send(404, {"message": "Not Found"})

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_PATCH(self) -> None:
                self._route("PATCH")

            def do_PUT(self) -> None:
                self._route("PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def ours(self) -> list[dict]:
        return [c for c in self.comments if c["body"].startswith(MARKER)]


@pytest.fixture
def fake() -> Iterator[callable]:
    started: list[FakeApi] = []

    def start(platform: str, **kwargs) -> FakeApi:
        api = FakeApi(platform, **kwargs)
        api.thread.start()
        started.append(api)
        return api

    yield start
    for api in started:
        api.server.shutdown()
        api.server.server_close()
        api.thread.join(timeout=10)


def github_env(api: FakeApi, tmp_path: Path, token: str | None = TOKEN) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    env = {
        "GITHUB_API_URL": api.url,
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": "99",
        "GITHUB_TOKEN": token or "",
        "ROLLBOOK_GITHUB_TOKEN": "",
        "ROLLBOOK_PR_NUMBER": "",
    }
    return env


def gitlab_env(api: FakeApi) -> dict[str, str]:
    return {
        "CI_API_V4_URL": f"{api.url}/api/v4",
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "3",
        "ROLLBOOK_GITLAB_TOKEN": TOKEN,
        "GITLAB_TOKEN": "",
        "GITHUB_STEP_SUMMARY": "",
        "CI_JOB_URL": "https://gitlab.example/acme/shop/-/jobs/5",
        "GITHUB_RUN_ID": "",
    }


def post(repo: Repo, platform: str, env: dict[str, str], *extra: str):
    runner = CliRunner()
    return runner.invoke(
        cli,
        [
            "--config",
            str(repo.root / "rollbook.toml"),
            "diff",
            "--base",
            "HEAD~1",
            "--format",
            "markdown",
            "--post",
            platform,
            *extra,
        ],
        env=env,
        catch_exceptions=False,
    )


def weaken(repo: Repo, old: str, new: str, message: str) -> None:
    repo.edit(RUNBOOK_PATH, (old, new))
    repo.commit(message)


def test_github_posts_once_then_updates_the_same_comment(repo: Repo, fake, tmp_path: Path):
    api = fake("github", others=150)  # our comment ends up on the second page
    weaken(repo, "risk: high", "risk: medium", "lower risk")
    first = post(repo, "github", github_env(api, tmp_path))
    assert first.exit_code == 0, first.output
    [ours] = api.ours()
    assert "**the risk was lowered**" in ours["body"]
    assert "<summary>Rollback of <code>one-click-checkout</code>" in ours["body"]
    assert "\n#### Roll back: One-click checkout\n" in ours["body"]  # a level below the diff
    assert ("POST", "/repos/acme/shop/issues/7/comments") in api.calls

    weaken(repo, "    alert: CheckoutErrorRateHigh\n", "", "drop the alert")
    api.calls.clear()
    second = post(repo, "github", github_env(api, tmp_path))
    assert second.exit_code == 0, second.output
    [ours_again] = api.ours()
    assert ours_again["id"] == ours["id"]
    assert "**an alert is gone**" in ours_again["body"]
    assert "risk was lowered" not in ours_again["body"]  # the diff of this push, not the last
    assert [m for m, _ in api.calls if m != "GET"] == ["PATCH"]
    assert len(api.comments) == 151  # nobody else's comment touched, none added
    assert all(c["body"].startswith("someone else's") for c in api.comments[:150])

    summary = (tmp_path / "summary.md").read_text()
    assert summary.count("## rollbook diff") == 2 and MARKER not in summary


def test_github_token_without_permission_falls_back_to_the_summary(repo, fake, tmp_path):
    api = fake("github", deny_writes=True)
    weaken(repo, "risk: high", "risk: low", "lower risk")
    result = post(repo, "github", github_env(api, tmp_path), "--fail-on-weakened")
    assert result.exit_code == 1  # the weakening decides, not the refused comment
    assert "the token may not comment" in result.output
    assert "pull-requests: write" in result.output
    assert api.ours() == []
    assert "the risk was lowered" in (tmp_path / "summary.md").read_text()


def test_github_without_a_token_writes_only_the_summary(repo, fake, tmp_path):
    api = fake("github")
    weaken(repo, "risk: high", "risk: low", "lower risk")
    result = post(repo, "github", github_env(api, tmp_path, token=None))
    assert result.exit_code == 0
    assert "no GITHUB_TOKEN" in result.output
    assert api.calls == []
    assert "the risk was lowered" in (tmp_path / "summary.md").read_text()


def test_gitlab_note_posted_then_updated(repo: Repo, fake):
    api = fake("gitlab", others=3)
    weaken(repo, "risk: high", "risk: medium", "lower risk")
    assert post(repo, "gitlab", gitlab_env(api)).exit_code == 0
    [ours] = api.ours()
    weaken(repo, "risk: medium", "risk: high", "raise it back")
    result = post(repo, "gitlab", gitlab_env(api))
    assert "updated the merge-request note" in result.output
    [again] = api.ours()
    assert again["id"] == ours["id"] and "risk: “high” → “high”" not in again["body"]
    assert ("PUT", f"/api/v4/projects/42/merge_requests/3/notes/{ours['id']}") in api.calls
    assert len(api.comments) == 4


def test_comment_stays_within_the_limit_with_a_link_to_the_full_report(repo: Repo):
    weaken(repo, "risk: high", "risk: medium", "lower risk")
    diff: ReviewDiff = repo.diff(fmt="markdown").diff
    from rollbook.commands.render import views_of
    from rollbook.config import load_project
    from rollbook.load.runbooks import load_project_runbooks

    views = views_of(load_project_runbooks(load_project(repo.root)))
    full = comment_body(diff, views, limit=GITHUB_LIMIT, report_url="https://ci.example/run/1")
    assert "<details>" in full
    head_only = full.index("\n<details>") + 250  # room for the note, not for the card
    cut = comment_body(diff, views, limit=head_only, report_url="https://ci.example/run/1")
    assert len(cut) <= head_only and "<details>" not in cut
    assert "1 rollback card left out" in cut
    assert "[rollbook diff report](<https://ci.example/run/1>)" in cut
    tiny = comment_body(diff, views, limit=400, report_url="https://ci.example/run/1")
    assert len(tiny) <= 400 and tiny.startswith(MARKER)
    assert "shortened to fit" in tiny and "https://ci.example/run/1" in tiny


def test_nothing_to_review_posts_nothing_but_updates_an_earlier_comment(repo, fake, tmp_path):
    api = fake("github")
    repo.commit("nothing")
    result = post(repo, "github", github_env(api, tmp_path))
    assert "nothing to review" in result.output and api.ours() == []
    weaken(repo, "risk: high", "risk: low", "lower risk")
    post(repo, "github", github_env(api, tmp_path))
    [ours] = api.ours()
    repo.commit("nothing again")  # HEAD~1 is now the change above: nothing new
    post(repo, "github", github_env(api, tmp_path))
    [again] = api.ours()
    assert again["id"] == ours["id"] and "No runbook or feature source changed." in again["body"]


def test_a_feature_source_change_brings_its_runbooks_rollback_card(repo: Repo, fake, tmp_path):
    import copy

    from tests.review.conftest import UNLEASH

    api = fake("github")
    data = copy.deepcopy(UNLEASH)
    data["features"][0]["strategies"][0]["parameters"]["rollout"] = "40"
    repo.write("flags/unleash.json", data)
    repo.commit("40%")
    post(repo, "github", github_env(api, tmp_path))
    [ours] = api.ours()
    assert "### Feature sources changed without their runbook (1)" in ours["body"]
    assert "<summary>Rollback of <code>search-ranking-v2</code>" in ours["body"]
    assert "<code>one-click-checkout</code>" not in ours["body"]
