"""Runbooks -> page content, through Jinja2 templates with autoescaping on."""

from rollbook.render.pages import SiteRenderer, render_site, search_text
from rollbook.render.views import FindingView, LintResults, RuleView, SitePage

__all__ = [
    "FindingView",
    "LintResults",
    "RuleView",
    "SitePage",
    "SiteRenderer",
    "render_site",
    "search_text",
]
