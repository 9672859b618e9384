"""`rollbook serve` writes an edited runbook's page before the rebuild (commands/serve_quick):
that page is, byte for byte, the page the rebuild then writes, and the one a full build of
the edited sources writes. An edit whose effect could reach past the page (or that the page
could not show without the whole project) writes nothing first: the rebuild alone runs.

Each test builds a small project as `serve` does (preview, its own cache, the preview's time,
the frames kept from build to build), edits it, asks for the page first, and compares.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sitetools import make_project

from rollbook.commands.build import build
from rollbook.commands.serve_quick import QuickPages
from rollbook.config import load_project
from rollbook.site.state import BuildState

STARTED = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)
RUNBOOK = "runbooks/saved-search-alerts.yaml"
PAGE = "runbooks/saved-search-alerts/index.html"


class Preview:
    """A project served as `rollbook serve` serves it, without the server."""

    def __init__(self, tmp_path: Path, *, extra_runbooks: int = 3) -> None:
        self.tmp = tmp_path
        self.root = make_project(tmp_path / "project", extra_runbooks=extra_runbooks)
        self.out = tmp_path / "serve" / "site"
        self.state = BuildState()
        self.quick = QuickPages(load_project(self.root), self.out)
        self.rebuild()

    def rebuild(self):
        project = load_project(self.root)
        self.quick.project = project
        outcome = build(
            project,
            self.out,
            service_worker=False,
            keep_going=True,
            preview=True,
            cache=self.tmp / "serve" / "cache",
            built=STARTED,
            state=self.state,
        )
        self.quick.remember(outcome)
        return outcome

    def full(self) -> Path:
        """The edited sources built whole, without any cache, into a folder of their own."""
        out = self.tmp / "full" / "site"
        shutil.rmtree(out.parent, ignore_errors=True)
        build(
            load_project(self.root),
            out,
            service_worker=False,
            keep_going=True,
            preview=True,
            cache=False,
            built=STARTED,
        )
        return out

    def edit(self, rel: str, old: str, new: str) -> Path:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path

    def page(self, rel: str = PAGE) -> bytes:
        return (self.out / rel).read_bytes()


@pytest.fixture
def preview(tmp_path: Path) -> Preview:
    return Preview(tmp_path)


STEP = "    - do: Open the flag console and switch saved_search_alerts Off."

# Edits whose page can go first: (old text, new text, what the new page must show).
FIRST = {
    "summary": ("summary: >-\n", "summary: >-\n  Saved just now.\n", "Saved just now."),
    "title": ("title: Saved-search alerts", "title: Saved-search alerts v2", "alerts v2"),
    "step text": (STEP, STEP + " Then wait.", "Then wait."),
    "new finding": (STEP, "    - do: Fix it.", "RB202"),
    "hostile summary": (
        "summary: >-\n",
        "summary: >-\n  <script>alert(1)</script> [x](javascript:alert(2)) <b onclick=x>b</b>\n",
        "&lt;script&gt;",
    ),
    "markdown and template syntax": (
        "summary: >-\n",
        "summary: >-\n  {{ 7 * 7 }} {% raw %} @here <!-- x --> ![i](http://e.test/x.png)\n",
        "7 * 7",
    ),
    "signal": ("healthy: between 10 and 200", "healthy: between 20 and 300", "between 20 and 300"),
    "contact": ("If the on-call does not answer", "If nobody answers", "If nobody answers"),
    "moved lines (a finding's position)": (
        "id: saved-search-alerts\n",
        "\n\n# a comment that moves every line below\nid: saved-search-alerts\n",
        "saved-search-alerts.yaml:6:1",
    ),
}


@pytest.mark.parametrize("name", FIRST)
def test_the_edited_page_goes_first_and_is_the_page_every_build_writes(
    preview: Preview, name: str
) -> None:
    old, new, shown = FIRST[name]
    before = preview.page()
    path = preview.edit(RUNBOOK, old, new)
    assert preview.quick.patch({path}) == [PAGE]
    first = preview.page()
    assert first != before
    assert shown.encode() in first
    preview.rebuild()
    assert preview.page() == first  # the rebuild wrote the same page
    assert (preview.full() / PAGE).read_bytes() == first  # and so does a build from nothing


def test_pages_go_first_edit_after_edit_and_after_fixing_a_finding(preview: Preview) -> None:
    """The frames kept from build to build let every later edit go first too, not only the
    one after the first (whole) build; fixing a finding removes it from the page at once."""
    path = preview.root / RUNBOOK
    for n in range(3):
        preview.edit(RUNBOOK, "summary: >-\n", f"summary: >-\n  Edit {n}.\n")
        assert preview.quick.patch({path}) == [PAGE]
        first = preview.page()
        assert f"Edit {n}.".encode() in first
        preview.rebuild()
        assert preview.page() == first
    preview.edit(RUNBOOK, STEP, "    - do: Fix it.")
    assert preview.quick.patch({path}) == [PAGE]
    assert b"RB202" in preview.page()
    preview.rebuild()
    preview.edit(RUNBOOK, "    - do: Fix it.", STEP)
    assert preview.quick.patch({path}) == [PAGE]
    fixed = preview.page()
    assert b"RB202" not in fixed
    preview.rebuild()
    assert preview.page() == fixed == (preview.full() / PAGE).read_bytes()


def test_two_runbooks_saved_together_both_go_first(preview: Preview) -> None:
    a = preview.edit(RUNBOOK, "summary: >-\n", "summary: >-\n  First of two.\n")
    b = preview.edit("runbooks/feature-00001.yaml", "summary: >-\n", "summary: >-\n  Second.\n")
    other = "runbooks/feature-00001/index.html"
    assert sorted(preview.quick.patch({a, b})) == sorted([PAGE, other])
    pages = preview.page(), preview.page(other)
    preview.rebuild()
    assert (preview.page(), preview.page(other)) == pages


def _no_first(preview: Preview, changed: set[Path]) -> None:
    served = {p: p.read_bytes() for p in preview.out.rglob("*.html")}
    assert preview.quick.patch(changed) == []
    assert {p: p.read_bytes() for p in preview.out.rglob("*.html")} == served


# Edits of a runbook that must not go first: (old text, new text).
NOT_FIRST = {
    "id changed (the page moves)": ("id: saved-search-alerts", "id: saved-search-alerts-2"),
    "YAML error": ("risk: medium", "risk: [medium"),
    "invalid value": ("risk: medium", "risk: dreadful"),
    "flag key (coverage)": ("key: saved_search_alerts", "key: saved_search_alerts_v2"),
    "flag off value (coverage)": ("    off: false", "    off: true"),
    "kill switch (coverage)": ("kill_switch: saved_search_alerts", "kill_switch: other_flag"),
    "deployable (coverage)": ("risk: medium", "risk: medium\ndeployable: false"),
    "rollout stage (coverage)": ("    - percent: 10", "    - percent: 20"),
    "direction-changing character (a problem)": ("summary: >-\n", "summary: >-\n  \u202eevil\n"),
    "inline suppression": (STEP, STEP + "  # rollbook: ignore[RB202] reason: it is clear"),
}


@pytest.mark.parametrize("name", NOT_FIRST)
def test_edits_that_may_reach_past_the_page_do_not_go_first(preview: Preview, name: str) -> None:
    old, new = NOT_FIRST[name]
    path = preview.edit(RUNBOOK, old, new)
    _no_first(preview, {path})


@pytest.mark.parametrize(
    "rel",
    ["rollbook.toml", "runbooks/teams.yaml", "runbooks/flags.flagd.json", "templates/x.html"],
)
def test_a_change_to_anything_but_a_runbook_writes_nothing_first(
    preview: Preview, rel: str
) -> None:
    runbook = preview.edit(RUNBOOK, "summary: >-\n", "summary: >-\n  Saved.\n")
    other = preview.root / rel
    other.parent.mkdir(parents=True, exist_ok=True)
    with other.open("a", encoding="utf-8") as f:
        f.write("\n")
    _no_first(preview, {runbook, other})


def test_new_deleted_and_renamed_runbooks_write_nothing_first(preview: Preview) -> None:
    new = preview.root / "runbooks" / "brand-new.yaml"
    shutil.copy(preview.root / RUNBOOK, new)
    _no_first(preview, {new})
    new.unlink()
    gone = preview.root / "runbooks" / "feature-00002.yaml"
    gone.unlink()
    _no_first(preview, {gone})
    moved = preview.root / "runbooks" / "renamed.yaml"
    (preview.root / "runbooks" / "feature-00001.yaml").rename(moved)
    _no_first(preview, {preview.root / "runbooks" / "feature-00001.yaml", moved})


def test_one_bad_file_among_the_saved_ones_writes_nothing_first(preview: Preview) -> None:
    good = preview.edit(RUNBOOK, "summary: >-\n", "summary: >-\n  Fine.\n")
    bad = preview.edit("runbooks/feature-00001.yaml", "risk: medium", "risk: [")
    _no_first(preview, {good, bad})


def test_a_runbook_with_a_project_wide_finding_does_not_go_first(tmp_path: Path) -> None:
    """A finding from across the project (here a duplicate id, in the later file) depends on
    other files: the page waits for the rebuild."""
    preview = Preview(tmp_path, extra_runbooks=0)
    twin = preview.root / "runbooks" / "twin.yaml"
    shutil.copy(preview.root / RUNBOOK, twin)
    preview.rebuild()
    path = preview.edit("runbooks/twin.yaml", "summary: >-\n", "summary: >-\n  Twin.\n")
    _no_first(preview, {path})


def test_nothing_goes_first_before_a_build_or_without_frames(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    quick = QuickPages(load_project(root), tmp_path / "site")
    assert quick.patch({root / RUNBOOK}) == []
    preview = Preview(tmp_path / "p")
    preview.quick.frames = None
    path = preview.edit(RUNBOOK, "summary: >-\n", "summary: >-\n  Saved.\n")
    _no_first(preview, {path})


def test_nothing_goes_first_while_the_teams_file_has_errors(preview: Preview) -> None:
    """Runbooks are checked against the teams file: while it has errors, every page waits."""
    teams = preview.root / "runbooks" / "teams.yaml"
    teams.write_text(teams.read_text(encoding="utf-8") + "\nunknown_key: [\n", encoding="utf-8")
    preview.rebuild()
    path = preview.edit(RUNBOOK, "summary: >-\n", "summary: >-\n  Saved.\n")
    _no_first(preview, {path})


class FakeServer:
    """What the preview's builds tell the live-reload server, in order."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def rebuild_soon(self) -> None:
        self.calls.append("rebuild soon")

    def serve_during_build(self) -> None:
        self.calls.append("serve during build")

    def reload_browsers(self) -> None:
        self.calls.append("reload")

    def reload_after_build(self) -> None:
        self.calls.append("reload after build")


