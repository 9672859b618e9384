"""Sanitise page content with an allowlist, and check the finished pages for anything active.

Two layers, because either alone has failed other projects: Jinja autoescaping keeps runbook
text from becoming markup, and nh3 (ammonia) strips whatever markup a template or a
user's override template lets through that is not on the list below. Then the finished
page, theme included, is checked. The theme's part comes from Material's templates (which
print titles and settings raw), rollbook's theme layer, the user's theme files and the MkDocs
overrides: the check makes sure none of them runs a script of its own (inline scripts must
be Material's or rollbook's, whole), loads anything from another host (images, frames,
stylesheets, preloads, SVG references, styles), redirects, or hides markup where Python's
parser and a browser disagree. Stylesheets are checked with :func:`css_problems`.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser

import nh3

# What rollbook's page templates produce, and nothing more. Material's classes and task-list
# inputs are not in nh3's defaults, so this list is explicit.
TAGS = {
    "a",
    "abbr",
    "article",
    "blockquote",
    "br",
    "button",
    "code",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "header",
    "hr",
    "input",
    "label",
    "li",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "small",
    "span",
    "strong",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "ul",
}
ATTRIBUTES = {
    "*": {"class", "id", "aria-label", "aria-labelledby", "aria-hidden", "role", "title", "hidden"},
    # `download`: the home page's offline cards are saved as a file, not opened (its value,
    # a file name, is only ever a suggestion to the browser; same-origin links only).
    "a": {"href", "download"},
    "input": {"checked", "disabled"},
    "label": {"for"},
    "time": {"datetime"},
    "td": {"colspan"},
    "th": {"colspan", "scope"},
}
# Attributes whose values are fixed: a step tick is a checkbox, a button never submits.
ATTRIBUTE_VALUES = {"input": {"type": {"checkbox"}}, "button": {"type": {"button"}}}
URL_SCHEMES = {"http", "https", "mailto", "tel", "sms"}
# The only data attributes the page script reads.
DATA_PREFIXES = {"data-rb-"}

CONTENT_START = "<!--rollbook:content-->"
CONTENT_END = "<!--/rollbook:content-->"


_ALLOWLIST = {
    "tags": TAGS,
    "clean_content_tags": {"script", "style"},
    "attributes": ATTRIBUTES,
    "tag_attribute_values": ATTRIBUTE_VALUES,
    "generic_attribute_prefixes": DATA_PREFIXES,
    "url_schemes": URL_SCHEMES,
    "link_rel": None,
    "strip_comments": True,
}


@cache
def _cleaner():
    """The allowlist built once (nh3 >= 0.2.18), rather than for every page; or None."""
    builder = getattr(nh3, "Cleaner", None)
    return builder(**_ALLOWLIST) if builder is not None else None


def sanitize(html: str) -> str:
    """``html`` with everything not on the allowlist removed (scripts with their content)."""
    cleaner = _cleaner()
    if cleaner is not None:
        return cleaner.clean(html)
    return nh3.clean(html, **_ALLOWLIST)


class UnsafeOutput(Exception):
    """A finished page holds something executable that rollbook did not put there."""


# ---------------------------------------------------------------------------------------------
# What the finished page may hold
#
# The theme's part of a page comes from Material's templates, rollbook's theme layer, the
# user's own theme files and whatever the MkDocs overrides feed into them. None of that may
# run a script of its own, load anything from outside the site, or send the reader elsewhere.
# Loading from the site itself is fine: that is how the stylesheet and the page script
# arrive.

# Schemes a link a person follows may have (the same as in the content).
_LINK_SCHEMES = URL_SCHEMES
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# What URL parsers drop before reading a URL: leading and trailing controls and spaces, and
# tabs and line breaks anywhere ("/\n/evil.example" is "//evil.example").
_URL_TRIM = "".join(chr(c) for c in range(0x21))
_URL_DROPPED = re.compile("[\t\n\r]")

# Attributes whose URLs the browser fetches (or sends to) by itself, on any element.
_LOADS = {
    "src",
    "lowsrc",
    "dynsrc",
    "poster",
    "background",
    "data",
    "codebase",
    "archive",
    "manifest",
    "action",
    "formaction",
    "icon",
    "xml:base",
}
# The same, holding lists of URLs.
_LOADS_LISTS = {"srcset", "imagesrcset", "ping"}
# Where href is a link a person follows; on any other element (SVG's use, image, feImage,
# script...) it is something the browser loads.
_LINK_ELEMENTS = {"a", "area"}
# Elements that show another document or plug-in, or change every URL of the page.
_REFUSED_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "portal",
    "fencedframe",
}
# <link rel=...> values that make the browser fetch nothing: any other value (stylesheet,
# icon, preload, prefetch, preconnect, dns-prefetch, manifest, modulepreload, ...) loads.
_LINK_REL_INERT = {
    "",
    "alternate",
    "author",
    "bookmark",
    "canonical",
    "external",
    "help",
    "license",
    "me",
    "next",
    "nofollow",
    "noopener",
    "noreferrer",
    "opener",
    "prev",
    "tag",
}
# <meta http-equiv> values that neither redirect nor set anything: refresh, set-cookie and
# the rest are refused.
_HTTP_EQUIV_OK = {
    "content-type",
    "content-language",
    "x-ua-compatible",
    "default-style",
    "content-security-policy",
}
# Script types a browser never runs: data blocks. (An import map or speculation rules are
# not data: they make the page load from elsewhere.)
_DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
# Script types a browser runs.
_JS_TYPES = {
    "",
    "module",
    "text/javascript",
    "application/javascript",
    "application/ecmascript",
    "application/x-ecmascript",
    "application/x-javascript",
    "text/ecmascript",
    "text/jscript",
    "text/livescript",
    "text/x-ecmascript",
    "text/x-javascript",
}
# SVG presentation attributes that take url(...), and SVG animation elements (which can set
# another attribute, an href included, to any value).
_CSS_ATTRS = {"style", "fill", "stroke", "filter", "mask", "clip-path", "cursor", "marker"}
_CSS_ATTR_PREFIXES = ("marker-",)
_ANIMATION_ELEMENTS = {"animate", "set", "animatemotion", "animatetransform"}
_FOREIGN_CONTENT = {"svg", "math"}
# The scripts a page may load: rollbook's page script and Material's bundle, from the site.
_SCRIPT_FILES = re.compile(
    r"^(?:\.\./)*(?:/(?:[^/?#]+/)*)?assets/"
    r"(?:rollbook/rollbook\.js|javascripts/bundle\.[0-9a-f]{6,}\.min\.js)$"
)


def _clean_url(value: str) -> str:
    return _URL_DROPPED.sub("", value.strip(_URL_TRIM)).replace("\\", "/")


def within_site(value: str) -> bool:
    """Whether a browser resolves ``value`` within the site: a relative or absolute path, or
    a fragment. Anything with a scheme (or none but two slashes) may go elsewhere."""
    url = _clean_url(value)
    return not _SCHEME.match(url) and not url.startswith("//")


def _link_problem(value: str) -> str | None:
    """Why ``value`` is no link to follow, or None: only http(s), mailto, tel, sms and
    paths within the site."""
    url = _clean_url(value)
    scheme = _SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in _LINK_SCHEMES:
        return f"a {scheme.group(1).lower()}: link"
    return None


def _shown(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.S)
_CSS_URL = re.compile(r"""(?:url|src)\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_IMAGE_SET = re.compile(r"""image-set\(([^)]*)\)""", re.I)
_CSS_STRING = re.compile(r""""([^"]*)"|'([^']*)'""")


