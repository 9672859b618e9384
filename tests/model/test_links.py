"""Links: every link the model accepts renders as a working link to the same place.

One function (rollbook.model.links.web_href) owns "the href for this link"; the model's
validation, the page templates' `href` filter and the configuration all call it. These tests
pin what it writes for the links people paste, what it refuses and why, and, as a property,
that anything it accepts renders to a non-empty href that the sanitiser, the page check and a
WHATWG URL parser (ada, the parser Node uses, standing in for the browser; a real browser
checks a sample in tests/site/test_links_browser.py) accept, going to the same place.
"""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from urllib.parse import unquote_to_bytes

import ada_url
import jsonschema
import pytest
import regress
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

from rollbook.model.links import LINK_PATTERN, LinkError, parse_href, path_href, web_href
from rollbook.model.runbook import Runbook, TeamsFile
from rollbook.render.jinja import page_environment
from rollbook.schema import runbook_schema, teams_schema
from rollbook.site.sanitize import CONTENT_END, CONTENT_START, check_page, sanitize
from tests.model.linkgen import any_links, pasted_links

KIBANA = "https://kibana.example.com/app/discover"
GRAFANA = "https://grafana.example.com/d/abc/checkout"

# (as pasted, the href the page must carry)
RENDERED = [
    # Kibana's rison: quotes, brackets and bangs are legal in a URL and stay as written.
    (
        f"{KIBANA}#/?_a=(query:(language:kuery,query:'status:500'))&_g=(filters:!())",
        f"{KIBANA}#/?_a=(query:(language:kuery,query:'status:500'))&_g=(filters:!())",
    ),
    (
        f"{KIBANA}?_a=(query:'host:\"web-1\" and level:error')",
        f"{KIBANA}?_a=(query:'host:%22web-1%22%20and%20level:error')",
    ),
    # Grafana variables with braces and pipes; a caret and a backtick.
    (
        f"{GRAFANA}?var-host={{web-1,web-2}}&var-re=a|b^c`d",
        f"{GRAFANA}?var-host=%7Bweb-1,web-2%7D&var-re=a%7Cb%5Ec%60d",
    ),
    ("https://logs.example.com/search?q=<error>", "https://logs.example.com/search?q=%3Cerror%3E"),
    (
        "https://logs.example.com/search?filter[0]=a",
        "https://logs.example.com/search?filter%5B0%5D=a",
    ),
    # A backslash after the `?` is data (Kibana escapes quotes with it): encoded, not dropped.
    (f'{KIBANA}?q=msg:\\"x\\"', f"{KIBANA}?q=msg:%5C%22x%5C%22"),
    (f"{KIBANA}#/?q=a\\b", f"{KIBANA}#/?q=a%5Cb"),
    # Spaces anywhere after the host.
    (
        "https://wiki.example.com/On call/Checkout runbook",
        "https://wiki.example.com/On%20call/Checkout%20runbook",
    ),
    # Other scripts in the path, query and fragment: UTF-8, percent-encoded.
    (
        "https://wiki.example.com/Straße/Zürich?q=日本#Überblick",
        "https://wiki.example.com/Stra%C3%9Fe/Z%C3%BCrich?q=%E6%97%A5%E6%9C%AC#%C3%9Cberblick",
    ),
    ("https://wiki.example.com/#😀", "https://wiki.example.com/#%F0%9F%98%80"),
    # Internationalised host names, as browsers convert them (UTS #46, non-transitional).
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("https://faß.de/", "https://xn--fa-hia.de/"),
    ("https://例え。テスト/", "https://xn--r8jz45g.xn--zckzah/"),
    ("https://Grafana.Example.COM/d/1", "https://grafana.example.com/d/1"),
    # Ports, IP addresses, a trailing dot.
    ("https://grafana.example.com:3000/d/1", "https://grafana.example.com:3000/d/1"),
    ("http://192.0.2.10:9090/graph", "http://192.0.2.10:9090/graph"),
    ("https://[2001:DB8:0:0::1]:8443/x", "https://[2001:db8::1]:8443/x"),
    ("https://grafana.example.com./d/1", "https://grafana.example.com./d/1"),
    # Fragments: a second `#` is part of the first fragment.
    ("https://x.example/a#b#c", "https://x.example/a#b%23c"),
    ("https://x.example?q=1", "https://x.example?q=1"),
    # Percent signs: escapes stay as written, a lone % is encoded.
    ("https://x.example/search?q=100%", "https://x.example/search?q=100%25"),
    ("https://x.example/a%20b/%zz?x=%2F", "https://x.example/a%20b/%25zz?x=%2F"),
]


@pytest.mark.parametrize(("text", "href"), RENDERED)
def test_href_for_links_people_paste(text: str, href: str) -> None:
    assert web_href(text) == href
    assert web_href(href) == href  # an href is its own href


