"""The review diff where reviewers look: one pull-request comment, updated on each push.

``rollbook diff --post github`` (or ``gitlab``) builds one Markdown comment: the diff
(weakening first), then each changed or added runbook's rollback card as the on-call person
will read it, collapsed in ``<details>``. The comment carries a hidden marker; the next run
finds the comment by it and edits it instead of adding another. The same Markdown goes to
the GitHub job summary (``$GITHUB_STEP_SUMMARY``).

When the token may not comment (a pull request from a fork gets a read-only token), or there
is no token, or no pull request, the comment is skipped with a note and the job summary is
still written: the review is never lost, and the job does not fail for it.

Comments stay within the platforms' limits (a GitHub comment holds 65,536 characters, a
GitLab note 1,000,000, a job summary 1 MiB): rollback cards are dropped from the end first,
then the diff is cut at a line, and a link to the full report (the CI artifact) closes it.

Only the standard library speaks HTTP here, with a timeout; the API base comes from the CI
environment (``GITHUB_API_URL``, ``CI_API_V4_URL``), which is how tests point it at a local
fake server.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rollbook.config import ConfigError
from rollbook.render.markdown import rollback_markdown
from rollbook.render.markdown_safe import link
from rollbook.render.views import RollbackView
from rollbook.review.report import ReviewDiff, render_markdown

MARKER = "<!-- rollbook-diff: this comment is updated on each push -->"
GITHUB_LIMIT = 65_536
GITLAB_LIMIT = 1_000_000
SUMMARY_LIMIT_BYTES = 1024 * 1024
TIMEOUT = 30
PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 comments: enough for any real pull request, and a bound


class PostError(Exception):
    """The platform refused or failed; ``denied`` when the token may not comment."""

    def __init__(self, message: str, denied: bool = False):
        super().__init__(message)
        self.denied = denied


# -- the comment ------------------------------------------------------------------------------


def comment_body(
    diff: ReviewDiff,
    views: Mapping[str, RollbackView],
    *,
    limit: int,
    report_url: str = "",
    measure=len,
) -> str:
    """The comment: marker, diff, rollback cards in ``<details>``; at most ``limit`` long."""
    head = MARKER + "\n" + render_markdown(diff)
    cards = []
    # The runbooks this change touches: changed or added ones, and those whose feature
    # source changed without them (the reviewer should read their rollback too).
    touched = [rb.id for rb in diff.runbooks if rb.status != "removed"]
    touched += [s.runbook for s in diff.unreviewed_sources if s.runbook]
    for ident in dict.fromkeys(touched):
        view = views.get(ident)
        if view is None:
            continue
        # Ids are slugs ([a-z0-9-]): safe inside HTML, and they cannot mention anyone.
        cards.append(
            f"\n<details><summary>Rollback of <code>{ident}</code> as the on-call person will "
            f"read it</summary>\n\n{rollback_markdown(view, heading='####')}\n</details>\n"
        )
    where = f" The full report: {link('rollbook diff report', report_url)}." if report_url else ""
    for keep in range(len(cards), -1, -1):
        left = len(cards) - keep
        tail = (
            f"\n_{left} rollback card{'s' if left != 1 else ''} left out to keep this comment "
            f"within the platform's size limit.{where}_\n"
            if left
            else ""
        )
        body = head + "".join(cards[:keep]) + tail
        if measure(body) <= limit:
            return body
    note = f"\n\n_This comment was shortened to fit the platform's size limit.{where}_\n"
    lines = head.split("\n")
    while lines and measure("\n".join(lines) + note) > limit:
        lines.pop()
    return "\n".join(lines) + note


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


# -- HTTP -------------------------------------------------------------------------------------


def _request(method: str, url: str, headers: dict[str, str], body: object = None) -> object:
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    for name, value in headers.items():
        request.add_header(name, value)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        denied = exc.code in (401, 403, 404)
        raise PostError(f"{method} {url}: HTTP {exc.code} {exc.reason}", denied) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PostError(f"{method} {url}: {exc}") from None
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise PostError(f"{method} {url}: the answer is not JSON") from None


def _find_marked(list_url: str, headers: dict[str, str], id_key: str = "id") -> object | None:
    """The id of the first comment that starts with :data:`MARKER`, page by page."""
    separator = "&" if "?" in list_url else "?"
    for page in range(1, MAX_PAGES + 1):
        items = _request("GET", f"{list_url}{separator}per_page={PAGE_SIZE}&page={page}", headers)
        if not isinstance(items, list):
            return None
        for item in items:
            if isinstance(item, dict) and str(item.get("body", "")).startswith(MARKER):
                return item.get(id_key)
        if len(items) < PAGE_SIZE:
            return None
    return None


@dataclass(frozen=True)
class Target:
    """Where to post: the API, the list of comments, how to edit one, with what headers."""

    platform: str
    list_url: str
    headers: dict[str, str]

    def edit_url(self, ident: object) -> str:
        return f"{self.list_url}/{ident}" if self.platform == "gitlab" else ""


def github_target(env: Mapping[str, str]) -> Target | str:
    """The pull request's comments from the GitHub Actions environment, or why not."""
    token = env.get("GITHUB_TOKEN") or env.get("ROLLBOOK_GITHUB_TOKEN")
    if not token:
        return "no GITHUB_TOKEN: the comment was not posted (the job summary has the diff)"
    repo = env.get("GITHUB_REPOSITORY", "")
    number = env.get("ROLLBOOK_PR_NUMBER") or _event_pr_number(env.get("GITHUB_EVENT_PATH"))
    if not repo or not number:
        return "not a pull request: the comment was not posted (the job summary has the diff)"
    api = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repo_path = urllib.parse.quote(repo, safe="/")
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "rollbook",
    }
    return Target("github", f"{api}/repos/{repo_path}/issues/{number}/comments", headers)


