"""`rollbook init --ci [--pages]`: write the CI jobs that lint runbooks and publish the site.

What is written must keep working without anyone editing it:

- rollbook is pinned to the version that wrote the files (``pip install rollbook==X``), so a
  new release never changes a team's gate under it; upgrading is a one-line, reviewed change.
  Actions are pinned to a major version that runs on Node 24 (GitHub removed Node 20 from its
  runners in September 2026; CodeQL Action v3 is deprecated in December 2026).
- On a pull request GitHub lints what the pull request changes (``--since`` its base); on a
  push it lints everything, so the default branch is always checked whole.
- Uploading SARIF to code scanning is optional: it is skipped where code scanning cannot
  work (a pull request from a fork gets a read-only token; a private repository needs GitHub
  Advanced Security) and a failed upload never fails a green lint.
- GitLab jobs use the stages every pipeline has (``.pre``, ``.post``), not ``test`` or
  ``deploy``, which a project's own ``stages:`` may lack.
- The site is built with ``--site-url`` from the platform's own Pages address, so pages,
  the service worker and links from alerts work under a project subpath
  (``https://org.github.io/repo/``) and keep working when the address changes.

Existing files are never overwritten: a file that exists is left as it is and named, and
GitLab's ``.gitlab-ci.yml`` is the user's, so rollbook's jobs go into files of their own for it
to ``include:``.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from rollbook import __version__
from rollbook.atomic import write_text_atomic
from rollbook.config import ConfigError

PLATFORMS = ("github", "gitlab")
PYTHON_VERSION = "3.12"

# The one lint command every CI template runs; the action (action.yml) runs the same.
GITHUB_LINT = "rollbook lint --output-format github --report sarif=rollbook.sarif"
GITLAB_LINT = (
    "rollbook lint --report gitlab=gl-code-quality-report.json --report junit=rollbook-junit.xml"
)

GITHUB_WORKFLOW = """\
# Written by `rollbook init --ci` (rollbook @VERSION@): checks every runbook, and that every
# deployable feature has one. Pull requests lint what they change; pushes lint everything.
# To upgrade rollbook, change the version below (and in rollbook-pages.yml, if you have it).
name: rollbook
on:
  pull_request:
  push:
    branches: [@BRANCH@]
  workflow_dispatch:
permissions:
  contents: read
jobs:
  lint:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      actions: read  # upload-sarif reads the run's details in a private repository
      security-events: write  # upload-sarif shows findings in code scanning
      pull-requests: write  # rollbook diff comments on the pull request
    steps:
      - uses: actions/checkout@v6
        with:
          fetch-depth: 0  # --since compares with the pull request's base
      - uses: actions/setup-python@v6
        with:
          python-version: "@PYTHON@"
      - name: Install rollbook
        run: python -m pip install --disable-pip-version-check "rollbook==@VERSION@"
      - name: rollbook lint
        env:
          # Set on pull requests only: a push to the default branch lints everything.
          BASE_REF: ${{ github.base_ref }}
        run: |
          set --
          if [ -n "$BASE_REF" ]; then set -- --since "origin/$BASE_REF"; fi
          @GITHUB_LINT@ "$@"
      # What the change does to each rollback, weakening first: one comment, updated on
      # each push, and the job summary.
      - name: rollbook diff
        if: always() && github.event_name == 'pull_request'
        run: rollbook diff --format markdown --post github > rollbook-diff.md
        env:
          GITHUB_TOKEN: ${{ github.token }}
      - if: always() && github.event_name == 'pull_request'
        uses: actions/upload-artifact@v4
        with:
          name: rollbook-diff
          path: rollbook-diff.md
      # Optional: code scanning needs a public repository or GitHub Advanced Security, and a
      # pull request from a fork gets a token that cannot write security events. Set the
      # repository variable ROLLBOOK_CODE_SCANNING to "true" (a private repository with code
      # scanning) or "false" (never upload). The annotations and the job summary do not need it,
      # and a failed upload never fails the job: the lint step alone decides.
      - name: Upload findings to code scanning
        if: >-
          always() && hashFiles('rollbook.sarif') != ''
          && (vars.ROLLBOOK_CODE_SCANNING == 'true'
          || (vars.ROLLBOOK_CODE_SCANNING != 'false' && !github.event.repository.private))
          && (github.event_name != 'pull_request'
          || github.event.pull_request.head.repo.full_name == github.repository)
        continue-on-error: true
        uses: github/codeql-action/upload-sarif@v4
        with:
          sarif_file: rollbook.sarif
          category: rollbook
