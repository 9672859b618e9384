"""The one module that talks to MkDocs and Material.

Everything MkDocs-specific lives here, so that moving to another engine (MkDocs 2 drops
plugins and themes; Material is announced end-of-life) touches one file. The configuration
is a Python dict: users need no ``mkdocs.yml``. Pages never exist on disk: they are
``File.generated`` in an ``on_files`` event, and their HTML replaces whatever Markdown would
have produced, so runbook text never passes through Python-Markdown (which lets raw HTML and
``javascript:`` links through).
"""

from __future__ import annotations

import copy
import html as htmllib
import io
import json
import logging
import os
import pickle
import posixpath
import re
import shutil
import signal
import threading
import types
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from jinja2 import Environment
from markupsafe import escape

from rollbook.render.jinja import page_environment, template_search_path
from rollbook.render.views import SitePage
from rollbook.site import stylesheet
from rollbook.site.offline import write_service_worker
from rollbook.site.output import staged_output
from rollbook.site.sanitize import (
    CONTENT_END,
    CONTENT_START,
    HTML_DOCUMENTS,
    UNCHECKABLE_DOCUMENTS,
    XML_DOCUMENTS,
    ChromeChecks,
    check_document,
    check_page,
    css_problems,
    sanitize,
    within_site,
)
from rollbook.site.search import SEPARATOR as SEARCH_SEPARATOR
from rollbook.site.search import SearchIndexReport, material_search_worker, write_search_index
from rollbook.workers import fork_worker

log = logging.getLogger("rollbook.site")
T = TypeVar("T")

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


# What a user is told when a finished page fails the check: only theme files and MkDocs
# settings can put anything into the theme's part of a page.
UNSAFE_HINT = (
    "a page may run no script but rollbook's and Material's, load nothing from another "
    "host and redirect nowhere; look at the files in your templates folder (site/theme/, "
    "site/assets/) and at the MkDocs overrides"
)
ASSETS = ("assets/rollbook.css", "assets/rollbook.js", "assets/search.js")
STUB = "<!-- generated by rollbook -->\n"
# An empty theme template: a page another worker builds renders to nothing, which MkDocs
# then skips writing (see RollbookPlugin.on_env).
SKIP_TEMPLATE = "rollbook-other-worker.html"
JOBS_ENV = "ROLLBOOK_JOBS"
MAX_JOBS = 4


class SiteBuildError(Exception):
    """The site could not be built; the previous site, if any, is untouched."""


@dataclass
class SiteOptions:
    """How to build: what the site is called, when it was built, where templates are."""

    site_name: str = "Runbooks"
    site_url: str | None = None
    built_iso: str = ""
    built_text: str = ""
    user_templates: Path | None = None
    overrides: dict = field(default_factory=dict)
    service_worker: bool = True
    jobs: int = 1
    """Processes building pages (forked workers, each writing its share of the pages)."""
    extra_files: dict[str, bytes] = field(default_factory=dict)
    """Other files to publish as they are, by site path (the problems report)."""


@dataclass
class SiteReport:
    """What a build produced, for the command to print and the benchmark to measure."""

    out: Path
    pages: int
    files: int
    bytes: int
    search: SearchIndexReport
    version: str

    @property
    def search_index_bytes(self) -> int:
        """What every page load fetches for search (the rest is fetched as a query needs it)."""
        return self.search.index_bytes


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


def default_jobs() -> int:
    """How many processes a build uses: ``$ROLLBOOK_JOBS``, else the usable cores (at most 4).

    One wherever forking is unsafe: without ``os.fork``, or with other threads running (the
    watcher and server of ``rollbook serve``), whose locks a forked child would inherit held.
    """
    from rollbook.config import ConfigError

    value = os.environ.get(JOBS_ENV, "").strip()
    if value:
        try:
            jobs = int(value)
        except ValueError:
            jobs = 0
        if jobs < 1:
            raise ConfigError(f"${JOBS_ENV}={value!r} is not a positive whole number")
    else:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        jobs = min(cores, MAX_JOBS)
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    return jobs


