"""The lint cache: a warm run reports exactly what a cold run reports, re-checking only what
changed, and a cache it cannot trust or cannot write never changes the result."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import subprocess
import sys

import pytest

import rollbook
from rollbook.lint.cache import CACHE_FILE, MODELS_FILE, PROJECT_FILE
from rollbook.report import render
from tests.lint.conftest import FLAGS_PATH, GOOD, RUNBOOK_PATH, TODAY

NO_EXPECT_STEP = "      expect: The flag shows Off within a minute.\n"
STEP = "    - do: Switch checkout.one_click Off in the flag console."


def variant(ident: str, *pairs: tuple[str, str]) -> str:
    text = GOOD.replace("id: one-click-checkout", f"id: {ident}", 1)
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new, 1)
    return text


RUNBOOKS = {
    "runbooks/a.yaml": variant("alpha"),
    # An unfinished step, suppressed on its line: the suppression is used.
    "runbooks/b.yaml": variant(
        "beta",
        (NO_EXPECT_STEP, ""),
        (STEP, STEP + "  # rollbook: ignore[RB201] the flag page says"),
    ),
    # A suppression with nothing to suppress (RB902-style finding), and a stale review.
    "runbooks/c.yaml": variant(
        "gamma",
        ("last_reviewed: 2026-02-01", "last_reviewed: 2024-01-01"),
        ("title: One-click checkout", "title: One-click checkout  # rollbook: ignore[RB301] x"),
    ),
    # The same id as alpha: RB009 across files, decided by the project, not per file.
    "runbooks/d.yaml": variant("alpha"),
    # Not a runbook at all: a YAML syntax error.
    "runbooks/e.yaml": "id: [broken\n",
}


@pytest.fixture
def big(project):
    for rel, text in RUNBOOKS.items():
        project.write(rel, text)
    return project


def cold(project, **options):
    return render("json", project.lint(cache=False, **options))


def warm(project, **options):
    result = project.lint(cache=True, **options)
    assert result.cache is not None
    return render("json", result), result


def prime(project, **options):
    """A first cached run; it re-checks every file and matches a cold run."""
    report, result = warm(project, **options)
    assert report == cold(project, **options)
    assert result.cache.rechecked == len(result.files)
    return result


def assert_warm_is_cold(project, rechecked: int, **options):
    report, result = warm(project, **options)
    assert report == cold(project, **options)
    assert result.cache.rechecked == rechecked
    assert result.cache.hits == len(result.files) - rechecked
    return result


def test_an_unchanged_project_is_taken_from_the_cache(big):
    first = prime(big)
    assert first.findings, "the corpus must have findings for the comparison to mean much"
    assert "RB009" in {f.code for f in first.findings}
    result = assert_warm_is_cold(big, rechecked=0)
    assert result.suppressed == first.suppressed >= 1
    # Twice more: a suppression used once is not remembered as used by the next run.
    assert_warm_is_cold(big, rechecked=0)
    assert_warm_is_cold(big, rechecked=0)


@pytest.mark.parametrize(
    "change",
    [
        ("runbooks/a.yaml", "title: One-click checkout", "title: One-tap checkout"),
        ("runbooks/a.yaml", "risk: critical", "risk: catastrophic"),  # now invalid
        ("runbooks/b.yaml", "  # rollbook: ignore[RB201] the flag page says", ""),
        ("runbooks/e.yaml", "id: [broken\n", variant("epsilon")),
    ],
    ids=["title", "invalid-value", "suppression-removed", "broken-fixed"],
)
def test_editing_one_file_rechecks_that_file_only(big, change):
    prime(big)
    rel, old, new = change
    path = big.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert_warm_is_cold(big, rechecked=1)


def test_adding_a_file_rechecks_it_only(big):
    prime(big)
    big.write("runbooks/f.yaml", variant("beta"))  # also a duplicate id of b.yaml
    result = assert_warm_is_cold(big, rechecked=1)
    assert "runbooks/f.yaml" in {f.path for f in result.findings if f.code == "RB009"}


def test_deleting_a_file_rechecks_nothing_and_the_project_rules_see_it_gone(big):
    before = prime(big)
    (big.root / "runbooks/d.yaml").unlink()
    result = assert_warm_is_cold(big, rechecked=0)
    assert "RB009" in {f.code for f in before.findings}
    assert "RB009" not in {f.code for f in result.findings}


def test_deleting_the_only_runbook_of_a_flag_reports_the_flag_uncovered(project):
    prime(project)
    (project.root / RUNBOOK_PATH).unlink()
    project.write("runbooks/other.yaml", variant("other", ("checkout.one_click", "x.y")))
    result = assert_warm_is_cold(project, rechecked=1)
    assert any(f.code == "RB101" and "checkout.one_click" in f.message for f in result.findings)


def test_renaming_a_file_rechecks_it_under_its_new_name(big):
    prime(big)
    (big.root / "runbooks/c.yaml").rename(big.root / "runbooks/c2.yaml")
    result = assert_warm_is_cold(big, rechecked=1)
    assert "runbooks/c2.yaml" in {f.path for f in result.findings}
    assert "runbooks/c.yaml" not in {f.path for f in result.findings}


@pytest.mark.parametrize(
    "extra",
    ['ignore = ["RB701"]\n', "review-max-age = 2000\n", 'severity = {RB201 = "warning"}\n'],
)
def test_a_configuration_change_rechecks_every_file(big, extra):
    prime(big)
    config = big.root / "rollbook.toml"
    config.write_text(extra + config.read_text(encoding="utf-8"), encoding="utf-8")
    assert_warm_is_cold(big, rechecked=len(RUNBOOKS) + 1)


@pytest.mark.parametrize(
    "options",
    [{"select": ["RB2"]}, {"ignore": ["RB009"]}, {"inline_ignores": False}],
)
def test_a_different_rule_selection_does_not_reuse_the_results(big, options):
    prime(big)
    assert_warm_is_cold(big, rechecked=len(RUNBOOKS) + 1, **options)
    assert_warm_is_cold(big, rechecked=0, **options)


def test_a_teams_change_rechecks_every_file(big):
    prime(big)
    teams = big.root / "runbooks/teams.yaml"
    teams.write_text(
        teams.read_text(encoding="utf-8").replace("id: amara", "id: amara-o"), encoding="utf-8"
    )
    result = assert_warm_is_cold(big, rechecked=len(RUNBOOKS) + 1)
    assert any("amara" in f.message for f in result.findings)


def test_a_flag_source_change_rechecks_nothing_but_coverage_follows_it(big):
    before = prime(big)
    flags = big.root / "flags/checkout.flagd.json"
    flags.write_text(
        flags.read_text(encoding="utf-8").replace(
            '"flags": {',
            '"flags": {\n    "search.new_ranking": {"state": "ENABLED", '
            '"variants": {"on": true, "off": false}, "defaultVariant": "off"},',
        ),
        encoding="utf-8",
    )
    result = assert_warm_is_cold(big, rechecked=0)
    new = {f.message for f in result.findings} - {f.message for f in before.findings}
    assert any("search.new_ranking" in m for m in new)


def test_another_day_rechecks_every_file(big):
    prime(big)
    result = assert_warm_is_cold(big, rechecked=len(RUNBOOKS) + 1, today=TODAY.replace(year=2027))
    # Reviews went stale in a year.
    assert any(f.code == "RB701" and f.path == "runbooks/a.yaml" for f in result.findings)


def test_another_rollbook_version_never_trusts_the_cache(big, monkeypatch):
    prime(big)
    monkeypatch.setattr(rollbook, "__version__", rollbook.__version__ + ".post1")
    assert_warm_is_cold(big, rechecked=len(RUNBOOKS) + 1)


def _cache_file(project):
    return project.root / ".rollbook-cache" / CACHE_FILE


class _Planted:
    """Unpickling this would run a command: the cache must refuse to build it."""

    def __reduce__(self):
        return (os.system, ("touch planted-by-cache",))


@pytest.mark.parametrize(
    "damage",
    ["truncated", "garbage", "empty", "planted-code", "wrong-shape", "flipped-byte"],
)
def test_a_damaged_or_planted_cache_is_ignored(big, damage):
    prime(big)
    file = _cache_file(big)
    data = file.read_bytes()
    if damage == "truncated":
        file.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        file.write_bytes(os.urandom(4096))
    elif damage == "empty":
        file.write_bytes(b"")
    elif damage == "planted-code":
        file.write_bytes(pickle.dumps(_Planted()))
    elif damage == "wrong-shape":
        file.write_bytes(pickle.dumps((1, "key", ["not", "a", "dict"])))
    else:
        middle = len(data) // 2
        file.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    report, result = warm(big)
    assert report == cold(big)
    assert not (big.root / "planted-by-cache").exists()
    assert not os.path.exists("planted-by-cache")
    if damage != "flipped-byte":  # a flipped byte may land inside one entry only
        assert result.cache.rechecked == len(RUNBOOKS) + 1
    # The run replaced the damaged cache with a good one.
    assert_warm_is_cold(big, rechecked=0)


def test_a_planted_entry_is_not_built(big):
    """A well-formed cache file whose entries build something else is not trusted."""
    prime(big)
    file = _cache_file(big)
    fmt, key, entries = pickle.loads(file.read_bytes())
    entries = {name: pickle.dumps(_Planted()) for name in entries}
    file.write_bytes(pickle.dumps((fmt, key, entries)))
    assert_warm_is_cold(big, rechecked=len(RUNBOOKS) + 1)
    assert not (big.root / "planted-by-cache").exists()


def test_an_unwritable_cache_folder_costs_a_note_not_the_run(big):
    # A folder under a regular file can never be created, even by root.
    config = big.root / "rollbook.toml"
    config.write_text('cache-dir = "rollbook.toml/cache"\n' + config.read_text(), encoding="utf-8")
    for _ in range(2):
        report, result = warm(big)
        assert report == cold(big)
        assert result.cache.rechecked == len(RUNBOOKS) + 1
        assert any("lint cache not written" in note for note in result.notes)


@pytest.mark.parametrize("folder", ["runbooks", ".", "flags"])
def test_a_cache_folder_holding_other_files_is_left_alone(big, folder):
    config = big.root / "rollbook.toml"
    config.write_text(f'cache-dir = "{folder}"\n' + config.read_text(), encoding="utf-8")
    before = sorted(p.name for p in (big.root / folder).iterdir())
    report, result = warm(big)
    assert report == cold(big)
    assert any("lint cache not used" in note for note in result.notes)
    assert sorted(p.name for p in (big.root / folder).iterdir()) == before


def test_the_cache_folder_is_ignored_by_git_and_can_be_moved(big):
    prime(big)
    folder = big.root / ".rollbook-cache"
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    subprocess.run(["git", "init", "-q", str(big.root)], check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=big.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "runbooks/a.yaml" in status
    assert ".rollbook-cache" not in status
    config = big.root / "rollbook.toml"
    config.write_text('cache-dir = "build/lint-cache"\n' + config.read_text(), encoding="utf-8")
    prime(big)
    assert (big.root / "build/lint-cache" / CACHE_FILE).is_file()
    assert_warm_is_cold(big, rechecked=0)


def test_deleting_the_cache_folder_is_safe(big):
    prime(big)
    import shutil

    shutil.rmtree(big.root / ".rollbook-cache")
    assert_warm_is_cold(big, rechecked=len(RUNBOOKS) + 1)
    assert_warm_is_cold(big, rechecked=0)


def test_a_run_over_some_files_keeps_the_others_cached(big):
    prime(big)
    (big.root / "runbooks/a.yaml").write_text(variant("alpha2"), encoding="utf-8")
    partial = big.lint(cache=True, paths=[big.root / "runbooks/a.yaml"])
    assert partial.cache.rechecked == 1
    assert_warm_is_cold(big, rechecked=0)


def loaded_view(result):
    """What the build takes from a run that kept what it loaded, file by file."""
    assert result.loaded is not None
    return [
        (item.display, str(item.path), item.model, item.document, item.problems)
        for item in result.loaded.runbooks
    ]


def build_lint(project, **options):
    return project.lint(cache=True, keep_loaded=True, **options)


def test_the_build_takes_unchanged_runbooks_from_the_cache_as_loaded(big):
    want = big.lint(cache=False, keep_loaded=True)
    assert any(item.runbook is None for item in want.loaded.runbooks)  # an invalid one too
    first = build_lint(big)
    assert first.cache.rechecked == len(RUNBOOKS) + 1
    assert (big.root / ".rollbook-cache" / MODELS_FILE).is_file()
    second = build_lint(big)
    assert second.cache.rechecked == 0
    assert second.cache.hits == len(RUNBOOKS) + 1
    for result in (first, second):
        assert render("json", result) == render("json", want)
        assert loaded_view(result) == loaded_view(want)
    # One file edited: that one is loaded again, the others come from the cache.
    path = big.root / "runbooks/a.yaml"
    path.write_text(variant("alpha", ("title: One-click", "title: One-tap")), encoding="utf-8")
    third = build_lint(big)
    assert third.cache.rechecked == 1
    want = big.lint(cache=False, keep_loaded=True)
    assert loaded_view(third) == loaded_view(want)
    edited = next(i for i in third.loaded.runbooks if i.display == "runbooks/a.yaml")
    assert "One-tap" in edited.runbook.title


def test_a_file_linted_without_the_build_is_loaded_again_by_the_next_build(big):
    build_lint(big)
    path = big.root / "runbooks/c.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert big.lint(cache=True).cache.rechecked == 1  # lint keeps no model
    assert build_lint(big).cache.rechecked == 1  # so the build loads that file again
    assert build_lint(big).cache.rechecked == 0
    assert big.lint(cache=True).cache.rechecked == 0  # and lint uses the build's entries


@pytest.mark.parametrize(
    "damage", ["swapped", "planted-code", "flipped-byte", "flipped-listing", "garbage"]
)
def test_a_damaged_or_planted_stored_model_is_a_miss(big, damage):
    build_lint(big)
    file = big.root / ".rollbook-cache" / MODELS_FILE
    fmt, key, entries = pickle.loads(file.read_bytes())
    names = sorted(entries)
    # Each file's stored model and problems (a pickle), and where the site lists it.
    assert all(type(blob) is bytes for blob, _ in entries.values())
    untouched = 0
    if damage == "swapped":  # each well-formed, but another file's
        blobs = [entries[n] for n in names]
        entries = dict(zip(names, blobs[1:] + blobs[:1], strict=True))
    elif damage == "planted-code":
        entries = {name: (pickle.dumps((_Planted(), [])), None) for name in names}
    elif damage == "flipped-byte":
        entries = {
            name: (blob[:100] + bytes([blob[100] ^ 0x01]) + blob[101:], listed)
            for name, (blob, listed) in entries.items()
        }
    elif damage == "flipped-listing":  # the model as it was, listed under another title
        # Only a valid runbook is listed: the invalid file's entry stays as it was.
        untouched = sum(listed is None for _, listed in entries.values())
        assert untouched == 1
        entries = {
            name: (blob, listed and (listed[0], listed[1] + "!", *listed[2:]))
            for name, (blob, listed) in entries.items()
        }
    else:
        entries = {
            name: (os.urandom(len(blob)), listed) for name, (blob, listed) in entries.items()
        }
    file.write_bytes(pickle.dumps((fmt, key, entries)))
    want = big.lint(cache=False, keep_loaded=True)
    result = build_lint(big)
    # Every file was loaded again: no stored model is the one its entry names.
    assert result.cache.rechecked == len(RUNBOOKS) + 1 - untouched
    assert loaded_view(result) == loaded_view(want)
    assert render("json", result) == render("json", want)
    assert not (big.root / "planted-by-cache").exists()
    assert build_lint(big).cache.rechecked == 0


def _cli(project, *args):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["ROLLBOOK_TODAY"] = TODAY.isoformat()
    return subprocess.run(
        [sys.executable, "-m", "rollbook", "lint", "--output-format", "json", *args],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_command_line_caches_unless_told_not_to(big):
    first = _cli(big, "--no-cache")
    assert first.returncode == 1, first.stderr
    assert not (big.root / ".rollbook-cache").exists()
    second = _cli(big)
    assert (big.root / ".rollbook-cache" / CACHE_FILE).is_file()
    third = _cli(big)
    assert first.stdout == second.stdout == third.stdout
    assert first.returncode == second.returncode == third.returncode


def test_cache_dir_false_turns_the_cache_off(big):
    config = big.root / "rollbook.toml"
    config.write_text("cache-dir = false\n" + config.read_text(), encoding="utf-8")
    assert big.lint(cache=True).cache is None
    run = _cli(big)
    assert run.returncode == 1, run.stderr
    assert not (big.root / ".rollbook-cache").exists()


@pytest.mark.parametrize("value", ['""', '"  "', "true", "3"])
def test_a_bad_cache_dir_is_a_configuration_error(big, value):
    config = big.root / "rollbook.toml"
    config.write_text(f"cache-dir = {value}\n" + config.read_text(), encoding="utf-8")
    run = _cli(big)
    assert run.returncode == 2, run.stdout
    assert "cache-dir" in run.stderr
    assert "Traceback" not in run.stderr


def test_today_changes_expiry_of_suppressions_too(big):
    text = variant(
        "delta",
        (NO_EXPECT_STEP, ""),
        (STEP, STEP + "  # rollbook: ignore[RB201] until=2026-03-01 the flag page says"),
    )
    big.write("runbooks/g.yaml", text)
    prime(big)
    later = TODAY + dt.timedelta(days=1)
    result = assert_warm_is_cold(big, rechecked=len(RUNBOOKS) + 2, today=later)
    assert any(f.path == "runbooks/g.yaml" and f.code == "RB201" for f in result.findings)


ALERT_RULES = """\
groups:
  - name: checkout
    rules:
      - alert: CheckoutErrorRateHigh
        expr: sum(rate(checkout_errors_total[5m])) > 2
        for: 5m