# (as pasted, a phrase the message must hold)
REFUSED = [
    # A user name or password: leaks it, and disguises the host.
    ("https://user:secret@grafana.example.com/d/1", "user name or password"),
    ("https://grafana.example.com@evil.example/", "user name or password"),
    ("https://grafana.example.com:443@evil.example/", "user name or password"),
    # Backslashes before the query: browsers read them as `/`.
    ("https://grafana.example.com\\@evil.example/", "backslash"),
    ("https://wiki.example.com/a\\b", "backslash"),
    # Numbers a browser reads as an IP address in another form.
    ("https://0x7f.1/", "IP address"),
    ("https://2130706433/", "IP address"),
    ("https://127.1/", "IP address"),
    ("https://192.0.2.256/", "IP address"),
    ("https://010.0.0.1/", "IP address"),
    ("https://grafana.0x1/", "IP address"),
    # Hosts that are not host names.
    ("https://ex%61mple.com/", "contains '%'"),
    ("https://exa mple.com/", "contains ' '"),
    ("https://x.example'onmouseover=1/", 'contains "\'"'),
    ("https://a..b/", "empty part"),
    ("https://💩.la/", "international domain name"),
    ("https://xn--abc-.example/", "international domain name"),
    ("https://[::1%25eth0]/", "IPv6"),
    ("https://[fe80::1/", "IPv6"),
    ("https:///x.example/", "more than two slashes"),
    ("https://", "no host"),
    ("https://:443/", "no host"),
    # Ports.
    ("https://x.example:0/", "port"),
    ("https://x.example:65536/", "port"),
    ("https://x.example:80a/", "port"),
    ("https://x.example:/", "port"),
    ("https://x.example:0443/", "port"),
    # Characters that hide what the link says.
    ("https://x.example/a\tb", "U+0009 a control character"),
    ("https://x.example/a\nb", "U+000A a control character"),
    ("https://x.example/\u202eexe.txt", "RIGHT-TO-LEFT OVERRIDE"),
    ("https://x.exa\u200bmple/", "ZERO WIDTH SPACE"),
    ("https://x.example/a\u00a0b", "NO-BREAK SPACE"),
    ("https://x.example/\u2066x", "LEFT-TO-RIGHT ISOLATE"),
    ("https://x.example/\ud800", "not valid Unicode"),
    (" https://x.example/", "starting with https://"),
    ("https://x.example/ ", "space at its start or end"),
    # Other schemes and near misses.
    ("javascript:alert(1)", "`javascript:` links are not allowed"),
    ("JavaScript:alert(1)", "not allowed"),
    ("data:text/html,<script>x</script>", "`data:` links are not allowed"),
    ("file:///etc/passwd", "`file:` links are not allowed"),
    ("HTTPS://x.example/", "lower case"),
    ("//x.example/", "start the link with https://"),
    ("https:/x.example/", "two slashes"),
    ("grafana.example.com/d/1", "start the link with https://"),
    ("https://x.example/" + "a" * 2000, "at most 2000"),
]


@pytest.mark.parametrize(("text", "phrase"), REFUSED)
def test_links_that_cannot_be_honest_buttons_are_refused(text: str, phrase: str) -> None:
    with pytest.raises(LinkError) as caught:
        web_href(text)
    assert phrase in str(caught.value) + " " + caught.value.hint
    assert caught.value.hint, "every refusal says how to fix it"


# -- the property --------------------------------------------------------------------------

ENV = page_environment(None)
TEMPLATE = ENV.from_string('<a class="rb-btn" href="{{ link | href }}">Open</a>')
ALLOWED_IN_HREF = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})+")
ECMA = regress.Regex(LINK_PATTERN)


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))


def hrefs_in(html: str) -> list[str | None]:
    parser = _Hrefs()
    parser.feed(html)
    parser.close()
    return parser.hrefs


def same_place(href: str, text: str) -> None:
    """A WHATWG parser reads ``href`` and ``text`` as the same scheme, host and port, and the
    same path, query and fragment once percent-decoded."""
    ours, theirs = ada_url.URL(href), ada_url.URL(text)
    assert (ours.protocol, ours.hostname, ours.port) == (
        theirs.protocol,
        theirs.hostname,
        theirs.port,
    ), (text, href)
    for part in ("pathname", "search", "hash"):
        assert unquote_to_bytes(getattr(ours, part)) == unquote_to_bytes(getattr(theirs, part)), (
            part,
            text,
            href,
        )


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_links())
def test_any_accepted_link_renders_to_a_working_href_to_the_same_place(text: str) -> None:
    try:
        href = web_href(text)
    except LinkError:
        return  # refused: the model reports it with line, column and hint
    # A non-empty href of URL characters only, that is its own href (with or without the
    # shortcut for links that are hrefs already).
    assert href and ALLOWED_IN_HREF.fullmatch(href), (text, href)
    assert parse_href(text) == href
    assert web_href(href) == href
    assert parse_href(href) == href
    # The browser (a WHATWG parser) reads it, and goes where the text pasted would go.
    same_place(href, text)
    # The template filter writes exactly that href; the sanitiser and the page check keep it.
    html = TEMPLATE.render(link=text)
    assert hrefs_in(html) == [href]
    assert hrefs_in(sanitize(html)) == [href]
    page = f"<html><body>{CONTENT_START}{sanitize(html)}{CONTENT_END}</body></html>"
    assert hrefs_in(check_page(page, "test.html")) == [href]
    # The exported schema accepts what the model accepts, in Python's and ECMA-262's regexes.
    assert re.fullmatch(LINK_PATTERN, text), text
    assert ECMA.find(text) is not None, text


