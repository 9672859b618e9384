"""Incremental builds: a build that reuses finished pages from the build cache writes, byte
for byte, the site a full build of the same sources writes, and reuses only what no change
touched.

Every test builds a project once (filling the cache beside the output), changes one thing,
builds again into the same output, and compares every file with a full build of the changed
sources into another folder, without the cache. It also checks that the cache was used: which
pages the second build rendered, and that the others were taken from the cache.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from sitetools import EPOCH, make_project

import rollbook
from rollbook.assets import builtin_templates
from rollbook.commands.build import InvalidRunbooks, build
from rollbook.config import load_project
from rollbook.site.page_cache import cache_folder
from tests.conftest import run_cli

RUNBOOKS = 4


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A project of a few runbooks, built once into ``out`` (which filled the cache)."""
    root = make_project(tmp_path / "project", extra_runbooks=RUNBOOKS)
    out = tmp_path / "inc" / "site"
    first = build(load_project(root), out)
    assert first.report.reused == 0
    assert first.report.rendered == first.report.pages
    return root, out


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


class Rebuilt:
    """What an incremental build did: the site report, and the runbook pages it reused."""

    def __init__(self, outcome) -> None:
        self.__dict__.update(vars(outcome.report))
        self.runbooks_reused = outcome.runbooks_reused


def rebuild_and_compare(root: Path, out: Path, full: Path) -> Rebuilt:
    """Build ``root`` into ``out`` (with the cache) and into ``full`` (without): the two
    sites must be the same files with the same bytes. Returns the incremental build's report."""
    report = Rebuilt(build(load_project(root), out))
    build(load_project(root), full, cache=False)
    got, want = tree(out), tree(full)
    assert sorted(got) == sorted(want)
    differ = [name for name in want if got[name] != want[name]]
    assert differ == [], f"files differ from a full build: {differ[:10]}"
    return report


def runbook_pages(fresh: tuple[str, ...]) -> set[str]:
    return {uri for uri in fresh if uri.startswith("runbooks/")}


def runbook_file(root: Path, n: int) -> Path:
    return root / "runbooks" / f"feature-{n:05d}.yaml"


def all_runbook_pages(out: Path) -> set[str]:
    return {f"runbooks/{p.parent.name}.md" for p in (out / "runbooks").glob("*/index.html")}


def test_unchanged_sources_render_nothing(built, tmp_path):
    root, out = built
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert report.fresh == ()
    assert report.reused == report.pages
    assert report.runbooks_reused == RUNBOOKS + 1


def test_edited_runbook(built, tmp_path):
    root, out = built
    path = runbook_file(root, 1)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: ", "summary: Edited today. ", 1), encoding="utf-8")
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert runbook_pages(report.fresh) == {"runbooks/feature-00001.md"}
    assert "Edited today." in (out / "runbooks" / "feature-00001" / "index.html").read_text()
    # Every other runbook page came from the cache, rendered neither by rollbook's
    # templates nor through the theme.
    assert report.runbooks_reused == RUNBOOKS
    assert report.reused >= len(all_runbook_pages(out)) - 1


def test_edited_title_moves_the_runbook_in_listings(built, tmp_path):
    root, out = built
    path = runbook_file(root, 2)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Feature number 2", "Aardvark feature", 1), encoding="utf-8")
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert runbook_pages(report.fresh) == {"runbooks/feature-00002.md"}
    assert "index.md" in report.fresh  # the home page lists it under its new title
    assert "Aardvark feature" in (out / "index.html").read_text()


def test_edited_risk_and_tags_move_the_runbook_in_listings(built, tmp_path):
    """The listings, the cards' order and the tag pages take a runbook's risk and tags from
    what the lint cache keeps of it beside its model: an edit to them is followed."""
    root, out = built
    path = runbook_file(root, 3)
    text = path.read_text(encoding="utf-8")
    assert "risk: medium" in text and "tags: [email]" in text
    text = text.replace("risk: medium", "risk: critical", 1)
    path.write_text(text.replace("tags: [email]", "tags: [email, billing]", 1), encoding="utf-8")
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert runbook_pages(report.fresh) == {"runbooks/feature-00003.md"}
    assert {"index.md", "tags/billing.md", "tags/email.md"} <= set(report.fresh)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert home.index("Feature number 3") < home.index("Feature number 0")  # riskiest first
    cards = (out / "rollback-cards.html").read_text(encoding="utf-8")
    assert cards.index("Feature number 3") < cards.index("Feature number 0")


