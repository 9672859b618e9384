"""Dark mode for readers without JavaScript (``assets/rollbook/dark.css``)."""

from __future__ import annotations

import re

from rollbook.site import stylesheet

_SLATE = "[data-md-color-scheme=slate]"
_SLATE_RULE = re.compile(r"([^{}@]*\[data-md-color-scheme=slate\][^{}]*)\{([^{}]*)\}")


def no_js_dark_css(rollbook_css: str) -> str:
    """Dark mode for readers without JavaScript, as CSS that follows the system setting.

    Material switches to its dark scheme (slate) only from a script. For a page read with
    JavaScript off on a phone set to dark, its slate colours, and rollbook's own slate rules,
    are repeated under ``prefers-color-scheme: dark`` for ``.no-js`` pages (the stylesheet
    ``assets/rollbook/dark.css``).
    """
    palette = stylesheet.material_file("stylesheets", "palette.*.min.css")
    rules = []
    if palette is not None:
        base = re.search(r"\[data-md-color-scheme=slate\]\{([^{}]*)\}", palette.read_text())
        if base:
            rules.append(f".no-js body[data-md-color-scheme]{{{base.group(1)}}}")
    for selector, body in _SLATE_RULE.findall(rollbook_css):
        scoped = ",".join(
            part.strip().replace(_SLATE, ".no-js body[data-md-color-scheme]")
            for part in selector.split(",")
        )
        rules.append(f"{scoped}{{{body.strip()}}}")
    return "@media (prefers-color-scheme: dark){" + "".join(rules) + "}\n"
