"""The one module that talks to MkDocs and Material: replacing the engine is a change here.

Everything that knows MkDocs or Material lives in this module: the versions rollbook
supports (:data:`SUPPORTED`, checked at every build), Material's files read from its
package, the MkDocs configuration and the user's overrides of it, the theme layer laid over
Material, the plugin that feeds MkDocs rollbook's pages and forks inside its build, and the
theme files the site does not need. MkDocs 2 drops plugins and themes, and Material is
announced end-of-life, so the rest of the site (:mod:`rollbook.site.build`, the link check in
:mod:`rollbook.site.links`) knows none of it.

The configuration is a Python dict: users need no ``mkdocs.yml``. Pages never exist on disk:
they are ``File.generated`` in an ``on_files`` event, and their HTML replaces whatever
Markdown would have produced, so runbook text never passes through Python-Markdown (which
lets raw HTML and ``javascript:`` links through).

Nor are rollbook's pages rendered through the theme one by one: MkDocs renders them empty (the
skip template), and the plugin makes each from its shape's frame, rendered and checked once
(:mod:`rollbook.site.frame`), in ``on_page_context``; MkDocs still knows every page it
builds (for the sitemap) and writes what ``on_post_page`` returns. Once a shape's frame is
verified, the rest of its pages skip even that: MkDocs' ``_build_page`` is replaced for the
build (``RollbookPlugin.build_page``), which finishes them from the frame as ``rollbook serve``
does (:class:`FrameContext`), and a worker does not build the other workers' pages at all.
:data:`FRAMES` off renders every page whole, as the reference the frames are tested against.

Pages taken finished from the page cache (:mod:`rollbook.site.page_cache`) are not MkDocs'
at all: no file, page or navigation entry each (after an edit, that is nearly every page,
and MkDocs' bookkeeping of them was most of an incremental build's time in MkDocs). They are
put in place after MkDocs' build, their links known from the cache; the sitemap, the one
file of MkDocs' that lists every page, is given stand-ins for them (:func:`_sitemap_pages`).
"""

from __future__ import annotations

import copy
import hashlib
import importlib.metadata
import io
import json
import logging
import posixpath
import re
import shutil
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import escape

from rollbook.parallel import Failed, Worker
from rollbook.render.jinja import template_search_path
from rollbook.render.views import SitePage
from rollbook.site.errors import SiteBuildError
from rollbook.site.frame import FrameSet, PageText, ShapeKey, theme_splice_problems
from rollbook.site.links import UNSAFE_HINT, PageLinks, page_links
from rollbook.site.page_cache import FORMAT as CACHE_FORMAT
from rollbook.site.page_cache import CachedPage, PageCache, source_digest
from rollbook.site.sanitize import (
    CONTENT_END,
    CONTENT_START,
    ChromeChecks,
    UnsafeOutput,
    check_page,
    sanitize,
    within_site,
)
from rollbook.site.search import SEPARATOR as SEARCH_SEPARATOR

if TYPE_CHECKING:
    from rollbook.site.build import SiteOptions

log = logging.getLogger("rollbook.site")

# --- Supported versions -----------------------------------------------------------------------

# The releases rollbook is tested with, as (distribution, lowest, first unsupported): every
# build checks the installed ones (pyproject.toml pins the same ranges).
SUPPORTED: tuple[tuple[str, str, str], ...] = (
    ("mkdocs", "1.6.1", "2"),
    ("mkdocs-material", "9.7.7", "10"),
)


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None if it is not installed."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def supported_ranges() -> str:
    """The supported versions, as a reader would write them."""
    return ", ".join(f"{name} >={low},<{high}" for name, low, high in SUPPORTED)


def _release(version: str) -> tuple[int, ...]:
    """The release numbers of a version string (``9.7.7.post1`` -> ``(9, 7, 7)``)."""
    match = re.match(r"\s*v?(\d+(?:\.\d+)*)", version)
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def _within(version: str, low: str, high: str) -> bool:
    release = _release(version)
    if not release:
        return False
    # A pre-release of the first unsupported version (10.0.0b1) is not supported either.
    return _release(low) <= release and release < _release(high)


def check_versions() -> None:
    """Raise :class:`SiteBuildError` unless the installed MkDocs and Material are supported."""
    wrong = []
    for name, low, high in SUPPORTED:
        version = installed_version(name)
        if version is None:
            wrong.append(f"{name} is not installed")
        elif not _within(version, low, high):
            wrong.append(f"{name} {version} is installed")
    if wrong:
        raise SiteBuildError(
            f"unsupported site engine: {'; '.join(wrong)}; rollbook supports "
            f"{supported_ranges()} (reinstall rollbook, or `pip install "
            + " ".join(f"'{name}>={low},<{high}'" for name, low, high in SUPPORTED)
            + "`)"
        )


# --- Material's files -------------------------------------------------------------------------


def material_templates() -> Path:
    """The installed Material theme's templates folder."""
    import material

    return Path(material.__file__).parent / "templates"


