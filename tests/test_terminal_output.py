"""Every command's output is safe for the terminal it is printed on.

A runbook, a flag file, the configuration or a file name may carry escape sequences that clear
the screen, retitle the window, hide a link or rewrite an earlier line, and bidirectional
controls that reorder what the reader sees. Whatever the command, the person reading its
output sees those characters escaped (``\\x1b``), never acted on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rollbook.report.github import escape_property
from tests.conftest import run_cli

# What a terminal acts on or hides: C0 controls but tab and newline, DEL, C1 controls, bidi
# controls and marks, zero-width characters, separators, tags, and lone surrogates.
ACTS_ON_TERMINAL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069"
    "\ufeff\U000e0000-\U000e007f\ud800-\udfff]"
)

# Control sequences a file name can hold (Linux allows every byte but "/" and NUL).
NAME_ATTACKS = {
    "csi-clear-screen": ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
    "osc-window-title": ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    "osc-hyperlink": (
        "\x1b]8;;mailto:x@evil.example\x1b\\click\x1b]8;;\x1b\\",
        "\\x1b]8;;mailto:x@evil.example\\x1b\\click\\x1b]8;;\\x1b\\",
    ),
    "c1-csi": ("\x9b2J", "\\x9b2J"),
    "bidi-override": ("\u202eslmay", "\\u202eslmay"),
    "carriage-return": ("\rFAKE", "\\x0dFAKE"),
}


def output_of(result) -> str:
    text = result.stdout + result.stderr
    assert ACTS_ON_TERMINAL.search(text) is None, repr(text)
    return text


@pytest.mark.parametrize("attack", NAME_ATTACKS, ids=list(NAME_ATTACKS))
def test_lint_and_validate_escape_runbook_file_names(project: Path, attack: str) -> None:
    raw, shown = NAME_ATTACKS[attack]
    good = project / "runbooks" / "saved-search-alerts.yaml"
    (project / "runbooks" / f"evil{raw}.yaml").write_text(
        good.read_text().replace("saved-search-alerts", "evil-one"), encoding="utf-8"
    )
    lint = run_cli("lint", cwd=project)
    assert f"runbooks/evil{shown}" in output_of(lint)
    assert lint.returncode == 0
    github = run_cli("lint", "--output-format", "github", cwd=project)
    assert f"file=runbooks/evil{escape_property(shown)}" in output_of(github)
    (project / "runbooks" / f"broken{raw}.yaml").write_text("id: [\n", encoding="utf-8")
    validate = run_cli("validate", cwd=project)
    assert validate.returncode == 1
    assert f"runbooks/broken{shown}.yaml:" in output_of(validate)


def test_a_file_name_cannot_forge_a_finding_line(project: Path) -> None:
    forged = "x.yaml\nsaved-search-alerts.yaml:1:1: RB000 [error] forged.yaml"
    (project / "runbooks" / forged).write_text("id: [\n", encoding="utf-8")
    for command in ("lint", "validate"):
        lines = output_of(run_cli(command, cwd=project)).splitlines()
        assert not any(line.startswith("saved-search-alerts.yaml:1:1: RB000") for line in lines)
        assert any(
            line.startswith("runbooks/x.yaml\\x0asaved-search-alerts.yaml:1:1: RB000")
            for line in lines
        ), command


# Text inside runbooks that ends up in a finding: a suppression's unknown rule word, and the
# rest of a line holding a placeholder.
@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("# rollbook: ignore[RB201\u202e10BR] reason", "RB201\\u202e10BR"),
        ("# rollbook: ignore[\u2066RB201\u2069] reason", "\\u2066RB201\\u2069"),
        ("# rollbook: ignore[x\u200bRB201] reason", "x\\u200bRB201"),
        ("# FILL IN \u202eevil\u202c", "FILL IN \\u202eevil\\u202c"),
        ("# FILL IN \u200b\u200bhidden", "FILL IN \\u200b\\u200bhidden"),
    ],
    ids=[
        "suppression-bidi",
        "suppression-isolate",
        "suppression-zero-width",
        "placeholder-bidi",
        "placeholder-zero-width",
    ],
)
def test_lint_escapes_runbook_text_in_messages(project: Path, line: str, shown: str) -> None:
    path = project / "runbooks" / "saved-search-alerts.yaml"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    for fmt in ("text", "github"):
        result = run_cli("lint", "--output-format", fmt, cwd=project)
        assert shown in output_of(result), fmt


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("\\u001b[31mevil", "\\x1b[31mevil"),
        ("\\u009b2Jx", "\\x9b2Jx"),
        ("\\u202eyek", "\\u202eyek"),
        ("x\\u0007y", "x\\x07y"),
    ],
)
def test_configuration_errors_escape_unknown_keys(project: Path, key: str, shown: str) -> None:
    config = project / "rollbook.toml"
    config.write_text(f'"{key}" = 1\n' + config.read_text(), encoding="utf-8")
    for command in ("lint", "validate", "build"):
        result = run_cli(command, cwd=project)
        assert result.returncode == 2
        assert f"unknown key `{shown}`" in output_of(result), command


@pytest.mark.parametrize("attack", ["csi-clear-screen", "osc-window-title", "c1-csi"])
def test_source_errors_escape_flag_file_names(project: Path, attack: str) -> None:
    raw, shown = NAME_ATTACKS[attack]
    config = project / "rollbook.toml"
    config.write_text(
        config.read_text() + '\n[[sources]]\nkind = "flagd"\npaths = ["flags/*.json"]\n',
        encoding="utf-8",
    )
    (project / "flags").mkdir()
    (project / "flags" / f"bad{raw}.json").write_text("{,}", encoding="utf-8")
    result = run_cli("lint", cwd=project)
    assert result.returncode == 2
    assert f"flags/bad{shown}.json:1:2: invalid JSON" in output_of(result)


@pytest.mark.parametrize(
    ("argument", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x9b6n", "\\x9b6n"),
        ("RB2\u202e01", "RB2\\u202e01"),
        ("\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"),
    ],
)
def test_rule_and_usage_errors_escape_what_was_typed(
    tmp_path: Path, argument: str, shown: str
) -> None:
    rule = run_cli("rule", argument, cwd=tmp_path)
    assert rule.returncode == 2
    assert shown in output_of(rule)
    command = run_cli(argument, cwd=tmp_path)
    assert command.returncode == 2
    assert shown in output_of(command)
    option = run_cli("lint", "--output-format", argument, cwd=tmp_path)
    assert option.returncode == 2
    assert shown in output_of(option)


@pytest.mark.parametrize("attack", ["csi-clear-screen", "osc-hyperlink", "bidi-override"])
def test_init_new_and_build_messages_escape_paths(tmp_path: Path, attack: str) -> None:
    raw, shown = NAME_ATTACKS[attack]
    folder = f"proj{raw}"
    init = run_cli("init", folder, "--team", "payments", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert f"wrote proj{shown}" in output_of(init)
    project = tmp_path / folder
    new = run_cli("new", "gift-cards", "--dir", f"runbooks/sub{raw}", cwd=project)
    assert new.returncode == 0, new.stderr
    assert f"runbooks/sub{shown}/gift-cards.yaml" in output_of(new)


def test_build_message_escapes_the_output_folder(project: Path) -> None:
    result = run_cli("build", "--out", "site\x1b]0;pwned\x07", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "into site\\x1b]0;pwned\\x07 (" in output_of(result)


def test_machine_reports_keep_values_and_print_safely(project: Path) -> None:
    line = "# rollbook: ignore[RB201\u202e\x9bx] reason"
    path = project / "runbooks" / "saved-search-alerts.yaml"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    for fmt in ("json", "sarif", "gitlab", "junit"):
        result = run_cli("lint", "--output-format", fmt, "--exit-zero", cwd=project)
        assert result.returncode == 0, result.stderr
        text = output_of(result)
        if fmt != "junit":
            assert "RB201\u202e\x9bx" in json.dumps(json.loads(text), ensure_ascii=False)