def test_added_runbook(built, tmp_path):
    root, out = built
    text = runbook_file(root, 0).read_text(encoding="utf-8")
    runbook_file(root, 99).write_text(
        text.replace("id: feature-00000", "id: feature-00099").replace(
            "Feature number 0", "Feature number 99"
        ),
        encoding="utf-8",
    )
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert runbook_pages(report.fresh) == {"runbooks/feature-00099.md"}
    assert report.runbooks_reused == RUNBOOKS + 1
    assert (out / "runbooks" / "feature-00099" / "index.html").is_file()


def test_deleted_runbook(built, tmp_path):
    root, out = built
    runbook_file(root, 3).unlink()
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert runbook_pages(report.fresh) == set()
    assert not (out / "runbooks" / "feature-00003").exists()
    assert "Feature number 3" not in (out / "index.html").read_text()


def test_renamed_runbook_file(built, tmp_path):
    root, out = built
    runbook_file(root, 1).rename(root / "runbooks" / "renamed.yaml")
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    # The page names its source file, so that one page is new; the rest are reused.
    assert runbook_pages(report.fresh) == {"runbooks/feature-00001.md"}
    assert "renamed.yaml" in (out / "runbooks" / "feature-00001" / "index.html").read_text()


def test_changed_team(built, tmp_path):
    root, out = built
    teams = root / "runbooks" / "teams.yaml"
    text = teams.read_text(encoding="utf-8")
    assert "name: My team" in text or "name:" in text
    teams.write_text(text.replace("name: ", "name: Renamed ", 1), encoding="utf-8")
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    # Every runbook page names its owning team: all of them are new.
    assert runbook_pages(report.fresh) == all_runbook_pages(out)
    assert report.runbooks_reused == 0
    assert "Renamed " in (out / "runbooks" / "feature-00000" / "index.html").read_text()


@pytest.mark.parametrize(
    ("template", "old", "marker"),
    [
        ("site/pages/runbook.html", "Owner:", "Owned by (page marker):"),
        ("site/theme/main.html", "Offline: showing", "Offline (theme marker): showing"),
    ],
)
def test_changed_user_template(built, tmp_path, template, old, marker):
    root, out = built
    overrides = root / "my-templates"
    text = (builtin_templates() / template).read_text(encoding="utf-8")
    assert old in text
    target = overrides / template
    target.parent.mkdir(parents=True)
    target.write_text(text.replace(old, marker), encoding="utf-8")
    config = root / "rollbook.toml"
    config.write_text(
        'templates = "my-templates"\n' + config.read_text(encoding="utf-8"), encoding="utf-8"
    )
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert runbook_pages(report.fresh) == all_runbook_pages(out)
    assert marker in (out / "runbooks" / "feature-00000" / "index.html").read_text()


def test_changed_configuration(built, tmp_path):
    root, out = built
    config = root / "rollbook.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(r"(?m)^site-name = .*$", 'site-name = "Renamed site"', text), encoding="utf-8"
    )
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    # The site's name is on every page.
    assert report.reused == 0
    assert "Renamed site" in (out / "runbooks" / "feature-00000" / "index.html").read_text()


def test_upgraded_rollbook_trusts_no_page(built, tmp_path, monkeypatch):
    root, out = built
    monkeypatch.setattr(rollbook, "__version__", rollbook.__version__ + ".post1")
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert report.reused == 0
    assert report.rendered == report.pages
    assert report.runbooks_reused == 0


def test_new_build_time_reuses_pages_with_the_new_time(built, tmp_path, monkeypatch):
    root, out = built
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400 + 3600))
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert runbook_pages(report.fresh) == set()
    assert report.runbooks_reused == RUNBOOKS + 1
    page = (out / "runbooks" / "feature-00000" / "index.html").read_text()
    assert "2026-01-02 01:00 UTC" in page
    assert "2026-01-01 00:00 UTC" not in page


def test_deleted_or_damaged_cache_means_a_full_build(built, tmp_path):
    root, out = built
    entries = sorted((cache_folder(root) / "pages").rglob("*.json"))
    assert entries
    for entry in entries[::2]:
        entry.write_text("{not json", encoding="utf-8")
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert 0 < report.rendered < report.pages
    shutil.rmtree(cache_folder(root).parent)
    report = rebuild_and_compare(root, out, tmp_path / "full2" / "site")
    assert report.reused == 0


