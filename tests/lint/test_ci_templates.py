"""`rollbook init --ci [--pages]` and action.yml: files that parse, pin rollbook, and whose shell
steps do what they say when run with bash, as the runners run them, in a temporary repository.

GitHub's expressions (``${{ ... }}``) are not evaluated here: each step's ``env`` is given the
values GitHub would compute for the event the test stands for (a push, a pull request).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rollbook import __version__
from rollbook.cli import main
from rollbook.commands.ci import GITHUB_LINT, GITLAB_LINT, default_branch
from tests.lint.conftest import FLAGS_PATH

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the rollbook under test
# GitHub runs `run:` steps with this shell on Linux runners.
GITHUB_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
PIN = f'"rollbook=={__version__}"'


@pytest.fixture
def cli(project, monkeypatch, capsys):
    monkeypatch.chdir(project.root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exc:
            main(list(args))
        out = capsys.readouterr()
        return exc.value.code, out.out, out.err

    return run


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_all(repo: Path, branch: str = "main") -> None:
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", branch)
        git(repo, "config", "user.email", "t@example.com")
        git(repo, "config", "user.name", "T")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict) -> dict:
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean true; GitHub reads it as "on".
    return workflow.get("on", workflow.get(True))


def step(steps: list[dict], **match: str) -> dict:
    for item in steps:
        if all(str(item.get(k, "")).startswith(v) for k, v in match.items()):
            return item
    raise AssertionError(f"no step with {match}: {steps}")


def stub_python(folder: Path) -> Path:
    """A `python` that records its arguments instead of installing anything."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "python.log"
    script = folder / "python"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {shlex.quote(str(log))}\n')
    script.chmod(0o755)
    return log


def run_step(
    script: str, cwd: Path, env: dict[str, str], path_first: Path | None = None
) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(
        [str(p) for p in (path_first, BIN) if p is not None] + [os.environ["PATH"]]
    )
    full = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_"))},
        "PATH": path,
        "ROLLBOOK_TODAY": "2026-03-01",
        **env,
    }
    return subprocess.run(
        [*GITHUB_BASH, "-c", script], cwd=cwd, env=full, capture_output=True, text=True, timeout=600
    )


def add_uncovered_flag(project) -> None:
    flags = project.root / FLAGS_PATH
    flags.write_text(
        flags.read_text().replace(
            '"checkout.one_click": {',
            '"checkout.gift_cards": {"state": "ENABLED", "variants": {"on": true, "off": false},'
            ' "defaultVariant": "off"},\n    "checkout.one_click": {',
        )
    )


# -- GitHub ---------------------------------------------------------------------------------


