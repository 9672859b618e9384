"""The check of a finished site: every page and stylesheet safe, no broken internal link.

Pages rollbook generated are checked as MkDocs writes them (the site driver hands their
links over, see :data:`PageLinks`); every other page is read back here.
"""

from __future__ import annotations

import functools
import html as htmllib
import os
import posixpath
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from rollbook.parallel import fork_map
from rollbook.site.errors import SiteBuildError
from rollbook.site.sanitize import (
    HTML_DOCUMENTS,
    UNCHECKABLE_DOCUMENTS,
    XML_DOCUMENTS,
    check_document,
    check_page,
    css_problems,
)

# What a user is told when a finished page fails the check: only theme files and MkDocs
# settings can put anything into the theme's part of a page.
UNSAFE_HINT = (
    "a page may run no script but rollbook's and Material's, load nothing from another "
    "host and redirect nowhere; look at the files in your templates folder (site/theme/, "
    "site/assets/) and at the MkDocs overrides"
)

# A start tag, its attributes read past quoted values (which may hold ">"), and one attribute
# with its value. Read tag by tag, so that text that looks like an attribute (a runbook's
# summary saying `href="#x"`, shown as text) is neither a link nor an id.
_TAG = re.compile(r"""<[a-zA-Z][^\s/>]*+((?:[^"'>]++|"[^"]*+"|'[^']*+')*+)>""")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]++)(?:\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s>]++)))?""")
_LINKS = {"href", "src"}
_IDS = re.compile(r"""\s[iI][dD]\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s>"']++))""")
_MAY_LINK = re.compile("href|src", re.I)


def _attributes(html: str) -> tuple[list[str], Callable[[], set[str]]]:
    """The link attributes (href, src) of the page's tags, in order, and a function giving
    the ids of its elements."""
    tags = [inside for inside in _TAG.findall(html) if "=" in inside]
    # Attribute names are read in any case; pages write them in lower case, so only a tag
    # with a capital letter somewhere is searched for other spellings.
    linking = [
        inside
        for inside in tags
        if "href" in inside
        or "src" in inside
        or (not inside.islower() and _MAY_LINK.search(inside))
    ]
    raws = [value for inside in linking for name, value in _values(inside) if name in _LINKS]

    def ids() -> set[str]:
        # Read from the tags (text that looks like an id is none), with one search over
        # all of them rather than attribute by attribute.
        found = _IDS.findall(" " + " ".join(tags))
        return {htmllib.unescape(a or b or c) for a, b, c in found}

    return raws, ids


def _values(inside: str) -> list[tuple[str, str]]:
    """The attributes of a tag (the text after its name), names in lower case."""
    return [(attr[0].lower(), attr[1] or attr[2] or attr[3]) for attr in _ATTRIBUTE.findall(inside)]


# What a page links to, found as it was written: (site-relative files it needs, each with the
# link as written, for messages), and its links to ids missing from the page itself.
PageLinks = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]


