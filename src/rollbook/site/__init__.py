"""The static site: MkDocs + Material driven from Python.

:mod:`rollbook.site.build` builds a site; :mod:`rollbook.site.mkdocs_driver` is the one
module that talks to MkDocs and Material.
"""

from rollbook.site.build import SiteOptions, SiteReport, build_site
from rollbook.site.errors import SiteBuildError
from rollbook.site.output import OutputError

__all__ = ["OutputError", "SiteBuildError", "SiteOptions", "SiteReport", "build_site"]