def test_cache_is_ignored_by_git_and_pruned(built, tmp_path):
    root, out = built
    cache = cache_folder(root)
    assert (cache.parent / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    pages = len(tree(out))
    before = {p.name for p in (cache / "pages").rglob("*.html")}
    runbook_file(root, 1).unlink()
    report = build(load_project(root), out).report
    after = {p.name for p in (cache / "pages").rglob("*.html")}
    # One entry per page of the site: the deleted runbook's page, and the listings as they
    # were with it, left the cache.
    assert len(before) == report.pages + 1
    assert len(after) == report.pages
    assert len(tree(out)) < pages
    # One stylesheet, one rendered page (runbook or listing) per page of the site.
    assert len(list((cache / "stylesheet").iterdir())) == 1
    assert len(list((cache / "render").rglob("*.json"))) == report.pages


def test_failed_build_leaves_the_site_and_cache_usable(built, tmp_path):
    root, out = built
    good = tree(out)
    path = runbook_file(root, 2)
    path.write_text(path.read_text(encoding="utf-8") + "\nrisk: [not, a, level]\n")
    with pytest.raises(InvalidRunbooks):
        build(load_project(root), out)
    assert tree(out) == good
    path.write_text(path.read_text(encoding="utf-8").rsplit("\nrisk: [", 1)[0])
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert report.fresh == ()


def test_cli_says_what_it_reused_and_no_cache_renders_all(built):
    root, out = built
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    again = run_cli("build", "--out", str(out), cwd=root, env=env)
    assert again.returncode == 0, again.stderr
    assert re.search(r"; \d+ unchanged, taken from the build cache\)\.", again.stdout)
    shutil.rmtree(cache_folder(root).parent)
    full = run_cli("build", "--no-cache", "--out", str(out), cwd=root, env=env)
    assert full.returncode == 0, full.stderr
    assert "build cache" not in full.stdout
    assert not cache_folder(root).parent.exists()


def test_template_reading_the_build_time_itself_is_rendered_again(built, tmp_path, monkeypatch):
    root, out = built
    overrides = root / "my-templates" / "site" / "pages"
    overrides.mkdir(parents=True)
    text = (builtin_templates() / "site" / "pages" / "runbook.html").read_text(encoding="utf-8")
    marker = "<p>Day {{ built.day }} of the month</p>"
    (overrides / "runbook.html").write_text(text + marker, encoding="utf-8")
    config = root / "rollbook.toml"
    config.write_text(
        'templates = "my-templates"\n' + config.read_text(encoding="utf-8"), encoding="utf-8"
    )
    build(load_project(root), out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400))
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert report.runbooks_reused == 0
    assert "Day 2 of the month" in (out / "runbooks" / "feature-00000" / "index.html").read_text()


def test_published_page_changed_in_place_is_not_reused(built, tmp_path):
    root, out = built
    build(load_project(root), out)  # now its pages are the cache's entries, linked
    page = out / "runbooks" / "feature-00002" / "index.html"
    assert page.stat().st_nlink > 1
    with page.open("ab") as handle:  # a publish step appending to the page it was given
        handle.write(b"<!-- appended after the build -->")
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert runbook_pages(report.fresh) == {"runbooks/feature-00002.md"}
    assert b"appended" not in page.read_bytes()


