"""The Jinja2 environment for page content: autoescaping on, user templates searched first."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from rollbook.assets import builtin_templates
from rollbook.model import phones
from rollbook.model.links import LinkError, web_href
from rollbook.model.phones import PhoneNumber

# The only link schemes a page may carry. Web links go through the model's own web_href (the
# function that validated them, so that what validates renders); tel:/sms: are built from
# parsed phone numbers (rollbook.model.phones), mailto: from nothing yet.
SAFE_SCHEMES = ("mailto:", "tel:", "sms:")
_RELATIVE = re.compile(r"^(?![a-zA-Z][a-zA-Z0-9+.-]*:)[^\s\"'<>\\]*$")


def safe_href(value: object) -> str:
    """The href for ``value``: a web link percent-encoded as needed, a ``tel:``/``sms:``/
    ``mailto:`` link or a plain relative path; ``""`` for anything else.

    Templates write ``href="{{ x | href }}"``; an empty href is harmless where a
    ``javascript:`` one would run, so refusing is always the fallback. Links from runbooks,
    the teams file and the configuration were validated by the same :func:`web_href`, so
    they are never refused here.
    """
    text = str(value or "").strip()
    if text.startswith(("https://", "http://")):
        try:
            return web_href(text)
        except LinkError:
            return ""
    if text.lower().startswith(SAFE_SCHEMES) and not re.search(r"[\s\"'<>\\`]", text):
        return text
    if _RELATIVE.match(text) and not text.startswith("//"):
        return text
    return ""


def tel_href(phone: object) -> str:
    """``tel:`` link for a phone number (E.164), or ``""`` if it is not a valid number."""
    number = _phone(phone)
    return phones.tel_href(number) if number else ""


def sms_href(phone: object) -> str:
    """``sms:`` link for a phone number (E.164), or ``""`` if it is not a valid number."""
    number = _phone(phone)
    return phones.sms_href(number) if number else ""


def _phone(value: object) -> PhoneNumber | None:
    # The model's numbers are parsed already; text from a user's template is parsed the
    # same way (it needs its +country code: the template has no configured region).
    try:
        return phones.parse_phone(value) if value else None
    except phones.PhoneError:
        return None


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
        # One environment per build (and per `rollbook serve` rebuild): its templates do not
        # change while it renders, so they are not checked on disk again for every page.
        auto_reload=False,
    )
    env.filters["href"] = safe_href
    env.filters["tel"] = tel_href
    env.filters["sms"] = sms_href
    return env