def test_github_workflow_parses_pins_the_version_and_lints_everything_on_push(cli, project):
    (project.root / ".github").mkdir()
    code, out, _ = cli("init", "--ci")
    assert code == 0, out
    workflow = load(project.root / ".github/workflows/rollbook.yml")
    on = triggers(workflow)
    assert set(on) == {"pull_request", "push", "workflow_dispatch"}
    assert on["push"] == {"branches": ["main"]}
    steps = workflow["jobs"]["lint"]["steps"]
    install = step(steps, name="Install rollbook")
    assert install["run"].endswith(PIN)
    lint = step(steps, name="rollbook lint")
    # --since comes only from the pull request's base: a push has none, so it lints it all.
    assert lint["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    assert GITHUB_LINT in lint["run"] and "--since" not in lint["run"].split("then")[0]
    assert step(steps, uses="actions/checkout")["with"]["fetch-depth"] == 0


def test_github_sarif_upload_is_optional_and_never_fails_the_job(cli, project):
    (project.root / ".github").mkdir()
    assert cli("init", "--ci")[0] == 0
    workflow = load(project.root / ".github/workflows/rollbook.yml")
    upload = step(workflow["jobs"]["lint"]["steps"], uses="github/codeql-action/upload-sarif")
    assert upload["continue-on-error"] is True
    condition = " ".join(upload["if"].split())
    # Skipped for pull requests from forks, for private repositories unless asked for, and
    # when told never to; run after a failed lint too (findings are what it uploads).
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    assert "!github.event.repository.private" in condition
    assert "vars.ROLLBOOK_CODE_SCANNING == 'true'" in condition
    assert "vars.ROLLBOOK_CODE_SCANNING != 'false'" in condition
    assert condition.startswith("always() && hashFiles('rollbook.sarif') != ''")
    permissions = workflow["jobs"]["lint"]["permissions"]
    assert permissions["security-events"] == "write" and permissions["actions"] == "read"
    assert workflow["permissions"] == {"contents": "read"}


def test_github_workflow_names_the_repository_default_branch(cli, project):
    (project.root / ".github").mkdir()
    commit_all(project.root, branch="trunk")
    origin = project.root.parent / "origin.git"
    git(project.root.parent, "clone", "-q", "--bare", str(project.root), str(origin))
    git(project.root, "remote", "add", "origin", str(origin))
    git(project.root, "fetch", "-q", "origin")
    git(project.root, "remote", "set-head", "origin", "trunk")
    git(project.root, "checkout", "-q", "-b", "feature/x")
    assert default_branch(project.root) == "trunk"
    assert cli("init", "--ci", "--pages")[0] == 0
    for name in ("rollbook.yml", "rollbook-pages.yml"):
        workflow = load(project.root / ".github/workflows" / name)
        assert triggers(workflow)["push"] == {"branches": ["trunk"]}, name


def test_default_branch_without_git_or_with_master(tmp_path):
    assert default_branch(tmp_path) == "main"
    commit_all_repo = tmp_path / "r"
    commit_all_repo.mkdir()
    (commit_all_repo / "x").write_text("x")
    commit_all(commit_all_repo, branch="master")
    assert default_branch(commit_all_repo) == "master"


def test_github_pages_workflow_uses_the_official_actions(cli, project):
    (project.root / ".github").mkdir()
    code, out, _ = cli("init", "--ci", "--pages")
    assert code == 0
    assert "Settings > Pages" in out and '"GitHub Actions"' in out
    workflow = load(project.root / ".github/workflows/rollbook-pages.yml")
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = workflow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "").partition("@")[0] for s in build]
    assert uses.index("actions/configure-pages") < uses.index("actions/upload-pages-artifact")
    configure = step(build, uses="actions/configure-pages")
    site = step(build, name="Build the site")
    assert site["env"] == {"BASE_URL": f"${{{{ steps.{configure['id']}.outputs.base_url }}}}"}
    assert step(build, uses="actions/upload-pages-artifact")["with"]["path"] == "_site"
    assert "--out _site" in site["run"]
    assert step(build, name="Install rollbook")["run"].endswith(PIN)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_init_ci_keeps_what_exists_and_writes_the_rest(cli, project):
    (project.root / ".github").mkdir()
    assert cli("init", "--ci")[0] == 0
    lint_file = project.root / ".github/workflows/rollbook.yml"
    lint_file.write_text("mine\n")
    code, out, _ = cli("init", "--ci", "--pages")
    assert code == 0
    assert "kept " in out and "rollbook.yml: it exists already" in out
    assert lint_file.read_text() == "mine\n"
    assert (project.root / ".github/workflows/rollbook-pages.yml").is_file()
    code, _, err = cli("init", "--ci", "--pages")
    assert code == 2 and "already exist; not overwriting" in err