def material_assets() -> Path:
    """The installed Material theme's ``assets`` folder."""
    return material_templates() / "assets"


def material_file(folder: str, pattern: str) -> Path | None:
    """The one file of Material's ``assets/<folder>`` matching ``pattern`` (names carry a
    content hash that changes with every Material release), or None."""
    found = sorted((material_assets() / folder).glob(pattern))
    return found[0] if len(found) == 1 else None


def material_inline_script_sources() -> list[Path]:
    """Material's templates that write the inline scripts a page may hold."""
    partials = material_templates() / "partials" / "javascripts"
    return [partials / "base.html", partials / "content.html"]


def material_search_worker() -> str | None:
    """The file name of Material's own search worker, which rollbook's theme replaces."""
    found = material_file("javascripts/workers", "search.*.min.js")
    return found.name if found else None


# --- The configuration and the user's overrides -----------------------------------------------

# Settings a user's overrides file may not change, and why: they decide where files are
# written, or they would add scripts, load from other hosts, break offline use, escaping or
# the page-size budget. Settings of rollbook's own configuration are set there, where they
# are checked.
_CONTROLLED = "rollbook controls it"
_ADDS_SCRIPTS = "it adds scripts: pages run only rollbook's and Material's"
PROTECTED: dict[str, str] = {
    "docs_dir": _CONTROLLED,
    "site_dir": _CONTROLLED,
    "use_directory_urls": _CONTROLLED,
    "strict": _CONTROLLED,
    "plugins": _CONTROLLED,
    "markdown_extensions": _CONTROLLED,
    "hooks": _CONTROLLED,
    "nav": _CONTROLLED,
    "site_url": "set `site-url` in rollbook's configuration instead",
    "repo_url": "set `repo-url` in rollbook's configuration instead",
    "edit_uri": "set `edit-uri` in rollbook's configuration instead",
    "theme.name": _CONTROLLED,
    "theme.custom_dir": _CONTROLLED,
    "theme.font": "it loads web fonts from Google: the site contacts no other host",
    "theme.features": "they put the whole navigation back in every page, or need scripts",
    "extra_javascript": _ADDS_SCRIPTS,
    "extra.polyfills": _ADDS_SCRIPTS,
    "extra.analytics": "it adds an analytics script that contacts another host",
    "extra.consent": "it adds a cookie-consent form and its script",
    "extra.scope": "it is written into the page's inline script",
    "extra.rollbook": "it holds rollbook's own settings for its theme",
}
# Settings whose value is a mapping of further settings (and must stay one), and settings
# naming a file the pages load: a path within the site, never another host.
_MAPPINGS = {"theme", "extra"}
_SITE_FILES = {"extra_css", "theme.favicon", "theme.logo"}


def overrides_problems(
    overrides: dict, prefix: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], str, str]]:
    """What is wrong with a user's MkDocs overrides: ``(path, message, hint)`` for every
    setting rollbook refuses (see :data:`PROTECTED`)."""
    found = []
    for key, value in overrides.items():
        path = (*prefix, key)
        dotted = ".".join(str(p) for p in path)
        if dotted in PROTECTED:
            found.append(
                (
                    path,
                    f"the overrides file may not set `{dotted}`",
                    f"{PROTECTED[dotted]} (see README, 'The site: build and serve')",
                )
            )
        elif dotted in _MAPPINGS and not isinstance(value, dict):
            found.append((path, f"`{dotted}` must be a mapping of settings", "indent its keys"))
        elif dotted in _SITE_FILES:
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                if not (isinstance(item, str) and item.strip() and within_site(item)):
                    where = (*path, i) if isinstance(value, list) else path
                    found.append(
                        (
                            where,
                            f"`{dotted}` must name a file of the site, not {item!r}",
                            "the site loads nothing from another host: put the file in your "
                            "templates folder's site/theme/ and give its path there",
                        )
                    )
        elif isinstance(value, dict):
            found.extend(overrides_problems(value, path))
    return found


STUB = "<!-- generated by rollbook -->\n"
# Whether rollbook's pages are made from one frame render per shape (rollbook.site.frame),
# or each rendered whole through the theme, as MkDocs would. The whole render is kept as the
# reference the frames are tested against, and for themes whose frame cannot be spliced.
FRAMES = True
# An empty theme template: a page another worker builds renders to nothing, which MkDocs
# then skips writing (see RollbookPlugin.on_env).
SKIP_TEMPLATE = "rollbook-other-worker.html"


