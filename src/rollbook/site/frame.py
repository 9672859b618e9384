"""A page's frame, rendered once per shape: the theme around rollbook's pages without a
template render per page.

Every page of the site is Material's ``base.html`` through rollbook's theme layer
(``theme/main.html``) around rollbook's content. Across the pages of one *shape* (see
:func:`shape_key`: the same relative links, base URL and the same fields present) that
frame differs only in four places the templates print: the page's title, its description
and its canonical URL (each escaped with ``| e``), and its content (printed raw, already
sanitised). So the frame is rendered once per shape with a marker in each of those places
(:func:`render_frame`), checked once (the chrome check of
:func:`rollbook.site.sanitize.check_page`, with the page's own text as holes, as
:class:`~rollbook.site.sanitize.ChromeChecks` does), and every page of the shape is made by
splicing its escaped text into the frame's pieces (:meth:`Frame.finish`).

A frame is trusted only when splicing gives what the template gives: each frame is
compared, when it is made, with a full render of the same page given hostile text (markup,
quotes, ampersands, direction marks), and once more with the next page of its shape; a
frame that differs is not used, and its pages are rendered whole, as before. Page text
that the frame's check cannot vouch for (text that is not inert, or a canonical URL that is
no link) is checked in full, as without frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import escape

from rollbook.site.links import PageLinks, page_links
from rollbook.site.sanitize import (
    _HOLE,
    _NOT_INERT,
    _TAG_BEFORE_HOLE,
    CONTENT_END,
    CONTENT_START,
    UnsafeOutput,
    _HoleChecker,
    _link_problem,
    _squeeze,
    check_page,
)

# The fields of a page the frame leaves open, and the markers standing for them in a frame
# render: private-use characters that no template writes and escaping leaves alone.
FIELDS = ("title", "description", "canonical", "content")
MARKERS = {name: f"\ue000rollbook-frame-{name}\ue001" for name in FIELDS}
# What a frame is compared against when it is made: every field with text a template could
# get wrong (escaping twice, not at all, stripping tags, trimming).
HOSTILE = {
    "title": "</title><script>x</script> \"Q\" & 'a' \u202eevil\u200b",
    "description": "<b>d</b> & \"q\" 'a' \u2066x\u2069 &amp;",
    "canonical": 'https://h.example/p?a=1&b="2"<x>',
    "content": '<p class="rb-x">c &amp; <a href="#top">t</a></p>',
}


@dataclass
class PageText:
    """What one page puts into its frame: its own fields, as the page gives them."""

    raw_title: str
    raw_description: str
    raw_canonical: str | None
    """The canonical URL, or None without ``site_url``."""
    content: str
    """The page's sanitised content, without rollbook's markers."""

    def __post_init__(self) -> None:
        # As the templates print them (`| e`).
        self.title = str(escape(self.raw_title)) if self.raw_title else ""
        self.description = str(escape(self.raw_description)) if self.raw_description else ""
        self.canonical = str(escape(self.raw_canonical)) if self.raw_canonical is not None else None

    def value(self, name: str) -> str:
        """The text for the frame's field ``name``, as the page shows it."""
        if name == "content":
            return CONTENT_START + self.content + CONTENT_END
        value = getattr(self, name)
        return "" if value is None else value

    def fields(self) -> dict[str, str | None]:
        """The fields as the templates are given them (see :class:`FrameSet`)."""
        return {
            "title": self.raw_title,
            "description": self.raw_description,
            "canonical": self.raw_canonical,
            "content": self.value("content"),
        }


