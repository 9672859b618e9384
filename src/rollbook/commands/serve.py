"""`rollbook serve`: build into a temporary folder, serve it on 127.0.0.1, rebuild on change.

It reuses MkDocs' live-reload server, but every rebuild is a full `rollbook build`, so the
preview is exactly what `build` will publish (minus the offline service worker, which would
keep showing an old copy while you edit).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from rollbook.commands.build import OVERRIDES_NAME, build
from rollbook.config import Project

log = logging.getLogger("rollbook.serve")


def watched_paths(project: Project, overrides: Path | None) -> list[Path]:
    """What a change to triggers a rebuild: runbooks, teams, templates, config, overrides."""
    paths = [*project.runbook_roots, project.teams_path]
    if project.config.templates:
        paths.append(project.resolve(project.config.templates))
    if project.config_path is not None:
        paths.append(project.config_path)
    paths.append(overrides or project.root / OVERRIDES_NAME)
    return [p for p in dict.fromkeys(paths) if p.exists()]


def serve(
    project: Project,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    overrides: Path | None = None,
    livereload: bool = True,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve a preview of the site until interrupted."""
    from mkdocs.livereload import LiveReloadServer

    with tempfile.TemporaryDirectory(prefix="rollbook-serve-") as tmp:
        out = Path(tmp) / "site"

        def builder() -> None:
            try:
                outcome = build(project, out, overrides=overrides, service_worker=False)
            except Exception as exc:
                echo(f"build failed, still serving the previous one: {exc}")
                return
            echo(f"built {outcome.report.pages} pages")

        builder()
        if not out.is_dir():
            raise RuntimeError("the first build failed; fix the errors above and retry")
        server = LiveReloadServer(builder=builder, host=host, port=port, root=str(out))
        if livereload:
            for path in watched_paths(project, overrides):
                server.watch(str(path))
        echo(f"Serving on {server.url} (Ctrl+C to stop)")
        try:
            server.serve()
        except KeyboardInterrupt:
            echo("Stopped.")
        finally:
            server.shutdown()