TEAMS_VALIDATOR = jsonschema.Draft202012Validator(teams_schema())
RUNBOOK_VALIDATOR = jsonschema.Draft202012Validator(runbook_schema())
TEAMS = {"version": 1, "teams": [{"id": "payments", "name": "Payments"}]}
RUNBOOK = {
    "id": "x",
    "title": "X",
    "summary": "S",
    "owner": "payments",
    "risk": "low",
    "signals": [{"name": "Errors", "kind": "metric"}],
}


@settings(max_examples=400, deadline=None)
@given(pasted_links())
def test_model_and_schema_agree_on_links(text: str) -> None:
    """Wherever a link stands, the model and the exported schema agree about it, except for
    what a pattern cannot check: host names in other scripts, which the model maps as
    browsers do (UTS #46: `²` is `2`, `。` is a dot) and checks, and invalid `xn--` labels.
    Those only the model refuses."""
    authority = re.split(r"[/?#\\]", text.split("//", 1)[1], maxsplit=1)[0]
    teams = copy.deepcopy(TEAMS)
    teams["teams"][0]["chat_url"] = text
    runbook = copy.deepcopy(RUNBOOK)
    runbook["signals"][0]["link"] = text
    for model, validator, doc in (
        (TeamsFile, TEAMS_VALIDATOR, teams),
        (Runbook, RUNBOOK_VALIDATOR, runbook),
    ):
        try:
            model.model_validate(doc)
            accepted = True
        except ValidationError as exc:
            accepted = False
            message = str(exc)
        if accepted:
            assert validator.is_valid(doc), text
        elif validator.is_valid(doc):
            assert not authority.isascii() or "international domain name" in message, (
                text,
                message,
            )


# What a pattern cannot say: which international names are valid, and lone surrogates (an
# ECMA-262 pattern sees every character beyond U+FFFF as two of them).
ONLY_THE_MODEL = ("international domain name", "not valid Unicode")


@pytest.mark.parametrize(("text", "phrase"), [r for r in REFUSED if r[1] not in ONLY_THE_MODEL])
def test_schema_refuses_what_the_model_refuses(text: str, phrase: str) -> None:
    teams = copy.deepcopy(TEAMS)
    teams["teams"][0]["chat_url"] = text
    assert not TEAMS_VALIDATOR.is_valid(teams)
    if len(text) <= 2000:  # longer ones are refused by maxLength, not the pattern
        assert ECMA.find(text) is None


# -- source links --------------------------------------------------------------------------

REPO_BLOB = "https://git.example.com/larder/shop/blob/main"


@pytest.mark.parametrize(
    ("path", "href"),
    [
        ("runbooks/checkout.yaml", f"{REPO_BLOB}/runbooks/checkout.yaml"),
        ("runbooks/one click.yaml", f"{REPO_BLOB}/runbooks/one%20click.yaml"),
        ("runbooks/issue #12.yaml", f"{REPO_BLOB}/runbooks/issue%20%2312.yaml"),
        ("runbooks/why?.yaml", f"{REPO_BLOB}/runbooks/why%3F.yaml"),
        ("runbooks/100%.yaml", f"{REPO_BLOB}/runbooks/100%25.yaml"),
        ("runbooks/%41.yaml", f"{REPO_BLOB}/runbooks/%2541.yaml"),
        ('runbooks/it\'s "new".yaml', f"{REPO_BLOB}/runbooks/it%27s%20%22new%22.yaml"),
        ("runbooks/café/crème.yaml", f"{REPO_BLOB}/runbooks/caf%C3%A9/cr%C3%A8me.yaml"),
        ("runbooks/日本.yaml", f"{REPO_BLOB}/runbooks/%E6%97%A5%E6%9C%AC.yaml"),
        ("runbooks/a&b=c;d.yaml", f"{REPO_BLOB}/runbooks/a%26b%3Dc%3Bd.yaml"),
        ("runbooks/back\\slash.yaml", f"{REPO_BLOB}/runbooks/back%5Cslash.yaml"),
    ],
)
def test_source_links_encode_every_file_name(path: str, href: str) -> None:
    assert path_href(REPO_BLOB + "/", path) == href
    # The repository host gets back the file name exactly.
    assert unquote_to_bytes(ada_url.URL(href).pathname).decode() == (
        "/larder/shop/blob/main/" + path
    )