@dataclass
class Frame:
    """One shape's frame: its text between the fields, checked once."""

    pieces: tuple[str, ...]
    """The frame's text between its fields (one more than ``fields``)."""
    fields: tuple[str, ...]
    """The field at each hole, in page order (one of :data:`FIELDS`)."""
    squeezed: tuple[str, ...] = ()
    """``pieces`` as :func:`check_page` returns the theme's part (indentation dropped)."""
    trusted: bool = False
    """Whether the chrome check passes for every page with inert text (see module)."""
    verified: bool = False
    """Whether a second page of the shape was rendered whole and matched."""

    @classmethod
    def parse(cls, render: str) -> Frame | None:
        """The frame of a render with :data:`MARKERS` in its fields, or None when its fields
        cannot be told apart (a marker split or changed by a template)."""
        pieces: list[str] = []
        fields: list[str] = []
        rest = render
        while True:
            found = [(rest.find(m), n) for n, m in MARKERS.items() if m in rest]
            if not found:
                break
            at, name = min(found)
            pieces.append(rest[:at])
            fields.append(name)
            rest = rest[at + len(MARKERS[name]) :]
        pieces.append(rest)
        if "\ue000rollbook-frame" in rest or fields.count("content") != 1:
            return None
        content = fields.index("content")
        # The content marker sits between rollbook's content markers, which appear nowhere
        # else: then check_page's marker check holds for every page by construction.
        if not (
            pieces[content].endswith(CONTENT_START) and pieces[content + 1].startswith(CONTENT_END)
        ):
            return None
        pieces[content] = pieces[content][: -len(CONTENT_START)]
        pieces[content + 1] = pieces[content + 1][len(CONTENT_END) :]
        if any(CONTENT_START in p or CONTENT_END in p for p in pieces):
            return None
        frame = cls(tuple(pieces), tuple(fields))
        frame.squeezed = tuple(_squeeze(p) for p in pieces)
        frame.trusted = frame._chrome_trusted()
        return frame

    def _chrome_trusted(self) -> bool:
        """Whether every page of this frame whose text is inert passes the chrome check:
        the layout (the frame with holes for the title and description) parses without
        problems and with every hole where inert text cannot change how it parses; a
        canonical URL appears only as a canonical link's address (checked per page)."""
        layout = []
        for i, name in enumerate(self.fields):
            piece = self.pieces[i]
            layout.append(piece)
            if name in ("title", "description"):
                layout.append(_HOLE)
            elif name == "canonical":
                if not (
                    piece.endswith('<link rel="canonical" href="')
                    and self.pieces[i + 1].startswith('">')
                ):
                    return False
                layout.append("https://canonical.invalid/")
        layout.append(self.pieces[-1])
        chrome = "".join(layout)
        if _TAG_BEFORE_HOLE.search(chrome):
            return False
        checker = _HoleChecker()
        checker.feed(chrome)
        checker.close()
        return (
            not checker.problems and not checker.misplaced and checker.holes == chrome.count(_HOLE)
        )

    def page(self, text: PageText) -> str:
        """The page as the template renders it (before the check)."""
        out = []
        for i, name in enumerate(self.fields):
            out.append(self.pieces[i])
            out.append(text.value(name))
        out.append(self.pieces[-1])
        return "".join(out)

    def _fast(self, text: PageText) -> bool:
        """Whether the page's text lets the frame's one check stand for its own."""
        if not self.trusted or CONTENT_START in text.content or CONTENT_END in text.content:
            return False
        for value in (text.title, text.description):
            if value and (_NOT_INERT.search(value) or not _splices(value)):
                return False
        canonical = text.canonical
        return canonical is None or (_link_problem(canonical) is None and _splices(canonical))

    def finish(self, text: PageText, dest_uri: str) -> tuple[str, PageLinks]:
        """The finished, checked page at ``dest_uri`` (as :func:`check_page` returns it) and
        its links (:func:`~rollbook.site.links.page_links`). Raises
        :class:`~rollbook.site.sanitize.UnsafeOutput` as the check does."""
        if self._fast(text):
            out = []
            for i, name in enumerate(self.fields):
                out.append(self.squeezed[i])
                out.append(text.content if name == "content" else text.value(name))
            out.append(self.squeezed[-1])
            cleaned = "".join(out)
        else:
            own = tuple(v for v in (text.title, text.description) if v)
            cleaned = check_page(self.page(text), dest_uri, own_text=own, content=text.content)
        return cleaned, page_links(cleaned, dest_uri)


def _splices(value: str) -> bool:
    """Whether dropping the frame's indentation piece by piece leaves ``value`` as dropping
    it over the whole page would: text on one line that starts with no blank."""
    return bool(value) and "\n" not in value and value[0] not in " \t"


# A page's shape: what its frame depends on beside its own fields.
ShapeKey = tuple