def mkdocs_config(
    options: SiteOptions,
    docs_dir: Path,
    site_dir: Path,
    theme_dir: Path,
    *,
    has_tags: bool,
    has_rules: bool,
) -> dict:
    """The MkDocs configuration, as a dict, with the user's overrides merged in."""
    cfg: dict = {
        # MkDocs prints site_name raw in places; rollbook's theme layer escapes it itself.
        "site_name": options.site_name,
        "site_url": options.site_url,
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "use_directory_urls": True,
        "strict": True,
        "theme": {
            "name": "material",
            "custom_dir": str(theme_dir),
            # No Google Fonts: the site must not contact any host but its own.
            "font": False,
            "language": "en",
            "palette": {"scheme": "default", "primary": "indigo", "accent": "indigo"},
            "features": [],
        },
        # Material's search box and results, with rollbook's worker and split index
        # (rollbook.site.search) in place of Material's single one.
        "plugins": [{"search": {"separator": SEARCH_SEPARATOR}}],
        "markdown_extensions": [],
        "extra": {
            "generator": False,
            "rollbook": {
                "built_iso": options.built_iso,
                "built_text": options.built_text,
                "has_tags": has_tags,
                "has_rules": has_rules,
                "service_worker": options.service_worker,
                # The theme points Material's page script at rollbook's search worker.
                "material_search_worker": material_search_worker() or "",
            },
        },
        "validation": {
            "nav": {"omitted_files": "ignore"},
            "links": {"not_found": "warn", "anchors": "ignore"},
        },
    }
    _merge(cfg, options.overrides)
    return cfg


def _merge(cfg: dict, overrides: dict) -> None:
    problems = overrides_problems(overrides)
    if problems:
        _, message, hint = problems[0]
        raise SiteBuildError(f"{message}: {hint}")
    _merge_into(cfg, overrides)


def _merge_into(cfg: dict, overrides: dict) -> None:
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            _merge_into(cfg[key], value)
        else:
            cfg[key] = copy.deepcopy(value)


# --- The build ---------------------------------------------------------------------------------


@dataclass
class CacheUse:
    """What a build did with the page cache (:mod:`rollbook.site.page_cache`)."""

    rendered: int = 0
    """Pages of rollbook's rendered through the theme by this build."""
    reused: int = 0
    """Pages of rollbook's taken finished from the cache."""
    fresh: tuple[str, ...] = ()
    """The ``src_uri`` of every page rendered, in the site's order."""
    cache: PageCache | None = None
    keys: set[str] = field(default_factory=set)
    frames: FrameContext | None = None
    """The frames this build made (this process's), to finish more pages without MkDocs."""

    def prune(self) -> None:
        """Once the site is known good: drop the cache's entries this build did not use."""
        if self.cache is not None:
            self.cache.prune(self.keys)


# Versions of what turns rollbook's HTML into a finished page, beside MkDocs and Material.
_CACHE_DISTRIBUTIONS = ("mkdocs", "mkdocs-material", "nh3", "jinja2", "markupsafe")


def _cache_salt(cfg: dict, theme: Path) -> bytes:
    """What every page of this build shares: rollbook's version and code, the engine's
    versions, its configuration (without this build's own folders and time) and the theme
    layer with the user's files in it."""
    import rollbook

    settings = copy.deepcopy(cfg)
    for key in ("docs_dir", "site_dir"):
        settings.pop(key, None)
    settings["theme"].pop("custom_dir", None)
    for key in ("built_iso", "built_text"):
        settings["extra"]["rollbook"].pop(key, None)
    digest = hashlib.blake2b(CACHE_FORMAT, digest_size=20)
    for part in (
        rollbook.__version__,
        *(f"{name}={installed_version(name)}" for name in _CACHE_DISTRIBUTIONS),
        json.dumps(settings, sort_keys=True, default=str),
    ):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(source_digest())
    for path in sorted(p for p in theme.rglob("*") if p.is_file()):
        digest.update(path.relative_to(theme).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.blake2b(path.read_bytes(), digest_size=20).digest())
    return digest.digest()


