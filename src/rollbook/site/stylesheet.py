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
Jinja cannot parse) or Material's CSS has a syntax error, Material's CSS is kept whole: the
stylesheet is still one request, only larger.

The CSS is read with tinycss2, as a browser reads it (CSS Syntax Level 3): strings, comments,
escapes and nested groups are its business, not this module's. What is kept is written back
from what tinycss2 read, so a string may come back with other quotes or escapes: the same
value, never a different rule.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import tinycss2
from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateError
from tinycss2.ast import AtRule, Node, QualifiedRule

from rollbook.build_cache import keep_only, source_digest
from rollbook.site.mkdocs_driver import installed_version, material_file, material_templates

STYLESHEET = "assets/rollbook/site.css"

# Classes no template writes in a class attribute: the inline script in rollbook's theme and
# Material's bundle swap ``no-js`` for ``js`` on <html>.
ALWAYS = frozenset({"js", "no-js"})
# The Material templates MkDocs renders into files for rollbook: every page, and the 404.
_ENTRY_TEMPLATES = ("main.html", "404.html")

_CLASS_ATTR = re.compile(r'\sclass="([^"]*)"')
_QUOTED = re.compile(r"""["']([a-zA-Z][\w -]*)["']""")
_CHARSET = re.compile(r'^\s*@charset\s+"[^"]*";', re.I)
_EXPR = "\0"  # stands in for a {{ expression }} inside collected template text


class CSSError(ValueError):
    """The stylesheet has a syntax error: pruned, it might not read as it did whole."""


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
        # On a syntax error (or groups nested past Python's recursion limit), the whole of
        # Material's CSS: larger, never wrong.
        with suppress(CSSError, RecursionError):
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


# --- Reading CSS --------------------------------------------------------------------------------

# At-rules holding rules (pruned like the top level); any other at-rule is kept as it is.
GROUPS = frozenset({"media", "supports", "layer", "container", "document"})
_BLOCKS = frozenset({"{} block", "[] block", "() block"})


def read_rules(css: str) -> list[Node]:
    """The top-level rules of ``css`` as a browser reads them (CSS Syntax Level 3, by
    tinycss2), without comments."""
    return tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)


def group_rules(rule: Node) -> list[Node] | None:
    """The rules inside ``rule`` when it is a group (``@media``, ``@supports``...), else None."""
    if rule.type == "at-rule" and rule.lower_at_keyword in GROUPS and rule.content is not None:
        return tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True
        )
    return None


def group_head(rule: AtRule) -> str:
    """A group's at-keyword and condition: ``@media screen and (max-width:76em)``."""
    return (
        "@"
        + tinycss2.serialize_identifier(rule.at_keyword)
        + tinycss2.serialize(rule.prelude).rstrip()
    )


