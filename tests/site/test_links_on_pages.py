"""Links and phone numbers on the built site: every button works and goes where the file says.

One build of a project whose runbooks, teams file and configuration hold the links people
paste (Kibana with quotes, Grafana with braces, other scripts, IDN hosts, ports, fragments),
phone numbers written every which way, and runbook files whose names need encoding.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from rollbook.model.links import web_href
from tests.conftest import run_cli
from tests.site.sitetools import build_project, make_project

# Links as written in the runbook, one per place a runbook can hold a link.
LINKS = {
    # Accepted before, and rendered as href="" (issue 8): a quote is all it takes.
    "flag": "https://flags.example.com/flags/checkout.one_click?note='kill'",
    "signal": "https://kibana.example.com/app/discover#/?_a=(query:(query:'status:500 and "
    'host:"web-1"\'))&_g=(filters:!(),time:(from:now-15m))',
    "log": 'https://grafana.example.com/explore?left={"queries":[{"expr":"{app=|checkout|}"}]}',
    "step": "https://bücher.example:8443/Straße/Zürich?q=日本#Schritt 2",
    "test": "https://ci.example.com/runs/812?q=a\\b#c#d",
}
TEAM_CHAT = "https://chat.example.com/channels/pay ments?name='on-call'&x={y}"
PERSON_CHAT = "https://chat.example.com/@amára"

TEAMS = f"""\
version: 1
teams:
  - id: payments
    name: Payments
    oncall_phone: "+44 (0)20 7946 0101"
    chat: "#payments-oncall"
    chat_url: "{TEAM_CHAT}"
    people:
      - id: amara
        name: Amara Obi
        phone: "020 7946 0102"
        chat: "@amara"
        chat_url: "{PERSON_CHAT}"
      - id: ben
        name: Ben Hale
        phone: "+1 (415) 555-0100"
"""

RUNBOOK = """\
id: {id}
title: {title}
summary: Lets returning customers buy with one tap.
owner: payments
risk: high
contacts:
  - person: amara
flags:
  - key: checkout.one_click
    system: flagd
    off: false
    change: Flag console, then Off
    link: {flag}
signals:
  - name: Errors
    kind: dashboard
    link: {signal}
logs:
  - name: Checkout logs
    where: Grafana Explore
    link: {log}
rollback:
  kill_switch: checkout.one_click
  steps:
    - do: Switch the flag off.
      link: {step}
tests:
  - kind: stress
    link: {test}
