"""`pip install .` yields a working rollbook with its templates inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_ships_the_templates(tmp_path: Path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("rollbook-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {
        n.removeprefix("rollbook/templates/") for n in names if n.startswith("rollbook/templates/")
    }
    in_repo = {
        p.relative_to(REPO / "templates").as_posix()
        for p in (REPO / "templates").rglob("*")
        if p.is_file()
    }
    assert in_repo and in_repo <= shipped
    assert "rollbook/cli.py" in names
    # `rollbook guard --format json` points pipelines at its schema, inside the package.
    assert "rollbook/schemas/guard.schema.json" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "rollbook = rollbook.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