def selectors(prelude: list[Node]) -> list[list[Node]]:
    """A style rule's selector list, one token list per selector."""
    parts: list[list[Node]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [_trim(part) for part in parts]


def _trim(tokens: list[Node]) -> list[Node]:
    start, end = 0, len(tokens)
    while start < end and tokens[start].type == "whitespace":
        start += 1
    while end > start and tokens[end - 1].type == "whitespace":
        end -= 1
    return tokens[start:end]


def _scan(tokens: list[Node], refs: set[str], names: set[str], strict: bool = True) -> None:
    """Add to ``refs`` the custom properties ``var()`` names in ``tokens``, and to ``names``
    every identifier and string (animation names are one or the other).

    ``strict``: raise CSSError at a syntax error. A browser drops what holds one, and CSS
    written back from what tinycss2 read might not drop the same.
    """
    stack = [tokens]
    while stack:
        for token in stack.pop():
            kind = token.type
            if kind == "ident" or kind == "string":
                names.add(token.value)
            elif kind == "function":
                arguments = token.arguments
                if token.lower_name == "var":
                    first = next((a for a in arguments if a.type != "whitespace"), None)
                    if first is not None and first.type == "ident":
                        refs.add(first.value)
                stack.append(arguments)
            elif kind in _BLOCKS:
                stack.append(token.content)
            elif kind == "qualified-rule" or kind == "at-rule":
                stack.append(token.prelude)
                if token.content is not None:
                    stack.append(token.content)
            elif kind == "error" and strict:
                raise CSSError(f"line {token.source_line}: {token.message}")


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
    Raises CSSError when ``css`` has a syntax error anywhere.
    """
    pruning = _Pruning(classes, colours)
    kept = pruning.rules(read_rules(css))
    _scan(read_rules(other_css), pruning.refs, pruning.names, strict=False)
    pruning.drop_unused_properties()
    return _serialise(_drop_keyframes(_drop_empty(kept), pruning.names))


@dataclass
class _Declaration:
    """One declaration of a style rule that defines custom properties."""

    tokens: list[Node]
    defines: str | None  # the custom property it sets, if any
    refs: set[str]
    names: set[str]
    kept: bool = True


@dataclass
class _Style:
    """A style rule with the selectors pages can match; ``declarations`` is None when it is
    kept whole (it defines no custom property)."""

    selector: str
    content: list[Node]
    declarations: list[_Declaration] | None


@dataclass
class _Group:
    """A group rule (``@media``...) with the rules it keeps."""

    head: str
    rules: list[_Kept]


@dataclass
class _Keyframes:
    """``@keyframes``, kept when a kept rule names it."""

    name: str
    text: str


_Kept = _Style | _Group | _Keyframes | str  # str: any other at-rule, kept as it is


class _Pruning:
    """One pruning: what it keeps, and what the kept rules refer to."""

    def __init__(self, classes: Classes, colours: dict[str, set[str]] | None):
        self.classes = classes
        self.colours = colours
        self.refs: set[str] = set()  # custom properties named outside their definitions
        self.names: set[str] = set()  # identifiers and strings outside definitions
        self.definitions: list[_Declaration] = []

    def rules(self, rules: list[Node]) -> list[_Kept]:
        """What pages can use of ``rules``; raises CSSError at a syntax error."""
        kept: list[_Kept] = []
        for rule in rules:
            if rule.type == "qualified-rule":
                style = self.style(rule)
                if style is not None:
                    kept.append(style)
            elif rule.type == "at-rule":
                inner = group_rules(rule)
                if inner is not None:
                    _scan(rule.prelude, set(), set())  # for syntax errors only
                    kept.append(_Group(group_head(rule), self.rules(inner)))
                elif rule.lower_at_keyword == "keyframes":
                    _scan(rule.prelude, set(), set())
                    _scan(rule.content or [], set(), set())
                    name = next(
                        (t.value for t in rule.prelude if t.type in ("ident", "string")), ""
                    )
                    kept.append(_Keyframes(name, rule.serialize()))
                else:
                    _scan(rule.prelude, self.refs, self.names)
                    _scan(rule.content or [], self.refs, self.names)
                    kept.append(rule.serialize())
            else:  # a syntax error, or a declaration outside any style rule
                message = getattr(rule, "message", "a declaration outside a style rule")
                raise CSSError(f"line {rule.source_line}: {message}")
        return kept

    def style(self, rule: QualifiedRule) -> _Style | None:
        _scan(rule.prelude, set(), set())  # for syntax errors only
        parts = [part for part in selectors(rule.prelude) if self.matches(part)]
        if not parts:
            _scan(rule.content, set(), set())  # dropped, but a syntax error keeps all
            return None
        declarations = None
        content = rule.content
        if any(t.type == "ident" and t.value.startswith("--") for t in content) and not any(
            t.type == "{} block" for t in content
        ):
            declarations = self.declarations(content)
        else:
            _scan(content, self.refs, self.names)
        return _Style(",".join(tinycss2.serialize(p) for p in parts), content, declarations)

    def declarations(self, content: list[Node]) -> list[_Declaration]:
        """The declarations of a style rule that defines custom properties, noting what
        each refers to."""
        chunks: list[list[Node]] = [[]]
        for token in content:
            if token.type == "literal" and token.value == ";":
                chunks.append([])
            else:
                chunks[-1].append(token)
        out = []
        for chunk in chunks:
            tokens = _trim(chunk)
            if not tokens:
                continue
            first = tokens[0]
            defines = None
            if first.type == "ident" and first.value.startswith("--"):
                colon = next((t for t in tokens[1:] if t.type != "whitespace"), None)
                if colon is not None and colon.type == "literal" and colon.value == ":":
                    defines = first.value
            declaration = _Declaration(chunk, defines, set(), set())
            _scan(tokens, declaration.refs, declaration.names)
            if defines is None:
                self.refs |= declaration.refs
                self.names |= declaration.names
            else:
                self.definitions.append(declaration)
            out.append(declaration)
        return out

    def matches(self, selector: list[Node]) -> bool:
        """Whether a page may match ``selector``: every class it needs is one pages carry,
        and every primary or accent colour one the configuration sets. What sits inside
        ``:not()``, ``:is()`` and other functions is not needed, and does not count."""
        dot = False
        for token in selector:
            kind = token.type
            if dot and kind == "ident" and token.value not in self.classes:
                return False
            dot = kind == "literal" and token.value == "."
            if kind == "[] block" and self.colours is not None:
                attribute = [t for t in token.content if t.type != "whitespace"]
                if (
                    len(attribute) == 3
                    and attribute[0].type == "ident"
                    and attribute[0].value in _COLOUR_ATTRIBUTES
                    and attribute[1].type == "literal"
                    and attribute[1].value == "="
                    and attribute[2].type in ("ident", "string")
                ):
                    key = _COLOUR_ATTRIBUTES[attribute[0].value]
                    if attribute[2].value.lower() not in self.colours[key]:
                        return False
        return True

    def drop_unused_properties(self) -> None:
        """Unmark the custom property definitions nothing uses. Definitions refer to each
        other: drop until nothing changes."""
        while True:
            used = set(self.refs)
            for definition in self.definitions:
                if definition.kept:
                    used |= definition.refs
            changed = False
            for definition in self.definitions:
                if definition.kept and definition.defines not in used:
                    definition.kept = False
                    changed = True
            if not changed:
                break
        for definition in self.definitions:
            if definition.kept:
                self.names |= definition.names


_COLOUR_ATTRIBUTES = {"data-md-color-primary": "primary", "data-md-color-accent": "accent"}


def _drop_empty(rules: list[_Kept]) -> list[_Kept]:
    """``rules`` without style rules whose declarations all went, and groups left empty."""
    out = []
    for rule in rules:
        if isinstance(rule, _Group):
            inner = _drop_empty(rule.rules)
            if inner:
                out.append(_Group(rule.head, inner))
        elif isinstance(rule, _Style) and rule.declarations is not None:
            if any(d.kept for d in rule.declarations):
                out.append(rule)
        else:
            out.append(rule)
    return out


def _drop_keyframes(rules: list[_Kept], names: set[str]) -> list[_Kept]:
    """``rules`` without the ``@keyframes`` no kept rule names."""
    out = []
    for rule in rules:
        if isinstance(rule, _Group):
            inner = _drop_keyframes(rule.rules, names)
            if inner:
                out.append(_Group(rule.head, inner))
        elif not isinstance(rule, _Keyframes) or (rule.name and rule.name in names):
            out.append(rule)
    return out


def _serialise(rules: list[_Kept]) -> str:
    out = []
    for rule in rules:
        if isinstance(rule, _Style):
            if rule.declarations is None:
                body = tinycss2.serialize(rule.content)
            else:
                body = ";".join(tinycss2.serialize(d.tokens) for d in rule.declarations if d.kept)
            out.append(rule.selector + "{" + body + "}")
        elif isinstance(rule, _Group):
            out.append(rule.head + "{" + _serialise(rule.rules) + "}")
        elif isinstance(rule, _Keyframes):
            out.append(rule.text)
        else:
            out.append(rule)
    return "".join(out)


# --- The build's hook -------------------------------------------------------------------------


def add_to_build(
    cfg: dict,
    assets: dict[str, bytes],
    *,
    theme_dir: Path,
    template_dirs: Iterable[Path],
    cache: Path | None = None,
) -> None:
    """Write the site's stylesheet into ``assets`` and tell the theme its name and that of
    Material's page script (``config.extra.rollbook.stylesheet`` and ``.material_bundle``),
    which rollbook's page script loads when the reader first reaches for search.

    Either is left out, and the theme falls back to Material's own tags, when the installed
    Material does not have exactly one such file. With ``cache`` (the build cache folder),
    the stylesheet of an earlier build with the same inputs is reused.
    """
    rollbook = cfg["extra"]["rollbook"]
    bundle = material_file("javascripts", "bundle.*.min.js")
    rollbook["material_bundle"] = bundle.name if bundle else ""
    rollbook["stylesheet"] = ""
    if material_file("stylesheets", "main.*.min.css") is None:
        return
    rollbook_css = assets["assets/rollbook/rollbook.css"].decode("utf-8")
    page_dirs = [folder / "pages" for folder in template_dirs]
    scripts = [
        bundle.read_text("utf-8") if bundle else "",
        assets["assets/rollbook/rollbook.js"].decode("utf-8"),
    ]
    palette = cfg["theme"].get("palette")
    kept = None
    if cache is not None:
        # A pure function of its inputs, and seconds of work: kept between builds.
        inputs = [rollbook_css, *scripts, json.dumps(palette, sort_keys=True, default=str)]
        kept = cache / "stylesheet" / f"{_inputs_key(inputs, [theme_dir, *page_dirs])}.css"
        with suppress(OSError):
            assets[STYLESHEET] = kept.read_bytes()
            rollbook["stylesheet"] = STYLESHEET
            return
    css = site_stylesheet(
        rollbook_css, theme_dir=theme_dir, page_dirs=page_dirs, scripts=scripts, palette=palette
    )
    assets[STYLESHEET] = css.encode("utf-8")
    if kept is not None:
        keep_only(kept, assets[STYLESHEET])
    rollbook["stylesheet"] = STYLESHEET


def _inputs_key(texts: list[str], folders: list[Path]) -> str:
    """A hash of everything the stylesheet is made from: rollbook's code, Material's
    version, the texts given and every file of the template folders."""
    import rollbook

    digest = hashlib.blake2b(source_digest(), digest_size=20)
    digest.update(f"rollbook={rollbook.__version__}\0".encode())
    digest.update(f"mkdocs-material={installed_version('mkdocs-material')}\0".encode())
    for text in texts:
        data = text.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix().encode("utf-8")
            digest.update(len(name).to_bytes(8, "big") + name)
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=20).digest())
        digest.update(b"\0")
    return digest.hexdigest()
