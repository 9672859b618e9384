"""The static site: MkDocs + Material driven from Python (see :mod:`rollbook.site.engine`)."""

from rollbook.site.engine import SiteBuildError, SiteOptions, SiteReport, build_site
from rollbook.site.output import OutputError

__all__ = ["OutputError", "SiteBuildError", "SiteOptions", "SiteReport", "build_site"]