@pytest.fixture
def builds(tmp_path: Path):
    from rollbook.commands.serve import PreviewBuilds

    root = make_project(tmp_path / "project", extra_runbooks=3)
    (tmp_path / "tmp").mkdir()
    said: list[str] = []
    preview = PreviewBuilds(load_project(root), tmp_path / "tmp", echo=said.append)
    preview.build()
    preview.server = FakeServer()
    return root, preview, said


def _full_page(tmp_path: Path, root: Path, preview) -> bytes:
    out = tmp_path / "full" / "site"
    build(
        load_project(root),
        out,
        service_worker=False,
        keep_going=True,
        preview=True,
        cache=False,
        built=preview.started,
    )
    return (out / PAGE).read_bytes()


def _save(root: Path, sentence: str) -> Path:
    path = root / RUNBOOK
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: >-\n", f"summary: >-\n  {sentence}\n", 1))
    return path


def test_a_save_shows_its_page_first_and_the_browsers_reload_twice(builds, tmp_path) -> None:
    root, preview, said = builds
    path = _save(root, "Saved once.")
    preview.on_change(str(path))
    preview.timer.join()  # the save has settled
    assert b"Saved once." in (preview.out / PAGE).read_bytes()
    assert preview.server.calls == ["rebuild soon", "reload"]
    preview.build()  # the server's rebuild
    assert preview.server.calls[2:] == ["serve during build", "reload after build"]
    assert said[-2:] == [
        "showing runbooks/saved-search-alerts/ first; rebuilding the rest",
        said[-1],
    ] and said[-1].startswith("built ")
    assert (preview.out / PAGE).read_bytes() == _full_page(tmp_path, root, preview)


