"""A source that can declare no feature is said in a note: lint and build print it."""

from __future__ import annotations

import pytest

from rollbook.config import load_project
from rollbook.lint import LintOptions, lint
from tests.lint.conftest import CONFIG, FLAGS, FLAGS_PATH, GOOD, TEAMS, TODAY


def project(tmp_path, sources: str, files: dict[str, str]):
    base = {
        "rollbook.toml": CONFIG + sources,
        "runbooks/teams.yaml": TEAMS,
        "runbooks/one-click-checkout.yaml": GOOD,
        FLAGS_PATH: FLAGS,
        **files,
    }
    for rel, text in base.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return load_project(tmp_path)


def notes(tmp_path, sources: str, files: dict[str, str]) -> list[str]:
    return lint(project(tmp_path, sources, files), LintOptions(today=TODAY)).notes


RUBY = {"app/pay.rb": "Flags.enabled?(:wallet_pay)\n", "app/README": "x\n"}


def test_code_source_over_files_it_cannot_read(tmp_path):
    found = notes(tmp_path, '\n[[sources]]\nkind = "code"\npaths = ["app/**/*"]\n', RUBY)
    assert found == [
        "rollbook.toml: sources[1]: paths app/**/* select 2 files ((no extension), .rb), none in "
        "a language it scans (languages: python, javascript, typescript, go, java), and it has "
        "no `patterns`: it declares no feature; add patterns with a named group `key` to find "
        "flags in these files"
    ]


def test_code_source_for_one_language_over_another(tmp_path):
    sources = '\n[[sources]]\nkind = "code"\npaths = ["src/**"]\nlanguages = ["go"]\n'
    found = notes(tmp_path, sources, {"src/a.py": "get_boolean_value('x', False)\n"})
    assert len(found) == 1 and "(.py), none in a language it scans (languages: go)" in found[0]


@pytest.mark.parametrize(
    "sources,files",
    [
        # A pattern of its own reads any file.
        (
            '\n[[sources]]\nkind = "code"\npaths = ["app/**/*.rb"]\n'
            "patterns = ['Flags\\.enabled\\?\\(:(?P<key>\\w+)\\)']\n",
            RUBY,
        ),
        # One file of a scanned language is enough, even if it holds no flag today.
        ('\n[[sources]]\nkind = "code"\npaths = ["app/**"]\n', {**RUBY, "app/x.ts": "1;\n"}),
        # The flag file the fixture's source reads.
        ("", {}),
    ],
    ids=["pattern", "one-scanned-file", "flag-file"],
)
def test_sources_that_can_read_their_files_have_no_note(tmp_path, sources, files):
    assert notes(tmp_path, sources, files) == []


def test_a_glob_that_selects_nothing(tmp_path, capsys):
    sources = '\n[[sources]]\nkind = "flagd"\npaths = ["deploy/*.flagd.json"]\n'
    found = notes(tmp_path, sources, {})
    assert found == [
        "rollbook.toml: sources[1]: paths deploy/*.flagd.json select no file, so this source "
        "declares no feature"
    ]
