"""Links and phone numbers in real files: errors at their line and column, with a hint;
configuration keys that hold links or the phone region checked when the configuration loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

TEAMS = """\
version: 1
teams:
  - id: payments
    name: Payments
    oncall_phone: {phone}
    chat: "#payments-oncall"
    people:
      - id: first-responder
        name: First Responder
"""


def _teams(project: Path, phone: str) -> None:
    (project / "runbooks" / "teams.yaml").write_text(TEAMS.format(phone=phone), encoding="utf-8")


def _config(project: Path, *lines: str) -> None:
    # Top-level keys go before the file's first table (`[[sources]]`).
    path = project / "rollbook.toml"
    path.write_text("\n".join(lines) + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


@pytest.mark.parametrize(
    ("phone", "message", "hint"),
    [
        (
            '"020 7946 0101"',
            "is a national number, and no default region is configured",
            'set `phone-region = "GB"`',
        ),
        ('"+44 20 7946 010"', "not a valid phone number for +44 (GB)", "'+44 20 7946 010'"),
        ("+44 7700 900001", "not a valid phone number", "'+44 7700 900001'"),
    ],
)
def test_bad_phone_numbers_are_reported_at_their_line(project: Path, phone, message, hint):
    _teams(project, phone)
    result = run_cli("validate", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "runbooks/teams.yaml:5:19: RB006 teams[0].oncall_phone: " in result.stdout
    assert message in result.stdout
    hint_line = next(line for line in result.stdout.splitlines() if "hint:" in line)
    assert hint in hint_line
    assert "Traceback" not in result.stdout + result.stderr


# Unquoted, YAML reads these as numbers (the + and the leading 0 are lost): a wrong type, whose
# hint quotes the number exactly as written, never the number YAML made of it.
@pytest.mark.parametrize(
    ("phone", "parsed"), [("+442079460101", "442079460101"), ("02079460101", "2079460101")]
)
def test_unquoted_phone_numbers_are_quoted_as_written(project: Path, phone, parsed):
    _teams(project, phone)
    result = run_cli("validate", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"runbooks/teams.yaml:5:19: RB004 teams[0].oncall_phone should be text; got the number "
        f"{parsed} (YAML reads {phone} as a number)" in result.stdout
    )
    assert f'hint: put it in quotes: "{phone}"' in result.stdout


@pytest.mark.parametrize("phone", ['"020 7946 0101"', '"(020) 7946-0101"', "020 7946 0101"])
def test_national_numbers_validate_with_a_phone_region(project: Path, phone: str):
    _teams(project, phone)
    _config(project, 'phone-region = "GB"')
    result = run_cli("validate", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ('phone-region = "UK"', "`phone-region`: 'UK' is not a region code", '"GB"'),
        ('phone-region = "Britain"', "`phone-region`: 'Britain' is not a region code", "ISO 3166"),
        ("phone-region = 44", "`phone-region`: Input should be a valid string", ""),
        # The address keys' own messages are pinned in tests/lint/test_config.py; here, that
        # each is a configuration error at its line.
        ('repo-url = "https://user:token@git.example.com/shop"', "`repo-url` holds a user", "@"),
        (
            'repo-url = "git@git.example.com:shop.git"',
            "`repo-url` is not a full web address",
            "https://",
        ),
        ('site-url = "https://runbooks example.com/"', "`site-url` holds a space", "%20"),
        ('site-url = "https://0x7f.1/"', "`site-url`: the link's host '0x7f.1'", "IPv4"),
        ('edit-uri = "blob/main#top/"', "`edit-uri` holds a fragment (#)", "blob/main/"),
        ('edit-uri = "blob/main\\\\"', "`edit-uri` holds '\\\\'", "%5C"),
    ],
)
def test_bad_link_and_region_keys_are_configuration_errors(project: Path, line, message, hint):
    _config(project, line)
    key_line = (project / "rollbook.toml").read_text().splitlines().index(line) + 1
    result = run_cli("validate", cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"rollbook.toml:{key_line}:1: RB000 {message}" in result.stderr
    assert hint in result.stderr
    assert "Traceback" not in result.stderr


SIGNAL = """\
id: checkout
title: Checkout
summary: Lets customers pay.
owner: payments
risk: high
signals:
  - name: Errors
    kind: dashboard
    link: {link}
"""


@pytest.mark.parametrize(
    ("link", "message", "hint"),
    [
        (
            '"https://grafana.example.com@evil.example/d/1"',
            "has a user name or password before `@`",
            "remove everything between `//` and `@`",
        ),
        ('"https://grafana.example.com\\\\d\\\\1"', "has a backslash", "write `/`"),
        ('"https://0x7f.1/d/1"', "a number that browsers read as an IP address", "IPv4"),
        ('"https://grafana.example.com:99999/"', "port '99999' is not a port number", "65535"),
        ("javascript:alert(1)", "must be a web link starting with https://", "unsafe"),
    ],
)
def test_bad_links_are_reported_at_their_line(project: Path, link, message, hint):
    path = project / "runbooks" / "checkout.yaml"
    path.write_text(SIGNAL.format(link=link), encoding="utf-8")
    result = run_cli("validate", "runbooks/checkout.yaml", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "runbooks/checkout.yaml:9:11: RB006 signals[0].link: " in result.stdout
    assert message in result.stdout
    hint_line = next(line for line in result.stdout.splitlines() if "hint:" in line)
    assert hint in hint_line


@pytest.mark.parametrize(
    "link",
    [
        "https://kibana.example.com/app/discover#/?_a=(query:'status:500')",
        '"https://kibana.example.com/app/discover?_a=(query:\'host:\\"web 1\\"\')"',
        "https://grafana.example.com/d/abc?var-host={web-1,web-2}&var-re=a|b",
        "https://bücher.example/straße?q=日本",
        "https://[2001:db8::1]:8443/graph#top",
    ],
)
def test_links_people_paste_validate(project: Path, link: str):
    path = project / "runbooks" / "checkout.yaml"
    path.write_text(SIGNAL.format(link=link), encoding="utf-8")
    result = run_cli("validate", "runbooks/checkout.yaml", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
