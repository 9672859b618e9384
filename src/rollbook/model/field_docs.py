"""Field descriptions from attribute docstrings, read from one parse of the module.

rollbook's models document each field with the string under it, and those strings are the
format's reference: ``rollbook schema`` exports them as descriptions, and a missing field's
hint quotes its own. pydantic's ``use_attribute_docstrings`` reads them, but class by class,
looking the module up among every loaded one and tokenising the class's source again each
time: half of what importing the runbook model and the configuration cost (about 0.1 s of
CPU at every start of every command). :func:`describe_fields` gives each field the same
description from one parse of the module's source, when the module has defined its models
(before any is built: rollbook's models are built when first used, ``defer_build``).

The rule is pydantic's: a string statement right after an annotated assignment to a name,
in the class's own body (not in nested classes or functions), cleaned as
:func:`inspect.cleandoc` cleans a docstring, is that field's description, unless the field
sets one itself (``Field(description=...)``). A field a model inherits without redefining it
keeps its parent's description.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys

from pydantic import BaseModel


def attribute_docstrings(node: ast.ClassDef) -> dict[str, str]:
    """Each field of a class statement with a string right under it, and that string."""
    found: dict[str, str] = {}
    previous: ast.stmt | None = None
    for stmt in node.body:
        if (
            isinstance(previous, ast.AnnAssign)
            and isinstance(previous.target, ast.Name)
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            found[previous.target.id] = inspect.cleandoc(stmt.value.value)
        previous = stmt
    return found


def describe_fields(module_name: str, *documented: type[BaseModel]) -> None:
    """Give each field of the models module ``module_name`` has defined so far that are (or
    derive from) one of ``documented`` the description its docstring writes (see the module
    docstring): what ``use_attribute_docstrings=True`` gives those classes. Call it at the end
    of that module, and before a model of it is first built in the module itself."""
    module = sys.modules[module_name]
    models = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, documented)
        and value.__module__ == module_name
    ]
    docs = _module_docs(module_name)
    # Parents first, so that an inherited field takes its parent's text.
    for model in sorted(models, key=lambda cls: len(cls.__mro__)):
        own = docs.get(model.__name__, {})
        annotated = inspect.get_annotations(model)
        for name, info in model.__pydantic_fields__.items():
            if info.description is not None:
                continue
            if name in own:
                info.description = own[name]
            elif name not in annotated:
                info.description = _inherited(model, name)


@functools.cache
def _module_docs(module_name: str) -> dict[str, dict[str, str]]:
    """Each top-level class of the module's source, by name: its fields' docstrings."""
    try:
        source = inspect.getsource(sys.modules[module_name])
    except (OSError, TypeError):  # no source shipped: pydantic would find no docstrings either
        return {}
    return {
        node.name: attribute_docstrings(node)
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef)
    }


def _inherited(model: type[BaseModel], name: str) -> str | None:
    for base in model.__mro__[1:]:
        fields = getattr(base, "__pydantic_fields__", None)
        if isinstance(fields, dict) and name in fields:
            return fields[name].description
    return None