def build(
    pages: list[SitePage],
    assets: dict[str, bytes],
    options: SiteOptions,
    *,
    site: Path,
    scratch: Path,
    cache_use: CacheUse | None = None,
) -> dict[str, PageLinks]:
    """Run MkDocs over ``pages`` and ``assets`` into ``site``, with its scratch files in
    ``scratch``; the pages checked as they were written, with their links (for the link
    check, :mod:`rollbook.site.links`).

    With ``options.cache`` (a folder), finished pages of earlier builds whose inputs are
    unchanged are taken from there instead of rendered, and new ones kept there;
    ``cache_use`` is told how many of each."""
    from rollbook.site import stylesheet  # which reads Material's CSS from here

    check_versions()
    kinds = {p.kind for p in pages}
    template_dirs = template_search_path(options.user_templates)
    theme = make_theme_dir(options.user_templates, scratch / "theme")
    # An empty docs folder: every page is generated. MkDocs wants it beside the (virtual)
    # config file, not above it.
    docs = scratch / "work" / "docs"
    docs.mkdir(parents=True)
    cfg = mkdocs_config(
        options, docs, site, theme, has_tags="tag" in kinds, has_rules="rule" in kinds
    )
    # One stylesheet instead of three, and Material's script only when search needs it.
    stylesheet.add_to_build(
        cfg, assets, theme_dir=theme, template_dirs=template_dirs, cache=options.cache
    )
    checked: dict[str, PageLinks] = {}
    use = cache_use if cache_use is not None else CacheUse()
    reuse: dict[str, CachedPage] = {}
    keys: dict[str, str] = {}
    if options.cache is not None:
        use.cache = PageCache(
            options.cache,
            _cache_salt(cfg, theme),
            options.built_iso,
            options.built_text,
            hold=scratch / "cached",
            state=options.state,
        )
        for page in pages:
            key = keys[page.src_uri] = use.cache.key(page)
            found = use.cache.get(key)
            if found is not None:
                reuse[page.src_uri] = found
        use.keys = set(keys.values())
    use.fresh = tuple(page.src_uri for page in pages if page.src_uri not in reuse)
    use.rendered = len(use.fresh)
    # Forking pays only when there are pages enough to share out.
    jobs = options.jobs if use.rendered >= 20 else 1
    user_theme = options.user_templates / "site" / "theme" if options.user_templates else None
    frames = FRAMES and not theme_splice_problems(user_theme)
    engine: dict = {}
    if frames and options.frames is not None:
        # Frames the caller kept from its earlier builds: good while the theme, the settings
        # and the time the pages show are the same (a frame is the page without its fields).
        kept = (_cache_salt(cfg, theme), options.built_iso, options.built_text)
        if kept not in options.frames:
            options.frames.clear()
            options.frames[kept] = (FrameSet(), set())
        engine["frames"], engine["targets"] = options.frames[kept]
    _run_mkdocs(
        cfg,
        pages,
        assets,
        checked,
        jobs=jobs,
        cache=(use.cache, keys, reuse),
        frames=frames,
        engine=engine,
    )
    use.frames = engine.get("context")
    use.reused = len(reuse)
    prune_unused_assets(site)
    check_search_worker(site)
    return checked


# What the site's workers are called in messages ("a build worker died ..."), and their error.
_NAME = "build"


def _report(fd: int, result: object, code: int = 0) -> None:
    """In a worker forked inside MkDocs' build: send ``result`` to the parent and exit."""
    Worker.report(fd, result, code, name=_NAME, error=SiteBuildError)


@dataclass
class _Shards:
    """Which worker this process is, and the workers it started (parent only)."""

    jobs: int = 1
    index: int = 0
    report_fd: int = -1
    workers: list[Worker] = field(default_factory=list)
    warnings: logging.Handler | None = None

    @property
    def child(self) -> bool:
        return self.report_fd >= 0

    def kill_all(self) -> None:
        for worker in self.workers:
            worker.kill()
        self.workers.clear()


def _stub_render(page, config, files) -> None:
    """``Page.render`` for a generated page: its Markdown is the stub, so skip Python-Markdown.

    Builds the same state ``Page.render`` leaves for a bare HTML comment, without creating a
    Markdown instance per page (a tenth of MkDocs' time at scale). The content is replaced by
    the page's own HTML later.
    """
    from mkdocs.structure.toc import get_toc

    if page.markdown != STUB:
        type(page).render(page, config, files)
        return
    page.content = STUB.strip()
    page.toc = get_toc([])
    page._title_from_render = None
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


_Cache = tuple[PageCache | None, dict[str, str], dict[str, CachedPage]]


def _page_dest_uri(src_uri: str) -> str:
    """Where MkDocs writes the Markdown page ``src_uri`` with directory URLs (its
    ``File.dest_uri``, without making a ``File``: a tenth of an incremental build in MkDocs
    at 10,000 pages)."""
    parent, name = posixpath.split(src_uri)
    stem = posixpath.splitext(name)[0]
    if stem in ("index", "README"):
        return posixpath.join(parent, "index.html")
    return posixpath.join(parent, stem, "index.html")


