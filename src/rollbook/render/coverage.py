"""The coverage page: features a source declares that no runbook covers, and where each is.

The linter works out coverage (:func:`rollbook.lint.rules.coverage.coverage`, the same
computation RB101 reports); this module only turns it into a page. Keys, paths and messages
come from the user's flag files and code and may hold anything: they are shown with
invisible and direction-changing characters as visible escapes (``\\u202e``), and the template
escapes the rest.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from rollbook.render import urls
from rollbook.render.views import CoverageView, GapView, SitePage
from rollbook.safe_text import for_terminal

if TYPE_CHECKING:
    from rollbook.lint.rules.coverage import Coverage
    from rollbook.render.pages import SiteRenderer

# Gaps listed on the page: a repository adopting rollbook may have thousands of flags, and
# the page must stay small enough for a phone; `rollbook lint` lists them all.
COVERAGE_LIMIT = 500
# Keys the page is found by in search (each is a word the search index must hold).
SEARCH_KEYS = 200


def _shown(text: str) -> str:
    return for_terminal(text, lines=False)


def coverage_view(found: Coverage | None) -> CoverageView | None:
    """The linter's coverage as the page needs it (None when lint did not compute it)."""
    if found is None:
        return None
    gaps = tuple(
        GapView(
            key=_shown(gap.key),
            source=_shown(gap.feature.source),
            path=_shown(gap.feature.location.path),
            line=gap.feature.location.line,
            why=_shown(gap.hit.message),
            fix=_shown(gap.hit.help or ""),
        )
        for gap in found.gaps
    )
    return CoverageView(found.sources_configured, found.deployable, gaps)


def coverage_page(renderer: SiteRenderer, coverage: CoverageView) -> SitePage:
    """The page listing the gaps, grouped by the file that declares them (each file linked to
    the repository when ``repo-url`` is set, as runbook pages link to theirs)."""
    shown = sorted(coverage.gaps, key=lambda g: (g.path, g.line, g.key))[:COVERAGE_LIMIT]
    files: dict[str, list[GapView]] = defaultdict(list)
    for gap in shown:
        files[gap.path].append(gap)
    groups = [
        {"path": path, "url": renderer.source(path)["url"], "gaps": items}
        for path, items in files.items()
    ]
    total = len(coverage.gaps)
    html = renderer.render_page(
        "pages/coverage.html",
        urls.COVERAGE,
        coverage=coverage,
        groups=groups,
        total=total,
        shown=len(shown),
        covered=coverage.deployable - total,
    )
    # A search for a flag that has no runbook finds this page: it says so and where it is.
    keys = " ".join(dict.fromkeys(g.key for g in shown[:SEARCH_KEYS]))
    return SitePage(
        urls.COVERAGE,
        "Coverage",
        _description(coverage, total),
        html,
        search_text=f"coverage {keys}".strip(),
        kind="coverage",
    )


def _description(coverage: CoverageView, total: int) -> str:
    if not coverage.sources_configured:
        return "No feature sources are configured: coverage is not checked."
    if total == 1:
        return f"1 of {coverage.deployable} deployable features has no runbook."
    if total:
        return f"{total} of {coverage.deployable} deployable features have no runbook."
    return f"All {coverage.deployable} deployable features have a runbook."