"""


def test_an_alert_rule_file_change_rechecks_every_file(big):
    """A runbook's alert findings (an alert no rule file defines, RB307) read the rule files:
    renaming the alert there must not leave a cached "all fine" behind."""
    config = big.root / "rollbook.toml"
    config.write_text(  # a top-level key: before the first table
        'alert-rules = ["monitoring/*.rules.yml"]\n' + config.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    rules = big.write("monitoring/checkout.rules.yml", ALERT_RULES)
    before = prime(big)
    assert not [f for f in before.findings if f.code == "RB307"]
    rules.write_text(ALERT_RULES.replace("CheckoutErrorRateHigh", "CheckoutErrorsHigh"))
    result = assert_warm_is_cold(big, rechecked=len(RUNBOOKS) + 1)
    assert [f for f in result.findings if f.code == "RB307"]


# The project-scope part of a run (coverage rules, duplicate ids) reads every file's summary
# and every feature source file: when none of them changed, its findings are the cache's.


@pytest.mark.parametrize(
    ("rel", "old", "new", "reused"),
    [
        # Wording on a line: the file's summary (ids, flags, where they are) is the same.
        ("runbooks/a.yaml", "title: One-click checkout", "title: One-tap checkout", True),
        ("runbooks/e.yaml", "id: [broken\n", "id: [still broken\n", True),
        # A line added above the flags moves them: their findings are placed again.
        ("runbooks/a.yaml", "title: One-click checkout", "title: One-click\n# x\n", True),
        ("runbooks/a.yaml", "off: false", "off: true", False),  # a value coverage reads
        ("runbooks/d.yaml", "id: alpha", "id: delta", False),  # no longer a duplicate id
        ("flags/checkout.flagd.json", '"off": false', '"off": 0', False),
    ],
    ids=["title", "broken-still", "line-added", "off-value", "id", "flag-file"],
)
def test_project_findings_are_reused_only_when_their_inputs_are_the_same(
    big, rel, old, new, reused
):
    prime(big)
    path = big.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    report, result = warm(big)
    assert report == cold(big)
    assert result.cache.project_reused is reused
    report, result = warm(big)  # and the next run, with nothing changed, reuses them
    assert report == cold(big)
    assert result.cache.project_reused is True


@pytest.mark.parametrize("damage", ["planted-code", "another-key", "garbage"])
def test_a_damaged_or_planted_project_outcome_is_ignored(big, damage):
    prime(big)
    file = big.root / ".rollbook-cache" / PROJECT_FILE
    fmt, key, entries = pickle.loads(file.read_bytes())
    if damage == "planted-code":
        entries = {name: pickle.dumps(_Planted()) for name in entries}
    elif damage == "another-key":  # well-formed, but no findings, for other inputs
        entries = {name: pickle.dumps(("another", [], None)) for name in entries}
    else:
        entries = {name: os.urandom(len(blob)) for name, blob in entries.items()}
    file.write_bytes(pickle.dumps((fmt, key, entries)))
    report, result = warm(big)
    assert report == cold(big)
    assert result.cache.project_reused is False
    assert not (big.root / "planted-by-cache").exists()


def _age(project, seconds: int = 3600) -> None:
    """Make every file of the project look written ``seconds`` ago."""
    past = (dt.datetime.now().timestamp() - seconds) * 1e9
    for path in project.root.rglob("*"):
        if path.is_file() and ".rollbook-cache" not in path.parts:
            os.utime(path, ns=(int(past), int(past)))


def test_files_unchanged_since_the_last_run_are_not_read_again(big):
    _age(big)
    prime(big)
    report, result = warm(big)
    assert report == cold(big)
    assert result.cache.hashed == 0
    path = big.root / "runbooks/a.yaml"  # edited now: read, and checked again
    path.write_text(variant("alpha", ("title: One-click", "title: One-tap")), encoding="utf-8")
    result = assert_warm_is_cold(big, rechecked=1)
    assert result.cache.hashed == 1


@pytest.mark.parametrize("when", ["just-before-the-run", "during-the-run"])
def test_an_edit_that_keeps_size_and_time_is_still_seen_when_racy(big, when):
    """A file written just before the last run (or while it ran) may be written again within
    the same tick of the file system's clock: its size and time prove nothing then."""
    path = big.root / "runbooks/a.yaml"
    if when == "during-the-run":
        prime(big)
        path.write_text(variant("alpha", ("One-click", "One-kl1ck")), encoding="utf-8")
        prime_stat = path.stat()
        assert_warm_is_cold(big, rechecked=1)
    else:
        prime(big)
        prime_stat = path.stat()
    # The same size, the same time, the same inode, other bytes: only reading tells.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("One-", "Uno-", 1), encoding="utf-8")
    os.utime(path, ns=(prime_stat.st_atime_ns, prime_stat.st_mtime_ns))
    assert path.stat().st_size == prime_stat.st_size
    result = assert_warm_is_cold(big, rechecked=1)
    assert result.cache.hashed >= 1