# The build's lint and loading: runbook files whose bytes did not change come from the lint
# cache as loaded (model and problems), with their findings; the site is still byte for byte
# a full build's.


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The runbook files the builds load from their YAML (rather than from the lint cache)."""
    from rollbook.load.runbooks import ProjectFiles

    seen: list[str] = []
    original = ProjectFiles.load

    def load(self, path):
        seen.append(path.name)
        return original(self, path)

    monkeypatch.setattr(ProjectFiles, "load", load)
    return seen


def lint_cache(root: Path) -> Path:
    return root / ".rollbook-cache"


def test_edited_runbook_is_the_only_file_loaded_again(built, tmp_path, loads):
    root, out = built
    assert (lint_cache(root) / "models.pickle").is_file()
    path = runbook_file(root, 1)
    path.write_text(
        path.read_text(encoding="utf-8").replace("owner: my-team", "owner: no-such-team", 1),
        encoding="utf-8",
    )
    with pytest.raises(InvalidRunbooks) as stopped:  # a build still stops on invalid runbooks
        build(load_project(root), out)
    assert loads == ["feature-00001.yaml"]
    assert [item.display for item in stopped.value.files] == ["runbooks/feature-00001.yaml"]
    assert "no-such-team" in str(stopped.value.problems[0].message)
    path.write_text(
        path.read_text(encoding="utf-8").replace("owner: no-such-team", "owner: my-team", 1)
        + "# edited\n",
        encoding="utf-8",
    )
    loads.clear()
    report = Rebuilt(build(load_project(root), out))
    assert loads == ["feature-00001.yaml"]
    assert runbook_pages(report.fresh) == set()  # the page did not change: a comment only
    loads.clear()
    build(load_project(root), tmp_path / "full" / "site", cache=False)
    assert len(loads) == RUNBOOKS + 1  # without the cache, every file
    assert tree(out) == tree(tmp_path / "full" / "site")


def test_changed_team_loads_every_runbook_again(built, tmp_path, loads):
    root, out = built
    teams = root / "runbooks" / "teams.yaml"
    teams.write_text(
        teams.read_text(encoding="utf-8").replace("name: ", "name: Renamed ", 1), encoding="utf-8"
    )
    rebuild_and_compare(root, out, tmp_path / "full" / "site")
    # Team references are checked while loading: every runbook is loaded again, twice
    # (the incremental build, then the full one).
    assert len(loads) == 2 * (RUNBOOKS + 1)


def test_changed_feature_source_shows_new_coverage_without_loading_runbooks(built, tmp_path, loads):
    root, out = built
    flags = root / "runbooks" / "flags.flagd.json"
    text = flags.read_text(encoding="utf-8")
    assert '"flags": {' in text
    flags.write_text(
        text.replace(
            '"flags": {',
            '"flags": {\n    "gift_cards.redeem": {"state": "ENABLED", '
            '"variants": {"on": true, "off": false}, "defaultVariant": "off"},',
            1,
        ),
        encoding="utf-8",
    )
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert loads.count("feature-00000.yaml") == 1  # by the full build only
    assert "coverage.md" in report.fresh or any("coverage" in uri for uri in report.fresh)
    assert "gift_cards.redeem" in (out / "coverage" / "index.html").read_text(encoding="utf-8")


def test_changed_configuration_is_a_cold_lint(built, tmp_path, loads):
    root, out = built
    config = root / "rollbook.toml"
    config.write_text("review-max-age = 1\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert len(loads) == 2 * (RUNBOOKS + 1)
    # Every runbook was reviewed more than a day before the build: the pages say so.
    assert "RB701" in (out / "runbooks" / "feature-00000" / "index.html").read_text()


ALERT_RULES = """\
groups:
  - name: saved-search
    rules:
      - alert: SavedSearchAlertFlood
        expr: sum(rate(saved_search_alerts_sent_total[5m])) * 60 > 1000
        for: 5m
