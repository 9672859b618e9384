"""The site engine's supported versions: pinned in one place (the driver's SUPPORTED, the same
ranges as pyproject.toml), and an unsupported MkDocs or Material stops the build with a clear
error that names what is installed and what is supported, before anything is written."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from rollbook.site import SiteBuildError, mkdocs_driver
from tests.site.sitetools import REPO, build_project, make_project

SUPPORTED_RANGES = "mkdocs >=1.6.1,<2, mkdocs-material >=9.7.7,<10"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def test_supported_versions_are_pinned() -> None:
    assert mkdocs_driver.SUPPORTED == (
        ("mkdocs", "1.6.1", "2"),
        ("mkdocs-material", "9.7.7", "10"),
    )
    assert mkdocs_driver.supported_ranges() == SUPPORTED_RANGES


def test_pyproject_requires_the_supported_versions() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {f"{name}>={low},<{high}" for name, low, high in mkdocs_driver.SUPPORTED}
    assert wanted <= set(pyproject["project"]["dependencies"])


def test_readme_names_the_supported_versions() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, low, high in mkdocs_driver.SUPPORTED:
        assert f"{name} >={low},<{high}" in readme


def test_the_installed_versions_are_supported() -> None:
    mkdocs_driver.check_versions()  # the versions this suite runs with


def fake_versions(monkeypatch: pytest.MonkeyPatch, **versions: str | None) -> None:
    real = mkdocs_driver.installed_version

    def installed(name: str) -> str | None:
        key = name.replace("-", "_")
        return versions[key] if key in versions else real(name)

    monkeypatch.setattr(mkdocs_driver, "installed_version", installed)


@pytest.mark.parametrize(
    ("versions", "named"),
    [
        ({"mkdocs": "2.0.0"}, "mkdocs 2.0.0 is installed"),
        ({"mkdocs": "2.0.0a1"}, "mkdocs 2.0.0a1 is installed"),
        ({"mkdocs": "1.6.0"}, "mkdocs 1.6.0 is installed"),
        ({"mkdocs": "1.5.3"}, "mkdocs 1.5.3 is installed"),
        ({"mkdocs_material": "10.0.0"}, "mkdocs-material 10.0.0 is installed"),
        ({"mkdocs_material": "9.7.6"}, "mkdocs-material 9.7.6 is installed"),
        ({"mkdocs_material": "9.5"}, "mkdocs-material 9.5 is installed"),
        ({"mkdocs_material": "not-a-version"}, "mkdocs-material not-a-version is installed"),
        ({"mkdocs_material": None}, "mkdocs-material is not installed"),
        ({"mkdocs": "3.1", "mkdocs_material": "8.0"}, "mkdocs 3.1 is installed; mkdocs-material"),
    ],
)
def test_an_unsupported_version_stops_the_build(
    versions: dict, named: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, project: Path
) -> None:
    fake_versions(monkeypatch, **versions)
    out = tmp_path / "site"
    with pytest.raises(SiteBuildError) as caught:
        build_project(project, out)
    message = str(caught.value)
    assert message.startswith("unsupported site engine: ")
    assert named in message
    assert f"rollbook supports {SUPPORTED_RANGES}" in message
    assert not out.exists()


@pytest.mark.parametrize(
    ("mkdocs", "material"),
    [("1.6.1", "9.7.7"), ("1.9.12", "9.99.0"), ("1.6.1.post1", "9.7.7"), ("1.7", "9.8")],
)
def test_versions_within_the_ranges_pass(
    mkdocs: str, material: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_versions(monkeypatch, mkdocs=mkdocs, mkdocs_material=material)
    mkdocs_driver.check_versions()


def test_the_command_line_says_so(tmp_path: Path, project: Path) -> None:
    # The real command, in its own process, with MkDocs 2 "installed".
    script = (
        "from rollbook.site import mkdocs_driver as d\n"
        "d.installed_version = lambda name: {'mkdocs': '2.0.0'}.get(name, '9.7.7')\n"
        "from rollbook.cli import main\n"
        "main(['build', '--out', 'site'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: the site was not built: unsupported site engine: mkdocs 2.0.0 is installed; "
        f"rollbook supports {SUPPORTED_RANGES}"
    )
    assert "Traceback" not in result.stderr
    assert not (project / "site").exists()


@pytest.mark.parametrize(
    "src_uri",
    ["index.md", "README.md", "runbooks/a-b.md", "runbooks/readme.md", "tags/index.md", "x.md"],
)
def test_pages_taken_from_the_cache_go_where_the_installed_mkdocs_writes_pages(src_uri) -> None:
    """A page taken finished from the cache is put where MkDocs would have written it,
    without asking MkDocs (see mkdocs_driver._page_dest_uri)."""
    from mkdocs.structure.files import File

    want = File(src_uri, None, "/site", use_directory_urls=True).dest_uri
    assert mkdocs_driver._page_dest_uri(src_uri) == want
