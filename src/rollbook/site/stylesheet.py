"""One small stylesheet per site: Material's CSS cut down to what rollbook's pages can show,
followed by rollbook's own.

A page cannot be drawn until every stylesheet in its ``<head>`` has arrived. Material ships
two (``main.*.min.css``, 23 KB compressed, and ``palette.*.min.css``) and rollbook adds a
third: three requests a phone on a slow network waits for before it shows the rollback
steps. Most of Material's CSS styles what rollbook's pages never contain (navigation
drawers, tabs, admonitions, content tabs, annotations, the other nineteen colour palettes,
two hundred icons kept in custom properties), yet the browser downloads and parses all of it
before the first paint, and again restyles against it on every layout.

So the build writes ``assets/rollbook/site.css`` once per site: Material's two stylesheets
read from the installed ``material`` package (whatever its version), without the rules whose
selectors need a class no template renders, and without the palettes and custom properties
nothing uses; then rollbook's stylesheet. The classes are read from the templates themselves
(rollbook's, the user's overrides, and the Material templates those pages actually render)
and from the page scripts, which add classes of their own (search results, the clipboard
dialog). Whenever the classes cannot be known (a class written by an expression, a template
Jinja cannot parse, CSS this parser does not follow), Material's CSS is kept whole: the
stylesheet is still one request, only larger.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateError

from rollbook.site.mkdocs_driver import material_file, material_templates

STYLESHEET = "assets/rollbook/site.css"

# Classes no template writes in a class attribute: the inline script in rollbook's theme and
# Material's bundle swap ``no-js`` for ``js`` on <html>.
ALWAYS = frozenset({"js", "no-js"})
# At-rules holding rules (pruned like the top level); any other block is kept as it is.
_GROUPS = ("@media", "@supports", "@layer", "@container", "@document")
# The Material templates MkDocs renders into files for rollbook: every page, and the 404.
_ENTRY_TEMPLATES = ("main.html", "404.html")

_CLASS_ATTR = re.compile(r'\sclass="([^"]*)"')
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_ATTRIBUTE = re.compile(r"\[[^\]]*\]")
_PARENS = re.compile(r"\([^()]*\)")
_COLOUR = re.compile(r"\[data-md-color-(primary|accent)=[\"']?([\w-]+)[\"']?\]")
_QUOTED = re.compile(r"""["']([a-zA-Z][\w -]*)["']""")
_VAR_USE = re.compile(r"var\(\s*(--[\w-]+)")
_CHARSET = re.compile(r'^\s*@charset\s+"[^"]*";', re.I)
_EXPR = "\0"  # stands in for a {{ expression }} inside collected template text


class CSSError(ValueError):
    """The stylesheet has a shape this small parser does not follow."""


def site_stylesheet(
    rollbook_css: str,
    *,
    theme_dir: Path,
    page_dirs: Iterable[Path],
    scripts: Iterable[str],
    palette: object,
) -> str:
    """The site's one stylesheet: Material's main and palette CSS, pruned, then rollbook's.

    ``theme_dir`` is the theme layer laid over Material (rollbook's with the user's files),
    ``page_dirs`` the folders of page-body templates, ``scripts`` the text of every script
    a page can run, and ``palette`` the ``theme.palette`` setting.
    """
    main = material_file("stylesheets", "main.*.min.css")
    colours = material_file("stylesheets", "palette.*.min.css") if palette else None
    material_css = "".join(_CHARSET.sub("", p.read_text("utf-8")) for p in (main, colours) if p)
    classes = used_classes(theme_dir, page_dirs, scripts)
    if classes is not None:
        # On CSSError, the whole of Material's CSS: larger, never wrong.
        with suppress(CSSError):
            material_css = prune(material_css, classes, _palette_values(palette), rollbook_css)
    return '@charset "UTF-8";\n' + material_css + "\n" + _CHARSET.sub("", rollbook_css)


def _palette_values(palette: object) -> dict[str, set[str]] | None:
    """The primary and accent colours pages can show, as Material writes them on <body>."""
    schemes = palette if isinstance(palette, list) else [palette]
    if not all(isinstance(s, dict) for s in schemes):
        return None
    values: dict[str, set[str]] = {"primary": set(), "accent": set()}
    for scheme in schemes:
        for key in values:
            value = str(scheme.get(key) or "indigo")
            values[key].add(value.replace(" ", "-").lower())
    return values


# --- Which classes pages can have -----------------------------------------------------------


def used_classes(
    theme_dir: Path, page_dirs: Iterable[Path], scripts: Iterable[str]
) -> Classes | None:
    """Every class a page may carry, or None when that cannot be known.

    Template text is gathered from the page templates and from what MkDocs renders: the
    theme's ``main.html`` and Material's ``404.html``, each with its chain of parent
    templates, where a block the child replaces (without ``super()``) is not rendered, and
    every template they include or import. Scripts add classes by name: every quoted word
    in them counts, which keeps more than they use, never less.
    """
    loader = _Templates([theme_dir, material_templates()])
    text: list[str] = []
    try:
        for name in _ENTRY_TEMPLATES:
            text.extend(loader.rendered_text(name))
        for folder in page_dirs:
            for path in sorted(folder.rglob("*.html")):
                text.extend(_walk(loader.parse_file(path), loader, {}, set()))
    except (TemplateError, OSError, UnicodeDecodeError, RecursionError):
        return None
    classes = Classes(set(ALWAYS), set())
    for value in _CLASS_ATTR.findall("".join(text)):
        for token in value.split():
            prefix = token.split(_EXPR, 1)[0]
            if prefix != token and not prefix:
                return None  # a class made by an expression alone: could be any
            (classes.prefixes if prefix != token else classes.names).add(prefix)
    for script in scripts:
        for quoted in _QUOTED.findall(script):
            classes.names.update(quoted.split())
    return classes


@dataclass
class Classes:
    """Class names pages may carry, and prefixes of those a template completes with an
    expression (``rb-risk--{{ level }}``)."""

    names: set[str]
    prefixes: set[str]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (
            name in self.names or name.startswith(tuple(self.prefixes))
        )


class _Templates:
    """Finds and parses theme templates as MkDocs would: the theme layer, then Material."""

    def __init__(self, folders: list[Path]):
        self.folders = folders
        self.env = Environment()
        self.cache: dict[str, nodes.Template | None] = {}

    def parse(self, name: str) -> nodes.Template | None:
        if name not in self.cache:
            path = next((f / name for f in self.folders if (f / name).is_file()), None)
            self.cache[name] = self.parse_file(path) if path else None
        return self.cache[name]

    def parse_file(self, path: Path) -> nodes.Template:
        return self.env.parse(path.read_text("utf-8"))

    def rendered_text(self, name: str, seen: set[str] | None = None) -> list[str]:
        """The literal text template ``name`` can output, expressions marked ``_EXPR``."""
        seen = set() if seen is None else seen
        if name in seen or name.startswith(_TEXT_ONLY):
            return []  # icons carry no classes
        seen.add(name)
        chain: list[nodes.Template] = []
        template = self.parse(name)
        while template is not None and len(chain) < 20:
            chain.append(template)
            parent = next(iter(template.find_all(nodes.Extends)), None)
            if parent is None:
                break
            if not isinstance(parent.template, nodes.Const):
                raise TemplateError(f"{name} extends a template named by an expression")
            template = self.parse(parent.template.value)
            if template is None:
                raise TemplateError(f"{name} extends a missing template")
        if not chain:
            return []
        # Each block's definitions, most derived first: the first is what renders, and a
        # definition calling super() renders the next one too.
        blocks: dict[str, list[nodes.Block]] = {}
        for template in chain:
            for block in template.find_all(nodes.Block):
                blocks.setdefault(block.name, []).append(block)
        return list(_walk(chain[-1], self, blocks, seen))


def _calls_super(block: nodes.Block) -> bool:
    return any(
        isinstance(call.node, nodes.Name) and call.node.name == "super"
        for call in block.find_all(nodes.Call)
    )


def _walk(
    node: nodes.Node, loader: _Templates, blocks: dict[str, list[nodes.Block]], seen: set[str]
) -> Iterator[str]:
    """The literal text under ``node``, in order, with both sides of every ``if``."""
    if isinstance(node, nodes.Block) and node.name in blocks:
        for definition in blocks[node.name]:
            for child in definition.body:
                yield from _walk(child, loader, blocks, seen)
            if not _calls_super(definition):
                break
        return
    if isinstance(node, nodes.Extends):
        return
    if isinstance(node, nodes.TemplateData):
        yield node.data
        return
    if isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport)):
        target = node.template
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            yield from loader.rendered_text(target.value, seen)
        elif not _names_text_only(target):
            raise TemplateError("a template included by an expression")
        return
    if isinstance(node, nodes.Output):
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                yield child.data
            else:
                yield _EXPR
                yield from _walk(child, loader, blocks, seen)
        return
    for child in node.iter_child_nodes():
        yield from _walk(child, loader, blocks, seen)