"""

GITHUB_PAGES = """\
# Written by `rollbook init --ci --pages` (rollbook @VERSION@): publishes the runbook site
# with GitHub Pages on every push to the default branch. In the repository's settings, under
# Pages, choose "GitHub Actions" as the source. The site's address (site-url) comes from
# GitHub, so it works under https://ORG.github.io/REPO/ and on a custom domain alike.
name: rollbook site
on:
  push:
    branches: [@BRANCH@]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: false
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - uses: actions/setup-python@v6
        with:
          python-version: "@PYTHON@"
      - name: Install rollbook
        run: python -m pip install --disable-pip-version-check "rollbook==@VERSION@"
      - name: Configure Pages
        id: pages
        uses: actions/configure-pages@v6
      - name: Build the site
        env:
          BASE_URL: ${{ steps.pages.outputs.base_url }}
        run: rollbook build --site-url "${BASE_URL%/}/" --out _site
      - uses: actions/upload-pages-artifact@v5
        with:
          path: _site
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v5
"""

GITLAB_JOB = """\
# Written by `rollbook init --ci` (rollbook @VERSION@). Add to .gitlab-ci.yml:
#   include:
#     - local: .gitlab/rollbook.gitlab-ci.yml
# The job runs in .pre, a stage every pipeline has, whatever your `stages:` say. GitLab runs
# no pipeline whose only jobs are in .pre and .post: if this is your only job, set its stage
# to one of yours. To upgrade rollbook, change the version below.
rollbook-lint:
  stage: .pre
  image: python:@PYTHON@-slim
  script:
    - python -m pip install --disable-pip-version-check "rollbook==@VERSION@"
    - @GITLAB_LINT@
  artifacts:
    when: always
    reports:
      codequality: gl-code-quality-report.json
      junit: rollbook-junit.xml

# What a merge request does to each rollback, as one note updated on each push. Posting
# needs a project access token with the `api` scope in the masked CI/CD variable
# ROLLBOOK_GITLAB_TOKEN; without it the job only keeps rollbook-diff.md as an artifact.
rollbook-diff:
  stage: .pre
  image: python:@PYTHON@  # not -slim: it has git, which rollbook diff needs
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  variables:
    GIT_DEPTH: 0
  script:
    - python -m pip install --disable-pip-version-check "rollbook==@VERSION@"
    - git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - rollbook diff --format markdown --post gitlab > rollbook-diff.md
  artifacts:
    when: always
    paths: [rollbook-diff.md]
