"""Publishing the site under an address given at build time (`rollbook build --site-url`).

CI knows the site's address better than the configuration does: GitHub's
``actions/configure-pages`` and GitLab's ``$CI_PAGES_URL`` give it, subpath included
(``https://org.github.io/repo/``), and it changes when a repository is renamed or given a
custom domain. The address given on the command line replaces ``site-url`` for one build and
is checked exactly as the configuration's is.
"""

from __future__ import annotations

import dataclasses

from pydantic import ValidationError

from rollbook.config import Config, ConfigError, Project


def with_site_url(project: Project, site_url: str) -> Project:
    """``project`` with ``site-url`` replaced by ``site_url`` (a folder address: it gets a
    trailing slash), or :class:`ConfigError` saying what is wrong with the address."""
    value = site_url if site_url.endswith("/") else site_url + "/"
    try:
        checked = Config.model_validate({"site-url": value}).site_url
    except ValidationError as exc:
        reason = "; ".join(str(e.get("msg", "")) for e in exc.errors())
        raise ConfigError(f"--site-url {site_url!r}: {reason}") from None
    config = project.config.model_copy(update={"site_url": checked})
    return dataclasses.replace(project, config=config)