def _css_unescape(match: re.Match[str]) -> str:
    if match.group(1):
        code = int(match.group(1), 16)
        return chr(code) if 0 < code < 0x110000 else "\ufffd"
    return match.group(2)


def _first(match: re.Match[str]) -> str:
    return next((g for g in match.groups() if g is not None), "")


def css_problems(css: str) -> list[str]:
    """What in a stylesheet (or a style attribute) loads from outside the site: every
    ``url()``, ``@import`` and ``image-set()`` must stay within the site (or be a
    ``data:image/`` picture, which loads nothing)."""
    text = _CSS_ESCAPE.sub(_css_unescape, _CSS_COMMENT.sub("", css))
    urls = [_first(m) for m in _CSS_URL.finditer(text)]
    urls += [_first(m) for m in _CSS_IMPORT.finditer(text)]
    for block in _CSS_IMAGE_SET.finditer(text):
        urls += [_first(m) for m in _CSS_STRING.finditer(block.group(1))]
    problems = []
    for url in urls:
        if within_site(url) or _clean_url(url).lower().startswith("data:image/"):
            continue
        problems.append(f"a style that loads {_shown(url)} from outside the site")
    return problems


@cache
def known_inline_scripts() -> tuple[re.Pattern[str], ...]:
    """The inline scripts a page may hold, each matched whole.

    They are read from where they are written: Material's own (its storage helpers and the
    tab-restoring script, from the installed theme's templates) and rollbook's (the dark
    mode switch in the built-in ``theme/main.html``), so that they follow a Material
    upgrade. The only part that varies from page to page is the page's base URL, which may
    only be a path within the site. A user's template override can change neither list.
    """
    from rollbook.assets import builtin_templates
    from rollbook.site.mkdocs_driver import material_inline_script_sources

    sources = material_inline_script_sources()
    sources.append(builtin_templates() / "site" / "theme" / "main.html")
    patterns = []
    for source in sources:
        try:
            text = source.read_text(encoding="utf-8")
        except OSError:
            continue
        for body in re.findall(r"<script>(.*?)</script>", text, re.S):
            pattern = _script_pattern(body.strip())
            if pattern is not None:
                patterns.append(pattern)
    return tuple(patterns)


