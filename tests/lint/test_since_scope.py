"""`--since` never gives wrong advice: what it did not check, it does not judge."""

from __future__ import annotations

import subprocess

import pytest

from rollbook.cli import main
from tests.lint.conftest import CONFIG

CODE_SOURCE = '\n[[sources]]\nkind = "code"\npaths = ["svc/**/*.go"]\n'
GO = """\
package svc

func handler(ctx context.Context) {
	// rollbook: ignore[RB101] internal admin switch, no customer sees it
	admin, _ := client.BooleanValue(ctx, "admin-tools", false, ec)
	beta, _ := client.BooleanValue(ctx, "beta-banner", false, ec) // rollbook: ignore[RB101] gone
	_ = admin
	_ = beta
}
"""


def git(root, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)


@pytest.fixture
def repo(project, monkeypatch, capsys):
    """The lint test project with Go code whose two flags are suppressed, committed."""
    project.write("rollbook.toml", CONFIG + CODE_SOURCE)
    project.write("svc/handler.go", GO)
    git(project.root, "init", "-q", "-b", "main")
    git(project.root, "config", "user.email", "t@example.com")
    git(project.root, "config", "user.name", "T")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", "base")
    monkeypatch.chdir(project.root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("ROLLBOOK_TODAY", "2026-03-01")

    def run(*args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as exc:
            main(list(args))
        return exc.value.code, capsys.readouterr().out

    project.run = run
    return project


def add_line(project, after: str, line: str) -> None:
    path = project.root / "svc" / "handler.go"
    text = path.read_text()
    assert after in text
    path.write_text(text.replace(after, after + line, 1))


def findings(out: str) -> list[str]:
    return [line.split(" [")[0] for line in out.splitlines() if ": RB" in line]


def test_full_run_is_clean(repo):
    code, out = repo.run("lint", "--fail-on", "warning")
    assert code == 0, out


@pytest.mark.parametrize(
    "after",
    ["func handler(ctx context.Context) {\n", "\t_ = beta\n"],
    ids=["above-the-suppressions", "below-them"],
)
def test_a_new_flag_beside_suppressed_ones_reports_only_the_new_flag(repo, after):
    add_line(repo, after, '\tx, _ := client.StringValue(ctx, "new-copy", "", ec)\n')
    code, out = repo.run("lint", "--since", "HEAD", "--fail-on", "warning")
    assert code == 1
    [only] = findings(out)
    assert only.endswith(": RB101") and "`new-copy`" in out
    assert "RB902" not in out  # the suppressions of unchanged lines are not "unused"


def test_a_new_flag_with_its_own_suppression_is_suppressed(repo):
    add_line(
        repo,
        "\t_ = admin\n",
        "\t// rollbook: ignore[RB101] load test only\n"
        '\tx, _ := client.StringValue(ctx, "load-test", "", ec)\n',
    )
    code, out = repo.run("lint", "--since", "HEAD", "--fail-on", "warning")
    assert code == 0, out
    assert "1 suppressed" in out.splitlines()[-1]


def test_unchanged_broken_suppressions_are_not_reported_in_changed_only_mode(repo):
    path = repo.root / "svc" / "handler.go"
    path.write_text(path.read_text().replace("ignore[RB101] gone", "ignore[RB1O1]"))
    git(repo.root, "commit", "-qam", "a typo, committed")
    add_line(repo, "\t_ = beta\n", '\ty, _ := client.IntValue(ctx, "new-limit", 0, ec)\n')
    code, out = repo.run("lint", "--since", "HEAD")
    assert code == 1
    # The typo's line did not change: only the new flag is this change's business.
    assert [f.split(": ")[1] for f in findings(out)] == ["RB101"]
    _, out = repo.run("lint")  # a full run still reports the typo and what it hid
    assert {f.split(": ")[1] for f in findings(out)} == {"RB101", "RB904"}


def test_the_summary_says_what_was_checked(repo):
    add_line(repo, "\t_ = beta\n", '\tx, _ := client.StringValue(ctx, "new-copy", "", ec)\n')
    _, out = repo.run("lint", "--since", "HEAD")
    assert "0 runbook files and the coverage of 1 feature\n" in out
    (repo.root / "runbooks" / "one-click-checkout.yaml").unlink()
    _, out = repo.run("lint", "--since", "HEAD")
    assert "and the coverage of 4 features (all: a runbook was deleted)\n" in out
