"""Dark mode for readers without JavaScript: ``assets/rollbook/dark.css``.

Material switches to its dark scheme (slate) only from a script: it sets
``data-md-color-scheme="slate"`` on ``<body>``, and its stylesheets and rollbook's style
``[data-md-color-scheme=slate]``. A reader with JavaScript off on a phone set to dark would get
a white page. So the build writes a second stylesheet, which the theme links with
``media="(prefers-color-scheme: dark)"``: Material's slate colours, then every slate rule of
rollbook's stylesheet (the user's, if they replaced it), for pages whose ``<html>`` still has
the ``no-js`` class.

Both stylesheets are read with tinycss2, as a browser reads them: a rule inside ``@media`` or
``@supports`` keeps its condition, and comments and strings are never taken for rules.
"""

from __future__ import annotations

import tinycss2
from tinycss2.ast import Node

from rollbook.site import stylesheet

# What stands for Material's slate scheme in a page without JavaScript: Material puts the
# scheme attribute on <body>, and the theme's inline script swaps no-js for js on <html>.
NO_JS_DARK = ".no-js body[data-md-color-scheme]"


def no_js_dark_css(rollbook_css: str) -> str:
    """The dark stylesheet: Material's slate colours and ``rollbook_css``'s slate rules,
    scoped to ``.no-js`` pages, in one ``@media (prefers-color-scheme: dark)`` group."""
    rules = []
    palette = stylesheet.material_file("stylesheets", "palette.*.min.css")
    if palette is not None:
        colours = _slate_colours(stylesheet.read_rules(palette.read_text("utf-8")))
        if colours is not None:
            rules.append(colours)
    rules.extend(_dark_rules(stylesheet.read_rules(rollbook_css)))
    return "@media (prefers-color-scheme: dark){" + "".join(rules) + "}\n"


def _slate_colours(rules: list[Node]) -> str | None:
    """Material's ``[data-md-color-scheme=slate]`` rule (the scheme's colours; the rules for
    one primary colour under slate need Material's script), scoped to pages without
    JavaScript, inside the groups that hold it (Material's is in ``@media screen``)."""
    for rule in rules:
        if rule.type == "qualified-rule":
            parts = stylesheet.selectors(rule.prelude)
            if len(parts) == 1 and len(parts[0]) == 1 and _is_slate(parts[0][0]):
                return NO_JS_DARK + "{" + tinycss2.serialize(rule.content).strip() + "}"
            continue
        inner = stylesheet.group_rules(rule)
        found = _slate_colours(inner) if inner is not None else None
        if found is not None:
            return stylesheet.group_head(rule) + "{" + found + "}"
    return None


def _dark_rules(rules: list[Node]) -> list[str]:
    """The slate rules of ``rules``, scoped to pages without JavaScript, each inside the
    groups (``@media``...) that held it. Of a selector list, only the slate selectors."""
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            scoped = [
                _scoped(part) for part in stylesheet.selectors(rule.prelude) if _has_slate(part)
            ]
            if scoped:
                out.append(",".join(scoped) + "{" + tinycss2.serialize(rule.content).strip() + "}")
            continue
        inner = stylesheet.group_rules(rule)
        if inner is not None:
            dark = _dark_rules(inner)
            if dark:
                out.append(stylesheet.group_head(rule) + "{" + "".join(dark) + "}")
    return out


def _is_slate(token: Node) -> bool:
    """Whether ``token`` is the attribute selector ``[data-md-color-scheme=slate]`` (the value
    may be quoted)."""
    if token.type != "[] block":
        return False
    parts = [t for t in token.content if t.type != "whitespace"]
    return (
        len(parts) == 3
        and parts[0].type == "ident"
        and parts[0].value == "data-md-color-scheme"
        and parts[1].type == "literal"
        and parts[1].value == "="
        and parts[2].type in ("ident", "string")
        and parts[2].value == "slate"
    )


def _has_slate(selector: list[Node]) -> bool:
    """Whether ``selector`` requires the slate scheme (not inside ``:not()`` or any other
    function, where it may mean the opposite)."""
    return any(_is_slate(token) for token in selector)


def _scoped(selector: list[Node]) -> str:
    """``selector`` with the slate attribute replaced by :data:`NO_JS_DARK`."""
    out, run = [], []
    for token in selector:
        if _is_slate(token):
            out += [tinycss2.serialize(run), NO_JS_DARK]
            run = []
        else:
            run.append(token)
    return "".join([*out, tinycss2.serialize(run)])
