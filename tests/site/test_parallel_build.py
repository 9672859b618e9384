"""`rollbook build` with several processes: the same bytes as one process, and a failing worker
fails the whole build and leaves the previous site in place."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from rollbook.config import ConfigError
from rollbook.parallel import JOBS_ENV, default_jobs, fork_map
from rollbook.site import SiteBuildError
from tests.site.sitetools import EPOCH, REPO, build_project, make_project

# Enough runbooks that every sharded step (loading and lint, page rendering, MkDocs' pages,
# the link check) really splits its work.
RUNBOOKS = 60


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_project(tmp_path / "project", extra_runbooks=RUNBOOKS)


def test_parallel_build_is_byte_identical_to_one_process(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(JOBS_ENV, "1")
    single = build_project(project, tmp_path / "single")
    monkeypatch.setenv(JOBS_ENV, "2")
    double = build_project(project, tmp_path / "double")
    monkeypatch.setenv(JOBS_ENV, "3")
    build_project(project, tmp_path / "triple")
    one = _tree(tmp_path / "single")
    assert len([p for p in one if p.startswith("runbooks/")]) > RUNBOOKS
    assert _tree(tmp_path / "double") == one
    assert _tree(tmp_path / "triple") == one
    assert single.report.pages == double.report.pages
    assert double.unreadable == single.unreadable == 0


def test_failing_worker_fails_build_and_keeps_previous_site(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(JOBS_ENV, "2")
    out = tmp_path / "site"
    build_project(project, out)
    before = _tree(out)
    # A theme override that puts an event handler on one page only. Pages are dealt to the
    # workers in turn after the home page, so the first runbook by title ("Feature number 0")
    # is the forked worker's, not the parent's.
    theme = project / "my-templates" / "site" / "theme" / "partials"
    theme.mkdir(parents=True)
    original = (REPO / "templates" / "site" / "theme" / "partials" / "search.html").read_text(
        encoding="utf-8"
    )
    (theme / "search.html").write_text(
        original + '{% if page and page.file.src_uri == "runbooks/feature-00000.md" %}'
        '<div onclick="alert(1)">x</div>{% endif %}',
        encoding="utf-8",
    )
    config = project / "rollbook.toml"
    config.write_text(
        'templates = "my-templates"\n' + config.read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(SiteBuildError, match=r"unsafe output: runbooks/feature-00000/index\.html"):
        build_project(project, out)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]
    # One process finds the same problem.
    monkeypatch.setenv(JOBS_ENV, "1")
    with pytest.raises(SiteBuildError, match=r"unsafe output: runbooks/feature-00000/index\.html"):
        build_project(project, out)
    assert _tree(out) == before


def test_fork_map_returns_results_in_order_and_raises_worker_errors() -> None:
    assert fork_map(lambda i: i * 10, 3) == [0, 10, 20]

    def fail_in_worker(i: int) -> int:
        if i == 1:
            raise ValueError("worker one broke")
        return i

    with pytest.raises(ValueError, match="worker one broke"):
        fork_map(fail_in_worker, 2)


def test_jobs_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(JOBS_ENV, "3")
    assert default_jobs() == 3
    monkeypatch.setenv(JOBS_ENV, "zero")
    with pytest.raises(ConfigError, match=JOBS_ENV):
        default_jobs()
    monkeypatch.setenv(JOBS_ENV, "0")
    with pytest.raises(ConfigError, match=JOBS_ENV):
        default_jobs()


def test_one_process_while_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # `rollbook serve` builds with its server and watcher threads running: no forking then.
    monkeypatch.setenv(JOBS_ENV, "2")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert default_jobs() == 1
    finally:
        stop.set()
        thread.join()


def test_pages_rendered_by_workers_are_kept_for_the_next_build(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The forked workers that render the runbook pages also keep them in the build cache: the
    # cache's index lists every runbook page (so the next build finds them without opening
    # each entry), and the next build renders none of them again, with the same site.
    monkeypatch.setenv(JOBS_ENV, "2")
    out = tmp_path / "site"
    first = build_project(project, out)
    runbook_pages = sorted(
        f"{p.relative_to(out).parent.as_posix()}.md"
        for p in (out / "runbooks").glob("*/index.html")
    )
    assert len(runbook_pages) > RUNBOOKS
    index = json.loads(
        (project / ".rollbook-cache" / "build" / "render-index.json").read_text(encoding="utf-8")
    )
    assert sorted(entry[0] for entry in index["pages"].values()) == runbook_pages
    before = _tree(out)
    again = build_project(project, out)
    assert again.runbooks_reused == len(runbook_pages)
    assert again.report.rendered == 0
    assert _tree(out) == before
    assert first.report.pages == again.report.pages