# A page's base URL as MkDocs writes it: "." or "../.." or, on the 404 page, a path.
_BASE_URL = r"(?!//)[A-Za-z0-9._~!$&()*+,;=@%/-]*"


def _script_pattern(template: str) -> re.Pattern[str] | None:
    """A template's inline script as a pattern: ``{{ ... base_url ... }}`` stands for the
    page's base URL; a script with any other template code is not accepted."""
    if "{%" in template or "{#" in template:
        return None
    parts = re.split(r"\{\{(.*?)\}\}", template, flags=re.S)
    pattern = ""
    for i, part in enumerate(parts):
        if i % 2 == 0:
            pattern += re.escape(part)
        elif "base_url" in part:
            pattern += _BASE_URL
        else:
            return None
    return re.compile(pattern + r"\Z")


def _known_script(text: str) -> bool:
    return any(p.match(text) for p in known_inline_scripts())


class _ChromeChecker(HTMLParser):
    """Walks the theme's part of a page (content removed) looking for active markup.

    It reads what a browser would act on: event handlers, script URLs, inline scripts (which
    must be one of :func:`known_inline_scripts`, whole), anything that loads from another
    host (images, frames, stylesheets, preloads, SVG references, styles with ``url()``...),
    redirects, forms that send elsewhere, and markup that Python's parser and a browser read
    differently. Every attribute value it interprets goes through :meth:`_value`.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._raw: str | None = None  # the script or style element being read
        self._raw_attrs: dict[str, str | None] = {}
        self._raw_text: list[str] = []
        self._foreign = 0  # depth inside <svg> or <math>

    def _value(self, value: str | None) -> str:
        """An attribute value the check interprets."""
        return value or ""

    def _problem(self, text: str) -> None:
        self.problems.append(text)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"} and not self._foreign:
            # A browser ignores the slash: what follows is the script.
            self._problem(f"<{tag}/>: a browser reads what follows as its content")
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # A browser keeps the first of two attributes with the same name.
        amap: dict[str, str | None] = {}
        for name, value in attrs:
            amap.setdefault(name, value)
        if tag in _FOREIGN_CONTENT:
            self._foreign += 1
        if tag in _REFUSED_ELEMENTS:
            self._problem(f"unexpected <{tag}>")
        for name, value in attrs:
            self._check_attribute(tag, name, value, amap)
        if tag == "link":
            self._check_link(amap)
        elif tag == "meta":
            self._check_meta(amap)
        elif tag in _ANIMATION_ELEMENTS:
            target = self._value(amap.get("attributename")).strip().lower()
            if "href" in target:
                self._problem(f"<{tag}> that changes {target}")
        if tag in {"script", "style"}:
            self._raw, self._raw_attrs, self._raw_text = tag, amap, []
        if tag == "script":
            self._check_script_source(attrs)

    def _check_attribute(
        self, tag: str, name: str, value: str | None, amap: dict[str, str | None]
    ) -> None:
        if name.startswith("on"):
            self._problem(f"event handler {name!r} on <{tag}>")
            return
        if name in {"href", "xlink:href"}:
            url = self._value(value)
            if tag in _LINK_ELEMENTS:
                why = _link_problem(url)
                if why:
                    self._problem(f"{name}={_clean_url(url)[:40]!r} on <{tag}> ({why})")
            elif tag not in {"link", "script"} and not within_site(url):
                self._problem(f"<{tag} {name}> that loads {_shown(url)} from outside the site")
        elif name in _LOADS:
            url = self._value(value)
            if not within_site(url):
                self._problem(f"<{tag} {name}> that loads {_shown(url)} from outside the site")
        elif name in _LOADS_LISTS:
            for url in re.split(r"[\s,]+", self._value(value)):
                if url and not re.fullmatch(r"[0-9.]+[wxh]", url) and not within_site(url):
                    self._problem(f"<{tag} {name}> that loads {_shown(url)} from outside the site")
        elif name == "data-rb-material":
            # rollbook.js loads Material's bundle from here when search is used.
            url = _clean_url(self._value(value))
            if not _SCRIPT_FILES.match(url):
                self._problem(f"a page script that loads {_shown(url)}")
        elif name in _CSS_ATTRS or name.startswith(_CSS_ATTR_PREFIXES):
            for found in css_problems(self._value(value)):
                self._problem(f"{found} (<{tag} {name}>)")
        elif name == "srcdoc":
            self._problem(f"<{tag} srcdoc>")
        elif name == "charset" and tag == "meta":
            if self._value(value).strip().lower() not in {"utf-8", "utf8"}:
                self._problem(f"<meta charset={value!r}>: pages are UTF-8")
        elif tag in _ANIMATION_ELEMENTS and name in {"from", "to", "values", "by"}:
            for found in css_problems(self._value(value)):
                self._problem(f"{found} (<{tag} {name}>)")

    def _check_link(self, amap: dict[str, str | None]) -> None:
        rels = set(self._value(amap.get("rel")).lower().split())
        href = self._value(amap.get("href"))
        if rels <= _LINK_REL_INERT:
            why = _link_problem(href)
            if why:
                self._problem(f"<link href={_clean_url(href)[:40]!r}> ({why})")
        elif not within_site(href):
            rel = " ".join(sorted(rels - _LINK_REL_INERT))
            self._problem(f'<link rel="{rel}"> that loads {_shown(href)} from outside the site')

    def _check_meta(self, amap: dict[str, str | None]) -> None:
        equiv = amap.get("http-equiv")
        if equiv is not None:
            equiv = self._value(equiv).strip().lower()
            if equiv not in _HTTP_EQUIV_OK:
                self._problem(f'<meta http-equiv="{equiv}">')
            elif equiv == "content-type":
                charset = re.search(r"charset\s*=\s*([^\s;]+)", self._value(amap.get("content")))
                if charset and charset.group(1).strip("'\"").lower() not in {"utf-8", "utf8"}:
                    self._problem(f"<meta http-equiv> charset {charset.group(1)!r}")
        name = amap.get("name")
        if name is not None and self._value(name).strip().lower().startswith("msapplication-"):
            # Old Edge fetches (and polls) the URLs these name.
            content = self._value(amap.get("content"))
            if re.search(r"(?:^|[\s;=,])(?://|[a-zA-Z][a-zA-Z0-9+.-]*:)", content.strip()):
                self._problem(f"<meta name={name!r}> that loads {_shown(content)}")

    def _check_script_source(self, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name not in {"src", "href", "xlink:href"}:
                continue
            url = _clean_url(self._value(value))
            if not within_site(url):
                self._problem(f"script from another host: {url[:80]!r}")
            elif not _SCRIPT_FILES.match(url.split("?", 1)[0]):
                self._problem(f"a script that is not rollbook's or Material's: {url[:80]!r}")

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in _FOREIGN_CONTENT and self._foreign:
            self._foreign -= 1
        if tag != self._raw:
            return
        kind, attrs, text = self._raw, self._raw_attrs, "".join(self._raw_text)
        self._raw = None
        # Where Python's parser and a browser would end the element in different places.
        if re.search(f"</{kind}", text, re.I):
            self._problem(f"<{kind}> holding '</{kind}': a browser ends it there")
        if kind == "style":
            if self._foreign and re.search(r"<[A-Za-z/!?]", text):
                self._problem("markup inside an SVG <style>")
            for found in css_problems(self._inspected_text(text)):
                self._problem(f"{found} (<style>)")
        else:
            self._check_script_text(attrs, text)

    def _inspected_text(self, text: str) -> str:
        """The text of a script or style, which the check interprets."""
        return text

    def _check_script_text(self, attrs: dict[str, str | None], text: str) -> None:
        text = self._inspected_text(text)
        if any(name in attrs for name in ("src", "href", "xlink:href")):
            if text.strip():
                self._problem("a script with a source and text of its own")
            return
        kind = self._value(attrs.get("type")).strip().lower()
        if kind in _DATA_SCRIPT_TYPES:
            if self._value(attrs.get("id")) == "__config":
                self._check_material_config(text)
            return
        if kind.split(";")[0].strip() not in _JS_TYPES:
            self._problem(f"a script of type {kind!r}")
            return
        if not _known_script(text.strip()):
            self._problem(f"unexpected inline script: {text.strip()[:60]!r}")

    def _check_material_config(self, text: str) -> None:
        """Material's page script fetches from the base and starts the search worker named
        in its configuration block: both stay within the site."""
        import json

        try:
            config = json.loads(text)
        except ValueError:
            self._problem("Material's configuration block is not JSON")
            return
        if not isinstance(config, dict):
            self._problem("Material's configuration block is not a JSON object")
            return
        for key in ("base", "search"):
            value = config.get(key)
            if value is not None and (not isinstance(value, str) or not within_site(value)):
                self._problem(f"Material's {key!r} points to {_shown(str(value))}")

    def handle_comment(self, data: str) -> None:
        # A browser ends "<!-->" and "<!--->" at once, and a comment at "--!>" too.
        if data.startswith((">", "->")) or "--!>" in data:
            self._problem("a comment that a browser ends early")

    def unknown_decl(self, data: str) -> None:
        # "<![CDATA[" is a comment to a browser, ending at the first ">".
        self._problem(f"<![{data[:20]}")

    def handle_decl(self, decl: str) -> None:
        if not re.fullmatch(r"doctype\s+html\s*", decl, re.I):
            self._problem(f"<!{decl[:40]}>")


class _XmlChecker(_ChromeChecker):
    """The check for documents a browser reads as XML (an SVG picture, an XHTML page).

    XML parses every element's content as markup, scripts and styles included, and names
    can carry namespace prefixes (``<h:script xmlns:h="...xhtml">``), so the check is
    stricter: the whole document counts as foreign content, prefixed names are refused
    (but ``xlink:``, ``xml:`` and the usual ``xmlns:xlink``), and so are internal DTD
    subsets (whose entities expand into markup) and processing instructions other than the
    XML declaration (an ``xml-stylesheet`` loads and runs XSLT).
    """

    def __init__(self) -> None:
        super().__init__()
        self._foreign = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if ":" in tag:
            self._problem(f"a namespaced element <{tag}>")
        for name, value in attrs:
            prefix = name.split(":", 1)[0] if ":" in name else None
            if name == "xmlns:xlink" and value == "http://www.w3.org/1999/xlink":
                continue
            if prefix is not None and prefix not in {"xlink", "xml"}:
                self._problem(f"a namespaced attribute {name!r} on <{tag}>")
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        self._foreign = max(self._foreign, 1)

    def handle_decl(self, decl: str) -> None:
        if "[" in decl or not re.match(r"doctype\s", decl, re.I):
            self._problem(f"<!{decl[:40]}>")

    def handle_pi(self, data: str) -> None:
        declaration = re.fullmatch(r"xml\s[^>]*?\??", data, re.S)
        encoding = re.search(r"encoding\s*=\s*[\"']([^\"']*)", data)
        if declaration is None:
            self._problem(f"<?{data[:40]}>")
        elif encoding and encoding.group(1).lower() not in {"utf-8", "utf8"}:
            self._problem(f"an XML document in {encoding.group(1)!r}: documents are UTF-8")


# Files of the site a browser opens as documents, by how it reads them; and files it may
# open as documents that the check cannot read (compressed SVG, web archives).
HTML_DOCUMENTS = (".html", ".htm", ".shtml")
XML_DOCUMENTS = (".svg", ".xml", ".xhtml", ".xht", ".xsl", ".xslt")
UNCHECKABLE_DOCUMENTS = (".svgz", ".mht", ".mhtml")


def check_document(data: bytes, where: str) -> None:
    """Check a file of the site that a browser opens as an XML document (an SVG picture or an
    XHTML page from a user's theme folder, the sitemap) as thoroughly as a page. Raises
    :class:`UnsafeOutput`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsafeOutput(f"{where}: not UTF-8, so it cannot be checked") from None
    checker = _XmlChecker()
    checker.feed(text)
    checker.close()
    if checker.problems:
        raise UnsafeOutput(f"{where}: " + "; ".join(dict.fromkeys(checker.problems[:5])))


# Stands for a page's own text (its title and description) in a checked theme layout. Its
# private-use characters keep it from ever meeting real text by chance (and no page string
# can match inside it); its space makes it fall apart, so the layout is not trusted,
# wherever the text would not stay one value (an unquoted attribute).
_HOLE = "\ue000 \ue001"
_TAG_BEFORE_HOLE = re.compile("<[/!?]?" + re.escape(_HOLE))
_NOT_INERT = re.compile("[<>\"'`\ue000\ue001]")


class _HoleChecker(_ChromeChecker):
    """The chrome check, also counting the holes found where any inert text is harmless:
    in text outside scripts and styles, and in attribute values the check does not read.
    A hole in a value it reads (a URL, a rel, a type, a style...) marks the layout
    ``misplaced``: its verdict could depend on the text."""

    def __init__(self) -> None:
        super().__init__()
        self.holes = 0
        self.misplaced = False

    def _value(self, value: str | None) -> str:
        if value and _HOLE in value:
            self.misplaced = True
        return super()._value(value)

    def _inspected_text(self, text: str) -> str:
        if _HOLE in text:
            self.misplaced = True
        return text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        for _name, value in attrs:
            if value and _HOLE in value:
                self.holes += value.count(_HOLE)

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if _HOLE in data:
            if self._raw is not None:
                self.misplaced = True
            self.holes += data.count(_HOLE)


class ChromeChecks:
    """Theme layouts already checked, so that a site's pages are parsed once per layout.

    Pages of one kind differ in their theme part only by their own title and description,
    which the templates escape. A page's theme part, with those strings replaced by a hole,
    is its *layout*. When a layout has been parsed and every hole sits where no inert string
    (one without ``<``, ``>`` or quotes, as escaped text is) can change how the page parses,
    every page with that layout and inert strings gets the same verdict as a full check, so
    it needs none. Anything else (a string that is not inert, a hole in a URL, a script or
    where it does not survive parsing as one value) is checked in full, as without this.
    """

    LIMIT = 256  # layouts remembered; a site has a few dozen

    def __init__(self) -> None:
        self._verdicts: dict[str, bool] = {}
        self.parsed = 0

    def known_safe(self, chrome: str, own_text: tuple[str, ...]) -> bool:
        values = sorted({v for v in own_text if v.strip()}, key=len, reverse=True)
        if not values or any(_NOT_INERT.search(v) for v in values):
            return False
        layout = chrome
        for value in values:
            layout = layout.replace(value, _HOLE)
        verdict = self._verdicts.get(layout)
        if verdict is None and _TAG_BEFORE_HOLE.search(layout):
            # "<" then the text: a tag named by the page (a title of "script" opens one).
            verdict = False
        if verdict is None:
            checker = _HoleChecker()
            checker.feed(layout)
            checker.close()
            self.parsed += 1
            verdict = (
                not checker.problems
                and not checker.misplaced
                and checker.holes == layout.count(_HOLE)
            )
            if len(self._verdicts) < self.LIMIT:
                self._verdicts[layout] = verdict
        return verdict


def check_page(
    html: str,
    where: str,
    *,
    own_text: tuple[str, ...] = (),
    checks: ChromeChecks | None = None,
    content: str | None = None,
) -> str:
    """Check a finished page and return it with rollbook's content markers removed.

    ``content`` is what rollbook put between the markers, sanitised by :func:`sanitize`:
    the page must hold it there, once, and no other markers (so that no theme file can mark
    a part of its own as content and have it skipped). Without ``content``, the part between
    the markers is checked like the rest. The rest (the theme) is parsed and checked, unless
    ``checks`` already checked its layout (``own_text`` are the page's own strings as the
    templates print them: see :class:`ChromeChecks`). Raises :class:`UnsafeOutput` naming
    what was found.
    """
    starts, ends = html.count(CONTENT_START), html.count(CONTENT_END)
    start = html.find(CONTENT_START)
    end = html.find(CONTENT_END)
    if content is not None or starts or ends:
        expected = 1 if content is not None else starts
        if starts != expected or ends != expected or (starts and end < start):
            raise UnsafeOutput(f"{where}: rollbook's content markers appear {starts} time(s)")
    if start >= 0:
        head, inner, tail = (
            html[:start],
            html[start + len(CONTENT_START) : end],
            html[end + len(CONTENT_END) :],
        )
        if content is not None and inner != content:
            raise UnsafeOutput(f"{where}: the page's content is not what rollbook wrote there")
    else:
        head, inner, tail = html, "", ""
    chrome = head + tail
    if content is None and inner:
        # Nobody vouches for the part between the markers: it is checked too, in place.
        chrome = head + inner + tail
    if checks is None or not checks.known_safe(chrome, own_text):
        checker = _ChromeChecker()
        checker.feed(chrome)
        checker.close()
        if checks is not None:
            checks.parsed += 1
        if checker.problems:
            raise UnsafeOutput(f"{where}: " + "; ".join(dict.fromkeys(checker.problems[:5])))
    # The theme's indentation is a kilobyte or two of every page, ahead of the rollback steps
    # that must arrive in the first 14 KB. Only the theme's part is squeezed: the content
    # holds <pre> blocks whose spacing matters.
    return _squeeze(head) + inner + _squeeze(tail)


_BLANKS = re.compile(r"\n[ \t]*(?:\n[ \t]*)*")


def _squeeze(html: str) -> str:
    """Drop indentation and blank lines (the theme has no <pre> or <textarea>)."""
    return _BLANKS.sub("\n", html)