def _rollbook_plugin(
    pages: list[SitePage],
    assets: dict[str, bytes],
    checked: dict[str, PageLinks],
    shards: _Shards,
    cache: _Cache = (None, {}, {}),
    *,
    use_frames: bool = False,
    engine: dict | None = None,
):
    from mkdocs.plugins import BasePlugin, event_priority
    from mkdocs.structure.files import File
    from mkdocs.utils import CountHandler, write_file

    by_uri = {page.src_uri: page for page in pages}
    chrome_checks = ChromeChecks()
    frames = ((engine or {}).get("frames") or FrameSet()) if use_frames else None
    # What this worker makes from frames: (finished page, its links) by src_uri, from
    # on_page_context (which has the page's template context) to on_post_page.
    made: dict[str, tuple[str, PageLinks]] = {}
    # The theme's page template and the addresses it links to (set in on_env), and the
    # frame context the build hands back (see FrameContext).
    engine = engine if engine is not None else {}
    page_cache, keys, reuse = cache
    # Pages are dealt to the workers in turn, so each gets a like mix of page kinds; pages
    # taken from the cache are nobody's (the parent puts them in place at the end).
    worker_of = {
        page.src_uri: i % shards.jobs
        for i, page in enumerate(p for p in pages if p.src_uri not in reuse)
    }
    dest_of: dict[str, str] = {}

    class RollbookPlugin(BasePlugin):
        """Adds the generated pages and assets, and supplies each page's HTML.

        With several jobs, MkDocs runs once up to the point where it writes pages: every
        page is read and the navigation built in one process, so all of them see the same
        site. Then (``on_env``) it forks: each worker renders, checks and writes its share of
        the pages into the same staging folder, and only the parent writes everything else
        (theme assets, 404 page, sitemap, search index). The workers report to the parent
        before ``on_post_build``'s other handlers run.
        """

        def on_files(self, files, config):
            for page in pages:
                if page.src_uri in reuse:
                    # Taken finished from the cache: MkDocs never sees it (the sitemap
                    # lists it all the same, see _run_mkdocs); placed in on_post_build.
                    dest_of[page.src_uri] = (
                        _page_dest_uri(page.src_uri)
                        if config.use_directory_urls and page.src_uri.endswith(".md")
                        else File(
                            page.src_uri, None, config.site_dir, config.use_directory_urls
                        ).dest_uri
                    )
                    continue
                files.append(File.generated(config, page.src_uri, content=STUB))
            for uri, data in assets.items():
                files.append(File.generated(config, uri, content=data))
            return files

        def on_pre_build(self, config):
            # Material's search parses every finished page to index its full text: half the
            # build time at scale, for an index rollbook replaces anyway (see
            # rollbook.site.search). Its index object exists once on_config has run.
            search = config.plugins.get("material/search")
            index = getattr(search, "search_index", None)
            if index is not None:
                index.add_entry_from_context = lambda page: None

        def on_pre_page(self, page, config, files):
            if page.file.src_uri in by_uri:
                page.render = types.MethodType(_stub_render, page)
            return page

        def on_page_markdown(self, markdown, page, config, files):
            site_page = by_uri.get(page.file.src_uri)
            if site_page is not None:
                # Escaped here because Material prints page.title raw in places rollbook's
                # theme layer does not replace (its 404 page, the search results).
                page.meta["title"] = str(escape(site_page.title))
                page.meta["rb_title"] = site_page.title
                page.meta["rb_description"] = site_page.description
            return markdown

        def on_env(self, env, config, files):
            if frames is not None:
                engine["template"] = env.get_template("main.html")
                engine["targets"] = _record_link_targets(env, engine.get("targets"))
                engine["context"] = FrameContext(
                    frames,
                    engine["targets"],
                    config.site_url,
                    tuple(str(path) for path in config.extra_css),
                    tuple(str(script) for script in config.extra_javascript),
                )
            if shards.jobs > 1:
                self._fork(config, files)
            for file in files.documentation_pages():
                worker = worker_of.get(file.src_uri, 0)
                if file.page is None:
                    continue
                if worker != shards.index:
                    file.page.meta["template"] = SKIP_TEMPLATE
                elif frames is not None and file.src_uri in by_uri:
                    # Made from its shape's frame in on_page_context: MkDocs renders it
                    # empty, and rollbook's page is written in on_post_page.
                    file.page.meta["template"] = SKIP_TEMPLATE
                    made[file.src_uri] = ("", ((), ()))
            return env

        def _fork(self, config, files):
            for index in range(1, shards.jobs):
                worker, fd = Worker.fork(_NAME, SiteBuildError)
                if worker is None:
                    # A child: it writes its pages only. Everything else is the parent's.
                    shards.index, shards.report_fd = index, fd
                    shards.workers.clear()
                    # MkDocs counts warnings for strict mode after on_post_build, where a
                    # child has already left: count this child's own.
                    shards.warnings = CountHandler()
                    shards.warnings.setLevel(logging.WARNING)
                    logging.getLogger("mkdocs").addHandler(shards.warnings)
                    files.copy_static_files = lambda *args, **kwargs: None
                    config.theme.static_templates.clear()
                    config.extra_templates.clear()
                    return
                shards.workers.append(worker)

        def on_page_context(self, context, page, config, nav):
            # The page's HTML is sanitised here, by the worker that writes the page, rather
            # than as MkDocs reads every page in one process (on_page_content).
            site_page = by_uri.get(page.file.src_uri)
            if site_page is not None and page.file.src_uri in made and frames is not None:
                text = PageText(
                    site_page.title,
                    site_page.description,
                    page.canonical_url,
                    sanitize(site_page.html),
                )
                key = _shape_key(context, page, text, engine["targets"])
                try:
                    made[page.file.src_uri] = frames.finish(
                        key,
                        text,
                        page.file.dest_uri,
                        lambda fields: _render_fields(engine["template"], context, page, fields),
                    )
                except UnsafeOutput as exc:
                    raise SiteBuildError(f"unsafe output: {exc}\n  hint: {UNSAFE_HINT}") from None
            elif site_page is not None and page.meta.get("template") != SKIP_TEMPLATE:
                page.content = CONTENT_START + sanitize(site_page.html) + CONTENT_END
            return context

        def on_post_page(self, output, page, config):
            if page.file.src_uri in made:
                cleaned, links = made.pop(page.file.src_uri)
                checked[page.file.dest_uri] = links
                if page_cache is not None and page.file.src_uri in keys:
                    # Published as a link to its cache entry: MkDocs writes no empty page.
                    dest = page.file.abs_dest_path
                    if page_cache.put(keys[page.file.src_uri], cleaned, links, dest):
                        return ""
                return cleaned
            if page.meta.get("template") == SKIP_TEMPLATE:
                return output
            # Checked here, before MkDocs writes the page, rather than read back and written
            # again afterwards: a tenth of the build time at scale.
            own = page.meta.get("rb_title", ""), page.meta.get("rb_description", "")
            content = page.content if page.file.src_uri in by_uri else None
            if content is not None:
                content = content[len(CONTENT_START) : -len(CONTENT_END)]
            try:
                cleaned = check_page(
                    output,
                    page.file.dest_uri,
                    own_text=tuple(str(escape(text)) for text in own if text),
                    checks=chrome_checks,
                    content=content,
                )
            except UnsafeOutput as exc:
                raise SiteBuildError(f"unsafe output: {exc}\n  hint: {UNSAFE_HINT}") from None
            links = checked[page.file.dest_uri] = page_links(cleaned, page.file.dest_uri)
            if page_cache is not None and page.file.src_uri in keys:
                dest = page.file.abs_dest_path
                if page_cache.put(keys[page.file.src_uri], cleaned, links, dest):
                    return ""
            return cleaned

        def build_page(self, original):
            """MkDocs' ``_build_page`` for this build: another worker's page is not built at
            all here, and a page of this worker's whose shape has a verified frame is
            finished from it (:class:`FrameContext`) and written, without MkDocs' template
            context, events and empty render per page; any other goes through ``original``."""

            def build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
                src_uri = page.file.src_uri
                if src_uri not in made and page.meta.get("template") == SKIP_TEMPLATE:
                    return None  # rendered empty and not written, by MkDocs
                if src_uri in made and not excluded and self._finish(page):
                    return None
                return original(page, config, doc_files, nav, env, dirty, excluded)

            return build_page

        def _finish(self, page) -> bool:
            context = engine.get("context")
            if context is None:
                return False
            try:
                finished = context.finish(by_uri[page.file.src_uri])
            except UnsafeOutput as exc:
                raise SiteBuildError(f"unsafe output: {exc}\n  hint: {UNSAFE_HINT}") from None
            if finished is None or finished[0] != page.file.dest_uri:
                return False  # its shape's frame is not made (or verified) yet
            dest_uri, cleaned, links = finished
            del made[page.file.src_uri]
            checked[dest_uri] = links
            dest = page.file.abs_dest_path
            key = keys.get(page.file.src_uri)
            if page_cache is not None and key and page_cache.put(key, cleaned, links, dest):
                return True  # published as a link to its cache entry
            if cleaned.strip():
                write_file(cleaned.encode("utf-8", errors="xmlcharrefreplace"), dest)
            return True

        @event_priority(100)
        def on_post_build(self, config):
            if shards.child:
                counts = shards.warnings.get_counts() if shards.warnings else []
                if counts:
                    found = ", ".join(f"{n} {level.lower()}s" for level, n in counts)
                    aborted = SiteBuildError(f"MkDocs aborted the build ({found} in strict mode)")
                    _report(shards.report_fd, Failed(aborted), 1)
                _report(shards.report_fd, checked)
            errors = []
            for worker in list(shards.workers):
                result = worker.result()
                shards.workers.remove(worker)
                if isinstance(result, Failed):
                    errors.append(result.error)
                else:
                    checked.update(result)  # type: ignore[call-overload]
            if errors:
                raise errors[0]
            if page_cache is not None:
                site = Path(config.site_dir)
                for src_uri, cached in reuse.items():
                    dest = dest_of[src_uri]
                    page_cache.place(cached, site / dest)
                    checked[dest] = cached.links

    return RollbookPlugin()


