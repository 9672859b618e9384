"""Where the built-in templates are: inside the wheel, or in the source tree when editable."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def builtin_templates() -> Path:
    """The folder holding rollbook's own Jinja2 templates."""
    packaged = Path(__file__).with_name("templates")
    if packaged.is_dir():
        return packaged
    # An editable install runs from src/: the templates sit at the top of the repository.
    source_tree = Path(__file__).resolve().parents[2] / "templates"
    if source_tree.is_dir():
        return source_tree
    raise FileNotFoundError("rollbook's templates are missing from this installation")
