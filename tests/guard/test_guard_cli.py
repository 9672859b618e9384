"""`rollbook guard` as a pipeline runs it: exit codes, JSON against the shipped schema,
overrides on the record, usage and configuration errors (exit 2), hostile names."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest

from rollbook.config import ConfigError
from rollbook.guard.report import schema
from tests.conftest import run_cli

WEEKEND = '[[guard.weekly]]\nfrom = "Fri 15:00"\nto = "Mon 09:00"\nreason = "Weekend"\n'
VALIDATOR = jsonschema.Draft202012Validator(
    schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def cli(gp, *args: str, env: dict | None = None):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GITHUB_ACTOR", "GITLAB_USER_LOGIN", "USER")
    }
    return run_cli("guard", *args, cwd=gp.root, env={**base, **(env or {})})


def test_shipped_schema_is_a_valid_schema():
    jsonschema.Draft202012Validator.check_schema(schema())


def test_schema_is_in_the_package_data(repo_root):
    assert (repo_root / "src/rollbook/schemas/guard.schema.json").is_file()


def test_exit_codes_and_reason_lines(gp):
    gp.config(WEEKEND)
    go = cli(gp, "one-click-checkout", "--at", "2026-12-02T10:00")
    assert go.returncode == 0, go.stderr
    refused = cli(gp, "one-click-checkout", "--at", "2026-12-05T10:00")
    assert refused.returncode == 1
    assert refused.stdout.splitlines()[1] == (
        "one-click-checkout: freeze: deploys are frozen: Weekend (Fri 15:00 to Mon 09:00) "
        "(from rollbook.toml: guard.weekly[0]), until Mon 2026-12-07 09:00 Europe/Berlin; "
        "next window opens Mon 2026-12-07 09:00 Europe/Berlin"
    )


@pytest.mark.parametrize(
    ("at", "extra"),
    [
        ("2026-12-02T10:00", ()),
        ("2026-12-05T10:00", ()),
        ("2026-12-05T10:00", ("--by", "ben-hale")),
        (
            "2026-12-05T10:00",
            ("--by", "octocat", "--override", "Payments are failing; the fix cannot wait"),
        ),
        ("2026-12-05T10:00", ("--next",)),
        ("2026-12-05T10:00", ("--next", "--window", "90m")),
    ],
)
def test_json_is_valid_against_the_shipped_schema(gp, at, extra):
    gp.config("min-contacts = 2\n" + WEEKEND)
    options: dict = {"at": at}
    flags = list(extra)
    while flags:
        name = flags.pop(0)
        if name == "--next":
            options["find_next"] = True
        else:
            options[name.lstrip("-")] = flags.pop(0)
    data = gp.json(**options)
    errors = [e.message for e in VALIDATOR.iter_errors(data)]
    assert errors == []


def test_json_says_why_and_when(gp):
    gp.config(WEEKEND)
    data = gp.json(at="2026-12-05T10:00")
    assert data["decision"] == "refused"
    assert data["at"] == "2026-12-05T10:00:00+01:00"
    assert data["window"] == {
        "duration": "24h",
        "start": "2026-12-05T10:00:00+01:00",
        "end": "2026-12-06T10:00:00+01:00",
    }
    (reason,) = data["features"][0]["reasons"]
    assert reason["check"] == "freeze"
    assert reason["passes_at"] == "2026-12-07T09:00:00+01:00"
    assert [c["id"] for c in data["features"][0]["contacts"]] == ["amara", "ben-hale"]


@pytest.mark.parametrize(
    ("args", "env", "by", "by_from"),
    [
        (("--by", "ben-hale"), {"GITHUB_ACTOR": "octocat"}, "ben-hale", "--by"),
        ((), {"GITHUB_ACTOR": "octocat", "USER": "runner"}, "octocat", "GITHUB_ACTOR"),
        ((), {"GITLAB_USER_LOGIN": "tanuki", "USER": "runner"}, "tanuki", "GITLAB_USER_LOGIN"),
        ((), {"USER": "amara"}, "amara", "USER"),
    ],
)
def test_override_is_on_the_record(gp, args, env, by, by_from):
    gp.config(WEEKEND)
    reason = "Checkout is down; this is the fix"
    text = cli(
        gp, "one-click-checkout", "--at", "2026-12-05T10:00", "--override", reason, *args, env=env
    )
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("overridden: one-click-checkout refused at Sat 2026-12-05 10:00")
    assert "one-click-checkout: freeze: " in text.stdout
    assert text.stdout.splitlines()[-1] == f"override by {by} (from {by_from}): {reason}"
    data = gp.json(at="2026-12-05T10:00", override=reason, by=args[1] if args else None, env=env)
    assert data["decision"] == "overridden"
    assert data["override"] == {"reason": reason, "by": by, "by_from": by_from}
    assert data["features"][0]["decision"] == "refused"


def test_override_when_nothing_is_refused_is_still_recorded(gp):
    data = gp.json(override="belt and braces", by="amara")
    assert data["decision"] == "go"
    assert data["override"]["by"] == "amara"


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (("--override", "fix"), {}, "--override needs the name of the person deciding"),
        (("--override", "   "), {"USER": "x"}, "--override needs a reason"),
        (("--at", "friday 4pm"), {}, "--at: 'friday 4pm' is not a date and time"),
        (("--at", "2026-02-30T10:00"), {}, "--at: '2026-02-30T10:00' is not a date and time"),
        (("--window", "a while"), {}, "--window: 'a while' is not a duration"),
        (("--window", "0h"), {}, "--window: '0h' is not a duration"),
        (
            ("--next", "--override", "x", "--by", "amara"),
            {},
            "--next asks when a deploy would pass",
        ),
    ],
)
def test_usage_errors_exit_2(gp, args, env, expected):
    options: dict = {"env": env}
    flags = list(args)
    while flags:
        name = flags.pop(0)
        if name == "--next":
            options["find_next"] = True
        else:
            options[name.lstrip("-")] = flags.pop(0)
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(")):
        gp.guard(**options)


def test_usage_error_through_the_cli_exits_2(gp):
    result = cli(gp, "one-click-checkout", "--override", "fix")
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("error: --override needs the name of the person deciding")
    assert result.stdout == ""


def test_unknown_feature_suggests_the_close_one(gp):
    result = cli(gp, "one-click-chekout")
    assert result.returncode == 2
    assert (
        "no runbook has the id 'one-click-chekout' (did you mean 'one-click-checkout'?)"
        in result.stderr
    )
    assert cli(gp).returncode == 2


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('time-zone = "Europe/Berln"\n', "`guard.time-zone` is not a time zone: 'Europe/Berln'"),
        ('time-zone = "../../etc/passwd"\n', "`guard.time-zone` is not a time zone"),
        ("min-contact = 2\n", "unknown key `guard.min-contact`"),
        ("min-contacts = 0\n", "`guard.min-contacts`: Input should be greater than or equal to 1"),
        ('window = "1 day"\n', "`guard.window` is not a duration: '1 day'"),
        (
            '[[guard.weekly]]\nfrom = "Fri 15:00"\nto = "Mun 09:00"\n',
            "`guard.weekly.0.to` is not a weekday and a time: 'Mun 09:00'",
        ),
        (
            '[[guard.weekly]]\nfrom = "Fri 25:00"\nto = "Mon 09:00"\n',
            "`guard.weekly.0.from` is not a weekday and a time",
        ),
        (
            '[[guard.freezes]]\nfrom = 2026-12-21\nto = 2026-12-01\nreason = "x"\n',
            "the freeze ends (2026-12-01) before it starts (2026-12-21)",
        ),
        (
            '[[guard.freezes]]\nfrom = "soon"\nto = 2026-12-01\nreason = "x"\n',
            "`guard.freezes.0.from` is not a date or a date and time: 'soon'",
        ),
        (
            "[[guard.freezes]]\nfrom = 2026-12-21\nto = 2026-12-22\n",
            "`guard.freezes.0.reason`: Field required",
        ),
        ('holidays = ["Christmas"]\n', "`guard.holidays.0.date` is not a date or a date and time"),
        ("calendars = { ben-hale = 3 }\n", "guard.calendars.ben-hale"),
        (
            '[[guard.weekly]]\nfrom = "Fribble 15:00"\nto = "Monday 09:00"\n',
            "`guard.weekly.0.from` is not a weekday and a time: 'Fribble 15:00'",
        ),
        (
            '[[guard.weekly]]\nfrom = "Fri 15:00"\nto = "Mon 09:00"\nreason = "We\\u202eekend"\n',
            "`guard.weekly.0.reason` holds an invisible or control character (U+202E)",
        ),
        (
            'holidays = [{date = 2026-12-25, name = "Xmas\\u001b[2J"}]\n',
            "`guard.holidays.0.name` holds an invisible or control character (U+001B)",
        ),
        (
            '[[guard.freezes]]\nfrom = 2026-12-21\nto = 2026-12-22\nreason = "a\\u200bb"\n',
            "`guard.freezes.0.reason` holds an invisible or control character (U+200B)",
        ),
    ],
)
def test_configuration_errors_name_file_and_key(gp, extra, expected):
    if extra.startswith("time-zone = "):
        gp.config("", zone=extra.split('"')[1])
    else:
        gp.config(extra)
    with pytest.raises(ConfigError) as caught:
        gp.guard()
    assert "rollbook.toml:" in str(caught.value)
    assert expected in str(caught.value)


def test_configuration_error_through_the_cli_exits_2(gp):
    gp.config('[[guard.weekly]]\nfrom = "Fri 15:00"\nto = "Mun 09:00"\n')
    result = cli(gp, "one-click-checkout")
    assert result.returncode == 2, result.stdout
    assert "rollbook.toml:12:1: RB000 `guard.weekly.0.to` is not a weekday and a time" in (
        result.stderr
    )
    assert result.stdout == ""


def test_unknown_guard_key_suggests_the_right_one(gp):
    gp.config("min-contact = 2\n")
    with pytest.raises(ConfigError) as caught:
        gp.guard()
    assert "did you mean `min-contacts`?" in str(caught.value)
    assert "rollbook.toml:10:1:" in str(caught.value)


def test_next_prints_the_next_time_or_says_there_is_none(gp):
    gp.config(WEEKEND)
    run = gp.guard(at="2026-12-05T10:00", find_next=True)
    assert run.exit_code == 0
    assert run.output.splitlines()[-1] == "next: Mon 2026-12-07 09:00 Europe/Berlin"
    now = gp.guard(at="2026-12-02T10:00", find_next=True)
    assert now.output.splitlines()[-1] == "next: now, Wed 2026-12-02 10:00 Europe/Berlin"
    gp.config('[[guard.freezes]]\nfrom = 2026-12-01\nto = 2027-06-01\nreason = "Migration"\n')
    none = gp.guard(at="2026-12-05T10:00", find_next=True)
    assert none.exit_code == 1
    assert none.output.splitlines()[-1] == (
        "next: none: waiting does not help (freeze): fix that first"
    )
    assert "no window opens in the next 60 days" in none.output


def test_next_when_a_lint_error_blocks(gp, edit):
    from guard_project import RUNBOOK_PATH

    gp.write(RUNBOOK_PATH, edit(("owner: payments", "owner: paymints")))
    run = gp.guard(find_next=True)
    assert run.exit_code == 1
    assert run.output.splitlines()[-1] == "next: none: waiting does not help (lint): fix that first"


def test_next_follows_freezes_and_absences_together(gp):
    """Frozen until Monday 09:00, and Amara (one of two needed) is away until Tuesday."""
    gp.config("min-contacts = 2\n" + WEEKEND)
    gp.write(
        "runbooks/teams.yaml",
        gp.root.joinpath("runbooks/teams.yaml")
        .read_text()
        .replace(
            '        phone: "+44 113 496 0001"\n',
            '        phone: "+44 113 496 0001"\n        away:\n'
            "          - {start: 2026-12-04, end: 2026-12-07}\n",
        ),
    )
    run = gp.guard(at="2026-12-05T10:00", find_next=True)
    assert run.output.splitlines()[-1] == "next: Tue 2026-12-08 00:00 Europe/Berlin"


@pytest.mark.parametrize(
    "name",
    [
        "Ben \x1b[2J\x1b[31mHale",
        "Ben \u202eelaH",
        "Ben\u200b Hale",
        "Ben\rHale done. go: all clear",
    ],
)
def test_hostile_names_and_reasons_are_escaped_in_the_terminal(gp, name):
    from guard_project import TEAMS

    gp.config("min-contacts = 2\n")
    gp.write(
        "runbooks/teams.yaml",
        TEAMS.replace("name: Ben Hale", f"name: {json.dumps(name)}").replace(
            '        chat: "@ben"\n',
            '        chat: "@ben"\n        away:\n'
            "          - {start: 2026-12-01, end: 2026-12-09, reason: " + json.dumps(name) + "}\n",
        ),
    )
    result = cli(gp, "one-click-checkout", "--at", "2026-12-02T10:00")
    assert result.returncode in (1, 2), result.stderr
    out = result.stdout + result.stderr
    for bad in ("\x1b", "\u202e", "\u200b", "\r"):
        assert bad not in out


def test_readme_example_is_what_the_guard_prints(gp, repo_root):
    """The README's example answer, reproduced: weekend freeze, two contacts needed, Ben (who
    deploys) away on the weekend."""
    import re

    from guard_project import TEAMS

    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The deploy guard") :]
    block = re.search(r"```console\n\$ rollbook (guard .*?)\n(.*?)```", section, re.S)
    assert block is not None
    gp.config("min-contacts = 2\n" + WEEKEND)
    gp.write(
        "runbooks/teams.yaml",
        TEAMS.replace(
            '        chat: "@ben"\n',
            '        chat: "@ben"\n        away:\n'
            "          - {start: 2026-12-05, end: 2026-12-06, reason: Hiking}\n",
        ),
    )
    args = block.group(1).split()[1:]
    assert args == ["one-click-checkout", "--at", "2026-12-04T16:00", "--by", "ben-hale"]
    run = gp.guard(at=args[2], by=args[4])
    assert run.exit_code == 1
    assert run.output == block.group(2)
