"""The site's coverage page: features a source declares that no runbook covers, each with the
file and line that declares it, computed from the configured sources as `rollbook lint` does."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from rollbook.cli import main
from rollbook.commands.build import build
from rollbook.config import load_project
from tests.lint.conftest import FLAGS, GOOD, TEAMS

CONFIG = """\
runbooks = ["runbooks"]
teams = "runbooks/teams.yaml"
{extra}
[[sources]]
kind = "flagd"
paths = ["flags/*.flagd.json"]

[[sources]]
kind = "code"
paths = ["src/**/*.py", "web/**/*.ts"]
"""


def make(root: Path, extra: str = "", code: dict[str, str] | None = None) -> Path:
    files = {
        "rollbook.toml": CONFIG.format(extra=extra),
        "runbooks/teams.yaml": TEAMS,
        "runbooks/one-click-checkout.yaml": GOOD,
        "flags/checkout.flagd.json": FLAGS,
        **(code or {}),
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def page(out: Path, rel: str = "coverage/index.html") -> str:
    text = (out / rel).read_text(encoding="utf-8")
    return text[text.index("<article") : text.index("</article>")]


def text_of(fragment: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


CODE = {
    "src/pay/express.py": 'import x\n\nif client.get_boolean_value("checkout.express", False):\n',
    "web/cart.ts": "// cart\nconst on = client.getBooleanValue('cart.saved_for_later', false);\n",
}


def test_gaps_are_listed_with_the_file_and_line_that_declare_them(tmp_path):
    root = make(tmp_path / "p", code=CODE)
    out = tmp_path / "site"
    build(load_project(root), out)
    shown = text_of(page(out))
    assert "2 of 3 deployable features have no runbook" in shown
    assert "checkout.express code, declared at src/pay/express.py:3" in shown
    assert "cart.saved_for_later code, declared at web/cart.ts:2" in shown
    # What RB101 says about each, and how to fix it.
    assert "Fix: write one with `rollbook new cart-saved-for-later`" in shown
    # Grouped by the declaring file, in path order; the covered flag is not listed.
    assert shown.index("src/pay/express.py") < shown.index("web/cart.ts")
    assert "checkout.one_click" not in shown
    home = text_of(page(out, "index.html"))
    assert "2 deployable features without a runbook" in home
    assert 'href="coverage/"' in page(out, "index.html")


def test_every_feature_covered_says_so(tmp_path):
    root = make(tmp_path / "p")
    out = tmp_path / "site"
    build(load_project(root), out)
    assert "Every deployable feature has a runbook: 1 feature found" in text_of(page(out))
    home = page(out, "index.html")
    assert "without a runbook" not in home and 'href="coverage/"' in home


def test_without_sources_the_page_says_coverage_is_not_checked(tmp_path):
    root = make(tmp_path / "p")
    config = root / "rollbook.toml"
    config.write_text(config.read_text().split("[[sources]]")[0])
    out = tmp_path / "site"
    build(load_project(root), out)
    assert "No feature sources are configured" in text_of(page(out))


def test_ignoring_rb101_in_lint_does_not_hide_the_gaps_from_readers(tmp_path):
    # The gate can be relaxed; what the site tells readers about missing runbooks cannot.
    root = make(tmp_path / "p", extra='ignore = ["RB101"]\n', code=CODE)
    out = tmp_path / "site"
    build(load_project(root), out)
    assert "2 of 3 deployable features have no runbook" in text_of(page(out))


def test_a_runbook_that_lists_the_flag_without_rollback_is_a_gap_with_the_reason(tmp_path):
    runbook = GOOD.replace("id: one-click-checkout", "id: express").replace(
        "checkout.one_click", "checkout.express"
    )
    runbook = runbook[: runbook.index("rollback:")] + "deployable: false\n"
    code = {**CODE, "runbooks/express.yaml": runbook}
    root = make(tmp_path / "p", code=code)
    out = tmp_path / "site"
    build(load_project(root), out, keep_going=True)
    shown = text_of(page(out))
    assert "runbooks/express.yaml lists it but says `deployable: false`" in shown


def test_declaring_file_links_to_the_repository_when_repo_url_is_set(tmp_path):
    root = make(tmp_path / "p", extra='repo-url = "https://git.example.com/org/shop"\n', code=CODE)
    out = tmp_path / "site"
    build(load_project(root), out)
    fragment = page(out)
    assert 'href="https://git.example.com/org/shop/blob/main/web/cart.ts"' in fragment


def test_the_page_lists_at_most_the_limit_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr("rollbook.render.coverage.COVERAGE_LIMIT", 3)
    lines = "".join(f'client.get_boolean_value("many.flag_{i:02d}", False)\n' for i in range(7))
    root = make(tmp_path / "p", code={"src/many.py": lines})
    out = tmp_path / "site"
    build(load_project(root), out)
    shown = text_of(page(out))
    assert "7 of 8 deployable features have no runbook" in shown
    assert "This page shows the first 3." in shown
    assert "many.flag_02" in shown and "many.flag_03" not in shown


# Keys as hostile as flag files and code can make them. Every one arrives as text: markup
# escaped, invisible and direction-changing characters shown as escapes, nothing run.
HOSTILE_KEYS = [
    ("markup", "<script>alert('k1')</script>", "<script>alert('k1')</script>"),
    ("attribute", "x\" onmouseover=\"alert('k2')", "x\" onmouseover=\"alert('k2')"),
    ("img", "<img src=x onerror=alert('k3')>", "<img src=x onerror=alert('k3')>"),
    ("bidi", "admin\u202egnp.exe", "admin\\u202egnp.exe"),
    ("zero width", "pay\u200bments", "pay\\u200bments"),
    ("template", "{{ 7 * 7 }}{% raw %}", "{{ 7 * 7 }}{% raw %}"),
    ("link", "javascript:alert('k4')", "javascript:alert('k4')"),
    ("escape", "\x1b[31mred", "\\x1b[31mred"),
]


@pytest.mark.parametrize("name,key,seen", HOSTILE_KEYS, ids=[k[0] for k in HOSTILE_KEYS])
def test_hostile_flag_keys_are_shown_as_text(tmp_path, name, key, seen):
    flags = json.loads(FLAGS)
    flags["flags"][key] = {
        "state": "ENABLED",
        "variants": {"on": True, "off": False},
        "defaultVariant": "off",
    }
    root = make(tmp_path / "p", code={"flags/checkout.flagd.json": json.dumps(flags, indent=1)})
    out = tmp_path / "site"
    build(load_project(root), out)  # the finished-page check would stop a page that runs code
    fragment = page(out)
    assert seen in text_of(fragment)
    assert "<script" not in fragment and "<img" not in fragment
    # No tag gained an attribute (text's < and " are escaped, so a tag here is a real one).
    assert not re.search(r"<[^>]*\son\w+=", fragment) and 'href="javascript' not in fragment
    for char in "\u202e\u200b\x1b":
        assert char not in fragment


def test_cli_build_site_url_is_checked_like_the_configuration(tmp_path, monkeypatch, capsys):
    root = make(tmp_path / "p")
    monkeypatch.chdir(root)
    for bad in ("javascript:alert(1)", "//host/repo/", "https://user:pw@host/", "https://h/?q"):
        with pytest.raises(SystemExit) as exc:
            main(["build", "--site-url", bad, "--out", str(tmp_path / "site")])
        assert exc.value.code == 2, bad
        assert capsys.readouterr().err.startswith(f"error: --site-url {bad!r}: ")
    assert not (tmp_path / "site").exists()
    with pytest.raises(SystemExit) as exc:
        main(["build", "--site-url", "https://org.github.io/repo", "--out", str(tmp_path / "site")])
    assert exc.value.code == 0
    sitemap = (tmp_path / "site/sitemap.xml").read_text()
    assert "<loc>https://org.github.io/repo/coverage/</loc>" in sitemap


def test_search_for_an_uncovered_key_finds_the_coverage_page(tmp_path):
    import datetime as dt

    from rollbook.commands.build import lint_and_load, render_pages
    from tests.site.searchtools import matching_pages, page_words

    project = load_project(make(tmp_path / "p", code=CODE))
    loaded, lint = lint_and_load(project)
    pages = render_pages(
        loaded,
        lint=lint,
        built=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        user_templates=None,
    )
    held = page_words(pages)
    coverage = next(i for i, p in enumerate(pages) if p.kind == "coverage")
    for query in ("checkout.express", "saved_for_later", "cart saved"):
        assert coverage in matching_pages(held, query), query
    # The covered flag's search finds its runbook, not the list of gaps.
    assert coverage not in matching_pages(held, "one_click")


EXEMPT = """\
[[exempt]]
key = "checkout.express"
reason = "a load-test switch, never on in production"

[[exempt]]
key = "cart.saved_for_later"
reason = "removed next sprint"
expires = 2020-01-01
"""


def test_an_exempted_key_is_no_gap_but_an_expired_exemption_is(tmp_path):
    """The page agrees with `rollbook lint`: a key exempted in `[[exempt]]` needs no runbook;
    once the exemption has expired it is a gap again."""
    root = make(tmp_path / "p", extra=EXEMPT, code=CODE)
    out = tmp_path / "site"
    build(load_project(root), out)
    shown = text_of(page(out))
    assert "1 of 3 deployable features has no runbook" in shown
    assert "checkout.express" not in shown
    assert "cart.saved_for_later code, declared at web/cart.ts:2" in shown
    assert "1 deployable feature without a runbook" in text_of(page(out, "index.html"))