def test_a_save_during_a_rebuild_shows_at_once(builds, tmp_path, monkeypatch) -> None:
    """The page does not wait for the rebuild that is running when it is saved."""
    import rollbook.commands.serve as serve_module

    root, preview, _ = builds
    seen: list[bytes] = []

    def build_with_a_save_meanwhile(*args, **kwargs):
        outcome = real(*args, **kwargs)
        path = _save(root, "Saved during a rebuild.")
        preview.on_change(str(path))
        preview.timer.join()
        seen.append((preview.out / PAGE).read_bytes())  # before the rebuild has ended
        return outcome

    real = serve_module.build
    monkeypatch.setattr(serve_module, "build", build_with_a_save_meanwhile)
    preview.build()
    assert b"Saved during a rebuild." in seen[0]
    assert preview.server.calls == [
        "serve during build",
        "rebuild soon",
        "reload",
        "reload after build",
    ]
    monkeypatch.setattr(serve_module, "build", real)
    preview.build()  # the rebuild the save asked for
    assert (preview.out / PAGE).read_bytes() == seen[0] == _full_page(tmp_path, root, preview)


def test_a_page_the_rebuild_swapped_away_is_written_again(builds, tmp_path, monkeypatch) -> None:
    """Saved and shown while a rebuild ran that had read the runbook before: that rebuild's
    site lacks the save, so its page is written again over it before the browsers reload."""
    import rollbook.commands.serve as serve_module

    root, preview, _ = builds
    before = (preview.out / PAGE).read_bytes()

    def build_then_a_save_it_missed(*args, **kwargs):
        outcome = real(*args, **kwargs)
        path = _save(root, "Saved too late for this rebuild.")
        with preview.lock:
            preview.changed.add(path)  # shown in the old site, which the swap took away
        return outcome

    real = serve_module.build
    monkeypatch.setattr(serve_module, "build", build_then_a_save_it_missed)
    preview.build()
    assert (preview.out / PAGE).read_bytes() != before
    assert b"Saved too late for this rebuild." in (preview.out / PAGE).read_bytes()
    monkeypatch.setattr(serve_module, "build", real)
    shown = (preview.out / PAGE).read_bytes()
    preview.build()
    assert (preview.out / PAGE).read_bytes() == shown == _full_page(tmp_path, root, preview)


def test_after_a_failed_build_nothing_goes_first(builds, monkeypatch) -> None:
    import rollbook.commands.serve as serve_module

    root, preview, said = builds

    def failing(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(serve_module, "build", failing)
    preview.build()
    assert said[-1] == "build failed, still serving the previous one: the disk is full"
    path = _save(root, "Saved after a failure.")
    served = (preview.out / PAGE).read_bytes()
    preview.on_change(str(path))
    preview.timer.join()
    assert (preview.out / PAGE).read_bytes() == served
    assert "reload" not in preview.server.calls