# Templates Material names by an expression whose output has no class attribute: icons
# (``".icons/" ~ icon ~ ".svg"``) and translations (``"partials/languages/" ~ language``).
_TEXT_ONLY = (".icons/", "partials/languages/")


def _names_text_only(expr: nodes.Node) -> bool:
    first = next(iter(expr.find_all(nodes.Const)), None)
    return first is not None and str(first.value).startswith(_TEXT_ONLY)


# --- Pruning ----------------------------------------------------------------------------------


def prune(
    css: str,
    classes: Classes,
    colours: dict[str, set[str]] | None = None,
    other_css: str = "",
) -> str:
    """``css`` without the selectors no page can match, then without the custom properties,
    keyframes and empty groups nothing refers to any more.

    A selector is dropped when, outside ``:not()``/``:is()`` and the like (whose classes
    need not be present), it names a class not in ``classes``, or a primary or accent colour
    not in ``colours``. Custom properties are kept when ``var()`` names them anywhere in the
    result or in ``other_css`` (rollbook's stylesheet, which uses Material's colours).
    """

    def keep(selector: str) -> bool:
        flat = selector
        while True:
            inner = _PARENS.sub("", flat)
            if inner == flat:
                break
            flat = inner
        if colours is not None:
            for key, value in _COLOUR.findall(flat):
                if value.lower() not in colours[key]:
                    return False
        return all(c in classes for c in _CLASS.findall(_ATTRIBUTE.sub("", flat)))

    rules = _prune_rules(parse(css), keep)
    # Custom properties refer to each other: drop the unused ones until nothing changes.
    text = _serialise(rules)
    while True:
        rules = _drop_properties(rules, set(_VAR_USE.findall(text + other_css)))
        pruned = _serialise(rules)
        if pruned == text:
            break
        text = pruned
    return _serialise(_drop_keyframes(rules, text))


