"""Errors of the user's making are mapped to exit codes in one place, for every command.

The library raises :class:`ConfigError` (and :class:`OutputError` for a folder it may not
replace); the `rollbook` group turns either into ``error: ...`` and exit 2, both under
:func:`rollbook.cli.main` and when click runs the group itself. No command catches them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

from rollbook import cli as cli_module
from rollbook.cli import cli, main
from rollbook.commands.scaffold import init_project
from rollbook.config import ConfigError
from rollbook.site.output import OutputError

CLI_SOURCE = Path(cli_module.__file__)

# (arguments, module, function the command calls): the library call each command makes.
COMMANDS = [
    (["validate"], "rollbook.commands.validate", "validate"),
    (["validate", "runbooks"], "rollbook.commands.validate", "validate"),
    (["lint"], "rollbook.commands.lint", "run_lint"),
    (["lint", "runbooks", "--select", "RB2"], "rollbook.commands.lint", "run_lint"),
    (["build", "--out", "public"], "rollbook.commands.build", "build"),
    (["serve", "--no-livereload"], "rollbook.commands.serve", "serve"),
    (["new", "one-click-checkout"], "rollbook.commands.scaffold", "new_runbook"),
    (["init", "elsewhere"], "rollbook.commands.scaffold", "init_repository"),
    (["init", "--ci"], "rollbook.commands.ci", "write_ci"),
    (["init", "--ci", "gitlab"], "rollbook.commands.ci", "write_ci"),
    (["rule", "RB201"], "rollbook.commands.rule", "find_rule"),
    (["schema"], "rollbook.schema", "schema_text"),
    (["schema", "--markdown"], "rollbook.schema", "format_reference"),
]

# Messages as hostile as a configuration value can make them: each must arrive escaped.
MESSAGES = [
    ("plain", "unknown rule 'RB999'; `rollbook rule` lists them", None),
    ("ansi", "bad value '\x1b[2J\x1b[31mred'", "bad value '\\x1b[2J\\x1b[31mred'"),
    ("bidi", "team '\u202eevil\u202c' unknown", "team '\\u202eevil\\u202c' unknown"),
    ("two lines", "invalid overrides:\n  theme: not a mapping", None),
]


def _command_functions() -> list[ast.FunctionDef]:
    tree = ast.parse(CLI_SOURCE.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and target.attr == "command":
                    found.append(node)
    return found


def _handled(function: ast.FunctionDef) -> set[str]:
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            for name in ast.walk(node.type):
                if isinstance(name, ast.Name):
                    names.add(name.id)
                elif isinstance(name, ast.Attribute):
                    names.add(name.attr)
    return names


def test_no_command_handles_config_errors_itself():
    # A command's function is named like it, with _ for - (`link-alerts` is link_alerts).
    commands = {f.name.replace("_", "-"): f for f in _command_functions()}
    # The parse finds the commands (so this test can fail): every one the group offers.
    assert set(commands) == set(cli.commands) - {"help"}
    for name, function in commands.items():
        handled = _handled(function) & {"ConfigError", "OutputError", "Exception"}
        assert not handled, f"`rollbook {name}` handles {sorted(handled)} itself"


def test_cli_module_never_catches_config_error_by_name():
    tree = ast.parse(CLI_SOURCE.read_text(encoding="utf-8"))
    handlers = [n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler) and n.type]
    names = {x.id for h in handlers for x in ast.walk(h.type) if isinstance(x, ast.Name)}
    assert "ConfigError" not in names and "OutputError" not in names


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    init_project(tmp_path, team="payments")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def _raise(error: Exception):
    def fail(*args, **kwargs):
        raise error

    return fail


def _expected(message: str, escaped: str | None) -> str:
    return f"error: {escaped if escaped is not None else message}\n"


# Each command with one of the messages, in turn: every command and every message is covered.
CASES = [(*command, *MESSAGES[i % len(MESSAGES)][1:]) for i, command in enumerate(COMMANDS)]
CASE_IDS = [" ".join(c[0]) + f" [{MESSAGES[i % len(MESSAGES)][0]}]" for i, c in enumerate(COMMANDS)]


@pytest.mark.parametrize("args,module,function,message,escaped", CASES, ids=CASE_IDS)
def test_config_error_from_the_library_call_exits_2_under_main(
    project, monkeypatch, capsys, args, module, function, message, escaped
):
    monkeypatch.setattr(f"{module}.{function}", _raise(ConfigError(message)))
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    assert exc.value.code == 2, (args, out.err)
    assert out.err == _expected(message, escaped)
    assert out.out == ""


@pytest.mark.parametrize("args,module,function,message,escaped", CASES, ids=CASE_IDS)
def test_config_error_from_the_library_call_exits_2_under_click(
    project, monkeypatch, args, module, function, message, escaped
):
    """click's standalone path (``cli(...)``, as CliRunner and plugins run it) says the same."""
    monkeypatch.setattr(f"{module}.{function}", _raise(ConfigError(message)))
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 2, (args, result.output, result.exception)
    assert result.stderr == _expected(message, escaped)
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args,module,function",
    [
        (["build"], "rollbook.commands.build", "build"),
        (["build", "--keep-going", "-o", "out"], "rollbook.commands.build", "build"),
        (["serve"], "rollbook.commands.serve", "serve"),
    ],
)
def test_output_error_exits_2_with_its_message(
    project, monkeypatch, capsys, args, module, function
):
    message = "site is a folder rollbook did not make; not replacing it"
    monkeypatch.setattr(f"{module}.{function}", _raise(OutputError(message)))
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    assert exc.value.code == 2
    assert capsys.readouterr().err == f"error: {message}\n"
    result = CliRunner().invoke(cli, list(args))
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")


def test_a_config_error_from_the_configuration_exits_2(tmp_path, monkeypatch, capsys):
    """The same mapping covers loading the project, before any command's own work."""
    (tmp_path / "rollbook.toml").write_text("runbooks = 3\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for args in (["validate"], ["lint"], ["build"], ["new", "x-y"]):
        with pytest.raises(SystemExit) as exc:
            main(args)
        err = capsys.readouterr().err
        assert exc.value.code == 2, args
        assert err.startswith("error: ") and "rollbook.toml" in err, err
        result = CliRunner().invoke(cli, args)
        assert (result.exit_code, result.stderr) == (2, err)


def test_other_errors_still_exit_3_not_2(project, monkeypatch, capsys):
    monkeypatch.setattr("rollbook.commands.validate.validate", _raise(KeyError("oops")))
    with pytest.raises(SystemExit) as exc:
        main(["validate"])
    assert exc.value.code == 3
    assert capsys.readouterr().err.startswith("internal error: KeyError: 'oops'\n")
