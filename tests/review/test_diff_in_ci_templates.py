"""The GitHub action and the CI templates post the diff, and are valid YAML."""

from __future__ import annotations

from pathlib import Path

import yaml

from rollbook.commands.ci import GITHUB_WORKFLOW, GITLAB_JOB, render

ROOT = Path(__file__).resolve().parents[2]


def test_action_is_valid_yaml_and_posts_the_diff_on_pull_requests():
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["inputs"]["diff"]["default"] == "true"
    steps = {step.get("name"): step for step in action["runs"]["steps"]}
    step = steps["rollbook diff (pull-request comment)"]
    assert "github.event_name == 'pull_request'" in step["if"]
    assert step["if"].startswith("always()")  # runs even when lint found something
    assert 'rollbook diff "${args[@]}" > rollbook-diff.md' in step["run"]
    assert "--post github" in step["run"]
    # Inputs reach the script through env only: no ${{ }} inside the script.
    assert "${{" not in step["run"]
    assert steps["Upload the diff report"]["with"]["name"] == "rollbook-diff"


def test_github_workflow_template_comments_with_the_right_permission():
    workflow = yaml.safe_load(render(GITHUB_WORKFLOW))
    assert workflow["jobs"]["lint"]["permissions"]["pull-requests"] == "write"
    steps = workflow["jobs"]["lint"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert any("rollbook diff --format markdown --post github" in s.get("run", "") for s in steps)


def test_gitlab_template_posts_a_note_in_merge_requests():
    jobs = yaml.safe_load(render(GITLAB_JOB))
    job = jobs["rollbook-diff"]
    assert job["stage"] == ".pre"  # a stage every pipeline has
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert "rollbook diff --format markdown --post gitlab > rollbook-diff.md" in job["script"]
    assert job["variables"]["GIT_DEPTH"] == 0