def check_site(
    site: Path,
    checked: dict[str, PageLinks] | None = None,
    *,
    jobs: int = 1,
    files: set[str] | None = None,
) -> None:
    """Check every page and stylesheet: nothing executable or loaded from another host, no
    broken internal link.

    ``checked`` holds the pages checked as MkDocs wrote them, with their links: for those,
    only the links' targets are looked up here, without reading the page again. Every other
    page (MkDocs' own, such as 404.html) is read, checked, and rewritten without rollbook's
    content markers; with ``jobs`` > 1 they are dealt out to forked workers. Raises
    :class:`SiteBuildError` listing the first problems found. ``files``: every file of the
    site by its path in it, if known (:func:`site_file_names`).
    """
    checked = checked or {}
    files = site_file_names(site) if files is None else files
    pages = sorted(f for f in files if f.lower().endswith(HTML_DOCUMENTS))
    unread = [n for n, rel in enumerate(pages) if rel not in checked]
    jobs = max(1, min(jobs, len(unread) // 20 or 1))

    def check(index: int) -> list[tuple[int, PageLinks]]:
        return [(n, _read_page(site, pages[n])) for n in unread[index::jobs]]

    links = {
        n: found
        for part in fork_map(check, jobs, name="build", error=SiteBuildError)
        for n, found in part
    }
    check_stylesheets(site, files)
    check_documents(site, files)
    broken: list[str] = []
    for n, rel in enumerate(pages):
        needed, problems = checked[rel] if rel in checked else links[n]
        broken.extend(problems)
        broken.extend(f"{rel}: {shown}" for target, shown in needed if target not in files)
    if broken:
        shown = "\n  ".join(broken[:20])
        more = f"\n  ... and {len(broken) - 20} more" if len(broken) > 20 else ""
        raise SiteBuildError(f"{len(broken)} broken internal link(s):\n  {shown}{more}")


def site_entries(site: Path) -> Iterator[tuple[str, os.DirEntry]]:
    """Every file of ``site`` (links to folders are not followed): its path in the site, and
    its directory entry (one walk of the folders, no other call per file)."""
    pending = [("", str(site))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file():
                    yield prefix + entry.name, entry


def site_file_names(site: Path) -> set[str]:
    """Every file of ``site`` (links to folders are not followed), by its path in the site."""
    return {name for name, _ in site_entries(site)}


def check_stylesheets(site: Path, files: set[str]) -> None:
    """Fail the build if a stylesheet of the site loads from another host (an ``@import``
    or ``url()`` in a user's own stylesheet): the site contacts no other host."""
    found = []
    for rel in sorted(f for f in files if f.endswith(".css")):
        text = (site / rel).read_text(encoding="utf-8", errors="replace")
        found.extend(f"{rel}: {problem}" for problem in css_problems(text))
    if found:
        shown = "\n  ".join(found[:20])
        raise SiteBuildError(f"unsafe output:\n  {shown}\n  hint: {UNSAFE_HINT}")


def check_documents(site: Path, files: set[str]) -> None:
    """Fail the build if a file a browser opens as an XML document (an SVG or XHTML file
    copied from a user's theme folder) holds a script or loads from another host, or is a
    kind of document the check cannot read."""
    from rollbook.site.sanitize import UnsafeOutput

    found = []
    for rel in sorted(files):
        if rel.lower().endswith(UNCHECKABLE_DOCUMENTS):
            found.append(f"{rel}: a browser may open it as a page, and it cannot be checked")
        elif rel.lower().endswith(XML_DOCUMENTS):
            try:
                check_document((site / rel).read_bytes(), rel)
            except UnsafeOutput as exc:
                found.append(str(exc))
    if found:
        shown = "\n  ".join(found[:20])
        raise SiteBuildError(f"unsafe output:\n  {shown}\n  hint: {UNSAFE_HINT}")


def _read_page(site: Path, rel: str) -> PageLinks:
    """Check a page MkDocs wrote without rollbook seeing it, rewrite it clean; its links."""
    from rollbook.site.sanitize import UnsafeOutput

    path = site / rel
    try:
        html = path.read_bytes().decode("utf-8")
        cleaned = check_page(html, rel)
    except UnicodeDecodeError:
        raise SiteBuildError(f"unsafe output: {rel}: not UTF-8, so it cannot be checked") from None
    except UnsafeOutput as exc:
        raise SiteBuildError(f"unsafe output: {exc}\n  hint: {UNSAFE_HINT}") from None
    if cleaned != html:
        path.write_text(cleaned, encoding="utf-8")
    return page_links(cleaned, rel)


def page_links(html: str, rel: str) -> PageLinks:
    """The internal links of the page at ``rel`` (see :data:`PageLinks`)."""
    # 404.html is served at any depth, so MkDocs writes its links from the site root.
    if rel == "404.html":
        return (), ()
    ids = None
    base = posixpath.dirname(rel)
    needed: dict[str, str] = {}
    problems: list[str] = []
    raws, page_ids = _attributes(html)
    depth = base.count("/") + 1 if base else 0
    above = "../" * depth
    for raw in raws:
        # Links that climb out of the page's folder, fragments and links to other hosts do
        # not depend on which folder: resolved once per depth, not once per page.
        if raw.startswith(above) and depth:
            kind, found = _resolve(_FOLDERS[depth] if depth < len(_FOLDERS) else base, raw)
        elif raw[:1] == "#" or _HAS_SCHEME.match(raw):
            kind, found = _resolve("", raw)
        else:
            kind, found = _resolve(base, raw)
        if kind == "fragment":
            ids = ids if ids is not None else page_ids()
            if found not in ids:
                problems.append(f"{rel}: #{found} (no such id on the page)")
        elif kind == "outside":
            problems.append(f"{rel}: {found}")
        elif kind == "file":
            needed.setdefault(found, htmllib.unescape(raw))
    return tuple(needed.items()), tuple(problems)


_HAS_SCHEME = re.compile(r"[a-zA-Z][\w+.-]*:")
# A folder of each depth, standing for every folder of that depth.
_FOLDERS = [""] + ["/".join(["_"] * n) for n in range(1, 16)]


@functools.lru_cache(maxsize=4096)
def _resolve(base: str, raw: str) -> tuple[str, str]:
    """What a link written ``raw`` on a page in folder ``base`` leads to: ``("file", site
    path)``, ``("fragment", id)``, ``("outside", link)`` (above the site's root), or
    ``("", "")`` (another host, or nothing to check). Every page of a kind has the same
    theme links, so most are resolved once."""
    target = htmllib.unescape(raw)
    if not target or target.startswith(("//",)) or re.match(r"^[a-zA-Z][\w+.-]*:", target):
        return "", ""
    target_path, _, fragment = target.partition("#")
    target_path = target_path.split("?", 1)[0]
    if not target_path:
        return ("fragment", fragment) if fragment else ("", "")
    resolved = posixpath.normpath(posixpath.join(base, target_path))
    if target_path.endswith("/") or resolved in {".", ""}:
        resolved = posixpath.join("" if resolved == "." else resolved, "index.html")
    if resolved.startswith("../"):
        return "outside", target
    return "file", resolved
