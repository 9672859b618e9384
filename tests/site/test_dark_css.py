"""Dark mode without JavaScript (``assets/rollbook/dark.css``): rollbook's slate rules, and
Material's slate colours, repeated under ``prefers-color-scheme: dark`` for ``.no-js`` pages.

The rules come from rollbook's stylesheet, which a user may replace with their own: each must
arrive whole, under the same conditions it had, and nothing that is not a dark rule may. How
a page looks with it is checked in a real browser in test_dark_without_js.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tinycss2

from rollbook.site import stylesheet
from rollbook.site.dark_css import no_js_dark_css

SCOPE = ".no-js body[data-md-color-scheme]"


@pytest.fixture
def palette(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for Material's palette CSS: its slate colours (for screens, as Material
    has them), and slate rules that are not the scheme's colours (pages get those from
    Material's script only)."""
    path = tmp_path / "palette.0.min.css"
    path.write_text(
        "@media screen{[data-md-color-scheme=default]{--bg:#fff}"
        "[data-md-color-scheme=slate]{color-scheme:dark;--bg:#000}}"
        "[data-md-color-scheme=slate][data-md-color-primary=indigo]{--p:#333}",
        encoding="utf-8",
    )
    monkeypatch.setattr(
        stylesheet, "material_file", lambda folder, pattern: path if "palette" in pattern else None
    )
    return path


def _dark(rules: str) -> str:
    colours = f"@media screen{{{SCOPE}{{color-scheme:dark;--bg:#000}}}}"
    return f"@media (prefers-color-scheme: dark){{{colours}{rules}}}\n"


def test_slate_rules_are_repeated_for_pages_without_javascript(palette: Path) -> None:
    css = (
        ".rb-risk--low { color: #1b5e20; }\n"
        "[data-md-color-scheme=slate] .rb-risk--low { color: #a5d6a7; }\n"
        "[data-md-color-scheme=slate] .rb-warn, [data-md-color-scheme=slate] .rb-x "
        "{ color: #ef9a9a; }\n"
    )
    assert no_js_dark_css(css) == _dark(
        f"{SCOPE} .rb-risk--low{{color: #a5d6a7;}}{SCOPE} .rb-warn,{SCOPE} .rb-x{{color: #ef9a9a;}}"
    )


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        (
            ".a{color:red}\n@media (max-width: 40em) {\n"
            "  [data-md-color-scheme=slate] .rb-x { color: #fff; }\n  .rb-y { color: red; }\n}\n",
            f"@media (max-width: 40em){{{SCOPE} .rb-x{{color: #fff;}}}}",
        ),
        (
            "@supports (display: grid) { [data-md-color-scheme=slate] .rb-x { color: #fff } }",
            f"@supports (display: grid){{{SCOPE} .rb-x{{color: #fff}}}}",
        ),
        (
            "@supports (gap: 1px) { @media print { .a { x: 1 } }\n"
            "  @media (min-width: 30em) { [data-md-color-scheme=slate] .rb-x { color: #fff } } }",
            f"@supports (gap: 1px){{@media (min-width: 30em){{{SCOPE} .rb-x{{color: #fff}}}}}}",
        ),
        (
            "@media screen and (orientation: landscape) { [data-md-color-scheme=slate] .a, "
            "[data-md-color-scheme=slate] .b { color: #fff } }",
            f"@media screen and (orientation: landscape){{{SCOPE} .a,{SCOPE} .b{{color: #fff}}}}",
        ),
    ],
    ids=["media", "supports", "nested-groups", "media-selector-list"],
)
def test_a_dark_rule_inside_a_group_keeps_its_condition(
    palette: Path, css: str, expected: str
) -> None:
    # A dark rule taken out of its @media would apply at every width.
    assert no_js_dark_css(css) == _dark(expected)


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        # A slate rule in a comment is no rule.
        ("/* [data-md-color-scheme=slate] .x{color:red} */ .y { color: blue }", ""),
        # A brace in a string does not end the block.
        (
            '[data-md-color-scheme=slate] .q::before { content: "}"; color: red }',
            f'{SCOPE} .q::before{{content: "}}"; color: red}}',
        ),
        # The parts of a selector list that are not dark stay out of the dark stylesheet.
        (
            "[data-md-color-scheme=slate] .a, .b { color: red }",
            f"{SCOPE} .a{{color: red}}",
        ),
        # The attribute value may be quoted.
        (
            "[data-md-color-scheme='slate'] .a { color: red }\n"
            '[data-md-color-scheme="slate"] .b { color: red }',
            f"{SCOPE} .a{{color: red}}{SCOPE} .b{{color: red}}",
        ),
        # A rule that holds when the page is not dark is not a dark rule.
        ("[data-md-color-primary=lime]:not([data-md-color-scheme=slate]) .a { x: 1 }", ""),
        # Other at-rules are not copied.
        (
            "@font-face { font-family: x; src: url(x.woff2) }\n"
            "@keyframes spin { to { transform: rotate(1turn) } }",
            "",
        ),
    ],
    ids=["comment", "brace-in-string", "selector-list", "quoted", "not-slate", "at-rules"],
)
def test_only_whole_dark_rules_are_copied(palette: Path, css: str, expected: str) -> None:
    out = no_js_dark_css(css)
    assert out == _dark(expected)
    # Whatever rollbook's stylesheet holds, the dark one is well-formed CSS: one group,
    # nothing left open to swallow what follows.
    rules = tinycss2.parse_stylesheet(out, skip_comments=True, skip_whitespace=True)
    assert [r.type for r in rules] == ["at-rule"]
    assert tinycss2.serialize(rules).strip() == out.strip()


def test_without_materials_palette_only_rollbook_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stylesheet, "material_file", lambda folder, pattern: None)
    css = "[data-md-color-scheme=slate] .a { color: red }"
    assert no_js_dark_css(css) == (
        f"@media (prefers-color-scheme: dark){{{SCOPE} .a{{color: red}}}}\n"
    )


def test_rollbooks_own_stylesheet_gives_its_dark_rules() -> None:
    css = (Path(__file__).parents[2] / "templates/site/assets/rollbook.css").read_text("utf-8")
    out = no_js_dark_css(css)
    for selector in (".rb-risk--low", ".rb-risk--medium", ".rb-risk--high", ".rb-warn"):
        assert f"{SCOPE} {selector}{{" in out
    # Material's slate colours come first, so rollbook's rules can override them.
    colours = out.index(f"{SCOPE}{{color-scheme:dark;--md-default-fg-color:")
    assert colours < out.index(f"{SCOPE} .rb-risk--low{{")
