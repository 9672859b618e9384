"""`rollbook serve`: build into a temporary folder, serve it on 127.0.0.1, rebuild on change.

It reuses MkDocs' live-reload server, but every rebuild is a full `rollbook build`, so the
preview is what `build` will publish (minus the offline service worker, which would keep
showing an old copy while you edit). A saved runbook's page is shown before that rebuild
(:mod:`rollbook.commands.serve_quick`, :class:`PreviewBuilds`). Every build of one preview is
dated when the preview started: pages an edit did not change are then the very files of the
last build (hard links into the build cache), where a new time would have every page of the
site rewritten on every save, seconds at 10,000 runbooks. Unlike `build`, it keeps going when
runbook files have errors: a preview that refused to show anything would hide what is wrong.
Instead every page carries a banner saying how many files have errors, linking to the problems
page.
"""

from __future__ import annotations

import errno
import logging
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from rollbook.commands.build import build, build_time
from rollbook.commands.serve_quick import QuickPages
from rollbook.commands.serve_watch import Watched, start_observer
from rollbook.config import ConfigError, Project
from rollbook.site.output import locked_folder
from rollbook.site.state import BuildState

log = logging.getLogger("rollbook.serve")
SERVE_PREFIX = "rollbook-serve-"
# How many ports after a busy one to try, to suggest one that is free.
PORTS_TO_TRY = 20
# Seconds without a change before a save counts as done (an editor's save is several events).
SETTLE = 0.1


def _bind_error(host: str, port: int) -> OSError | None:
    """Why the server could not listen on ``host:port`` (None if it can), as it would bind."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As http.server does (allow_reuse_address): a port left in TIME_WAIT is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            return exc
    return None


def port_error(host: str, port: int, error: OSError | None = None) -> ConfigError | None:
    """A usage error saying the port cannot be used and suggesting a free one, or None."""
    error = error if error is not None else _bind_error(host, port)
    if error is None:
        return None
    if error.errno == errno.EADDRINUSE:
        why = f"port {port} on {host} is already in use (another `rollbook serve` or server?)"
    elif error.errno == errno.EACCES:
        why = f"port {port} on {host} needs privileges this user does not have"
    else:
        why = f"cannot listen on {host}:{port}: {error.strerror or error}"
    free = next(
        (
            p
            for p in range(port + 1, min(port + 1 + PORTS_TO_TRY, 65536))
            if _bind_error(host, p) is None
        ),
        None,
    )
    hint = f"use another one: --port {free} is free" if free else "choose another with --port"
    return ConfigError(f"{why}; {hint}")


def serve(
    project: Project,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    overrides: Path | None = None,
    livereload: bool = True,
    poll: bool = False,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve a preview of the site until interrupted.

    Rebuilds when a file a build reads changes (:mod:`rollbook.commands.serve_watch`), seen
    through the operating system's change notifications, or by polling with ``poll``.
    Raises ConfigError (a usage error) at once, before building, when the port is taken.
    """
    busy = port_error(host, port)
    if busy is not None:
        raise busy
    # A locked folder: if this process is killed, the next `rollbook serve` removes it.
    with locked_folder(Path(tempfile.gettempdir()), SERVE_PREFIX) as tmp:
        preview = PreviewBuilds(project, tmp, overrides=overrides, echo=echo)
        preview.build()
        if not preview.out.is_dir():
            raise RuntimeError("the first build failed; fix the errors above and retry")
        busy = port_error(host, port)  # taken while the first build ran?
        if busy is not None:
            raise busy
        server = _Server(builder=preview.build, host=host, port=port, root=str(preview.out))
        preview.server = server
        if livereload:
            server.inject_reload_script()
        observer = None
        if livereload:
            observer, note = start_observer(
                Watched(project, overrides), preview.on_change, poll=poll
            )
            if note:
                echo(note)
        try:
            echo(f"Serving on {server.url} (Ctrl+C to stop)")
            server.serve()  # binds first: the port may have been taken since
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            raise port_error(host, port, exc) or exc from None
        except KeyboardInterrupt:
            echo("Stopped.")
        finally:
            preview.stop()
            server.shutdown()
            if observer is not None:
                observer.stop()  # type: ignore[attr-defined]
                observer.join()  # type: ignore[attr-defined]