Rule = tuple[str, "str | list[Rule] | None"]

_TOKEN = re.compile(r"""["'{};]""")
_BRACE = re.compile(r"""["'{}]""")
_COMMENT = re.compile(r"""("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|/\*.*?\*/""", re.S)


def parse(css: str) -> list[Rule]:
    """Rules as ``(prelude, body)``: body None for ``@charset ...;``, a list for at-rules
    that hold rules (``@media``), else the text between the braces, kept as it is."""
    if "/*" in css:  # comments go (strings may hold "/*"); nothing in them applies
        css = _COMMENT.sub(lambda m: m.group(1) or "", css)
    stack: list[tuple[str, list[Rule]]] = [("", [])]
    i = start = 0
    while (match := _TOKEN.search(css, i)) is not None:
        j, c = match.start(), match.group()
        if c in "\"'":
            i = _string_end(css, j) + 1
            continue
        prelude = css[start:j].strip()
        if c == ";":
            if prelude:
                stack[-1][1].append((prelude, None))
        elif c == "{":
            if prelude.lower().startswith(_GROUPS):
                stack.append((prelude, []))
            else:
                end = _block_end(css, j)
                stack[-1][1].append((prelude, css[j + 1 : end]))
                j = end
        else:  # "}" closing a group
            if len(stack) == 1 or prelude:
                raise CSSError("unbalanced }")
            group, rules = stack.pop()
            stack[-1][1].append((group, rules))
        i = start = j + 1
    if len(stack) > 1 or css[start:].strip():
        raise CSSError("unclosed block or text after the last rule")
    return stack[0][1]


_STRING = {
    '"': re.compile(r'"(?:\\.|[^"\\\n])*"'),
    "'": re.compile(r"'(?:\\.|[^'\\\n])*'"),
}


