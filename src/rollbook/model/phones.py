"""Phone numbers: parsed once, with Google's libphonenumber rules, into what a dialler needs.

A number in the teams file is for a person on a phone at 3 a.m.: its button must dial, from
anywhere, the number that was meant. Filtering digits is not enough: ``+44 (0)20 7946 0101``
keeps a national trunk ``0`` that must go when dialling from abroad, and ``020 7946 0101``
means nothing without knowing the country. So each number is parsed by ``phonenumbers`` (the
port of libphonenumber), with the configured default region (``phone-region``) for numbers
written without ``+``, and must be a valid number for its region. The parse gives both forms
the site uses: E.164 (``+442079460101``) for ``tel:``/``sms:`` links, and the readable
international form (``+44 20 7946 0101``) for display.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters a phone number may be written with; the exported schema uses the same pattern.
# Letters (vanity numbers, `ext.`) are refused: a call button cannot dial them as written.
PHONE_PATTERN = r"^\+?\(?[0-9][0-9 ().\/-]{2,30}$"
_PHONE_RE = re.compile(PHONE_PATTERN)
PHONE_EXAMPLE = "+44 20 7946 0000"


class PhoneError(ValueError):
    """A phone number that cannot be dialled as written; ``hint`` says how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A phone number as written, and the two forms the site shows and dials."""

    written: str
    """Exactly what the teams file says."""
    e164: str
    """``+`` and digits, for ``tel:`` and ``sms:`` links: ``+442079460101``."""
    international: str
    """The readable international form, for display: ``+44 20 7946 0101``."""

    def __str__(self) -> str:
        return self.international


def known_regions() -> frozenset[str]:
    """The region codes libphonenumber has rules for (ISO 3166 alpha-2 country codes)."""
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def check_region(value: str) -> str:
    """``value`` as a region code libphonenumber knows (upper case), else :class:`PhoneError`."""
    code = value.strip().upper()
    if code not in known_regions():
        hint = (
            'the United Kingdom\'s code is "GB"'
            if code == "UK"
            else "use the two-letter ISO 3166 code of the country most numbers are in, e.g. "
            '"GB", "US", "DE"'
        )
        raise PhoneError(f"{value!r} is not a region code libphonenumber knows", hint)
    return code


def parse_phone(value: object, region: str | None = None) -> PhoneNumber:
    """Parse a phone number as written in the teams file, or raise :class:`PhoneError`.

    ``region`` is the configured default region for numbers written without ``+``.
    """
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

    if isinstance(value, PhoneNumber):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PhoneError(
            f"a phone number is text; got {type(value).__name__}",
            f'write it in quotes: "{PHONE_EXAMPLE}"',
        )
    if not isinstance(value, str):
        # YAML reads `+442079460101` and `02079460101` as numbers and drops the + or the 0,
        # so the number cannot be recovered: it must be written again, in quotes.
        raise PhoneError(
            f"YAML read this phone number as the number {value}, which loses a leading `+` or `0`",
            f'put the number in quotes, exactly as you would dial it, e.g. "{PHONE_EXAMPLE}"',
        )
    written = value
    if not _PHONE_RE.match(written):
        raise PhoneError(
            f"{written!r} is not a phone number: write digits, spaces and ( ) . - / only, "
            "with + and the country code in front",
            f"for example {PHONE_EXAMPLE}",
        )
    international = written.startswith("+")
    if not international and region is None:
        raise PhoneError(
            f"{written!r} is a national number, and no default region is configured to say "
            "which country it is in",
            f"write it with + and the country code (e.g. {PHONE_EXAMPLE}), or set "
            '`phone-region = "GB"` (your country\'s code) in rollbook.toml',
        )
    try:
        number = phonenumbers.parse(written, None if international else region)
    except NumberParseException as exc:
        raise PhoneError(
            f"{written!r} is not a phone number ({_reason(exc)})",
            f"check the digits you wrote: {written!r}; for example {PHONE_EXAMPLE}",
        ) from None
    if not phonenumbers.is_valid_number(number):
        country = phonenumbers.region_code_for_country_code(number.country_code)
        where = f"+{number.country_code}" + (f" ({country})" if country != "ZZ" else "")
        reason = phonenumbers.is_possible_number_with_reason(number)
        detail = {
            ValidationResult.TOO_SHORT: ": it has too few digits",
            ValidationResult.TOO_LONG: ": it has too many digits",
        }.get(reason, "")
        raise PhoneError(
            f"{written!r} is not a valid phone number for {where}{detail}",
            f"check the digits you wrote: {written!r}"
            + (
                ""
                if international
                else f"; it was read as a number in {region} (phone-region): if it is "
                "elsewhere, write it with + and the country code"
            ),
        )
    return PhoneNumber(
        written=written,
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        international=phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
    )


def _reason(exc: Exception) -> str:
    # libphonenumber's messages start with their error number: "(1) The string ...".
    text = re.sub(r"^\(\d+\)\s*", "", str(exc)).rstrip(".")
    return text[:1].lower() + text[1:]


def tel_href(phone: PhoneNumber) -> str:
    """The ``tel:`` link for ``phone``: E.164, which every dialler takes from anywhere."""
    return "tel:" + phone.e164


def sms_href(phone: PhoneNumber) -> str:
    """The ``sms:`` link for ``phone``."""
    return "sms:" + phone.e164
