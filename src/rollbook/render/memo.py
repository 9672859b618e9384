"""Runbook pages rendered by earlier builds, reused when what they were made from is the same.

Rendering a runbook's page through its Jinja2 template is a third of a build's time at scale,
and after an edit to one runbook the other pages would come out the same. Each runbook page
is kept under a key that hashes everything its template can see:

- the *salt*, the same for every runbook page of a build: rollbook's version and source,
  the configuration, the teams file as loaded, every template of the search path (the
  user's and rollbook's), whether lint ran, the files with errors (a preview's banner names
  them), and the rules;
- the runbook as loaded (its model, serialised), where it was read from, its problems and
  its lint findings, and in projects that use the guard, its outlook as of this build (who
  can be reached for the next 24 hours, freezes in force).

The build time is left out as in :mod:`rollbook.site.page_cache`: the templates write it in
one form, ``<time datetime=...>...</time>``, which a reused page gets rewritten to; a page
that shows it any other way is not kept, and when a template uses the ``built`` value itself
the time goes into the salt. Entries live in the build cache folder (``render/``), as JSON.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from jinja2 import meta

from rollbook.build_cache import prepare, source_digest, time_element, write_whole
from rollbook.render.jinja import template_search_path
from rollbook.render.pages import RunbookEntry, SiteRenderer
from rollbook.render.views import SitePage

FORMAT = b"rollbook rendered runbooks 1"


class RenderedRunbooks:
    """Runbook pages of earlier builds, in the build cache ``folder``."""

    def __init__(self, folder: Path, user_templates: Path | None):
        self.folder = folder / "render"
        self.user_templates = user_templates
        self.keys: set[str] = set()
        self.reused = 0

    def attach(self, renderer: SiteRenderer) -> None:
        """Work for ``renderer``'s build: its time, its templates, its project."""
        self.renderer = renderer
        built = renderer.built
        self.built_iso = built.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.built_text = built.strftime("%Y-%m-%d %H:%M UTC")
        self.time = time_element(self.built_iso, self.built_text)
        self.salt = self._salt(self.user_templates)

    def _salt(self, user_templates: Path | None) -> bytes:
        import rollbook

        renderer = self.renderer
        digest = hashlib.blake2b(FORMAT, digest_size=20)
        digest.update(source_digest())
        teams = renderer.loaded.teams
        parts = [
            rollbook.__version__,
            renderer.config.model_dump_json(),
            teams.model.model_dump_json() if teams is not None and teams.model else "",
            json.dumps(dataclasses.asdict(renderer.problems), default=str, sort_keys=True),
            json.dumps([dataclasses.asdict(rule) for rule in renderer.lint.rules], default=str),
            f"{renderer.lint.available} {renderer.lint.note} {renderer.preview}",
        ]
        env = renderer.env
        uses_built = False
        for folder in template_search_path(user_templates):
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                data = path.read_bytes()
                parts.append(path.relative_to(folder).as_posix())
                parts.append(hashlib.blake2b(data, digest_size=20).hexdigest())
                # Page templates only: the theme's are MkDocs', whose context has no `built`.
                page_template = path.relative_to(folder).parts[0] == "pages"
                if page_template and b"built" in data:
                    try:
                        names = meta.find_undeclared_variables(env.parse(data.decode("utf-8")))
                    except Exception:
                        names = {"built"}
                    uses_built = uses_built or "built" in names
            parts.append("")
        if uses_built:
            # A template reads the time itself (`built.year`, ...): pages depend on it.
            parts.append(self.built_iso)
        for part in parts:
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.digest()

    def key(self, entry: RunbookEntry) -> str:
        digest = hashlib.blake2b(self.salt, digest_size=20)
        findings = self.renderer.lint.by_file.get(entry.display, [])
        # The guard's outlook (who can be reached, freezes) is worked out as of the build
        # time, in the guard's time zone: a page shows it, so it is part of the page's key.
        outlook = self.renderer.outlook
        for part in (
            entry.src_uri,
            entry.display,
            entry.runbook.model_dump_json(),
            json.dumps([p.render() for p in entry.loaded.problems]),
            json.dumps([dataclasses.astuple(f) for f in findings], default=str),
            json.dumps(dataclasses.astuple(outlook(entry.runbook))) if outlook else "",
        ):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, entry: RunbookEntry) -> SitePage | None:
        """The page as an earlier build rendered it, brought to this build's time; or None."""
        key = self.key(entry)
        self.keys.add(key)
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            html = str(data["html"])
            if data["time"] != self.time:
                html = html.replace(str(data["time"]), self.time)
            page = SitePage(
                str(data["src_uri"]),
                str(data["title"]),
                str(data["description"]),
                html,
                search_text=str(data["search_text"]),
                kind=str(data["kind"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if page.src_uri != entry.src_uri:
            return None
        self.reused += 1
        return page

    def put(self, entry: RunbookEntry, page: SitePage) -> None:
        """Keep a page rendered by this build, unless it shows the time in another form."""
        stamp_free = page.html.replace(self.time, "")
        if self.built_iso in stamp_free or self.built_text in stamp_free:
            return
        data = {**dataclasses.asdict(page), "time": self.time}
        path = self._path(self.key(entry))
        try:
            prepare(self.folder)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_whole(path, json.dumps(data).encode("utf-8"))
        except OSError:
            return

    def prune(self) -> None:
        """Remove the entries this build did not look for."""
        if not self.folder.is_dir():
            return
        for sub in self.folder.iterdir():
            try:
                for entry in sub.iterdir():
                    if entry.name.removesuffix(".json") not in self.keys:
                        entry.unlink(missing_ok=True)
            except OSError:
                continue
