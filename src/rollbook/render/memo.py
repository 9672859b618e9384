"""Runbook pages rendered by earlier builds, reused when what they were made from is the same.

Rendering a runbook's page through its Jinja2 template is a third of a build's time at scale,
and after an edit to one runbook the other pages would come out the same. Each runbook page
is kept under a key that hashes everything its template can see:

- the *salt*, the same for every runbook page of a build: rollbook's version and source,
  the configuration, the teams file as loaded, every template of the search path (the
  user's and rollbook's), whether lint ran, the files with errors (a preview's banner names
  them), and the rules;
- the runbook as loaded (its model, serialised, or the lint cache's digest of it when the
  model came through that cache), where it was read from, its problems and its lint
  findings.

The build time is left out as in :mod:`rollbook.site.page_cache`: the templates write it in
one form, ``<time datetime=...>...</time>``, which a reused page gets rewritten to; a page
that shows it any other way is not kept, and when a template uses the ``built`` value itself
the time goes into the salt (so does it when the guard's outlook is shown, which states the
time in the project's zone). Entries live in the build cache folder (``render/``), as JSON.

The listing pages (home, teams, team, tags, tag, rules, rule, coverage, problems) are kept
the same way, under a key that hashes the salt, the template, the page's address and what
the page's template is given: each runbook it lists by that runbook's key (which stands for
all of it), everything else (counts, teams, missing files, coverage gaps, rules) by value. A
page whose template is given anything else is rendered every time. So an edited runbook's
team page, tag pages and the pages listing every runbook are rendered again; the other
teams' and tags' pages, the rule pages, and every listing after an unchanged build, are not.

Reading 10,000 entries back is most of what an incremental build would spend here, so each
build also writes ``render-index.json`` beside ``render/``: per key, what the rest of the
build needs of a page without its HTML (address, title, description, search words, kind)
and the entry file's size and modification time. A page found there is a :class:`MemoPage`
whose HTML is read only if something asks for it (the page cache usually has the finished
page, see :attr:`MemoPage.content_key`); an entry whose file changed since is read as
before, and one that cannot be read is rendered again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from jinja2 import meta
from pydantic import BaseModel

from rollbook.build_cache import prepare, source_digest, sweep, time_element, write_whole
from rollbook.render.jinja import template_search_path
from rollbook.render.pages import RunbookEntry, SiteRenderer
from rollbook.render.views import FindingView, SitePage
from rollbook.site.state import BuildState, read_json, write_json

FORMAT = b"rollbook rendered runbooks 2"
INDEX = "render-index.json"


class MemoPage(SitePage):
    """A runbook page as the memo knows it: its HTML is read (or rendered) when first asked for.

    ``content_key`` is the memo key the page was rendered under: everything its HTML was made
    from but for the build time, so the page cache can key the finished page by it without
    hashing (or reading) the HTML (:meth:`rollbook.site.page_cache.PageCache.key`).
    """

    def __init__(
        self,
        src_uri: str,
        title: str,
        description: str,
        *,
        search_text: str,
        kind: str,
        content_key: str,
        html: str | None = None,
        load: Callable[[], str] | None = None,
    ) -> None:
        fields = {
            "src_uri": src_uri,
            "title": title,
            "description": description,
            "search_text": search_text,
            "kind": kind,
            "content_key": content_key,
            "_load": load,
        }
        if html is not None:
            fields["html"] = html
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, page: SitePage, content_key: str) -> MemoPage:
        return cls(
            page.src_uri,
            page.title,
            page.description,
            search_text=page.search_text,
            kind=page.kind,
            content_key=content_key,
            html=page.html,
        )

    def __getattr__(self, name: str) -> str:
        # Only for what __init__ left unset: the HTML of a page taken from the index.
        if name != "html" or self.__dict__.get("_load") is None:
            raise AttributeError(name)
        html = self._load()
        object.__setattr__(self, "html", html)
        object.__setattr__(self, "_load", None)
        return html

    def __reduce__(self):
        # Sent to a worker as the plain page it stands for.
        return (
            SitePage,
            (self.src_uri, self.title, self.description, self.html, self.search_text, self.kind),
        )


class RenderedRunbooks:
    """Runbook pages of earlier builds, in the build cache ``folder``."""

    def __init__(self, folder: Path, user_templates: Path | None, state: BuildState | None = None):
        self.folder = folder / "render"
        self.state = state
        self.user_templates = user_templates
        self.keys: set[str] = set()
        self.reused = 0
        self.index: dict[str, list] = {}
        self.old_listings: list[str] = []
        self.entry_keys: dict[str, str] = {}
        self.listing_keys: dict[str, str] = {}
        """The key of each listing page of this build, by ``src_uri``."""
        self.listings_reused = 0
        self.listings_rendered: list[str] = []
        """The listing pages this build rendered (not taken from the memo), by ``src_uri``."""
        self.seen: dict[str, list] = {}
        """Index entries of this build's pages, written by :meth:`prune`."""

    def attach(self, renderer: SiteRenderer) -> None:
        """Work for ``renderer``'s build: its time, its templates, its project."""
        self.renderer = renderer
        built = renderer.built
        self.built_iso = built.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.built_text = built.strftime("%Y-%m-%d %H:%M UTC")
        self.time = time_element(self.built_iso, self.built_text)
        self.salt = self._salt(self.user_templates)
        self.index = self._read_index()
        render = renderer._render

        def cached_render(template: str, src_uri: str, **extra: object) -> str:
            if template == RUNBOOK_TEMPLATE:
                return render(template, src_uri, **extra)
            return self._listing(
                template, src_uri, extra, lambda: render(template, src_uri, **extra)
            )

        # Every page but the runbooks' is rendered through here (render/pages.py).
        renderer._render = cached_render  # type: ignore[method-assign]

    def _listing(
        self, template: str, src_uri: str, extra: dict[str, object], render: Callable[[], str]
    ) -> str:
        """A listing page's HTML: from the memo when what its template is given is the same."""
        digest = hashlib.blake2b(self.salt, digest_size=20)
        try:
            _add_value(digest, ("listing", template, src_uri, extra), self._entry_key)
        except _Uncacheable:
            self.listings_rendered.append(src_uri)
            return render()
        key = digest.hexdigest()
        self.keys.add(key)
        self.listing_keys[src_uri] = key
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            html = str(data["html"])
            if data["time"] != self.time:
                html = html.replace(str(data["time"]), self.time)
            if data["src_uri"] == src_uri:
                self.listings_reused += 1
                return html
        except (OSError, ValueError, KeyError, TypeError):
            pass
        html = render()
        self.listings_rendered.append(src_uri)
        stamp_free = html.replace(self.time, "")
        if self.built_iso in stamp_free or self.built_text in stamp_free:
            return html
        try:
            prepare(self.folder)
            path.parent.mkdir(parents=True, exist_ok=True)
            data = {"src_uri": src_uri, "html": html, "time": self.time}
            write_whole(path, json.dumps(data).encode("utf-8"))
        except OSError:
            pass
        return html

    def _entry_key(self, entry: RunbookEntry) -> str:
        key = self.entry_keys.get(entry.src_uri)
        if key is None:
            key = self.key(entry)
        return key

    def listing_page(self, page: SitePage) -> SitePage:
        """``page`` with its memo key as :attr:`MemoPage.content_key`, if it has one."""
        key = self.listing_keys.get(page.src_uri)
        return page if key is None else MemoPage.of(page, key)

    def _read_index(self) -> dict[str, list]:
        try:
            data = read_json(self.folder.parent / INDEX, self.state)
            self.old_listings = [str(key) for key in data.get("listings", [])]
            if data.get("salt") != self.salt.hex() or not isinstance(data.get("pages"), dict):
                return {}
            return data["pages"]
        except (OSError, ValueError, AttributeError, TypeError):
            return {}

    def _salt(self, user_templates: Path | None) -> bytes:
        import rollbook

        renderer = self.renderer
        digest = hashlib.blake2b(FORMAT, digest_size=20)
        digest.update(source_digest())
        teams = renderer.loaded.teams
        parts = [
            rollbook.__version__,
            renderer.config.model_dump_json(),
            teams.model.model_dump_json() if teams is not None and teams.model else "",
            json.dumps(dataclasses.asdict(renderer.problems), default=str, sort_keys=True),
            json.dumps([dataclasses.asdict(rule) for rule in renderer.lint.rules], default=str),
            f"{renderer.lint.available} {renderer.lint.note} {renderer.preview}",
        ]
        env = renderer.env
        uses_built = False
        for folder in template_search_path(user_templates):
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                data = path.read_bytes()
                parts.append(path.relative_to(folder).as_posix())
                parts.append(hashlib.blake2b(data, digest_size=20).hexdigest())
                # Page templates only: the theme's are MkDocs', whose context has no `built`.
                page_template = path.relative_to(folder).parts[0] == "pages"
                if page_template and b"built" in data:
                    try:
                        names = meta.find_undeclared_variables(env.parse(data.decode("utf-8")))
                    except Exception:
                        names = {"built"}
                    uses_built = uses_built or "built" in names
            parts.append("")
        if uses_built or renderer.outlook is not None:
            # A template reads the time itself (`built.year`, ...), or pages show who is
            # reachable and which freeze is in force as of the build (in the project's zone):
            # pages depend on it.
            parts.append(self.built_iso)
        for part in parts:
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.digest()

    def key(self, entry: RunbookEntry) -> str:
        """The key of ``entry``'s page: the salt and everything of the runbook it shows."""
        digest = hashlib.blake2b(self.salt, digest_size=20)
        findings = self.renderer.lint.by_file.get(entry.display, [])
        # The model by the lint cache's digest of it when it has one (the same digest is the
        # same model, and serialising 10,000 models is a tenth of an incremental build);
        # tagged so that the two forms never hash alike.
        digest_of = entry.loaded.stored_digest
        model = f"stored {digest_of}" if digest_of else f"json {entry.runbook.model_dump_json()}"
        for part in (
            entry.src_uri,
            entry.display,
            model,
            json.dumps([p.render() for p in entry.loaded.problems]),
            json.dumps(
                [[getattr(f, name) for name in _FINDING_FIELDS] for f in findings], default=str
            ),
        ):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big") + data)
        key = self.entry_keys[entry.src_uri] = digest.hexdigest()
        return key

    def _path(self, key: str) -> Path:
        return Path(f"{self.folder}/{key[:2]}/{key}.json")

    def get(self, entry: RunbookEntry) -> SitePage | None:
        """The page as an earlier build rendered it, brought to this build's time; or None."""
        key = self.key(entry)
        self.keys.add(key)
        name = f"{self.folder}/{key[:2]}/{key}.json"
        known = self.index.get(key)
        if known is not None:
            try:
                src_uri, title, description, search_text, kind, stamp = known
                stat = os.stat(name)
                if [stat.st_size, stat.st_mtime_ns] == stamp and src_uri == entry.src_uri:
                    self.reused += 1
                    self.seen[key] = known
                    return MemoPage(
                        src_uri,
                        title,
                        description,
                        search_text=search_text,
                        kind=kind,
                        content_key=key,
                        load=lambda: self._html(entry, Path(name)),
                    )
            except (OSError, ValueError, TypeError):
                pass
        path = Path(name)
        try:
            stat = path.stat()
            data = json.loads(path.read_text(encoding="utf-8"))
            html = str(data["html"])
            if data["time"] != self.time:
                html = html.replace(str(data["time"]), self.time)
            page = MemoPage(
                str(data["src_uri"]),
                str(data["title"]),
                str(data["description"]),
                html=html,
                search_text=str(data["search_text"]),
                kind=str(data["kind"]),
                content_key=key,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if page.src_uri != entry.src_uri:
            return None
        self.reused += 1
        self.seen[key] = self._known(page, stat.st_size, stat.st_mtime_ns)
        return page

    @staticmethod
    def _known(page: SitePage, size: int, mtime_ns: int) -> list:
        return [
            page.src_uri,
            page.title,
            page.description,
            page.search_text,
            page.kind,
            [size, mtime_ns],
        ]

    def _html(self, entry: RunbookEntry, path: Path) -> str:
        """The HTML of a page taken from the index; rendered again if its entry is gone."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            html = str(data["html"])
            if data["time"] != self.time:
                html = html.replace(str(data["time"]), self.time)
            return html
        except (OSError, ValueError, KeyError, TypeError):
            return self.renderer.runbook(entry).html

    def put(self, entry: RunbookEntry, page: SitePage) -> MemoPage:
        """Keep a page rendered by this build, unless it shows the time in another form;
        return it with its :attr:`MemoPage.content_key`."""
        return self.record(entry, page, self.store(entry, page))

    def store(self, entry: RunbookEntry, page: SitePage) -> list | None:
        """Write the entry of :meth:`put` (what a forked worker that rendered the page does);
        what :meth:`record` is then given, or None when the page is not kept."""
        stamp_free = page.html.replace(self.time, "")
        if self.built_iso in stamp_free or self.built_text in stamp_free:
            return None
        data = {**dataclasses.asdict(page), "time": self.time}
        path = self._path(self.key(entry))
        try:
            prepare(self.folder)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_whole(path, json.dumps(data).encode("utf-8"))
            stat = path.stat()
        except OSError:
            return None
        return self._known(page, stat.st_size, stat.st_mtime_ns)

    def record(self, entry: RunbookEntry, page: SitePage, stored: list | None) -> MemoPage:
        """The page with its key, noted as kept if :meth:`store` wrote it (``stored``)."""
        key = self.key(entry)
        if stored is not None:
            self.seen[key] = stored
        return MemoPage.of(page, key)

    def prune(self) -> None:
        """Remove the entries this build did not look for; index the ones it used."""
        if not self.folder.is_dir():
            return
        listings = sorted(set(self.listing_keys.values()))
        index = {"salt": self.salt.hex(), "pages": self.seen, "listings": listings}
        with contextlib.suppress(OSError):  # a cache that cannot be written costs time only
            write_json(self.folder.parent / INDEX, index, self.state)
        for key in ({*self.index, *self.old_listings}) - self.keys:
            self._path(key).unlink(missing_ok=True)
        sweep(self.folder, self.keys, everything=not self.index)


RUNBOOK_TEMPLATE = "pages/runbook.html"
# What a runbook's key hashes of each of its findings: every field a page may show.
_FINDING_FIELDS = tuple(item.name for item in dataclasses.fields(FindingView))


class _Uncacheable(Exception):
    """A listing page's template is given something :func:`_add_value` cannot hash."""


def _add_value(digest: hashlib.blake2b, value: object, entry_key: Callable) -> None:
    """Hash ``value`` as a template sees it: runbooks by their key, the rest by value (each
    part tagged with its type, so that no two different values hash alike)."""

    def add(tag: str, text: str) -> None:
        data = text.encode("utf-8")
        digest.update(tag.encode("ascii") + len(data).to_bytes(8, "big") + data)

    if value is None or isinstance(value, bool | int | float | str):
        add(type(value).__name__, repr(value))
    elif isinstance(value, RunbookEntry):
        add("entry", entry_key(value))
    elif isinstance(value, list | tuple):
        add(type(value).__name__, str(len(value)))
        if value and all(type(item) is RunbookEntry for item in value):
            # A listing's runbooks, in one part (tagged apart from items one by one).
            add("entries", ",".join(map(entry_key, value)))
            return
        for item in value:
            _add_value(digest, item, entry_key)
    elif isinstance(value, dict):
        add("dict", str(len(value)))
        for name, item in value.items():
            _add_value(digest, name, entry_key)
            _add_value(digest, item, entry_key)
    elif isinstance(value, dt.date | dt.datetime):
        add(type(value).__name__, value.isoformat())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        add("dataclass", f"{type(value).__module__}.{type(value).__qualname__}")
        for item in dataclasses.fields(value):
            _add_value(digest, item.name, entry_key)
            _add_value(digest, getattr(value, item.name), entry_key)
    elif isinstance(value, BaseModel):
        add(f"model {type(value).__module__}.{type(value).__qualname__}", value.model_dump_json())
    else:
        raise _Uncacheable(type(value).__name__)
