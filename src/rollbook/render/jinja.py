"""The Jinja2 environment for page content: autoescaping on, user templates searched first."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from rollbook.assets import builtin_templates

# The only link schemes a page may carry. The model already limits link fields to http(s);
# tel:/sms: are built here from validated phone numbers, mailto: from nothing yet.
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:", "sms:")
_RELATIVE = re.compile(r"^(?![a-zA-Z][a-zA-Z0-9+.-]*:)[^\s\"'<>\\]*$")


def safe_href(value: object) -> str:
    """``value`` if it is an allowed link (safe scheme or a plain relative path), else ``""``.

    Templates write ``href="{{ x | href }}"``; an empty href is harmless where a
    ``javascript:`` one would run, so refusing is always the fallback.
    """
    text = str(value or "").strip()
    if text.lower().startswith(SAFE_SCHEMES) and not re.search(r"[\s\"'<>\\`]", text):
        return text
    if _RELATIVE.match(text) and not text.startswith("//"):
        return text
    return ""


def tel_href(phone: object) -> str:
    """``tel:`` link for a phone number: digits and a leading ``+`` only, as dialers want."""
    text = str(phone or "")
    digits = re.sub(r"[^0-9]", "", text)
    if not digits:
        return ""
    return "tel:" + ("+" if text.strip().startswith("+") else "") + digits


def sms_href(phone: object) -> str:
    """``sms:`` link for a phone number."""
    tel = tel_href(phone)
    return "sms:" + tel[4:] if tel else ""


def template_search_path(user_templates: Path | None) -> list[Path]:
    """Folders searched for site templates: the user's ``site/`` first, then rollbook's own."""
    paths = []
    if user_templates is not None:
        paths.append(user_templates / "site")
    paths.append(builtin_templates() / "site")
    return paths


def page_environment(user_templates: Path | None) -> Environment:
    """Jinja2 environment for page content.

    Autoescape is on for every template, whatever its name: runbook text is untrusted, and a
    user's override template named ``.j2`` or ``.txt`` must not silently turn escaping off.
    """
    env = Environment(
        loader=ChoiceLoader(
            [FileSystemLoader([str(p) for p in template_search_path(user_templates)])]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = safe_href
    env.filters["tel"] = tel_href
    env.filters["sms"] = sms_href
    return env
