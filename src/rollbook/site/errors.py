"""The error every part of the site build raises."""


class SiteBuildError(Exception):
    """The site could not be built; the previous site, if any, is untouched."""