def _new_flag(text: str, key: str = "search.new_ranking") -> str:
    return text.replace(
        '"flags": {',
        f'"flags": {{\n    "{key}": {{"state": "ENABLED", '
        '"variants": {"on": true, "off": false}, "defaultVariant": "off"},',
    )


def test_a_flag_file_unchanged_since_the_last_run_is_not_read_again_and_an_edit_is_seen(big):
    _age(big)
    prime(big)
    report, result = warm(big)
    assert report == cold(big)
    assert result.cache.hashed == 0  # the runbooks' and the flag file's stats were as recorded
    flags = big.root / FLAGS_PATH
    flags.write_text(_new_flag(flags.read_text(encoding="utf-8")), encoding="utf-8")
    result = assert_warm_is_cold(big, rechecked=0)
    assert result.cache.hashed == 1
    assert any("search.new_ranking" in f.message for f in result.findings)


def test_a_flag_file_edit_that_keeps_size_and_time_is_still_seen_when_racy(big):
    flags = big.root / FLAGS_PATH
    flags.write_text(_new_flag(flags.read_text(encoding="utf-8"), "aaaa.new"), encoding="utf-8")
    prime(big)
    before = flags.stat()
    # The same size, the same time, the same inode, another flag key: only reading tells.
    text = flags.read_text(encoding="utf-8")
    flags.write_text(text.replace('"aaaa.new"', '"zzzz.new"'), encoding="utf-8")
    os.utime(flags, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert flags.stat().st_size == before.st_size
    result = assert_warm_is_cold(big, rechecked=0)
    messages = " ".join(f.message for f in result.findings)
    assert "zzzz.new" in messages and "aaaa.new" not in messages


# An edit that moves a file's lines (a line added at its top, a flag written in flow style)
# changes where its coverage findings are, not what they are: the project-scope outcome is
# kept under the summaries without their positions, and each finding is put at the same slot
# of its file's new summary. Every step below is compared with a cold run.

FLAG = "  - key: checkout.one_click\n    system: flagd\n    off: false\n"
COVERAGE_RUNBOOKS = {
    # RB109 (off turns it on) and RB110 (another system), at the flag's `off` and `system`.
    "runbooks/f1.yaml": variant(
        "f-one", (FLAG, "  - key: checkout.one_click\n    system: unleash\n    off: true\n")
    ),
    # RB104 (a flag no source declares) and RB108 (an undeclared kill switch).
    "runbooks/f2.yaml": variant(
        "f-two",
        (FLAG, FLAG + "  - key: mystery.flag\n    system: flagd\n    off: false\n"),
        ("kill_switch: checkout.one_click", "kill_switch: mystery.flag"),
    ),
    # RB107: says `deployable: false` about a deployed flag.
    "runbooks/f3.yaml": variant(
        "f-three", ("risk: critical\n", "deployable: false\nrisk: critical\n")
    ),
    "runbooks/f4.yaml": variant("f-one"),  # RB009: f1's id again
}
PROJECT_CODES = {"RB009", "RB104", "RB107", "RB108", "RB109", "RB110"}


def _edit(project, rel: str, old: str, new: str) -> None:
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


MOVES = [
    # (file, old, new): each applied after the last, never undone unless said.
    ("runbooks/f1.yaml", "id: f-one", "# a note\nid: f-one"),  # every slot moves
    (
        "runbooks/f2.yaml",
        "    system: flagd\n    off: false\n  - key: mystery",
        ("    system: flagd\n\n\n    off: false\n  - key: mystery"),
    ),  # some of its slots move, the ones before do not
    (
        "runbooks/f1.yaml",
        "  - key: checkout.one_click\n    system: unleash\n    off: true\n"
        "    change: Flag console > checkout.one_click > Off\n",
        "  - {key: checkout.one_click,   system: unleash,  off: true,\n"
        "     change: Flag console > checkout.one_click > Off}\n",
    ),  # flow style: the columns move
    ("runbooks/f4.yaml", "id: f-one", "\n\n# the duplicate\nid: f-one"),  # RB009 moves
    ("runbooks/f3.yaml", "deployable: false\n", "\n\ndeployable: false\n"),
    ("runbooks/f1.yaml", "# a note\n", ""),  # back where it was
    ("runbooks/f2.yaml", "  kill_switch", "  # the switch\n  kill_switch"),
    # The id's first owner moves; the duplicate's finding stays where it is.
    ("runbooks/a.yaml", "id: alpha", "# first\nid: alpha"),
]


def _places(findings) -> list[tuple[str, str, int, int]]:
    return sorted((f.code, f.path, f.line, f.column) for f in findings if f.code in PROJECT_CODES)


@pytest.fixture
def coverage_project(big):
    for rel, text in COVERAGE_RUNBOOKS.items():
        big.write(rel, text)
    return big


def test_an_edit_that_moves_lines_keeps_the_project_findings_at_their_new_places(
    coverage_project,
):
    project = coverage_project
    first = prime(project)
    codes = {f.code for f in first.findings if f.path in COVERAGE_RUNBOOKS}
    assert codes >= PROJECT_CODES, "every kind of slot must have a finding to move"
    for rel, old, new in MOVES:
        before = _places(project.lint(cache=False).findings)
        _edit(project, rel, old, new)
        report, result = warm(project)
        assert report == cold(project), (rel, old)
        assert result.cache.project_reused is True, (rel, old)
        assert result.cache.rechecked == 1
        if rel != "runbooks/a.yaml":
            assert _places(result.findings) != before  # the edit did move findings
        report, result = warm(project)  # and the next run takes them as placed
        assert report == cold(project)
        assert result.cache.project_reused is True
        assert result.cache.rechecked == 0


@pytest.mark.parametrize(
    "edits",
    [
        # Two files moved in one run.
        [
            ("runbooks/f1.yaml", "id: f-one", "#\nid: f-one"),
            ("runbooks/f2.yaml", "id: ", "#\nid: "),
        ],
        # A move and a change of what coverage reads: the rules run again.
        [
            ("runbooks/f1.yaml", "id: f-one", "#\nid: f-one"),
            ("runbooks/f2.yaml", "mystery", "misty"),
        ],
        # A file moved and another added, deleted or renamed.
        [("runbooks/f1.yaml", "id: f-one", "#\nid: f-one"), ("add", "runbooks/f5.yaml", "f-one")],
        [("runbooks/f1.yaml", "id: f-one", "#\nid: f-one"), ("delete", "runbooks/f4.yaml", "")],
        [
            ("runbooks/f3.yaml", "id: ", "#\nid: "),
            ("rename", "runbooks/f2.yaml", "runbooks/f0.yaml"),
        ],
        # A move and a flag file change.
        [
            ("runbooks/f1.yaml", "id: f-one", "#\nid: f-one"),
            (FLAGS_PATH, '"off": false', '"off": 0'),
        ],
        # A flag's key changed, and its lines moved.
        [("runbooks/f2.yaml", "key: mystery.flag", "key: mystery.flag2\n    # x")],
    ],
    ids=["two-files", "move-and-value", "add", "delete", "rename", "flag-file", "flag-key"],
)
def test_moves_mixed_with_other_changes_are_what_a_cold_run_reports(coverage_project, edits):
    project = coverage_project
    prime(project)
    for step in edits:
        if step[0] == "add":
            project.write(step[1], variant(step[2]))
        elif step[0] == "delete":
            (project.root / step[1]).unlink()
        elif step[0] == "rename":
            (project.root / step[1]).rename(project.root / step[2])
        else:
            _edit(project, *step)
    for _ in range(2):
        report, _result = warm(project)
        assert report == cold(project)


def test_a_move_linted_by_the_build_first_is_placed_by_the_next_lint(coverage_project):
    """The build keeps each file's entry but not the project outcome: the next lint finds
    a file whose summary is not the one the outcome was kept with, and places it."""
    project = coverage_project
    prime(project)
    _edit(project, "runbooks/f1.yaml", "id: f-one", "# a note\nid: f-one")
    built = build_lint(project)
    assert render("json", built) == cold(project)
    report, result = warm(project)
    assert report == cold(project)
    assert result.cache.rechecked == 0
    assert result.cache.project_reused is True


def test_a_finding_at_no_slot_is_never_moved(coverage_project):
    """A kept finding whose place is none of its file's summary slots (or two of them) pins
    its file: once that file's lines move, the rules run again."""
    project = coverage_project
    prime(project)
    file = project.root / ".rollbook-cache" / PROJECT_FILE
    fmt, key, entries = pickle.loads(file.read_bytes())
    outcome = pickle.loads(entries[("outcome",)])
    assert any(f.path == "runbooks/f1.yaml" for f in outcome[1])
    entries = {("outcome",): pickle.dumps((*outcome[:5], ["runbooks/f1.yaml"]))}
    file.write_bytes(pickle.dumps((fmt, key, entries)))
    _edit(project, "runbooks/f1.yaml", "id: f-one", "# a note\nid: f-one")
    report, result = warm(project)
    assert report == cold(project)
    assert result.cache.project_reused is False


def test_slots_of_pins_a_file_with_a_finding_at_no_slot_or_two():
    from rollbook.diagnostics import Location, Severity
    from rollbook.lint.context import RunbookSummary
    from rollbook.lint.engine import slots_of
    from rollbook.lint.finding import Finding

    def at(path: str, line: int, column: int) -> Finding:
        return Finding("RB009", "x", Severity.ERROR, "m", Location(path, line, column))

    where = Location("runbooks/x.yaml", 3, 5)
    alone = RunbookSummary("x", "runbooks/x.yaml", where, (), True, True)
    twice = RunbookSummary("x", "runbooks/x.yaml", where, (), True, True, deployable_location=where)
    on_slot, off_slot = at("runbooks/x.yaml", 3, 5), at("runbooks/x.yaml", 9, 1)
    elsewhere = at("flags/x.json", 3, 5)
    assert slots_of([on_slot, elsewhere], [alone]) == ([0, None], [])
    assert slots_of([off_slot, elsewhere], [alone]) == ([None, None], ["runbooks/x.yaml"])
    assert slots_of([on_slot], [twice]) == ([None], ["runbooks/x.yaml"])


@pytest.mark.parametrize("output", ["text", "json", "sarif"])
def test_the_command_line_after_a_move_prints_what_a_cold_run_prints(coverage_project, output):
    """Through the command line, as a person runs it: the same report (text, positions,
    order) and the same exit code as a cold run, after edits that move lines."""
    project = coverage_project
    assert _cli(project, "--output-format", output).returncode == 1  # fills the cache
    for rel, old, new in MOVES[:3]:
        _edit(project, rel, old, new)
        warm_run = _cli(project, "--output-format", output)
        cold_run = _cli(project, "--output-format", output, "--no-cache")
        assert warm_run.stdout == cold_run.stdout
        assert warm_run.stderr == cold_run.stderr
        assert warm_run.returncode == cold_run.returncode == 1