class _Worker:
    """A forked child that reports one pickled result to its parent through a pipe."""

    def __init__(self, pid: int, fd: int):
        self.pid = pid
        self.fd = fd

    @classmethod
    def fork(cls) -> tuple[_Worker | None, int]:
        """Fork: the parent gets the worker; the child gets None and the pipe to write to."""
        read, write = os.pipe()
        pid = fork_worker()  # the child dies with this process: nothing outlives a build
        if pid == 0:
            os.close(read)
            return None, write
        os.close(write)
        return cls(pid, read), -1

    @staticmethod
    def report(fd: int, result: object, code: int = 0) -> None:
        """In the child: send ``result`` and exit, without running the parent's cleanup."""
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            if isinstance(result, _Failed):
                pickle.loads(data)  # some exceptions pickle but cannot be rebuilt
        except Exception:
            error = result.error if isinstance(result, _Failed) else result
            failed = SiteBuildError(f"a build worker failed: {type(error).__name__}: {error}")
            data = pickle.dumps(_Failed(failed))
            code = 1
        try:
            with os.fdopen(fd, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(code)

    def result(self) -> object:
        """Wait for the child; its result, or SiteBuildError if it died without one."""
        with os.fdopen(self.fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if not data:
            raise SiteBuildError(f"a build worker died ({_describe(status)})")
        return pickle.loads(data)

    def kill(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0
            with suppress(OSError):
                os.close(self.fd)


class _Failed:
    """What a worker sends instead of a result when it raised."""

    def __init__(self, error: BaseException):
        self.error = error


def fork_map(func: Callable[[int], T], jobs: int) -> list[T]:
    """``[func(0), ..., func(jobs - 1)]``: ``func(0)`` here, the others in forked workers.

    Results come back pickled; a worker's exception is raised here (the first, in worker
    order), and a worker that dies without a word is a :class:`SiteBuildError`. Workers
    never return into the caller's frames: a forked child must not run the parent's cleanup.
    """
    workers: list[_Worker] = []
    try:
        for index in range(1, max(1, jobs)):
            worker, fd = _Worker.fork()
            if worker is None:
                try:
                    result: object = func(index)
                except BaseException as exc:
                    _Worker.report(fd, _Failed(exc), 1)
                _Worker.report(fd, result)
            workers.append(worker)
        results = [func(0)]
        for worker in workers:
            result = worker.result()
            if isinstance(result, _Failed):
                raise result.error
            results.append(result)  # type: ignore[arg-type]
        return results
    finally:
        for worker in workers:
            worker.kill()


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


@dataclass
class _Shards:
    """Which worker this process is, and the workers it started (parent only)."""

    jobs: int = 1
    index: int = 0
    report_fd: int = -1
    workers: list[_Worker] = field(default_factory=list)
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


def _rollbook_plugin(
    pages: list[SitePage],
    assets: dict[str, bytes],
    checked: dict[str, PageLinks],
    shards: _Shards,
):
    from mkdocs.plugins import BasePlugin, event_priority
    from mkdocs.structure.files import File
    from mkdocs.utils import CountHandler

    by_uri = {page.src_uri: page for page in pages}
    chrome_checks = ChromeChecks()
    # Pages are dealt to the workers in turn, so each gets a like mix of page kinds.
    worker_of = {page.src_uri: i % shards.jobs for i, page in enumerate(pages)}

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
            if shards.jobs > 1:
                self._fork(config, files)
            for file in files.documentation_pages():
                worker = worker_of.get(file.src_uri, 0)
                if worker != shards.index and file.page is not None:
                    file.page.meta["template"] = SKIP_TEMPLATE
            return env

        def _fork(self, config, files):
            for index in range(1, shards.jobs):
                worker, fd = _Worker.fork()
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
            if site_page is not None and page.meta.get("template") != SKIP_TEMPLATE:
                page.content = CONTENT_START + sanitize(site_page.html) + CONTENT_END
            return context

        def on_post_page(self, output, page, config):
            if page.meta.get("template") == SKIP_TEMPLATE:
                return output
            # Checked here, before MkDocs writes the page, rather than read back and written
            # again afterwards: a tenth of the build time at scale.
            from rollbook.site.sanitize import UnsafeOutput

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
            checked[page.file.dest_uri] = page_links(cleaned, page.file.dest_uri)
            return cleaned

        @event_priority(100)
        def on_post_build(self, config):
            if shards.child:
                counts = shards.warnings.get_counts() if shards.warnings else []
                if counts:
                    found = ", ".join(f"{n} {level.lower()}s" for level, n in counts)
                    _Worker.report(
                        shards.report_fd,
                        _Failed(
                            SiteBuildError(f"MkDocs aborted the build ({found} in strict mode)")
                        ),
                        1,
                    )
                _Worker.report(shards.report_fd, checked)
            errors = []
            for worker in list(shards.workers):
                result = worker.result()
                shards.workers.remove(worker)
                if isinstance(result, _Failed):
                    errors.append(result.error)
                else:
                    checked.update(result)  # type: ignore[call-overload]
            if errors:
                raise errors[0]

    return RollbookPlugin()


def _make_theme_dir(user_templates: Path | None, theme: Path) -> Path:
    """Rollbook's theme layer, with the user's ``site/theme/`` files laid over it, at ``theme``."""
    theme.mkdir()
    for folder in reversed(template_search_path(user_templates)):
        if (folder / "theme").is_dir():
            shutil.copytree(folder / "theme", theme, dirs_exist_ok=True)
    (theme / SKIP_TEMPLATE).write_text("", encoding="utf-8")
    return theme


def build_site(pages: list[SitePage], out: Path, options: SiteOptions) -> SiteReport:
    """Build ``pages`` into ``out`` atomically: the old site stays until the new one is done."""
    seen: set[str] = set()
    for page in pages:
        if page.src_uri in seen:
            # The model keeps ids off the names the layout uses; this is the last guard.
            raise SiteBuildError(f"two pages would be written to {page.src_uri}")
        seen.add(page.src_uri)
    env = page_environment(options.user_templates)
    assets = {f"assets/rollbook/{Path(a).name}": _template_bytes(env, a) for a in ASSETS}
    css = assets["assets/rollbook/rollbook.css"].decode("utf-8")
    assets["assets/rollbook/dark.css"] = no_js_dark_css(css).encode("utf-8")
    kinds = {p.kind for p in pages}
    assets.update(options.extra_files)
    # The staging copy of the site, the theme layer and MkDocs' docs folder all live in the
    # build's own folder beside `out`, removed when the build ends, or by the next build if
    # this one is killed (rollbook.site.output).
    with staged_output(out) as staged:
        staging = staged.site
        theme = _make_theme_dir(options.user_templates, staged.scratch / "theme")
        # An empty docs folder: every page is generated. MkDocs wants it beside the
        # (virtual) config file, not above it.
        docs = staged.scratch / "work" / "docs"
        docs.mkdir(parents=True)
        cfg = mkdocs_config(
            options, docs, staging, theme, has_tags="tag" in kinds, has_rules="rule" in kinds
        )
        # One stylesheet instead of three, and Material's script only when search needs it.
        stylesheet.add_to_build(
            cfg, assets, theme_dir=theme, template_dirs=template_search_path(options.user_templates)
        )
        checked: dict[str, PageLinks] = {}
        _run_mkdocs(cfg, pages, assets, checked, jobs=options.jobs)
        prune_unused_assets(staging)
        search = write_search_index(staging, pages)
        _check_search_worker(staging)
        check_site(staging, checked=checked, jobs=options.jobs)
        version = write_service_worker(staging, env, enabled=options.service_worker)
        files = [p for p in staging.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
    return SiteReport(out.resolve(), len(pages), len(files) + 1, size, search, version)


def _check_search_worker(site: Path) -> None:
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


_SLATE = "[data-md-color-scheme=slate]"
_SLATE_RULE = re.compile(r"([^{}@]*\[data-md-color-scheme=slate\][^{}]*)\{([^{}]*)\}")


def no_js_dark_css(rollbook_css: str) -> str:
    """Dark mode for readers without JavaScript, as CSS that follows the system setting.

    Material switches to its dark scheme (slate) only from a script. For a page read with
    JavaScript off on a phone set to dark, its slate colours, and rollbook's own slate rules,
    are repeated under ``prefers-color-scheme: dark`` for ``.no-js`` pages (the stylesheet
    ``assets/rollbook/dark.css``).
    """
    palette = stylesheet.material_file("stylesheets", "palette.*.min.css")
    rules = []
    if palette is not None:
        base = re.search(r"\[data-md-color-scheme=slate\]\{([^{}]*)\}", palette.read_text())
        if base:
            rules.append(f".no-js body[data-md-color-scheme]{{{base.group(1)}}}")
    for selector, body in _SLATE_RULE.findall(rollbook_css):
        scoped = ",".join(
            part.strip().replace(_SLATE, ".no-js body[data-md-color-scheme]")
            for part in selector.split(",")
        )
        rules.append(f"{scoped}{{{body.strip()}}}")
    return "@media (prefers-color-scheme: dark){" + "".join(rules) + "}\n"


def _template_bytes(env: Environment, name: str) -> bytes:
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    return source.encode("utf-8")


def _run_mkdocs(
    cfg: dict,
    pages: list[SitePage],
    assets: dict[str, bytes],
    checked: dict[str, PageLinks],
    *,
    jobs: int = 1,
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
    try:
        config_path = Path(cfg["docs_dir"]).parent / "mkdocs.yml"
        config = load_config(io.BytesIO(b"{}"), config_file_path=str(config_path), **cfg)
        config.plugins["rollbook"] = _rollbook_plugin(pages, assets, checked, shards)
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
                    _Worker.report(shards.report_fd, _Failed(_as_site_error(exc)), 1)
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


_HREF = re.compile(r'\s(?:href|src)="([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')


# What a page links to, found as it was written: (site-relative files it needs, each with the
# link as written, for messages), and its links to ids missing from the page itself.
PageLinks = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]


def check_site(site: Path, checked: dict[str, PageLinks] | None = None, *, jobs: int = 1) -> None:
    """Check every page and stylesheet: nothing executable or loaded from another host, no
    broken internal link.

    ``checked`` holds the pages checked as MkDocs wrote them, with their links: for those,
    only the links' targets are looked up here, without reading the page again. Every other
    page (MkDocs' own, such as 404.html) is read, checked, and rewritten without rollbook's
    content markers; with ``jobs`` > 1 they are dealt out to forked workers. Raises
    :class:`SiteBuildError` listing the first problems found.
    """
    checked = checked or {}
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    pages = sorted(f for f in files if f.lower().endswith(HTML_DOCUMENTS))
    unread = [n for n, rel in enumerate(pages) if rel not in checked]
    jobs = max(1, min(jobs, len(unread) // 20 or 1))

    def check(index: int) -> list[tuple[int, PageLinks]]:
        return [(n, _read_page(site, pages[n])) for n in unread[index::jobs]]

    links = {n: found for part in fork_map(check, jobs) for n, found in part}
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
    for raw in _HREF.findall(html):
        target = htmllib.unescape(raw)
        if not target or target.startswith(("//",)) or re.match(r"^[a-zA-Z][\w+.-]*:", target):
            continue
        target_path, _, fragment = target.partition("#")
        target_path = target_path.split("?", 1)[0]
        if not target_path:
            if fragment:
                ids = ids if ids is not None else set(_ID.findall(html))
                if fragment not in ids:
                    problems.append(f"{rel}: #{fragment} (no such id on the page)")
            continue
        resolved = posixpath.normpath(posixpath.join(base, target_path))
        if target_path.endswith("/") or resolved in {".", ""}:
            resolved = posixpath.join("" if resolved == "." else resolved, "index.html")
        if resolved.startswith("../"):
            problems.append(f"{rel}: {target}")
        else:
            needed.setdefault(resolved, target)
    return tuple(needed.items()), tuple(problems)