@dataclass
class FrameContext:
    """What finishing one of rollbook's pages takes once a build has made the frames: the
    page in, its finished and checked HTML and its links out, without MkDocs.

    A page whose shape no frame of this build was verified for (see
    :class:`rollbook.site.frame.FrameSet`) gets None: render it through MkDocs."""

    frames: FrameSet
    targets: set[str]
    site_url: str | None
    extra_css: tuple[str, ...]
    extra_javascript: tuple[str, ...]

    def finish(self, page: SitePage) -> tuple[str, str, PageLinks] | None:
        """``(dest_uri, finished page, its links)`` for ``page``, as a build writes it."""
        from urllib.parse import urljoin

        from mkdocs.utils import get_relative_url, normalize_url

        stem = page.src_uri.rsplit(".", 1)[0]
        folder = stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"
        url, dest_uri = folder, folder + "index.html"
        canonical = None
        if self.site_url:
            base = self.site_url if self.site_url.endswith("/") else self.site_url + "/"
            canonical = urljoin(base, url)
        text = PageText(page.title, page.description, canonical, sanitize(page.html))
        address = types.SimpleNamespace(url=url, is_homepage=page.src_uri == "index.md")
        base_url = get_relative_url(".", url)
        context = {
            "base_url": base_url,
            "extra_css": [normalize_url(p, address, base_url) for p in self.extra_css],
            "extra_javascript": [
                normalize_url(s, address, base_url) for s in self.extra_javascript
            ],
        }
        frame = self.frames.frames.get(_shape_key(context, address, text, self.targets))
        if frame is None or not frame.verified:
            return None
        html, links = frame.finish(text, dest_uri)
        return dest_uri, html, links


