"""A site never silently lacks a runbook: files with errors stop `rollbook build` (exit 1, the
previous site untouched); with --keep-going the site is built without them and its pages say
what is missing and why."""

from __future__ import annotations

import html as htmllib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rollbook.commands.build import InvalidRunbooks, build
from rollbook.config import load_project
from rollbook.render.pages import PROBLEMS_PAGE_FILES
from rollbook.site.output import MARKER
from tests.conftest import run_cli
from tests.site.sitetools import build_project, make_project

EXAMPLE = "runbooks/saved-search-alerts.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def example(project: Path) -> str:
    return (project / EXAMPLE).read_text(encoding="utf-8")


def write(project: Path, name: str, text: str) -> None:
    (project / "runbooks" / name).write_text(text, encoding="utf-8")


def variant(project: Path, name: str, *replacements: tuple[str, str]) -> None:
    """A copy of the example runbook under ``name``, with its id and some lines changed."""
    text = example(project).replace("id: saved-search-alerts", f"id: {Path(name).stem}")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    write(project, name, text)


def page_text(path: Path) -> str:
    """What a reader sees of a page's content: tags dropped, entities decoded, spaces squeezed."""
    raw = path.read_text(encoding="utf-8")
    match = re.search(r"<article[^>]*>(.*?)</article>", raw, re.S)
    assert match, path
    body = match.group(1)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# Each kind of invalid input, and what the build must say about it (file:line:col: CODE ...).