"""


def test_changed_alert_rule_file_lints_every_runbook_again(tmp_path, loads):
    root = make_project(tmp_path / "project", extra_runbooks=RUNBOOKS)
    config = root / "rollbook.toml"
    config.write_text(
        'alert-rules = ["monitoring/*.rules.yml"]\n' + config.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (root / "monitoring").mkdir()
    rules = root / "monitoring" / "search.rules.yml"
    rules.write_text(ALERT_RULES, encoding="utf-8")
    out = tmp_path / "inc" / "site"
    build(load_project(root), out)
    page = out / "runbooks" / "feature-00000" / "index.html"
    assert "RB307" not in page.read_text(encoding="utf-8")
    rules.write_text(ALERT_RULES.replace("SavedSearchAlertFlood", "SearchAlertsFlood"))
    loads.clear()
    rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert len(loads) == 2 * (RUNBOOKS + 1)
    assert "RB307" in page.read_text(encoding="utf-8")  # the alert no rule file defines


@pytest.mark.parametrize("damage", ["planted-code", "swapped", "swapped-listing", "truncated"])
def test_tampered_lint_cache_is_ignored(built, tmp_path, loads, damage):
    import pickle

    root, out = built
    models = lint_cache(root) / "models.pickle"
    fmt, key, entries = pickle.loads(models.read_bytes())
    names = sorted(entries)
    if damage == "planted-code":

        class Planted:
            def __reduce__(self):
                return (os.system, (f"touch {tmp_path / 'planted'}",))

        entries = {name: pickle.dumps((Planted(), [])) for name in names}
        models.write_bytes(pickle.dumps((fmt, key, entries)))
    elif damage == "swapped":  # each one well-formed, but another file's
        blobs = [entries[name] for name in names]
        entries = dict(zip(names, blobs[1:] + blobs[:1], strict=True))
        models.write_bytes(pickle.dumps((fmt, key, entries)))
    elif damage == "swapped-listing":  # each model its own, but listed as another runbook
        listed = [entries[name][1] for name in names]
        assert all(listed)  # every runbook is valid: the site would list it from there
        entries = {
            name: (entries[name][0], shown)
            for name, shown in zip(names, listed[1:] + listed[:1], strict=True)
        }
        models.write_bytes(pickle.dumps((fmt, key, entries)))
    else:
        data = (lint_cache(root) / "lint.pickle").read_bytes()
        (lint_cache(root) / "lint.pickle").write_bytes(data[: len(data) // 2])
    path = runbook_file(root, 2)
    path.write_text(path.read_text(encoding="utf-8").replace("Feature number 2", "Edited"))
    rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert not (tmp_path / "planted").exists()
    # Nothing in the cache was trusted: every file was loaded by both builds.
    assert len(loads) == 2 * (RUNBOOKS + 1)
    loads.clear()
    build(load_project(root), out)  # and the cache is good again
    assert loads == []


def test_no_cache_build_neither_reads_nor_writes_the_lint_cache(tmp_path, loads):
    root = make_project(tmp_path / "project", extra_runbooks=RUNBOOKS)
    build(load_project(root), tmp_path / "site", cache=False)
    assert not lint_cache(root).exists()
    config = root / "rollbook.toml"
    config.write_text('cache-dir = "elsewhere/lint"\n' + config.read_text(encoding="utf-8"))
    build(load_project(root), tmp_path / "site")
    assert (root / "elsewhere" / "lint" / "models.pickle").is_file()
    assert not (lint_cache(root) / "models.pickle").exists()
    loads.clear()
    build(load_project(root), tmp_path / "site")
    assert loads == []


def listing_src(report_fresh: tuple[str, ...]) -> set[str]:
    return {uri for uri in report_fresh if not uri.startswith("runbooks/")}


def test_listings_listing_no_edited_runbook_are_not_rendered_again(built, tmp_path):
    root, out = built
    path = runbook_file(root, 1)
    text = path.read_text(encoding="utf-8")
    tags = re.search(r"(?m)^tags: \[(.*)\]$", text)
    path.write_text(
        text.replace("summary: ", "summary: Edited. ", 1).replace(
            tags.group(0), f"tags: [{tags.group(1)}, solo-tag]"
        ),
        encoding="utf-8",
    )
    outcome = build(load_project(root), out)
    rendered = set(outcome.listings_rendered)
    # The pages that list the edited runbook: rendered again, with its new tag.
    assert {"index.md", "teams/index.md", "tags/index.md", "tags/solo-tag.md"} <= rendered
    assert "solo-tag" in (out / "tags" / "index.html").read_text(encoding="utf-8")
    # Rule pages list no runbook: all of them came from the memo, as the listings did
    # that the edit left as they were.
    rules = {p.parent.name for p in (out / "rules").glob("*/index.html")}
    assert rules
    assert not {uri for uri in rendered if uri.startswith("rules/")}
    assert outcome.listings_reused >= len(rules)
    # ... and the site is the one a full build writes.
    rebuild_and_compare(root, out, tmp_path / "full" / "site")


def test_two_builds_without_a_change_render_no_listing(built, tmp_path):
    root, out = built
    first = build(load_project(root), out)
    second = build(load_project(root), out)
    for outcome in (first, second):
        assert outcome.listings_rendered == ()
        assert outcome.report.fresh == ()
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert report.fresh == ()


def test_listing_template_showing_more_of_a_runbook_follows_its_edits(built, tmp_path):
    """A user's home page that shows each runbook's summary: editing a summary (which the
    built-in listings do not show) still updates it."""
    root, out = built
    overrides = root / "my-templates" / "site" / "pages"
    overrides.mkdir(parents=True)
    home = (builtin_templates() / "site" / "pages" / "home.html").read_text(encoding="utf-8")
    marker = (
        "{% for group in groups %}{% for entry in group.entries %}"
        "<p class='summary-marker'>{{ entry.runbook.summary }}</p>{% endfor %}{% endfor %}"
    )
    (overrides / "home.html").write_text(home + marker, encoding="utf-8")
    config = root / "rollbook.toml"
    config.write_text(
        'templates = "my-templates"\n' + config.read_text(encoding="utf-8"), encoding="utf-8"
    )
    build(load_project(root), out)
    path = runbook_file(root, 3)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: ", "summary: Zebra summary. ", 1), encoding="utf-8")
    rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert "Zebra summary." in (out / "index.html").read_text(encoding="utf-8")


def edit_summary(root: Path, n: int, words: str) -> None:
    path = runbook_file(root, n)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: ", f"summary: {words} ", 1), encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    ["removed", "half", "stray", "stray-in-page", "replaced", "edited", "emptied", "search"],
)
def test_output_changed_by_hand_between_builds(built, tmp_path, damage):
    """Whatever happened to the published folder since, the next builds write the site a
    full build writes. The site a build replaces is kept (as the spare) for the build after
    it to take unchanged pages' folders from: that one must not take what was changed."""
    root, out = built
    build(load_project(root), out)  # the output's pages are now the cache's entries
    pages = sorted(out.rglob("index.html"))
    if damage == "removed":
        shutil.rmtree(out)
    elif damage == "half":
        for page in pages[::2]:
            page.unlink()
    elif damage == "stray":
        (out / "runbooks" / "stray").mkdir()
        (out / "runbooks" / "stray" / "index.html").write_text("<p>stray</p>", encoding="utf-8")
        (out / "extra.txt").write_text("left by hand", encoding="utf-8")
    elif damage == "stray-in-page":
        (out / "runbooks" / "feature-00000" / "notes.txt").write_text("mine", encoding="utf-8")
    elif damage == "replaced":  # a new file in place of the page, not the cache's entry
        for page in pages:
            data = page.read_bytes()
            page.unlink()
            page.write_bytes(data.replace(b"Feature number", b"Replaced number"))
    elif damage == "edited":
        for page in (out / "404.html", out / "search" / "search_index.json", out / "sw.js"):
            page.write_bytes(page.read_bytes().replace(b"e", b"E"))
        target = out / "runbooks" / "feature-00001" / "index.html"
        target.write_bytes(target.read_bytes().replace(b"Feature number", b"Edited number"))
    elif damage == "search":  # the index files a later build would move from the old site
        for index_file in sorted((out / "search").rglob("*.json"))[::3]:
            index_file.write_bytes(index_file.read_bytes().replace(b"[", b"[0,", 1))
    elif damage == "emptied":
        for page in pages:
            page.write_bytes(b"")
    for step in range(2):
        edit_summary(root, 2, f"Step {step}.")
        rebuild_and_compare(root, out, tmp_path / f"full{step}" / "site")
        assert not (out / "runbooks" / "stray").exists()
        assert not (out / "extra.txt").exists()
        assert not (out / "runbooks" / "feature-00000" / "notes.txt").exists()
        assert (
            b"Replaced number"
            not in (out / "runbooks" / "feature-00001" / "index.html").read_bytes()
        )