def _record_link_targets(env, targets: set[str] | None = None) -> set[str]:
    """Make the theme's ``url`` and ``script_tag`` filters note what they are given (in
    ``targets``, kept with the frames they were noted for): a page's shape depends on the
    page's address only through them (see :func:`_shape_key`)."""
    from jinja2 import pass_context

    targets = set() if targets is None else targets

    def noting(name: str):
        original = env.filters[name]

        @pass_context
        def filter_(context, value):
            targets.add(str(value))
            return original(context, value)

        return filter_

    for name in ("url", "script_tag"):
        env.filters[name] = noting(name)
    return targets


def _shape_key(context, page, text: PageText, targets: set[str]) -> ShapeKey:
    """What a page's frame depends on besides its own fields: which fields it has, whether it
    is the home page, its base URL and stylesheets, and every address the theme links to,
    as seen from the page."""
    from mkdocs.utils import normalize_url

    return (
        bool(text.raw_title),
        bool(text.raw_description),
        text.raw_canonical is None,
        page.is_homepage,
        context["base_url"],
        tuple(str(x) for x in context["extra_css"]),
        tuple(str(x) for x in context["extra_javascript"]),
        tuple(normalize_url(t, page) for t in sorted(targets)),
    )


def _render_fields(template, context, page, fields: dict[str, str | None]) -> str:
    """The theme's render of ``page`` with ``fields`` in place of its own, as MkDocs renders
    a page of rollbook's (see RollbookPlugin.on_page_markdown and on_page_context)."""
    meta = page.meta
    saved = dict(meta), page.content, page.canonical_url
    meta.pop("template", None)
    meta["title"] = str(escape(fields["title"] or ""))
    meta["rb_title"] = fields["title"] or ""
    meta["rb_description"] = fields["description"] or ""
    page.canonical_url = fields["canonical"]
    page.content = fields["content"]
    try:
        return template.render(context)
    finally:
        meta.clear()
        meta.update(saved[0])
        page.content, page.canonical_url = saved[1], saved[2]


def make_theme_dir(user_templates: Path | None, theme: Path) -> Path:
    """Rollbook's theme layer, with the user's ``site/theme/`` files laid over it, at ``theme``."""
    theme.mkdir()
    for folder in reversed(template_search_path(user_templates)):
        if (folder / "theme").is_dir():
            shutil.copytree(folder / "theme", theme, dirs_exist_ok=True)
    (theme / SKIP_TEMPLATE).write_text("", encoding="utf-8")
    return theme


def check_search_worker(site: Path) -> None:
    """Fail the build if the home page would start Material's search worker, not rollbook's.

    The theme swaps the worker's path in Material's ``config`` block; a Material release
    that writes that block differently would otherwise leave a site whose search finds
    nothing (Material's worker, given rollbook's split index, sees no pages).
    """
    home = site / "index.html"
    if not home.is_file():
        return
    match = re.search(r'<script id="__config"[^>]*>(.*?)</script>', home.read_text("utf-8"), re.S)
    worker = json.loads(match.group(1)).get("search", "") if match else ""
    if match and not worker.endswith("assets/rollbook/search.js"):
        raise SiteBuildError(
            f"the site would search with {worker or 'no worker'}, not rollbook's: this "
            "version of Material writes its `config` block in a way rollbook's theme "
            "(theme/main.html) does not know; please report it"
        )