def test_github_lint_step_lints_everything_on_push_and_the_change_on_a_pull_request(cli, project):
    (project.root / ".github").mkdir()
    assert cli("init", "--ci")[0] == 0
    workflow = load(project.root / ".github/workflows/rollbook.yml")
    script = step(workflow["jobs"]["lint"]["steps"], name="rollbook lint")["run"]
    commit_all(project.root)
    git(project.root, "update-ref", "refs/remotes/origin/main", "HEAD")

    push = run_step(script, project.root, {"BASE_REF": ""})
    assert push.returncode == 0, push.stdout + push.stderr
    assert "only what changed" not in push.stdout
    assert "All checks passed" in push.stdout or "no findings" in push.stdout
    sarif = json.loads((project.root / "rollbook.sarif").read_text())
    assert sarif["version"] == "2.1.0"

    pull = run_step(script, project.root, {"BASE_REF": "main"})
    assert pull.returncode == 0, pull.stdout + pull.stderr
    assert "only what changed since origin/main" in pull.stdout

    # A flag without a runbook fails the step, as an annotation on the flag file, on a push.
    add_uncovered_flag(project)
    failed = run_step(script, project.root, {"BASE_REF": ""})
    assert failed.returncode == 1
    assert f"::error file={FLAGS_PATH},line=3" in failed.stdout
    assert "checkout.gift_cards" in failed.stdout


def test_github_install_and_pages_build_steps(cli, project, tmp_path):
    (project.root / ".github").mkdir()
    assert cli("init", "--ci", "--pages")[0] == 0
    pages = load(project.root / ".github/workflows/rollbook-pages.yml")
    build = pages["jobs"]["build"]["steps"]
    log = stub_python(tmp_path / "stub")
    install = step(build, name="Install rollbook")["run"]
    done = run_step(install, project.root, {}, tmp_path / "stub")
    assert done.returncode == 0, done.stderr
    assert log.read_text().split("\n")[:2] == ["-m", "pip"]
    assert f"rollbook=={__version__}" in log.read_text().split("\n")

    # configure-pages gives the address without a trailing slash: the step adds one.
    site = step(build, name="Build the site")["run"]
    built = run_step(site, project.root, {"BASE_URL": "https://org.github.io/repo"})
    assert built.returncode == 0, built.stdout + built.stderr
    sitemap = (project.root / "_site/sitemap.xml").read_text()
    assert "<loc>https://org.github.io/repo/runbooks/one-click-checkout/</loc>" in sitemap
    # The address given by CI is checked like the configuration's.
    bad = run_step(site, project.root, {"BASE_URL": "javascript:alert(1)"})
    assert bad.returncode == 2 and "--site-url" in bad.stderr


# -- GitLab ---------------------------------------------------------------------------------