class PreviewBuilds:
    """The preview's builds into ``tmp/site``, and the saved runbooks' pages shown first.

    ``on_change(path)`` for every change the watch sees. Once the changes settle (no event
    for :data:`SETTLE` seconds: an editor's save is several events), the saved runbooks'
    pages are written (:mod:`rollbook.commands.serve_quick`) and the browsers reloaded, at
    once, even while a rebuild runs; the server then calls :meth:`build`. A build's site
    may lack what was saved while it ran: those pages are written again over it before the
    browsers reload. ``server``: the live-reload server (None until the first build is
    done): ``rebuild_soon``, ``serve_during_build``, ``reload_browsers`` and
    ``reload_after_build``."""

    def __init__(
        self,
        project: Project,
        tmp: Path,
        *,
        overrides: Path | None = None,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.project = project
        self.tmp = tmp
        self.out = tmp / "site"
        self.overrides = overrides
        self.echo = echo
        self.started = build_time()  # every build of the preview says it was built then
        self.quick = QuickPages(project, self.out)
        # What each build takes from the one before (the cache's indexes, the theme's frames).
        self.state = BuildState()
        self.server = None
        # Saves since the last build started (for the next build), and since the saved
        # pages were last shown first.
        self.changed: set[Path] = set()
        self.pending: set[Path] = set()
        self.lock = threading.Lock()  # over those two sets and the timer
        self.quick_lock = threading.Lock()  # over `quick` and the pages it writes
        self.timer: threading.Timer | None = None

    def on_change(self, path: str) -> None:
        with self.lock:
            self.changed.add(Path(path))
            self.pending.add(Path(path))
            if self.timer is not None:
                self.timer.cancel()
            self.timer = threading.Timer(SETTLE, self.settled)
            self.timer.daemon = True
            self.timer.start()
        if self.server is not None:
            self.server.rebuild_soon()

    def settled(self) -> None:
        """The saves have settled: their pages first, and the browsers reloaded."""
        with self.lock:
            paths = set(self.pending)
            self.pending.clear()
        with self.quick_lock:
            written = self._show_first(paths) if paths else []
        if written and self.server is not None:
            self.server.reload_browsers()

    def _show_first(self, paths: set[Path]) -> list[str]:
        try:
            written = self.quick.patch(paths)
        except Exception as exc:  # the rebuild says what is wrong
            log.debug("no page first: %s", exc)
            return []
        if written:
            shown = ", ".join(dest.removesuffix("index.html") for dest in written)
            self.echo(f"showing {shown} first; rebuilding the rest")
        return written

    def build(self) -> None:
        """One build of the preview (the first, or a rebuild), as the server asks."""
        if self.server is not None:
            # A build swaps the new site in whole: the preview serves the last one (and the
            # pages shown first) meanwhile, rather than holding every request.
            self.server.serve_during_build()
        with self.lock:
            self.changed.clear()
        try:
            outcome = build(
                self.project,
                self.out,
                overrides=self.overrides,
                service_worker=False,
                keep_going=True,
                preview=True,
                # Rebuilds reuse every page an edit did not change (the preview's own cache:
                # its pages differ from `rollbook build`'s, so sharing the project's would
                # only evict each other's).
                cache=self.tmp / "cache",
                built=self.started,
                state=self.state,
            )
        except Exception as exc:
            with self.quick_lock:
                self.quick.forget()
            self.echo(f"build failed, still serving the previous one: {exc}")
            return
        with self.lock:
            since = set(self.changed)  # saved while this build ran: it may lack them
        with self.quick_lock:
            self.quick.remember(outcome)
            if since:
                self._show_first(since)
        if self.server is not None:
            self.server.reload_after_build()
        echo = self.echo
        echo(f"built {outcome.report.pages} pages")
        if outcome.invalid:
            n = len(outcome.invalid)
            echo(
                f"{n} file{'s' if n != 1 else ''} with errors "
                f"({outcome.missing} runbook{'s' if outcome.missing != 1 else ''} missing); "
                "every page of the preview says so: see its problems page"
            )
            for item in outcome.invalid[:10]:
                for problem in item.problems[:1]:
                    echo(f"  {problem.location}: {problem.code} {problem.message}")

    def stop(self) -> None:
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()


def _server_class():
    from mkdocs.livereload import LiveReloadServer

    class Server(LiveReloadServer):
        """MkDocs' live-reload server, told of changes by rollbook's own watch (it watches
        nothing itself, so its polling observer never starts)."""

        def rebuild_soon(self) -> None:
            # What MkDocs' own watch callback does (mkdocs.livereload, 1.6).
            with self._rebuild_cond:
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        # MkDocs' server (mkdocs.livereload, 1.6) counts versions of the site: the one
        # browsers show (_visible_epoch) and the one being built (_wanted_epoch). A browser
        # reloads when the first grows; a request waits while the two differ.

        def inject_reload_script(self) -> None:
            """Put the live-reload script in every page served, as MkDocs does only once
            something is watched through it (rollbook watches for it)."""
            self._watched_paths.setdefault("(rollbook serve's own watch)", 1)

        def serve_during_build(self) -> None:
            """Serve requests while this build runs (with the last site: builds swap theirs
            in whole), instead of holding them until it ends."""
            with self._epoch_cond:
                self._wanted_epoch = self._visible_epoch
                self._epoch_cond.notify_all()

        def reload_browsers(self) -> None:
            """Reload the browsers now (the edited runbook's page is there)."""
            from mkdocs.livereload import _timestamp

            with self._epoch_cond:
                self._visible_epoch = self._wanted_epoch = max(
                    _timestamp(), self._visible_epoch + 1
                )
                self._epoch_cond.notify_all()

        def reload_after_build(self) -> None:
            """Have the browsers reload when this build returns (as MkDocs then does)."""
            from mkdocs.livereload import _timestamp

            with self._epoch_cond:
                self._wanted_epoch = max(_timestamp(), self._visible_epoch + 1)

    return Server


def _Server(**kwargs):  # the class, made when first used (MkDocs is slow to import)
    return _server_class()(**kwargs)