def _run_mkdocs(
    cfg: dict,
    pages: list[SitePage],
    assets: dict[str, bytes],
    checked: dict[str, PageLinks],
    *,
    jobs: int = 1,
    cache: _Cache = (None, {}, {}),
    frames: bool = False,
    engine: dict | None = None,
) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    mkdocs_log = logging.getLogger("mkdocs")
    previous = mkdocs_log.level
    # MkDocs chats at INFO ("Cleaning site directory", timings); rollbook prints its own.
    if previous == logging.NOTSET or previous < logging.WARNING:
        mkdocs_log.setLevel(logging.WARNING)
    shards = _Shards(jobs=max(1, jobs))
    from mkdocs.commands import build as mkdocs_build

    theme_template = mkdocs_build._build_theme_template
    build_page = mkdocs_build._build_page
    reused = cache[2]
    if reused:
        # Pages taken finished from the page cache are not MkDocs' files at all (reading
        # and building them would only make an empty page per page, most of an incremental
        # build's time in MkDocs), but the sitemap lists every page of the site, in order.
        def build_theme_template(template_name, env, files, config, nav):
            if template_name == "sitemap.xml":
                files = _sitemap_pages(pages, files, config)
            return theme_template(template_name, env, files, config, nav)

        mkdocs_build._build_theme_template = build_theme_template
    try:
        config_path = Path(cfg["docs_dir"]).parent / "mkdocs.yml"
        config = load_config(io.BytesIO(b"{}"), config_file_path=str(config_path), **cfg)
        plugin = _rollbook_plugin(
            pages, assets, checked, shards, cache, use_frames=frames, engine=engine
        )
        config.plugins["rollbook"] = plugin
        mkdocs_build._build_page = plugin.build_page(build_page)
        # The CLI runs these around build(); so must we, or plugins miss their setup.
        config.plugins.on_startup(command="build", dirty=False)
        try:
            try:
                build(config)
            except BaseException as exc:
                if shards.child:
                    # A worker forked inside build(): whatever went wrong goes to the parent,
                    # and the worker never unwinds into the parent's cleanup (which would
                    # delete the staging folder the parent is still building in).
                    _report(shards.report_fd, Failed(_as_site_error(exc)), 1)
                raise
        finally:
            shards.kill_all()
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        raise SiteBuildError(f"MkDocs: {exc}") from exc
    except SystemExit as exc:  # MkDocs' strict mode aborts with SystemExit
        raise SiteBuildError(f"MkDocs aborted the build ({exc})") from exc
    finally:
        mkdocs_log.setLevel(previous)
        mkdocs_build._build_theme_template = theme_template
        mkdocs_build._build_page = build_page


class _Pages(list):
    """Documentation pages, as MkDocs' sitemap reads them (a list, and ``Files``' method)."""

    def documentation_pages(self, **_: object) -> list:
        return list(self)


def _sitemap_pages(pages: list[SitePage], files, config) -> _Pages:
    """The documentation pages MkDocs' sitemap template is given, ``files.documentation_pages()``
    as it would be with every page of ``pages`` one of MkDocs' files: those MkDocs does not
    know stand in with what the template reads of them (as ``Page`` sets it)."""
    from urllib.parse import urljoin, urlsplit

    from mkdocs.structure.files import File
    from mkdocs.utils import get_build_date

    known = {file.src_uri: file for file in files.documentation_pages()}
    base = config.site_url
    if base and not base.endswith("/"):
        base += "/"
    date = get_build_date()
    found = []
    if not base:
        # Without a site URL no page has an address the sitemap lists (it lists none, and
        # writes nothing for them); the one thing it reads of the pages is their latest
        # date, for its .gz copy's header, the same for every page: one stand-in will do.
        stand_in = types.SimpleNamespace(
            is_link=False, canonical_url=None, abs_url=None, update_date=date
        )
        return _Pages([*known.values(), types.SimpleNamespace(src_uri="", page=stand_in)])
    for page in pages:
        file = known.pop(page.src_uri, None)
        if file is None:
            url = File(page.src_uri, None, config.site_dir, config.use_directory_urls).url
            url = "" if url in (".", "./") else url
            canonical = urljoin(base, url) if base else None
            stand_in = types.SimpleNamespace(
                is_link=False,
                canonical_url=canonical,
                abs_url=urlsplit(canonical).path if canonical else None,
                update_date=date,
            )
            file = types.SimpleNamespace(src_uri=page.src_uri, page=stand_in)
        found.append(file)
    # Any other documentation page (none today: the docs folder is empty) after them.
    return _Pages([*found, *known.values()])


def _as_site_error(exc: BaseException) -> SiteBuildError:
    from mkdocs.exceptions import MkDocsException

    if isinstance(exc, SiteBuildError):
        return exc
    if isinstance(exc, MkDocsException):
        return SiteBuildError(f"MkDocs: {exc}")
    if isinstance(exc, SystemExit):
        return SiteBuildError(f"MkDocs aborted the build ({exc})")
    return SiteBuildError(f"a build worker failed: {type(exc).__name__}: {exc}")


def prune_unused_assets(site: Path) -> None:
    """Remove theme files no reader ever loads: source maps, Material's search worker and
    lunr's language packs.

    Search is English-only (the search plugin's settings are not overridable), and Material's
    search worker loads lunr's extra scripts only for other languages. Source maps are for
    developer tools. Together they are over 2 MB, about two thirds of a small site.
    """
    shutil.rmtree(site / "assets" / "javascripts" / "lunr", ignore_errors=True)
    # Material's search worker: the theme starts rollbook's instead (rollbook.site.search).
    shutil.rmtree(site / "assets" / "javascripts" / "workers", ignore_errors=True)
    for path in list((site / "assets").rglob("*.map")):
        path.unlink()
