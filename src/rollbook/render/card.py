"""Offline rollback cards: one self-contained HTML file (``rollbook card``, and the site's
"save before you go offline" download).

The file must work where the site cannot: opened from a chat attachment or a phone's files
app with no network, or printed. So it is one document with its stylesheet inline, no script,
no image, font or anything else to fetch (its Content-Security-Policy forbids every request,
in case a browser would try), readable at 360 px and printed one card per page. Where the
site's address is known (``site-url``), each card carries a QR code of its feature's page,
drawn locally as inline SVG by segno.

Everything from a runbook is escaped by Jinja's autoescaping; links are written only through
the model's ``web_href`` (the ``href`` filter) and phone numbers as ``tel:`` E.164 links.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from rollbook.render.jinja import page_environment
from rollbook.render.sms import sms_body_href, sms_text
from rollbook.render.views import RollbackView

TEMPLATE = "cards/cards.html"
# Written into every card file; `rollbook card` overwrites only files that carry it.
GENERATOR = "rollbook card"
# The site's copy of the cards: at its root, beside the pages (whose names are folders), so
# no page can take its name.
SITE_PATH = "rollback-cards.html"
# The site's copy holds the riskiest features first, at most this many: at 10,000 runbooks a
# file of every card would be tens of megabytes, too much to save on a phone (100 cards are
# about 650 KB), and each QR code takes segno about 25 ms to lay out.
SITE_LIMIT = 100
RISK_LABEL = {
    "low": "Low risk",
    "medium": "Medium risk",
    "high": "High risk",
    "critical": "Critical risk",
}


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of ``url`` (error correction M: survives a crease or a smudge).

    segno writes only a ``<svg>`` with a ``viewBox`` and one ``<path>`` of the modules: no
    text of ours goes into it, so it needs no escaping; the card names it in the markup
    around it.
    """
    import segno

    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=4, border=4, svgclass="qr-svg", omitsize=True))


def render_cards(
    views: list[RollbackView],
    *,
    title: str = "Rollback cards",
    built_text: str = "",
    qr: bool = True,
) -> str:
    """The cards of ``views`` as one HTML document, with a table of contents."""
    env = page_environment(None)
    env.filters["pre"] = _pre
    cards = [
        {
            "view": view,
            "qr": qr_svg(view.page_url) if qr and view.page_url else None,
            "sms_href": sms_body_href(sms_text(view)),
        }
        for view in views
    ]
    return env.get_template(TEMPLATE).render(
        title=title,
        built_text=built_text,
        cards=cards,
        generator=GENERATOR,
        risk_label=RISK_LABEL,
    )


def _pre(text: str) -> Markup:
    """A command for a ``<pre>``, escaped, its line breaks written as ``&#10;``.

    The site's page check squeezes runs of indentation out of HTML it did not write itself;
    written as references, the line breaks and the indentation after them survive it.
    """
    return Markup(str(escape(text)).replace("\n", "&#10;"))


def is_card_file(head: str) -> bool:
    """Whether a file that starts with ``head`` was written by ``rollbook card``."""
    return f'<meta name="generator" content="{GENERATOR}">' in head