KINDS = {
    "yaml-syntax": (
        lambda p: variant(p, "yaml-syntax.yaml", ("risk: medium", "risk: [medium")),
        "runbooks/yaml-syntax.yaml:10:5: RB001 YAML syntax error: the [ opened on line 9 is "
        "not closed",
    ),
    "schema": (
        lambda p: variant(p, "schema.yaml", ("risk: medium", "risk: extreme")),
        "runbooks/schema.yaml:9:7: RB006 risk must be one of low, medium, high, critical; "
        "got the text 'extreme'",
    ),
    "duplicate-id": (
        lambda p: write(p, "zz-copy.yaml", example(p)),
        "runbooks/zz-copy.yaml:3:5: RB009 runbook id 'saved-search-alerts' is also used by "
        "runbooks/saved-search-alerts.yaml",
    ),
    "unknown-team": (
        lambda p: variant(p, "unknown-team.yaml", ("owner: my-team", "owner: nobody")),
        "runbooks/unknown-team.yaml:8:8: RB008 owner 'nobody' is not a team in the teams file",
    ),
    "empty-file": (
        lambda p: write(p, "empty.yaml", ""),
        "runbooks/empty.yaml:1:1: RB007 file is empty",
    ),
    "teams-file": (
        lambda p: (p / "runbooks" / "teams.yaml").write_text(
            (p / "runbooks" / "teams.yaml")
            .read_text(encoding="utf-8")
            .replace('oncall_phone: "+44 20 7946 0000"', "oncall_phone: call me"),
            encoding="utf-8",
        ),
        "runbooks/teams.yaml:6:19: RB006 teams[0].oncall_phone: 'call me' is not a phone number",
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_invalid_input_fails_the_build_and_keeps_the_previous_site(
    kind: str, project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    assert run_cli("build", "--out", str(out), cwd=project).returncode == 0
    before = tree(out)
    assert MARKER in before and "index.html" in before
    make, expected = KINDS[kind]
    make(project)
    result = run_cli("build", "--out", str(out), cwd=project)
    assert result.returncode == 1, result.stderr
    assert "error: the site was not built: 1 file with errors" in result.stderr
    assert f"{out} is untouched" in result.stderr
    assert expected in result.stderr, result.stderr
    assert "--keep-going" in result.stderr
    assert tree(out) == before
    # Nothing beside it either: no staging folder, no copy of the old site.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]


def test_the_library_raises_before_writing_anything(project: Path, tmp_path: Path) -> None:
    variant(project, "schema.yaml", ("risk: medium", "risk: extreme"))
    out = tmp_path / "site"
    with pytest.raises(InvalidRunbooks) as caught:
        build_project(project, out)
    assert [p.code for p in caught.value.problems] == ["RB006"]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


def broken_project(project: Path) -> None:
    """Three runbooks that cannot have a page, one published with an error."""
    variant(
        project,
        "bad-schema.yaml",
        ("risk: medium", "risk: extreme"),
        ("tags: [email]", "tags: [email, billing]"),
        ("title: Saved-search alerts", "title: Checkout button"),
    )
    variant(
        project,
        "broken-yaml.yaml",
        ("risk: medium", "risk: [medium"),
        ("title: Saved-search alerts", "title: Price alerts"),
        ("owner: my-team", "owner: search-team"),
    )
    write(project, "zz-copy.yaml", example(project))
    variant(
        project,
        "typo-team.yaml",
        ("owner: my-team", "owner: my-taem"),
        ("title: Saved-search alerts", "title: Wish lists"),
    )


def test_keep_going_builds_the_rest_and_the_pages_say_what_is_missing(
    project: Path, tmp_path: Path
) -> None:
    broken_project(project)
    out = tmp_path / "site"
    result = run_cli("build", "--keep-going", "--out", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    assert "4 files with errors, 3 runbooks missing from the site" in result.stderr
    assert str(out / "problems" / "problems.json") in result.stderr

    schema = (
        "Checkout button bad-schema is missing from this site: its file "
        "runbooks/bad-schema.yaml has errors. runbooks/bad-schema.yaml:9:7 RB006 risk must be "
        "one of low, medium, high, critical; got the text 'extreme'"
    )
    syntax = (
        "Price alerts broken-yaml is missing from this site: its file runbooks/broken-yaml.yaml "
        "has errors. runbooks/broken-yaml.yaml:10:5 RB001 YAML syntax error: the [ opened on "
        "line 9 is not closed before line 10"
    )
    duplicate = (
        "Saved-search alerts saved-search-alerts is missing from this site: its file "
        "runbooks/zz-copy.yaml has errors. runbooks/zz-copy.yaml:3:5 RB009 runbook id "
        "'saved-search-alerts' is also used by runbooks/saved-search-alerts.yaml"
    )
    home = page_text(out / "index.html")
    assert "3 runbooks missing from this site" in home
    assert all(text in home for text in (schema, syntax, duplicate)), home
    assert "1 runbook published with errors" in home
    assert "Missing: Checkout button ( runbooks/bad-schema.yaml ), Saved-search alerts" in home

    # The team pages that would have listed them, the new team's page included.
    team = page_text(out / "teams" / "my-team" / "index.html")
    assert "2 runbooks missing from this team's list" in team
    assert schema in team and duplicate in team and syntax not in team
    search_team = page_text(out / "teams" / "search-team" / "index.html")
    assert "1 runbook missing from this team's list" in search_team and syntax in search_team
    teams = page_text(out / "teams" / "index.html")
    assert "My Team 1 feature 2 missing" in teams

    # The tag pages: billing has only the missing runbook, email has all three.
    billing = page_text(out / "tags" / "billing" / "index.html")
    assert "1 runbook missing from this tag" in billing and schema in billing
    email = page_text(out / "tags" / "email" / "index.html")
    assert "3 runbooks missing from this tag" in email
    assert all(text in email for text in (schema, syntax, duplicate))

    problems = page_text(out / "problems" / "index.html")
    assert "4 files with errors. 3 runbooks are missing from this site" in problems
    assert "1 is published with errors, shown on its page." in problems
    assert "problems/problems.json in the built site" in problems
    assert "runbooks/typo-team.yaml:8:8 RB008 owner 'my-taem' is not a team" in problems
    assert "runbooks/bad-schema.yaml:9:7 RB006" in problems

    # No page for the missing ones; the first file of a taken id keeps its page.
    assert not (out / "runbooks" / "bad-schema").exists()
    assert not (out / "runbooks" / "broken-yaml").exists()
    assert (out / "runbooks" / "saved-search-alerts" / "index.html").is_file()
    typo = page_text(out / "runbooks" / "typo-team" / "index.html")
    assert "This runbook's file has errors" in typo
    assert typo.count("RB008 owner 'my-taem' is not a team in the teams file") == 1

    report = json.loads((out / "problems" / "problems.json").read_text(encoding="utf-8"))
    assert report["files_with_errors"] == 4 and report["missing_runbooks"] == 3
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path["runbooks/broken-yaml.yaml"]["page"] is None
    assert by_path["runbooks/broken-yaml.yaml"]["owner"] == "search-team"
    assert by_path["runbooks/typo-team.yaml"]["page"] == "runbooks/typo-team/"
    first = by_path["runbooks/bad-schema.yaml"]["problems"][0]
    assert (first["line"], first["column"], first["code"]) == (9, 7, "RB006")


def test_keep_going_with_a_broken_teams_file(project: Path, tmp_path: Path) -> None:
    KINDS["teams-file"][0](project)
    out = tmp_path / "site"
    outcome = build(load_project(project), out, keep_going=True)
    assert outcome.missing == 0 and len(outcome.invalid) == 1
    home = page_text(out / "index.html")
    assert "The teams file runbooks/teams.yaml has errors" in home
    team = page_text(out / "teams" / "my-team" / "index.html")
    assert "this team's phone numbers and chat links may be missing" in team
    problems = page_text(out / "problems" / "index.html")
    assert (
        "runbooks/teams.yaml:6:19 RB006 teams[0].oncall_phone: 'call me' is not a phone number"
        in (problems)
    )


def test_a_valid_project_has_no_problems_page(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    outcome = build(load_project(project), out, keep_going=True)
    assert outcome.invalid == [] and outcome.missing == 0
    assert not (out / "problems").exists()
    assert "missing" not in page_text(out / "index.html")


def test_problems_page_stays_small_however_many_files_fail(project: Path, tmp_path: Path) -> None:
    # 500 files, each with five errors about long values.
    long = "x" * 3000
    for i in range(500):
        variant(
            project,
            f"broken-{i:03d}.yaml",
            ("risk: medium", f"risk: {long}"),
            ("owner: my-team", f"owner: Team {long}"),
            ("tags: [email]", f"tags: [{long}]"),
            ("system: flagd", f"system: {long}"),
            ("kind: metric", f"kind: {long}"),
        )
    out = tmp_path / "site"
    outcome = build(load_project(project), out, keep_going=True)
    assert outcome.missing == 500
    page = out / "problems" / "index.html"
    text = page_text(page)
    assert page.stat().st_size < 64_000, page.stat().st_size
    assert "500 files with errors. 500 runbooks are missing from this site" in text
    assert f"This page shows the first {PROBLEMS_PAGE_FILES}." in text
    assert "runbooks/broken-000.yaml" in text
    assert "and 2 more problems in this file" in text
    assert f"runbooks/broken-{PROBLEMS_PAGE_FILES:03d}.yaml" not in text
    # The home page stays small too, and says how many.
    home = out / "index.html"
    assert home.stat().st_size < 64_000, home.stat().st_size
    assert "500 runbooks missing from this site" in page_text(home)
    assert "And 495 more missing" in page_text(home)
    # Every file, with every problem, is in the JSON report.
    report = json.loads((out / "problems" / "problems.json").read_text(encoding="utf-8"))
    assert len(report["files"]) == 500
    assert all(len(f["problems"]) == 5 for f in report["files"])


# Hostile text in files with errors: the guessed title, the file name and the error messages
# reach the home, team, tag and problems pages, and must stay text there.
HOSTILE_TITLES = [
    "<script>alert('title')</script>",
    "<img src=x onerror=alert('img')>",
    '" onmouseover="alert(1)" x="',
    "[x](javascript:alert('md'))",
    "{{ 7 * 7 }} {% raw %}",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_text_in_broken_files_stays_text(title: str, project: Path, tmp_path: Path) -> None:
    quoted = json.dumps(title)
    # A syntax error (title read from the lines) and a schema error (title read from YAML).
    variant(
        project,
        "broken-yaml.yaml",
        ("title: Saved-search alerts", f"title: {quoted}"),
        ("risk: medium", "risk: [medium"),
    )
    variant(
        project,
        "bad-schema.yaml",
        ("title: Saved-search alerts", f"title: {quoted}"),
        ("risk: medium", f"risk: {quoted}"),
    )
    write(project, "<svg onload=alert('file')>.yaml", "id: [")
    out = tmp_path / "site"
    build(load_project(project), out, keep_going=True)  # the site's own check passes
    for page in ("index.html", "problems/index.html", "tags/email/index.html"):
        raw = (out / page).read_text(encoding="utf-8")
        found = Markup()
        found.feed(raw)
        assert found.handlers == [] and not any("alert" in js for js in found.scripts), page
        content = Markup()
        content.feed(raw[raw.index("<article") : raw.index("</article>")])
        assert content.elements & {"img", "svg", "iframe", "script", "style"} == set(), page
        # Both files are listed by their title, read back exactly.
        assert page_text(out / page).count(f"{title} broken-yaml") == 1, page
        assert page_text(out / page).count(f"{title} bad-schema") == 1, page
    assert "<svg onload=alert('file')>.yaml" in page_text(out / "problems" / "index.html")


class Markup(HTMLParser):
    """The elements, event-handler attributes and script bodies of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: set[str] = set()
        self.handlers: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.add(tag)
        self.handlers.extend(name for name, _ in attrs if name.startswith("on"))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