def _string_end(css: str, i: int) -> int:
    """Where the string opening at ``css[i]`` closes."""
    match = _STRING[css[i]].match(css, i)
    if match is None:
        raise CSSError("unterminated string")
    return match.end() - 1


def _block_end(css: str, i: int) -> int:
    """Where the block opening at ``css[i]`` closes (blocks nest in ``@keyframes``)."""
    depth = 0
    while (match := _BRACE.search(css, i)) is not None:
        i, c = match.start(), match.group()
        if c in "\"'":
            i = _string_end(css, i)
        elif c == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise CSSError("unbalanced {")


def _split(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside strings, brackets and parentheses."""
    if not any(c in text for c in "\"'(["):
        return text.split(sep)
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if c in "\"'":
            i = _string_end(text, i)
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def _prune_rules(rules: list[Rule], keep) -> list[Rule]:
    out: list[Rule] = []
    for prelude, body in rules:
        if isinstance(body, list):
            inner = _prune_rules(body, keep)
            if inner:
                out.append((prelude, inner))
        elif body is None or prelude.startswith("@"):
            out.append((prelude, body))
        else:
            kept = [s for s in _split(prelude, ",") if keep(s.strip())]
            if kept:
                out.append((",".join(kept), body))
    return out


def _drop_properties(rules: list[Rule], used: set[str]) -> list[Rule]:
    out: list[Rule] = []
    for prelude, body in rules:
        if isinstance(body, list):
            inner = _drop_properties(body, used)
            if inner:
                out.append((prelude, inner))
        elif body is None or prelude.startswith("@") or "--" not in body or "{" in body:
            out.append((prelude, body))
        else:
            declarations = [
                d
                for d in _split(body, ";")
                if d.strip()
                and not (d.strip().startswith("--") and d.split(":", 1)[0].strip() not in used)
            ]
            if declarations:
                out.append((prelude, ";".join(declarations)))
    return out


def _drop_keyframes(rules: list[Rule], text: str) -> list[Rule]:
    """``rules`` without the top-level ``@keyframes`` no other rule in ``text`` names."""
    rest = _serialise([r for r in rules if not r[0].lower().startswith("@keyframes")])
    kept = []
    for prelude, body in rules:
        if prelude.lower().startswith("@keyframes"):
            name = prelude.split(None, 1)[1].strip() if " " in prelude else ""
            if not name or not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", rest):
                continue
        kept.append((prelude, body))
    return kept


def _serialise(rules: list[Rule]) -> str:
    out = []
    for prelude, body in rules:
        if body is None:
            out.append(prelude + ";")
        elif isinstance(body, list):
            out.append(prelude + "{" + _serialise(body) + "}")
        else:
            out.append(prelude + "{" + body + "}")
    return "".join(out)


# --- The build's hook -------------------------------------------------------------------------


def add_to_build(
    cfg: dict, assets: dict[str, bytes], *, theme_dir: Path, template_dirs: Iterable[Path]
) -> None:
    """Write the site's stylesheet into ``assets`` and tell the theme its name and that of
    Material's page script (``config.extra.rollbook.stylesheet`` and ``.material_bundle``),
    which rollbook's page script loads when the reader first reaches for search.

    Either is left out, and the theme falls back to Material's own tags, when the installed
    Material does not have exactly one such file.
    """
    rollbook = cfg["extra"]["rollbook"]
    bundle = material_file("javascripts", "bundle.*.min.js")
    rollbook["material_bundle"] = bundle.name if bundle else ""
    rollbook["stylesheet"] = ""
    if material_file("stylesheets", "main.*.min.css") is None:
        return
    css = site_stylesheet(
        assets["assets/rollbook/rollbook.css"].decode("utf-8"),
        theme_dir=theme_dir,
        page_dirs=[folder / "pages" for folder in template_dirs],
        scripts=[
            bundle.read_text("utf-8") if bundle else "",
            assets["assets/rollbook/rollbook.js"].decode("utf-8"),
        ],
        palette=cfg["theme"].get("palette"),
    )
    assets[STYLESHEET] = css.encode("utf-8")
    rollbook["stylesheet"] = STYLESHEET