@dataclass
class FrameSet:
    """The frames of one build, by shape: each rendered, compared and checked once."""

    frames: dict[ShapeKey, Frame | None] = field(default_factory=dict)
    rendered: int = 0
    """Theme renders (a shape's frame, its comparison, its second page, whole pages)."""
    whole: int = 0
    """Pages rendered whole because their shape's frame could not be trusted."""

    def finish(
        self,
        key: ShapeKey,
        text: PageText,
        dest_uri: str,
        render: Callable[[dict[str, str | None]], str],
    ) -> tuple[str, PageLinks]:
        """The finished page for ``text`` of shape ``key`` at ``dest_uri`` and its links.

        ``render(fields)`` renders this page's theme with the given fields (title,
        description and canonical URL raw, as the page gives them to the templates; the
        content as the template prints it). It is called for a shape's first page (twice:
        the frame, and its comparison with hostile text) and second page (once, whole),
        then no more for that shape, unless the frame is not trusted.
        """
        first = key not in self.frames
        if first:
            self.frames[key] = self._make(text, render)
        frame = self.frames[key]
        if frame is not None and not first and not frame.verified:
            # The second page of a shape, rendered whole once: a frame that depends on the
            # page other than by its fields (a user's template printing the page's own
            # address, say) is found here, and its pages are rendered whole from then on.
            whole = render(text.fields())
            self.rendered += 1
            if frame.page(text) == whole:
                frame.verified = True
            else:
                self.frames[key] = None
                return self._checked(whole, text, dest_uri)
        if frame is None:
            self.rendered += 1
            return self._checked(render(text.fields()), text, dest_uri)
        return frame.finish(text, dest_uri)

    def _checked(self, html: str, text: PageText, dest_uri: str) -> tuple[str, PageLinks]:
        self.whole += 1
        own = tuple(v for v in (text.title, text.description) if v)
        cleaned = check_page(html, dest_uri, own_text=own, content=text.content)
        return cleaned, page_links(cleaned, dest_uri)

    def _make(self, text: PageText, render: Callable[[dict[str, str | None]], str]) -> Frame | None:
        """The frame for ``text``'s shape, or None if splicing would not give the render."""
        markers: dict[str, str | None] = {
            "title": MARKERS["title"] if text.raw_title else "",
            "description": MARKERS["description"] if text.raw_description else "",
            "canonical": MARKERS["canonical"] if text.raw_canonical is not None else None,
            "content": CONTENT_START + MARKERS["content"] + CONTENT_END,
        }
        self.rendered += 2
        frame = Frame.parse(render(markers))
        if frame is None:
            return None
        hostile = PageText(
            HOSTILE["title"] if text.raw_title else "",
            HOSTILE["description"] if text.raw_description else "",
            HOSTILE["canonical"] if text.raw_canonical is not None else None,
            HOSTILE["content"],
        )
        if frame.page(hostile) != render(hostile.fields()):
            return None
        return frame


# What of the page a user's theme template may use and still be spliced: the fields (and the
# tests on them) and whether the page is the home page. The page's address, its file, the
# navigation (which marks the page being built) and the list of pages are per page.
_PAGE_ATTRIBUTES = {"meta", "content", "canonical_url", "is_homepage", "title"}
_PER_PAGE_NAMES = {"nav", "pages"}


def theme_splice_problems(theme: Path | None) -> list[str]:
    """Why the templates of a user's theme folder make a page's frame depend on the page
    other than through its fields (``path: what``), or an empty list.

    A frame is also compared with whole renders as it is made (see :class:`FrameSet`); this
    look at the templates catches what a comparison of two pages cannot (a template that
    tests the page's address, say). A build whose theme has problems renders every page
    whole.
    """
    from jinja2 import Environment, TemplateSyntaxError, nodes

    if theme is None or not theme.is_dir():
        return []
    env = Environment(extensions=["jinja2.ext.loopcontrols", "jinja2.ext.do"])
    problems: list[str] = []
    for path in sorted(theme.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in {".html", ".htm", ".xml", ".j2"}:
            continue
        where = path.relative_to(theme).as_posix()
        try:
            tree = env.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, TemplateSyntaxError) as exc:
            problems.append(f"{where}: cannot be read ({exc})")
            continue
        stack: list[tuple[nodes.Node, nodes.Node | None]] = [(tree, None)]
        while stack:
            node, parent = stack.pop()
            if isinstance(node, nodes.Name) and node.name in _PER_PAGE_NAMES:
                problems.append(f"{where}: uses `{node.name}`")
            elif isinstance(node, nodes.Name) and node.name == "page":
                use = _page_use(node, parent)
                if use is not None:
                    problems.append(f"{where}: uses {use}")
            stack.extend((child, node) for child in node.iter_child_nodes())
    return problems


def _page_use(node, parent) -> str | None:
    """What a template does with ``page`` that depends on the page, or None."""
    from jinja2 import nodes

    if isinstance(parent, nodes.Getattr) and parent.node is node:
        return None if parent.attr in _PAGE_ATTRIBUTES else f"`page.{parent.attr}`"
    if isinstance(parent, nodes.Getitem) and parent.node is node:
        arg = parent.arg
        if isinstance(arg, nodes.Const) and arg.value in _PAGE_ATTRIBUTES:
            return None
        return "`page[...]`"
    if isinstance(parent, (nodes.Test, nodes.Not, nodes.And, nodes.Or, nodes.If)):
        return None
    if isinstance(parent, nodes.CondExpr) and parent.test is node:
        return None
    return "`page` itself"


__all__ = ["FIELDS", "Frame", "FrameSet", "PageText", "UnsafeOutput", "theme_splice_problems"]
