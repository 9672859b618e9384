"""Build the site: the runbook pages and rollbook's assets, through the site engine
(:mod:`rollbook.site.mkdocs_driver`), into a staging folder that replaces the old site whole
once every check has passed."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from rollbook.build_cache import prepare
from rollbook.render.jinja import page_environment
from rollbook.render.views import SitePage
from rollbook.site import mkdocs_driver
from rollbook.site.dark_css import no_js_dark_css
from rollbook.site.errors import SiteBuildError
from rollbook.site.links import check_site
from rollbook.site.offline import FileFacts, site_files, write_service_worker
from rollbook.site.output import SPARE, spare_folder, staged_output
from rollbook.site.sanitize import HTML_DOCUMENTS
from rollbook.site.search import SearchIndexReport, write_search_index
from rollbook.site.state import BuildState

# What the service worker's manifest read of each file (rollbook.site.offline.FileFacts).
FACTS = "files.json"
# What the search index was made of last (rollbook.site.search.write_search_index).
SEARCH_STATE = "search-index.json"
ASSETS = ("assets/rollbook.css", "assets/rollbook.js", "assets/search.js")


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
    cache: Path | None = None
    """The build cache folder (:mod:`rollbook.site.page_cache`), or None to render all."""
    frames: dict | None = None
    """Where the caller keeps the theme's frames between its builds (``BuildState.frames``:
    ``rollbook serve`` also finishes pages with them, see :class:`~rollbook.site.
    mkdocs_driver.FrameContext`): a build whose theme, settings and time are those of the
    frames kept uses them; any other empties it and keeps its own. None: every build makes
    its own."""
    state: BuildState | None = None
    """The cache's indexes kept in memory between builds (:mod:`rollbook.site.state`)."""


@dataclass
class SiteReport:
    """What a build produced, for the command to print and the benchmark to measure."""

    out: Path
    pages: int
    files: int
    bytes: int
    search: SearchIndexReport
    version: str
    rendered: int = 0
    """Pages rendered by this build (the others were taken from the cache)."""
    reused: int = 0
    """Pages taken finished from the build cache."""
    fresh: tuple[str, ...] = ()
    """The pages rendered (by ``src_uri``, such as ``runbooks/<id>.md``)."""
    frames: mkdocs_driver.FrameContext | None = field(default=None, repr=False, compare=False)
    """What finishes more of this site's pages without MkDocs (None when frames are off)."""

    @property
    def search_index_bytes(self) -> int:
        """What every page load fetches for search (the rest is fetched as a query needs it)."""
        return self.search.index_bytes


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
    assets.update(options.extra_files)
    # The staging copy of the site, the engine's scratch files (theme layer, docs folder) all
    # live in the build's own folder beside `out`, removed when the build ends, or by the next
    # build if this one is killed (rollbook.site.output).
    spare = None
    if options.cache is not None:
        spare = spare_folder(options.cache, out)
        with contextlib.suppress(OSError):  # marked as a cache before anything goes in
            prepare(options.cache)
    with staged_output(out, spare=spare) as staged:
        staging = staged.site
        use = mkdocs_driver.CacheUse()
        checked = mkdocs_driver.build(
            pages, assets, options, site=staging, scratch=staged.scratch, cache_use=use
        )
        search = write_search_index(
            staging,
            pages,
            spare=staged.scratch / SPARE,
            state=options.cache / SEARCH_STATE if options.cache is not None else None,
        )
        # One walk of the site for the link check and the service worker's manifest. The
        # check rewrites the pages MkDocs wrote itself (the only ones it has not checked):
        # those are looked at again after it.
        files = site_files(staging)
        check_site(staging, checked=checked, jobs=options.jobs, files=set(files))
        for rel in [
            rel for rel in files if rel not in checked and rel.lower().endswith(HTML_DOCUMENTS)
        ]:
            try:
                files[rel] = (staging / rel).stat()
            except FileNotFoundError:
                del files[rel]
        facts = FileFacts(
            options.cache / FACTS if options.cache is not None else None, options.state
        )
        version = write_service_worker(
            staging, env, enabled=options.service_worker, facts=facts, files=files
        )
        for name in ("sw.js", "precache.json"):
            files[name] = (staging / name).stat()
        count = len(files)
        size = sum(stat.st_size for stat in files.values())
    facts.save()
    use.prune()  # the new site is in place: the cache keeps only what it is made of
    return SiteReport(
        out.resolve(),
        len(pages),
        count + 1,
        size,
        search,
        version,
        rendered=use.rendered,
        reused=use.reused,
        fresh=use.fresh,
        frames=use.frames,
    )


def _template_bytes(env: Environment, name: str) -> bytes:
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    return source.encode("utf-8")