def test_unchanged_pages_keep_their_folders_from_the_site_before_last(built, tmp_path):
    """A build moves the folders of unchanged pages from the site the previous build
    replaced, rather than creating (and later deleting) every folder of the site."""
    root, out = built
    build(load_project(root), out)  # now its pages are the cache's entries, linked
    folder = out / "runbooks" / "feature-00000"
    first = folder.stat().st_ino
    edit_summary(root, 1, "One.")
    build(load_project(root), out)
    assert folder.stat().st_ino != first  # a new site; the first one is the spare now
    edit_summary(root, 1, "Two.")
    rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert folder.stat().st_ino == first
    # The edited page's folder is a new one.
    assert "Two." in (out / "runbooks" / "feature-00001" / "index.html").read_text()


def test_builds_at_new_times_rewrite_pages_never_the_cache(built, tmp_path, monkeypatch):
    """Builds at a new time each (no SOURCE_DATE_EPOCH): each writes every page with its own
    time, the site a full build at that time writes, and the cache's entries stay as they
    were written (a build writes over the previous site's copies, never over an entry,
    which the published pages of a build at the entries' time are links to)."""
    root, out = built
    build(load_project(root), out)  # published pages are links to the entries now
    entries = {p: p.read_bytes() for p in (cache_folder(root) / "pages").rglob("*.html")}
    assert entries
    for hours in (1, 2, 3):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + hours * 3600))
        edit_summary(root, 0, f"Hour {hours}.")
        rebuild_and_compare(root, out, tmp_path / f"full{hours}" / "site")
        page = (out / "runbooks" / "feature-00002" / "index.html").read_text(encoding="utf-8")
        assert f"2026-01-01 0{hours}:00 UTC" in page
        for path, data in entries.items():
            assert not path.exists() or path.read_bytes() == data, path


def test_first_builds_after_a_cold_build_keep_the_folders_of_unchanged_pages(built, tmp_path):
    """The pages a build renders are published as its cache's entries too, so even the
    builds right after a cold build move unchanged pages' folders from the site before last
    (rather than deleting that whole site and linking every page again)."""
    root, out = built  # a cold build: every page rendered
    folder = out / "runbooks" / "feature-00000"
    page = folder / "index.html"
    cold = folder.stat().st_ino
    entries = {p.stat().st_ino for p in (cache_folder(root) / "pages").rglob("*.html")}
    assert page.stat().st_ino in entries  # the entry itself, not a copy of it
    edit_summary(root, 1, "One.")
    build(load_project(root), out)
    edit_summary(root, 1, "Two.")
    rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert folder.stat().st_ino == cold  # the cold build's folder, moved twice
    assert "Two." in (out / "runbooks" / "feature-00001" / "index.html").read_text()


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_every_file_of_the_site_is_readable_by_the_web_server(tmp_path, umask):
    """Pages published as links to the cache's entries are readable by everyone, as the
    files MkDocs writes are (a web server runs as another user), on the cold build and on
    builds that reuse them."""
    root = make_project(tmp_path / "project", extra_runbooks=RUNBOOKS)
    out = tmp_path / "site"
    previous = os.umask(umask)
    try:
        build(load_project(root), out)
        cold = {p for p in out.rglob("*.html") if p.stat().st_mode & 0o004 == 0}
        edit_summary(root, 0, "Edited.")
        build(load_project(root), out)
        again = {p for p in out.rglob("*.html") if p.stat().st_mode & 0o004 == 0}
    finally:
        os.umask(previous)
    # MkDocs' own files follow the umask; rollbook's pages are published readable.
    pages = {p for p in cold | again if "runbooks" in p.parts}
    assert pages == set()


