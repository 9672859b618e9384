"""Run rollbook as an installed copy runs: from compiled modules.

``pip install`` compiles every module it installs, so an installed rollbook never compiles its
source when it starts. A checkout installed in editable mode does, on every run, wherever
Python may not write ``__pycache__`` (``PYTHONDONTWRITEBYTECODE`` set, as on the development
machine): about 0.15 s of CPU a start, in every cold, warm and incremental figure. Each
benchmark calls :func:`compile_rollbook` first, for the tree it measures and any ``--base-src``.
"""

from __future__ import annotations

import compileall
import importlib.util
from pathlib import Path


def compile_rollbook(*src_dirs: Path | None) -> None:
    """Compile the imported rollbook package and the ``rollbook`` packages under ``src_dirs``."""
    spec = importlib.util.find_spec("rollbook")
    packages = [Path(spec.origin).parent] if spec and spec.origin else []
    packages += [Path(d) / "rollbook" for d in src_dirs if d is not None]
    for package in packages:
        if package.is_dir():
            compileall.compile_dir(str(package), quiet=1)
