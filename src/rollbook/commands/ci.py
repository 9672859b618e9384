"""`rollbook init --ci`: write the CI job that runs `rollbook lint`, for the detected platform.

Existing files are never overwritten: GitLab's `.gitlab-ci.yml` is the user's, so rollbook
writes its job to a file of its own and says how to include it.
"""

from __future__ import annotations

from pathlib import Path

from rollbook.atomic import write_text_atomic
from rollbook.config import ConfigError

PLATFORMS = ("github", "gitlab")

GITHUB_WORKFLOW = """\
# Written by `rollbook init --ci`: checks every runbook and that every deployable feature has one.
name: rollbook
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write  # upload-sarif shows findings in code scanning
  pull-requests: write  # rollbook diff comments on the pull request
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # rollbook diff compares with the pull request's target branch
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install rollbook
      - run: rollbook lint --output-format github --report sarif=rollbook.sarif
      # What the change does to each rollback, weakening first: one comment, updated on
      # each push, and the job summary.
      - if: always() && github.event_name == 'pull_request'
        run: rollbook diff --format markdown --post github > rollbook-diff.md
        env:
          GITHUB_TOKEN: ${{ github.token }}
      - if: always() && github.event_name == 'pull_request'
        uses: actions/upload-artifact@v4
        with:
          name: rollbook-diff
          path: rollbook-diff.md
      - if: always() && hashFiles('rollbook.sarif') != ''
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: rollbook.sarif
          category: rollbook
"""

GITLAB_JOB = """\
# Written by `rollbook init --ci`. Add to .gitlab-ci.yml:
#   include:
#     - local: .gitlab/rollbook.gitlab-ci.yml
rollbook-lint:
  stage: test
  image: python:3.12-slim
  script:
    - pip install rollbook
    - rollbook lint --report gitlab=gl-code-quality-report.json --report junit=rollbook-junit.xml
  artifacts:
    when: always
    reports:
      codequality: gl-code-quality-report.json
      junit: rollbook-junit.xml

# What a merge request does to each rollback, as one note updated on each push. Posting
# needs a project access token with the `api` scope in the masked CI/CD variable
# ROLLBOOK_GITLAB_TOKEN; without it the job only keeps rollbook-diff.md as an artifact.
rollbook-diff:
  stage: test
  image: python:3.12  # has git, which rollbook diff needs
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  variables:
    GIT_DEPTH: 0
  script:
    - pip install rollbook
    - git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - rollbook diff --format markdown --post gitlab > rollbook-diff.md
  artifacts:
    when: always
    paths: [rollbook-diff.md]
"""

TARGETS = {
    "github": (Path(".github/workflows/rollbook.yml"), GITHUB_WORKFLOW),
    "gitlab": (Path(".gitlab/rollbook.gitlab-ci.yml"), GITLAB_JOB),
}


def detect_platform(root: Path) -> str | None:
    """github when the repository has .github/, gitlab when it has .gitlab-ci.yml."""
    if (root / ".github").is_dir():
        return "github"
    if (root / ".gitlab-ci.yml").is_file():
        return "gitlab"
    return None


def write_ci(root: Path, platform: str | None = None) -> tuple[Path, str]:
    """Write the CI file for ``platform`` (default: detected); returns it and what to do next."""
    platform = platform or detect_platform(root)
    if platform is None:
        raise ConfigError(
            "cannot tell the CI platform (no .github/ folder and no "
            ".gitlab-ci.yml); pass --ci github or --ci gitlab"
        )
    if platform not in TARGETS:
        raise ConfigError(f"unknown CI platform {platform!r} (one of: {', '.join(PLATFORMS)})")
    rel, text = TARGETS[platform]
    path = root / rel
    if path.exists():
        raise ConfigError(f"{rel.as_posix()} already exists; not overwriting it")
    write_text_atomic(path, text)
    if platform == "gitlab":
        nxt = f"add to .gitlab-ci.yml:\n  include:\n    - local: {rel.as_posix()}"
    else:
        nxt = "commit it; pull requests will show rollbook's findings as annotations"
    return path, nxt
