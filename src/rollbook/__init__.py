"""rollbook: runbooks as code for every deployable feature."""

__version__ = "0.1.0"