def test_feature_source_change_renders_the_runbooks_whose_findings_it_changes(built, tmp_path):
    """A flag file is no runbook, but removing a flag from it gives every runbook naming
    that flag a finding its page shows: those pages are rendered again (keyed by their
    lint findings), and the site is the one a full build writes."""
    root, out = built
    flags = root / "runbooks" / "flags.flagd.json"
    flags.write_text(
        flags.read_text(encoding="utf-8").replace("saved_search_alerts", "other_flag"),
        encoding="utf-8",
    )
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert runbook_pages(report.fresh) == all_runbook_pages(out)
    page = (out / "runbooks" / "feature-00000" / "index.html").read_text(encoding="utf-8")
    assert "saved_search_alerts" in page and "RB1" in page


# --- Build state kept in memory (rollbook serve) -------------------------------------------


def test_builds_sharing_a_state_read_no_index_twice_and_write_the_same_site(tmp_path):
    """Builds given one BuildState (as `rollbook serve` keeps it) write, edit after edit,
    the site a full build writes, and take the cache's indexes from memory."""
    from rollbook.site.state import BuildState

    root = make_project(tmp_path / "project", extra_runbooks=RUNBOOKS)
    out = tmp_path / "inc" / "site"
    state = BuildState()
    build(load_project(root), out, state=state)
    assert state.reads == 0  # a cold build: there was nothing to read

    def move() -> None:
        (root / "runbooks" / "sub").mkdir()
        runbook_file(root, 2).rename(root / "runbooks" / "sub" / "feature-00002.yaml")

    def add() -> None:
        text = runbook_file(root, 3).read_text(encoding="utf-8")
        (root / "runbooks" / "feature-copy.yaml").write_text(
            text.replace("id: feature-00003", "id: feature-copy"), encoding="utf-8"
        )

    changes = [
        lambda: edit_summary(root, 0, "Edited."),
        lambda: runbook_file(root, 1).unlink(),
        move,
        add,
        lambda: None,
    ]
    for n, change in enumerate(changes):
        change()
        outcome = build(load_project(root), out, state=state)
        build(load_project(root), tmp_path / f"full{n}" / "site", cache=False)
        got, want = tree(out), tree(tmp_path / f"full{n}" / "site")
        assert sorted(got) == sorted(want)
        assert [name for name in want if got[name] != want[name]] == []
        assert outcome.report.reused > 0
    assert state.reads == 0


@pytest.mark.parametrize("damage", ["cache-removed", "index-garbled", "index-replaced"])
def test_state_never_trusts_an_index_changed_on_disk(tmp_path, damage):
    """An index the state holds that was removed, damaged or rewritten on disk since (by
    hand, by another build) is read from disk again: the site is still a full build's."""
    from rollbook.site.state import BuildState

    root = make_project(tmp_path / "project", extra_runbooks=RUNBOOKS)
    out = tmp_path / "inc" / "site"
    state = BuildState()
    build(load_project(root), out, state=state)
    cache = cache_folder(root)
    if damage == "cache-removed":
        shutil.rmtree(cache)
    elif damage == "index-garbled":
        for name in ("pages-index.json", "render-index.json", "files.json"):
            (cache / name).write_text("{not json", encoding="utf-8")
    else:
        # Another build's index: every page of this one unknown to it.
        for name in ("pages-index.json", "render-index.json", "files.json"):
            (cache / name).write_text("{}", encoding="utf-8")
    edit_summary(root, 0, "Edited.")
    outcome = build(load_project(root), out, state=state)
    build(load_project(root), tmp_path / "full" / "site", cache=False)
    got, want = tree(out), tree(tmp_path / "full" / "site")
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []
    if damage == "cache-removed":
        assert outcome.report.reused == 0
    else:
        assert state.reads > 0  # read again from disk, not taken from memory


