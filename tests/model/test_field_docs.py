"""Field descriptions come from the docstrings under the fields, as pydantic's
``use_attribute_docstrings`` gave them (``rollbook schema`` and the missing-field hints show
them), and the models are built when first used, not when rollbook is imported."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap

import pytest
from pydantic import BaseModel, ConfigDict, Field

from rollbook import config
from rollbook.model import runbook
from rollbook.model.field_docs import attribute_docstrings, describe_fields

DOCUMENTED = [
    value
    for module, base in ((runbook, runbook._Model), (config, config._GuardPart))
    for value in vars(module).values()
    if isinstance(value, type) and issubclass(value, base) and value is not base
] + [config.Config]


class _Pydantic(BaseModel):
    """A stand-in whose fields pydantic itself describes, for comparison."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    plain: int = 0
    """First line.

        Indented second line."""
    explicit: int = Field(0, description="set by Field")
    """Not used: the field says its own."""
    undocumented: int = 0
    _note = 1
    """Not a field's docstring."""
    last: str = ""
    """Last."""


class _Ours(BaseModel):
    model_config = ConfigDict(defer_build=True)

    plain: int = 0
    """First line.

        Indented second line."""
    explicit: int = Field(0, description="set by Field")
    """Not used: the field says its own."""
    undocumented: int = 0
    _note = 1
    """Not a field's docstring."""
    last: str = ""
    """Last."""


class _OursChild(_Ours):
    extra: int = 0
    """The child's own."""


describe_fields(__name__, _Ours)


def test_the_same_descriptions_as_pydantic_gives():
    ours = {name: f.description for name, f in _Ours.model_fields.items()}
    theirs = {name: f.description for name, f in _Pydantic.model_fields.items()}
    assert ours == theirs
    assert ours["plain"] == "First line.\n\nIndented second line."
    assert ours["explicit"] == "set by Field"
    assert ours["undocumented"] is None


def test_an_inherited_field_keeps_its_parents_description():
    assert _OursChild.model_fields["last"].description == "Last."
    assert _OursChild.model_fields["extra"].description == "The child's own."
    assert (
        _Pydantic.model_json_schema()["properties"]["plain"]["description"]
        == (_Ours.model_json_schema()["properties"]["plain"]["description"])
    )


def test_nested_classes_and_methods_are_not_the_fields_docstrings():
    tree = ast.parse(
        textwrap.dedent(
            '''
            class A:
                x: int
                def f(self):
                    y: int = 1
                    """inside a method"""
                class B:
                    z: int
                    """nested"""
                w: int
                """W."""
            '''
        )
    )
    assert attribute_docstrings(tree.body[0]) == {"w": "W."}


@pytest.mark.parametrize("model", DOCUMENTED, ids=lambda m: m.__name__)
def test_every_model_field_is_described_as_its_source_writes(model):
    """Against pydantic's own reading of the class's source (what the models used before)."""
    from pydantic._internal._docs_extraction import extract_docstrings_from_cls

    expected = extract_docstrings_from_cls(model, use_inspect=True)
    for name, info in model.model_fields.items():
        if name in expected:
            assert info.description == expected[name], name
    assert any(info.description for info in model.model_fields.values())


def test_exemptions_keep_no_descriptions():
    # Exemption never read its docstrings: the configuration's schema must not change.
    assert all(f.description is None for f in config.Exemption.model_fields.values())


def test_importing_the_commands_builds_no_runbook_model():
    """A warm lint that validates nothing builds no runbook validator: they are built when a
    file first needs one (and then validate as before)."""
    code = textwrap.dedent(
        """
        import json
        import rollbook.cli, rollbook.commands.lint
        from rollbook.model import runbook
        before = runbook.Runbook.__pydantic_complete__
        try:
            runbook.TeamsFile.model_validate({"teams": "x"})
        except Exception as exc:
            error = type(exc).__name__
        print(json.dumps([before, runbook.TeamsFile.__pydantic_complete__, error]))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    # Not built at import; built (and refusing what it must) when first used.
    assert json.loads(out) == [False, True, "ValidationError"]