def _event_pr_number(path: str | None) -> str:
    if not path:
        return ""
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    number = (event.get("pull_request") or {}).get("number") if isinstance(event, dict) else None
    return str(number) if isinstance(number, int) else ""


def gitlab_target(env: Mapping[str, str]) -> Target | str:
    """The merge request's notes from the GitLab CI environment, or why not."""
    token = env.get("ROLLBOOK_GITLAB_TOKEN") or env.get("GITLAB_TOKEN")
    if not token:
        return "no ROLLBOOK_GITLAB_TOKEN: the merge-request note was not posted"
    api = env.get("CI_API_V4_URL", "").rstrip("/")
    project = env.get("CI_PROJECT_ID", "")
    iid = env.get("CI_MERGE_REQUEST_IID", "")
    if not api or not project or not iid:
        return "not a merge request pipeline: the merge-request note was not posted"
    url = f"{api}/projects/{urllib.parse.quote(project, safe='')}/merge_requests/{iid}/notes"
    return Target("gitlab", url, {"PRIVATE-TOKEN": token, "User-Agent": "rollbook"})


def upsert(target: Target, body: str, *, create: bool = True) -> str:
    """Edit the marked comment if there is one, else add it (when ``create``); says which."""
    found = _find_marked(target.list_url, target.headers)
    if found is not None:
        if target.platform == "github":
            base = target.list_url.split("/issues/")[0]
            url = f"{base}/issues/comments/{found}"
            _request("PATCH", url, target.headers, {"body": body})
        else:
            _request("PUT", target.edit_url(found), target.headers, {"body": body})
        return f"updated the {_noun(target)} ({found})"
    if not create:
        return f"no {_noun(target)}: nothing to review in this change"
    created = _request("POST", target.list_url, target.headers, {"body": body})
    ident = created.get("id") if isinstance(created, dict) else None
    return f"posted the {_noun(target)} ({ident})"


def _noun(target: Target) -> str:
    return "pull-request comment" if target.platform == "github" else "merge-request note"


def default_report_url(env: Mapping[str, str]) -> str:
    """Where the CI run keeps its artifacts: the run page (GitHub), the job's (GitLab)."""
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        return f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    if env.get("CI_JOB_URL"):
        return env["CI_JOB_URL"].rstrip("/") + "/artifacts/browse"
    return ""


def post(
    diff: ReviewDiff,
    views: Mapping[str, RollbackView],
    platform: str,
    *,
    env: Mapping[str, str] | None = None,
    report_url: str | None = None,
) -> list[str]:
    """Post or update the comment and write the job summary; returns what to tell the user.

    Never raises for the platform's refusals: a review step must not fail a build because
    the token is read-only. An unknown platform is a ConfigError.
    """
    env = os.environ if env is None else env
    if platform not in ("github", "gitlab"):
        raise ConfigError(f"--post {platform!r}: one of github, gitlab")
    url = default_report_url(env) if report_url is None else report_url
    said: list[str] = []
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        text = comment_body(diff, views, limit=SUMMARY_LIMIT_BYTES, report_url=url, measure=_utf8)
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(text.removeprefix(MARKER + "\n"))
        said.append("wrote the diff to the job summary")
    target = github_target(env) if platform == "github" else gitlab_target(env)
    if isinstance(target, str):
        return [*said, f"note: {target}"]
    limit = GITHUB_LIMIT if platform == "github" else GITLAB_LIMIT
    body = comment_body(diff, views, limit=limit, report_url=url)
    try:
        # A change that touches no runbook and no feature source gets no new comment (an
        # earlier one is still updated, so that it does not go on showing an old diff).
        said.append(upsert(target, body, create=bool(diff.runbooks or diff.sources)))
    except PostError as exc:
        if exc.denied:
            said.append(
                f"note: the token may not comment ({exc}); the job summary has the diff "
                "(GitHub: give the job `pull-requests: write`; a fork's pull request gets a "
                "read-only token)"
            )
        else:
            said.append(f"note: the {_noun(target)} was not posted: {exc}")
    return said