"""

# File names that need encoding in a link, and the page id each one gets.
FILES = {
    "one click #2.yaml": "one-click",
    "why?100%.yaml": "why",
    'it\'s "quoted".yaml': "quoted",
    "café crème.yaml": "cafe",
}
REPO = "https://git.example.com/larder/shop"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open, "".join(self._text).strip()))
            self._open = None


def anchors(path: Path) -> list[tuple[dict[str, str | None], str]]:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.anchors


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("links") / "project")
    for old in (root / "runbooks").glob("*.yaml"):
        old.unlink()
    (root / "runbooks" / "teams.yaml").write_text(TEAMS, encoding="utf-8")
    for name, ident in FILES.items():
        text = RUNBOOK.format(id=ident, title=ident.title(), **{k: _q(v) for k, v in LINKS.items()})
        (root / "runbooks" / name).write_text(text, encoding="utf-8")
    config = root / "rollbook.toml"
    config.write_text(
        f'repo-url = "{REPO}"\nphone-region = "GB"\n' + config.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    out = root / "site"
    outcome = build_project(root, out)
    assert outcome.unreadable == 0
    return out


def test_no_page_has_an_empty_or_missing_href(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        for attrs, text in anchors(page):
            if "href" in attrs:
                assert attrs["href"], f"{page.relative_to(site)}: dead link {text!r}"
            else:
                assert "rb-btn" not in (attrs.get("class") or ""), f"{page}: button {text!r}"


@pytest.mark.parametrize("ident", sorted(FILES.values()))
def test_every_runbook_link_is_a_working_button(site: Path, ident: str) -> None:
    hrefs = {a["href"] for a, _ in anchors(site / "runbooks" / ident / "index.html")}
    for where, link in LINKS.items():
        assert web_href(link) in hrefs, where
    # Spelled out, for the links that used to render as href="" or raw:
    assert (
        "https://kibana.example.com/app/discover#/?_a=(query:(query:'status:500%20and%20"
        "host:%22web-1%22'))&_g=(filters:!(),time:(from:now-15m))"
    ) in hrefs
    assert (
        "https://xn--bcher-kva.example:8443/Stra%C3%9Fe/Z%C3%BCrich?q=%E6%97%A5%E6%9C%AC"
        "#Schritt%202"
    ) in hrefs
    assert "https://ci.example.com/runs/812?q=a%5Cb#c%23d" in hrefs


@pytest.mark.parametrize(("name", "ident"), sorted(FILES.items()))
def test_source_link_is_percent_encoded(site: Path, name: str, ident: str) -> None:
    expected = {
        "one click #2.yaml": "one%20click%20%232.yaml",
        "why?100%.yaml": "why%3F100%25.yaml",
        'it\'s "quoted".yaml': "it%27s%20%22quoted%22.yaml",
        "café crème.yaml": "caf%C3%A9%20cr%C3%A8me.yaml",
    }[name]
    found = [
        (a["href"], text)
        for a, text in anchors(site / "runbooks" / ident / "index.html")
        if text == f"runbooks/{name}"
    ]
    assert found == [(f"{REPO}/blob/main/runbooks/{expected}", f"runbooks/{name}")]


def test_call_buttons_dial_e164_and_chat_buttons_work(site: Path) -> None:
    page = anchors(site / "runbooks" / "one-click" / "index.html")
    buttons = [(a["href"], text) for a, text in page if "rb-btn--" in (a.get("class") or "")]
    # The owner's on-call first (the (0) trunk prefix dropped), then the contact.
    assert buttons[:3] == [
        ("tel:+442079460101", "Call Payments on-call"),
        ("sms:+442079460101", "Text"),
        (web_href(TEAM_CHAT), "Chat"),
    ]
    assert ("tel:+442079460102", "Call Amara Obi") in buttons
    assert ("sms:+442079460102", "Text") in buttons
    assert ("https://chat.example.com/@am%C3%A1ra", "Chat @amara") in buttons
    assert web_href(TEAM_CHAT) == (
        "https://chat.example.com/channels/pay%20ments?name='on-call'&x=%7By%7D"
    )


def test_team_page_shows_numbers_in_international_form(site: Path) -> None:
    people = {
        text: a["href"]
        for a, text in anchors(site / "teams" / "payments" / "index.html")
        if (a.get("href") or "").startswith("tel:")
    }
    assert people == {
        # Callout label for the on-call, then each person's number as shown.
        "Call Payments on-call": "tel:+442079460101",
        "+44 20 7946 0102": "tel:+442079460102",
        "+1 415-555-0100": "tel:+14155550100",
    }


def test_site_url_is_encoded_in_canonical_links(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    config = root / "rollbook.toml"
    config.write_text(
        'site-url = "https://Runbooks.example.com/on%20call/"\n' + config.read_text("utf-8"),
        encoding="utf-8",
    )
    build_project(root, tmp_path / "site")
    html = (tmp_path / "site" / "runbooks" / "saved-search-alerts" / "index.html").read_text()
    assert (
        '<link rel="canonical" '
        'href="https://runbooks.example.com/on%20call/runbooks/saved-search-alerts/">'
    ) in html


@pytest.mark.parametrize(
    "site_url",
    [
        "https://user:pw@runbooks.example.com/",
        'https://runbooks.example.com/"><script>x</script>',
        "javascript:alert(1)",
        "https://runbooks.example.com/",
    ],
)
def test_site_url_in_the_overrides_file_is_refused(tmp_path: Path, site_url: str) -> None:
    # MkDocs prints site_url into every page: it is set once, as `site-url`, where the
    # configuration checks it; the overrides file may not set it at all, however harmless.
    root = make_project(tmp_path / "project")
    (root / "mkdocs.overrides.yml").write_text(f"site_url: '{site_url}'\n", encoding="utf-8")
    result = run_cli("build", "--out", str(tmp_path / "site"), cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "mkdocs.overrides.yml:1:1: RB000 the overrides file may not set `site_url`" in (
        result.stderr
    )
    assert not (tmp_path / "site").exists()