def test_gitlab_jobs_use_stages_every_pipeline_has(cli, project):
    (project.root / ".gitlab-ci.yml").write_text("stages: [build, deploy]\n")
    code, out, _ = cli("init", "--ci", "--pages")
    assert code == 0
    assert (project.root / ".gitlab-ci.yml").read_text() == "stages: [build, deploy]\n"
    assert "- local: .gitlab/rollbook.gitlab-ci.yml" in out
    assert "- local: .gitlab/rollbook-pages.gitlab-ci.yml" in out
    lint = load(project.root / ".gitlab/rollbook.gitlab-ci.yml")
    assert set(lint) == {"rollbook-lint", "rollbook-diff"}
    assert lint["rollbook-diff"]["stage"] == ".pre"
    job = lint["rollbook-lint"]
    assert job["stage"] == ".pre"
    assert job["script"] == [
        f"python -m pip install --disable-pip-version-check {PIN}",
        GITLAB_LINT,
    ]
    assert job["artifacts"]["reports"] == {
        "codequality": "gl-code-quality-report.json",
        "junit": "rollbook-junit.xml",
    }
    pages = load(project.root / ".gitlab/rollbook-pages.gitlab-ci.yml")
    assert set(pages) == {"pages"}
    job = pages["pages"]
    assert job["stage"] == ".post" and "needs" not in job
    assert job["artifacts"] == {"paths": ["public"]}
    # From the default branch only, and even when the lint failed.
    assert job["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "when": "always"}]
    assert job["script"][0].endswith(PIN)
    assert '--site-url "${CI_PAGES_URL%/}/"' in job["script"][1]


def test_gitlab_scripts_run(cli, project, tmp_path):
    (project.root / ".gitlab-ci.yml").write_text("stages: [build]\n")
    assert cli("init", "--ci", "--pages")[0] == 0
    lint = load(project.root / ".gitlab/rollbook.gitlab-ci.yml")["rollbook-lint"]["script"]
    log = stub_python(tmp_path / "stub")
    assert run_step(lint[0], project.root, {}, tmp_path / "stub").returncode == 0
    assert f"rollbook=={__version__}" in log.read_text().split("\n")
    done = run_step(lint[1], project.root, {})
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((project.root / "gl-code-quality-report.json").read_text()) == []
    assert "<testsuite" in (project.root / "rollbook-junit.xml").read_text()

    pages = load(project.root / ".gitlab/rollbook-pages.gitlab-ci.yml")["pages"]["script"]
    env = {"CI_PAGES_URL": "https://group.gitlab.io/project"}
    built = run_step(pages[1], project.root, env)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "https://group.gitlab.io/project/" in (project.root / "public/sitemap.xml").read_text()


# -- the composite action (action.yml) -----------------------------------------------------


def action() -> dict:
    return load(ROOT / "action.yml")


def test_action_runs_the_same_lint_and_makes_sarif_optional():
    steps = action()["runs"]["steps"]
    lint = step(steps, name="rollbook lint")
    assert GITHUB_LINT in lint["run"]
    upload = step(steps, name="Upload SARIF")
    assert upload["continue-on-error"] is True
    condition = " ".join(upload["if"].split())
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    assert "inputs.upload-sarif == 'auto' && !github.event.repository.private" in condition
    assert action()["inputs"]["upload-sarif"]["default"] == "auto"


def test_action_shell_steps_run(project, tmp_path):
    steps = action()["runs"]["steps"]
    install = step(steps, name="Install rollbook")
    log = stub_python(tmp_path / "stub")
    # No package given: pip installs the action's own checkout.
    env = {"PACKAGE": "", "ACTION_PATH": str(ROOT)}
    assert run_step(install["run"], project.root, env, tmp_path / "stub").returncode == 0
    assert log.read_text().split("\n")[-2] == str(ROOT)
    env = {"PACKAGE": f"rollbook=={__version__}", "ACTION_PATH": str(ROOT)}
    assert run_step(install["run"], project.root, env, tmp_path / "stub").returncode == 0
    assert log.read_text().split("\n")[-2] == f"rollbook=={__version__}"

    lint = step(steps, name="rollbook lint")
    done = run_step(lint["run"], project.root, {"ARGS": ""})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project.root / "rollbook.sarif").is_file()
    add_uncovered_flag(project)
    failed = run_step(lint["run"], project.root, {"ARGS": "--select RB101"})
    assert failed.returncode == 1 and "checkout.gift_cards" in failed.stdout
    # Arguments are split as words, never run as code.
    hostile = run_step(lint["run"], project.root, {"ARGS": "$(touch pwned) ;touch pwned2"})
    assert hostile.returncode == 2
    assert not (project.root / "pwned").exists() and not (project.root / "pwned2").exists()


def test_readme_shows_each_generated_ci_file(tmp_path):
    """The README shows every file `rollbook init --ci --pages` writes, as written."""
    from rollbook.commands.ci import LINT_TARGETS, PAGES_TARGETS, render

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rel, template in [*LINT_TARGETS.values(), *PAGES_TARGETS.values()]:
        shown = render(template)
        assert f"```yaml\n# {rel.as_posix()}\n{shown}```" in readme, rel


def test_every_action_is_pinned_to_a_major_version(cli, project):
    """`@main` or no version would change under the user; each `uses:` names a major tag."""
    (project.root / ".github").mkdir()
    assert cli("init", "--ci", "--pages")[0] == 0
    files = [*(project.root / ".github/workflows").glob("*.yml"), ROOT / "action.yml"]
    seen = []
    for path in files:
        for uses in re.findall(r"^\s*(?:- )?uses:\s*(\S+)", path.read_text(), re.M):
            seen.append(uses)
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", uses), (path.name, uses)
    assert len(seen) == 12  # every `uses:` was seen: none skipped by the pattern