"""

GITLAB_PAGES = """\
# Written by `rollbook init --ci --pages` (rollbook @VERSION@). Add to .gitlab-ci.yml:
#   include:
#     - local: .gitlab/rollbook-pages.gitlab-ci.yml
# Publishes the runbook site with GitLab Pages from the default branch. The site's address
# (site-url) is GitLab's own $CI_PAGES_URL, so it works under https://GROUP.gitlab.io/PROJECT/
# and on a custom domain alike. The job runs in .post, a stage every pipeline has, and runs even
# when the lint (or another job) failed: features still lacking runbooks must not keep the site
# from the on-call. A runbook with errors stops `rollbook build` itself, and the site stays as
# it was.
pages:
  stage: .post
  image: python:@PYTHON@-slim
  script:
    - python -m pip install --disable-pip-version-check "rollbook==@VERSION@"
    - rollbook build --site-url "${CI_PAGES_URL%/}/" --out public
  artifacts:
    paths:
      - public
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      when: always
"""

LINT_TARGETS = {
    "github": (Path(".github/workflows/rollbook.yml"), GITHUB_WORKFLOW),
    "gitlab": (Path(".gitlab/rollbook.gitlab-ci.yml"), GITLAB_JOB),
}
PAGES_TARGETS = {
    "github": (Path(".github/workflows/rollbook-pages.yml"), GITHUB_PAGES),
    "gitlab": (Path(".gitlab/rollbook-pages.gitlab-ci.yml"), GITLAB_PAGES),
}
# Kept for callers of the first version: the lint job of each platform.
TARGETS = LINT_TARGETS

_BRANCH = re.compile(r"[A-Za-z0-9._/-]{1,200}\Z")


@dataclass
class CiFiles:
    """What `rollbook init --ci` did: files written, files left alone, and what to do next."""

    platform: str
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    next_steps: str = ""


def detect_platform(root: Path) -> str | None:
    """github when the repository has .github/, gitlab when it has .gitlab-ci.yml."""
    if (root / ".github").is_dir():
        return "github"
    if (root / ".gitlab-ci.yml").is_file():
        return "gitlab"
    return None


def default_branch(root: Path) -> str:
    """The repository's default branch, as far as git can tell without a network: the
    remote's HEAD, else ``main`` or ``master`` if one exists, else ``main``."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    remote_head = git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    candidates = [remote_head.partition("/")[2]] if remote_head.startswith("origin/") else []
    for name in ("main", "master"):
        if git("rev-parse", "--verify", "--quiet", f"refs/heads/{name}"):
            candidates.append(name)
    for name in candidates:
        if _BRANCH.match(name) and ".." not in name:
            return name
    return "main"


def render(template: str, branch: str = "main") -> str:
    """A CI template with this rollbook's version, the branch and the lint commands filled in."""
    # The branch goes into a YAML flow sequence: written as a JSON string, which YAML reads
    # as the same string whatever it holds.
    return (
        template.replace("@VERSION@", __version__)
        .replace("@PYTHON@", PYTHON_VERSION)
        .replace("@BRANCH@", json.dumps(branch))
        .replace("@GITHUB_LINT@", GITHUB_LINT)
        .replace("@GITLAB_LINT@", GITLAB_LINT)
    )


def write_ci(root: Path, platform: str | None = None, pages: bool = False) -> CiFiles:
    """Write the CI files for ``platform`` (default: detected), the Pages job too with
    ``pages``; files that exist are left alone, and all of them existing is an error."""
    platform = platform or detect_platform(root)
    if platform is None:
        raise ConfigError(
            "cannot tell the CI platform (no .github/ folder and no "
            ".gitlab-ci.yml); pass --ci github or --ci gitlab"
        )
    if platform not in LINT_TARGETS:
        raise ConfigError(f"unknown CI platform {platform!r} (one of: {', '.join(PLATFORMS)})")
    wanted = [LINT_TARGETS[platform]] + ([PAGES_TARGETS[platform]] if pages else [])
    result = CiFiles(platform)
    todo = []
    for rel, template in wanted:
        (result.kept if (root / rel).exists() else todo).append((rel, template))
    result.kept = [root / rel for rel, _ in result.kept]
    if not todo:
        names = ", ".join(p.relative_to(root).as_posix() for p in result.kept)
        raise ConfigError(
            f"{names} already exist{'s' if len(result.kept) == 1 else ''}; not overwriting"
        )
    branch = default_branch(root) if platform == "github" else "main"
    for rel, template in todo:
        write_text_atomic(root / rel, render(template, branch))
        result.written.append(root / rel)
    result.next_steps = _next_steps(platform, [rel for rel, _ in wanted], pages)
    return result


def _next_steps(platform: str, files: list[Path], pages: bool) -> str:
    if platform == "gitlab":
        includes = "".join(f"\n    - local: {rel.as_posix()}" for rel in files)
        text = f"add to .gitlab-ci.yml:\n  include:{includes}"
        if pages:
            text += "\nthe site is published to $CI_PAGES_URL from the default branch"
        return text
    text = "commit it; pull requests will show rollbook's findings as annotations"
    if pages:
        text += (
            '\nin the repository\'s Settings > Pages, set Source to "GitHub Actions"; the site '
            "is published from the default branch"
        )
    return text
