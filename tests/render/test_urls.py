"""Relative links between pages: the same link whatever the folder the build runs in."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rollbook.render.urls import relative_url


def reference(from_url: str, to_url: str) -> str:
    """relative_url as it was written with posixpath.relpath (which asks for the working
    directory): the links every page had before."""
    base = posixpath.dirname(from_url.rstrip("/") + "/x") if from_url else ""
    target_dir, _, fragment = to_url.partition("#")
    rel = posixpath.relpath(target_dir or ".", base or ".")
    if target_dir.endswith("/") or target_dir == "":
        rel = "./" if rel == "." else rel + "/"
    return rel + (f"#{fragment}" if fragment else "")


# Site-relative page URLs as the site has them (folders of slugs), and odd ones: dots,
# doubled slashes, a folder climbing out with "..", file names, absolute paths.
SEGMENT = st.sampled_from(
    ["runbooks", "teams", "tags", "a", "b", "x-y", ".", "..", "", "index.html"]
)
URL = st.lists(SEGMENT, max_size=5).map("/".join) | st.lists(SEGMENT, max_size=4).map(
    lambda parts: "/".join(parts) + "/"
)
FRAGMENT = st.sampled_from(["", "#steps", "#a#b", "#"])


@given(URL, URL, FRAGMENT)
def test_relative_url_is_relpaths(from_url: str, to_url: str, fragment: str) -> None:
    assert relative_url(from_url, to_url + fragment) == reference(from_url, to_url + fragment)


@given(URL.map(lambda u: "/" + u), URL)
def test_absolute_urls_as_relpath_has_them(from_url: str, to_url: str) -> None:
    assert relative_url(from_url, to_url) == reference(from_url, to_url)
    assert relative_url(to_url, from_url) == reference(to_url, from_url)


@pytest.mark.parametrize(
    ("from_url", "to_url", "link"),
    [
        ("runbooks/x/", "teams/t/", "../../teams/t/"),
        ("", "runbooks/x/", "runbooks/x/"),
        ("runbooks/x/", "", "../../"),
        ("teams/", "teams/t/#a", "t/#a"),
        ("teams/t/", "teams/t/", "./"),
        ("teams/t/", "teams/t/#steps", "./#steps"),
        ("runbooks/x/", "runbooks/y/", "../y/"),
        ("runbooks/x/", "assets/rollbook/cards.html", "../../assets/rollbook/cards.html"),
        ("a/b/c/", "a/b/", "../"),
    ],
)
def test_links_between_pages(from_url: str, to_url: str, link: str) -> None:
    assert relative_url(from_url, to_url) == link


def test_links_do_not_depend_on_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    links = [relative_url("runbooks/x/", "teams/t/"), relative_url("", "runbooks/x/")]
    for folder in (tmp_path, Path("/")):
        monkeypatch.chdir(folder)
        assert os.getcwd() == str(folder)
        assert [relative_url("runbooks/x/", "teams/t/"), relative_url("", "runbooks/x/")] == links
