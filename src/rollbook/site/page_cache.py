"""Finished pages of earlier builds, reused when nothing that went into them has changed.

A team edits one runbook at a time; the other 9,999 pages of its site come out of the next
build byte for byte as before. Rendering a page through the theme, sanitising and checking
it is most of a build's time, so each finished page is kept under a key that hashes
everything that made it (content addressing, as ccache does):

- the *salt*: what is the same for every page of a build (the cache format, rollbook's
  version and source, the versions of the site engine and sanitiser, the engine's
  configuration, the theme files and the user's overrides of them; the site driver
  computes it, :func:`rollbook.site.mkdocs_driver.build`);
- the page itself as rollbook rendered it (address, kind, title, description, HTML).

A key that matches is therefore the same page, whatever file it came from, so a renamed
runbook hits the cache as readily as an untouched one, and nothing needs invalidating: a
changed input is a different key. Entries a build did not use are removed after it.

The build time is the one input that changes on every build without ``SOURCE_DATE_EPOCH``.
The templates write it in one form, ``<time datetime="ISO">TEXT</time>`` (runbook text is
escaped, so it can never produce that element), which the key leaves out and a reused page
gets rewritten to; a page that shows the time in any other form is not cached at all.

The cache lives in the project's root folder, ``.rollbook-cache/build/``: ignored by git (a
``.gitignore`` inside says so), safe to delete at any time, never trusted across versions
(the version is in every key). Nothing in it is executable: pages are bytes, their links
JSON. Failing to read or write it costs only time, never the build.

A runbook page whose HTML the memo of rendered runbooks holds (:mod:`rollbook.render.memo`)
carries the memo's key for it, ``content_key``, which already hashes everything that HTML was
made from: its key here hashes that instead of the HTML, which is then never read for a page
found here. To find 10,000 entries without reading 10,000 small files, each build writes
``pages-index.json`` with what the entries' JSON files hold, the size and modification time
of both files of each entry, and the device and inode of its page; an entry whose files do not
match is read as before. A page whose file in the previous site (see below) is that very file,
by all four, is found with two ``lstat`` calls (its folder, its file) and nothing read.

The previous site, once a build has replaced it, is kept in the cache as the *spare*
(:func:`rollbook.site.output.staged_output`), and the next build finds it in its scratch
folder (``spare/``). A page's folder there that holds nothing but the page, the very file
(same inode) the cache holds for the page's key, is moved into the new site whole: one
rename instead of creating the folder and linking the page now, and unlinking and removing
them with the old site later, which at 10,000 pages is seconds of disk time. A page a build
renders is published as a hard link to the entry it writes for it (mode 0644: the site is
read by a web server, whoever it runs as), so that this holds from the first builds after a
cold build on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISLNK, S_ISREG

from rollbook.build_cache import (
    CACHE_FOLDER,
    add_part,
    cache_folder,
    keep_only,
    prepare,
    source_digest,
    sweep,
    time_element,
    write_whole,
)
from rollbook.render.urls import src_uri_to_url
from rollbook.render.views import SitePage
from rollbook.site.links import PageLinks
from rollbook.site.state import BuildState, read_json, write_json

FORMAT = b"rollbook page cache 2"
INDEX = "pages-index.json"


SPARE = "spare"
# The mode of a page's entry, which the site publishes as it is (a hard link).
PAGE_MODE = 0o644


@dataclass
class CachedPage:
    """A page found in the cache: its file, the build time in it, and its links."""

    path: Path
    time: str
    links: PageLinks
    spare: bool = False
    """``path`` is the page in the previous site (the spare)."""
    old: Path | None = None
    """The page's file in the previous site when it is not the cache's entry but a file of
    its own (a page a build rewrote with its time): written over when this build rewrites
    the page for its time too, rather than a new file written and the old one deleted."""


@dataclass
class PageCache:
    """Finished pages by key, in ``folder``; counts what a build rendered and reused."""

    folder: Path
    salt: bytes
    built_iso: str
    built_text: str
    hold: Path
    """Where entries this build reuses are linked as they are found, so that a build
    pruning the same cache meanwhile cannot take them away (a scratch folder)."""
    reused: int = 0
    index: dict[str, list] | None = None
    seen: dict[str, list] = field(default_factory=dict)
    """Index entries of the pages this build found, for :meth:`prune` to write."""
    uris: dict[str, str] = field(default_factory=dict)
    """The ``src_uri`` of each key asked for (:meth:`key`), to find the page in the spare."""
    state: BuildState | None = None
    """The indexes of earlier builds in memory (:mod:`rollbook.site.state`)."""
    _folders: set[str] = field(default_factory=set)
    """Folders of the new site known to exist (made or seen by :meth:`place`)."""

    @property
    def time(self) -> str:
        """This build's time element."""
        return time_element(self.built_iso, self.built_text)

    def key(self, page: SitePage) -> str:
        """The page's key: the salt and everything of the page that reaches its HTML, but
        for the build time."""
        digest = hashlib.blake2b(self.salt, digest_size=20)
        for part in (page.src_uri, page.kind, page.title, page.description):
            add_part(digest, part.encode("utf-8"))
        content_key = getattr(page, "content_key", None)
        if content_key:
            # The memo's key of the page's HTML (see the module's docs); never the same bytes
            # as a count of pieces below, which is all digits.
            add_part(digest, b"memo " + content_key.encode("ascii"))
        else:
            pieces = page.html.split(self.time)
            add_part(digest, str(len(pieces)).encode("ascii"))
            for piece in pieces:
                add_part(digest, piece.encode("utf-8"))
        key = digest.hexdigest()
        self.uris[key] = page.src_uri
        return key

    def _in_spare(
        self, key: str, entry: os.stat_result
    ) -> tuple[Path | None, Path | None, os.stat_result | None]:
        """The page of ``key`` in the previous site: (it, if it is the cache's entry itself;
        it, if it is a file of its own that nothing else links to; its status)."""
        src_uri = self.uris.get(key)
        if src_uri is None:
            return None, None, None
        folder = f"{self.hold.parent}/{SPARE}/{src_uri_to_url(src_uri)}"
        found = f"{folder}index.html"
        try:
            if os.path.islink(folder.rstrip("/")):
                return None, None, None
            stat = os.lstat(found)
        except OSError:
            return None, None, None
        if (stat.st_ino, stat.st_dev) == (entry.st_ino, entry.st_dev):
            return Path(found), None, stat
        own = stat.st_nlink == 1 and S_ISREG(stat.st_mode)
        return None, Path(found) if own else None, None

    def _paths(self, key: str) -> tuple[Path, Path]:
        base = f"{self.folder}/pages/{key[:2]}/{key}"
        return Path(f"{base}.html"), Path(f"{base}.json")

    def _read_index(self) -> dict[str, list]:
        try:
            data = read_json(self.folder / INDEX, self.state)
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def get(self, key: str) -> CachedPage | None:
        """The cached page for ``key``, or None (also when the entry cannot be read)."""
        if self.index is None:
            self.index = self._read_index()
        known = self.index.get(key)
        if known is not None:
            found = self._known_in_spare(key, known)
            if found is not None:
                return found
        base = f"{self.folder}/pages/{key[:2]}/{key}"
        html, meta = f"{base}.html", f"{base}.json"
        try:
            known = self.index.get(key)
            stat = os.stat(meta) if known is not None else None
            if known is not None and [stat.st_size, stat.st_mtime_ns] == known[3]:
                time, (needs, missing), file = known[:3]
                data = {"time": time, "links": [needs, missing], "file": file}
            else:
                with open(meta, encoding="utf-8") as handle:
                    data = json.loads(handle.read())
                stat = os.stat(meta)
            needs, missing = data["links"]
            links: PageLinks = (
                tuple((str(a), str(b)) for a, b in needs),
                tuple(str(m) for m in missing),
            )
            time = str(data["time"])
            # The previous site's copy, if it is the entry, keeps the entry's file alive as
            # the hold would (see `hold`).
            spare, old, held_stat = self._in_spare(key, os.stat(html))
            if spare is not None:
                held = spare
            else:
                held = self.hold / f"{key}.html"
                self.hold.mkdir(parents=True, exist_ok=True)
                if not held.exists():
                    os.link(html, held)
                held_stat = held.stat()
            # Published pages are hard links to the entries: a page changed in place after
            # the build (appended to, say) changed its entry too, which is then not used.
            if [held_stat.st_size, held_stat.st_mtime_ns] != data["file"]:
                if spare is None:
                    held.unlink()
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.seen[key] = [
            time,
            data["links"],
            data["file"],
            [stat.st_size, stat.st_mtime_ns],
            [held_stat.st_dev, held_stat.st_ino],
        ]
        return CachedPage(held, time, links, spare=spare is not None, old=old)

    def _known_in_spare(self, key: str, known: list) -> CachedPage | None:
        """The page of ``key`` in the previous site, if it is the very file the index says
        the entry is (same device, inode, size and modification time): then found with one
        look at the folder and one at the file, and nothing read (the index has its time and
        links). None when it cannot tell: the page is then looked for as before."""
        src_uri = self.uris.get(key)
        url = src_uri_to_url(src_uri) if src_uri is not None else ""
        if not url or len(known) != 5:
            return None
        folder = f"{self.hold.parent}/{SPARE}/{url}"
        found = f"{folder}index.html"
        try:
            time, (needs, missing), file, _, identity = known
            if S_ISLNK(os.lstat(folder[:-1]).st_mode):
                return None
            stat = os.lstat(found)
            if [stat.st_size, stat.st_mtime_ns] != file or [
                stat.st_dev,
                stat.st_ino,
            ] != identity:
                return None
            links: PageLinks = (
                tuple((str(a), str(b)) for a, b in needs),
                tuple(str(m) for m in missing),
            )
            time = str(time)
        except (OSError, ValueError, TypeError):
            return None
        self.seen[key] = known
        return CachedPage(Path(found), time, links, spare=True)

    def put(self, key: str, html: str, links: PageLinks, dest: str | None = None) -> bool:
        """Keep a finished page, unless the build time shows in it in another form than the
        time element (then a reused copy could not be brought up to date).

        ``dest``: where the site has the page; it is published there as a hard link to the
        entry (as a page taken from the cache is), so that the next builds find it in the
        previous site as the entry itself (see :meth:`place`). True when it is there."""
        stamp_free = html.replace(self.time, "")
        if self.built_iso in stamp_free or self.built_text in stamp_free:
            return False
        html_path, meta_path = self._paths(key)
        meta: dict[str, object] = {"time": self.time, "links": [list(links[0]), list(links[1])]}
        try:
            prepare(self.folder)
            html_path.parent.mkdir(parents=True, exist_ok=True)
            write_whole(html_path, html.encode("utf-8", errors="xmlcharrefreplace"))
            # Published as it is: readable by the web server, whoever it runs as.
            os.chmod(html_path, PAGE_MODE)
            stat = html_path.stat()
            meta["file"] = [stat.st_size, stat.st_mtime_ns]
            write_whole(meta_path, json.dumps(meta).encode("utf-8"))
        except OSError:
            return False  # a cache that cannot be written costs time only
        if dest is None:
            return False
        try:
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.link(html_path, dest)
        except OSError:
            return False
        return True

    def place(self, cached: CachedPage, dest: Path) -> None:
        """Write a cached page to ``dest``: its folder moved from the previous site, or a
        hard link, when it is already up to date."""
        source = cached.path
        if self._move_spare(cached, dest):
            source = dest
        elif cached.time != self.time and self._move_spare(cached, dest, cached.old):
            # The previous site's own copy of the page, now at `dest`: written over below.
            data = cached.path.read_bytes()
            data = data.replace(cached.time.encode("utf-8"), self.time.encode("utf-8"))
            with dest.open("r+b") as handle:
                handle.write(data)
                handle.truncate()
            self.reused += 1
            return
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
        if cached.time == self.time:
            if source == dest:
                self.reused += 1
                return
            try:
                os.link(source, dest)
                self.reused += 1
                return
            except OSError:
                pass  # another file system, or no hard links: copy
        data = source.read_bytes()
        if cached.time != self.time:
            data = data.replace(cached.time.encode("utf-8"), self.time.encode("utf-8"))
        if source == dest:
            dest.unlink()  # a link to the cache's entry, which must stay as it is
        dest.write_bytes(data)
        self.reused += 1

    def _move_spare(self, cached: CachedPage, dest: Path, page: Path | None = None) -> bool:
        """Move the previous site's folder of the page (``page``, or the cached page if it
        is in the spare) to ``dest``'s, if it holds the page alone and the new site has no
        such folder yet (never the site's root)."""
        if page is None:
            page = cached.path if cached.spare else None
        if page is None:
            return False
        folder, name = os.path.split(page)
        target, dest_name = os.path.split(dest)
        if dest_name != name:
            return False
        try:
            if os.listdir(folder) != [name]:
                return False
            parent = os.path.dirname(target)
            if parent not in self._folders:
                os.makedirs(parent, exist_ok=True)
                self._folders.add(parent)
            # Never over anything the new site has there: a folder that is not empty, or a
            # file, makes the rename fail (and an empty folder is what the page's would be
            # without its page).
            os.rename(folder, target)
        except OSError:
            return False
        return True

    def prune(self, keep: set[str]) -> None:
        """Remove the entries but those of ``keep`` (the keys of this build's pages):
        changed pages' old versions, pages of other versions of rollbook, pages that no
        longer exist."""
        pages = self.folder / "pages"
        if not pages.is_dir():
            return
        index = {key: self.seen[key] for key in keep if key in self.seen}
        for key in keep - index.keys():  # pages this build rendered (in its workers)
            try:
                html, meta = self._paths(key)
                stat = meta.stat()
                data = json.loads(meta.read_text(encoding="utf-8"))
                index[key] = [data["time"], data["links"], data["file"]]
                index[key].append([stat.st_size, stat.st_mtime_ns])
                entry = html.stat()
                index[key].append([entry.st_dev, entry.st_ino])
            except (OSError, ValueError, KeyError, TypeError):
                continue
        with contextlib.suppress(OSError):  # a cache that cannot be written costs time only
            write_json(self.folder / INDEX, index, self.state)
        for key in (self.index or {}).keys() - keep:
            for path in self._paths(key):
                path.unlink(missing_ok=True)
        sweep(pages, keep, everything=not self.index)


__all__ = [
    "CACHE_FOLDER",
    "CachedPage",
    "PageCache",
    "cache_folder",
    "keep_only",
    "source_digest",
    "time_element",
]