def test_one_state_for_two_projects_keeps_them_apart(tmp_path):
    """A state given builds of two projects keeps each one's indexes (by path)."""
    from rollbook.site.state import BuildState

    state = BuildState()
    roots = [make_project(tmp_path / name, extra_runbooks=2) for name in ("one", "two")]
    edit_summary(roots[1], 0, "Only in two.")
    for _ in range(2):
        for root in roots:
            build(load_project(root), root / "site", state=state)
    for root in roots:
        build(load_project(root), tmp_path / f"full-{root.name}", cache=False)
        got, want = tree(root / "site"), tree(tmp_path / f"full-{root.name}")
        assert [name for name in want if got.get(name) != want[name]] == []
        assert sorted(got) == sorted(want)
    assert "Only in two." not in (
        roots[0] / "site" / "runbooks" / "feature-00000" / "index.html"
    ).read_text(encoding="utf-8")


def test_sitemap_lists_pages_taken_from_the_cache(tmp_path):
    """With a site URL, the sitemap lists every page, in the order a full build lists them,
    also those the build took finished from the cache (which the site engine never sees)."""
    root = make_project(tmp_path / "project", extra_runbooks=RUNBOOKS)
    config = root / "rollbook.toml"
    config.write_text(
        'site-url = "https://runbooks.example.com/ops"\n' + config.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    out = tmp_path / "inc" / "site"
    build(load_project(root), out)
    edit_summary(root, 0, "Edited.")
    report = rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert report.reused > 0
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    urls = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    for n in range(RUNBOOKS):
        assert f"https://runbooks.example.com/ops/runbooks/feature-{n:05d}/" in urls
    assert "https://runbooks.example.com/ops/" in urls
    assert len(urls) == report.pages


def test_build_as_its_own_process_exits_as_before(tmp_path):
    """`rollbook build` run as a process (which skips the garbage collector's last walk of
    its heap on the way out) still prints its report, exits 0, and exits 1-or-more with its
    message when a runbook has errors; the site is a full build's."""
    import subprocess
    import sys

    root = make_project(tmp_path / "project", extra_runbooks=2)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    command = [sys.executable, "-m", "rollbook", "build", "--out", str(tmp_path / "site")]
    for _ in range(2):
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "Built " in done.stdout
    assert "taken from the build cache" in done.stdout
    build(load_project(root), tmp_path / "full", cache=False)
    got, want = tree(tmp_path / "site"), tree(tmp_path / "full")
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []
    runbook_file(root, 0).write_text("id: [unclosed\n", encoding="utf-8")
    failed = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    assert failed.returncode != 0
    assert "feature-00000.yaml" in failed.stdout + failed.stderr


def test_page_replaced_by_one_of_the_same_size_and_time_is_not_reused(built, tmp_path):
    """A page the previous site has is taken as it is only if it is the very file the cache
    wrote (its inode, not only its size and modification time): a file put in its place
    with other bytes of the same length and the same time is not what the cache holds."""
    root, out = built
    build(load_project(root), out)  # the output's pages are now the cache's entries
    page = out / "runbooks" / "feature-00002" / "index.html"
    data, stat = page.read_bytes(), page.stat()
    forged = data.replace(b"Feature number", b"Forgery number")
    assert forged != data and len(forged) == len(data)
    page.unlink()
    page.write_bytes(forged)
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert page.stat().st_size == stat.st_size and page.stat().st_ino != stat.st_ino
    edit_summary(root, 1, "One.")
    build(load_project(root), out)  # the forged site is now the spare
    edit_summary(root, 1, "Two.")
    rebuild_and_compare(root, out, tmp_path / "full" / "site")
    assert b"Forgery" not in page.read_bytes()


def test_duplicate_ids_keep_their_pages_across_incremental_builds(built, tmp_path):
    """Which file of two with one id has the page is decided as a full build decides it,
    also when the lint cache's project-scope outcome is reused (the summaries unread): the
    later file is missing, and says why, build after build."""
    root, out = built
    twin = root / "runbooks" / "zz-twin.yaml"
    twin.write_text(runbook_file(root, 1).read_text(encoding="utf-8"), encoding="utf-8")
    first = build(load_project(root), out, keep_going=True)
    assert [item.display for item in first.invalid] == ["runbooks/zz-twin.yaml"]
    for step in range(2):
        edit_summary(root, 2, f"Step {step}.")
        outcome = build(load_project(root), out, keep_going=True)
        assert [item.display for item in outcome.invalid] == ["runbooks/zz-twin.yaml"]
        assert any("RB009" in p.render() for p in outcome.invalid[0].problems)
        full = tmp_path / f"full{step}" / "site"
        build(load_project(root), full, cache=False, keep_going=True)
        got, want = tree(out), tree(full)
        assert sorted(got) == sorted(want)
        assert [name for name in want if got[name] != want[name]] == []
