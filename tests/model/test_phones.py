"""Phone numbers: parsed once with libphonenumber's rules, dialled as E.164, shown readable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rollbook.model.phones import PhoneError, check_region, parse_phone, sms_href, tel_href
from rollbook.model.runbook import TeamsFile
from rollbook.render.jinja import page_environment

# (as written, phone-region, dialled, shown)
PARSED = [
    # The national trunk 0 in "(0)" is dropped when dialling from abroad.
    ("+44 (0)20 7946 0101", None, "+442079460101", "+44 20 7946 0101"),
    ("+44 (0) 20 7946 0101", "US", "+442079460101", "+44 20 7946 0101"),
    ("+44 20 7946 0101", None, "+442079460101", "+44 20 7946 0101"),
    ("+442079460101", None, "+442079460101", "+44 20 7946 0101"),
    ("+44-20-7946-0101", None, "+442079460101", "+44 20 7946 0101"),
    ("+44.20.7946.0101", None, "+442079460101", "+44 20 7946 0101"),
    # National numbers, in the configured region.
    ("020 7946 0101", "GB", "+442079460101", "+44 20 7946 0101"),
    ("(020) 7946 0101", "GB", "+442079460101", "+44 20 7946 0101"),
    ("0113 496 0101", "GB", "+441134960101", "+44 113 496 0101"),
    ("(415) 555-0100", "US", "+14155550100", "+1 415-555-0100"),
    ("415.555.0100", "US", "+14155550100", "+1 415-555-0100"),
    ("030 901820", "DE", "+4930901820", "+49 30 901820"),
    ("01 99 00 12 34", "FR", "+33199001234", "+33 1 99 00 12 34"),
    # The international call prefix of the region (00 from the UK, 011 from the US).
    ("00 44 20 7946 0101", "GB", "+442079460101", "+44 20 7946 0101"),
    ("011 44 20 7946 0101", "US", "+442079460101", "+44 20 7946 0101"),
    # Numbers in other countries than the region's, with their + code.
    ("+1 415 555 0100", "GB", "+14155550100", "+1 415-555-0100"),
    ("+49 30 901820", "GB", "+4930901820", "+49 30 901820"),
    ("+61 2 5550 1234", None, "+61255501234", "+61 2 5550 1234"),
]


@pytest.mark.parametrize(("written", "region", "dialled", "shown"), PARSED)
def test_numbers_dial_e164_and_show_international(written, region, dialled, shown) -> None:
    phone = parse_phone(written, region)
    assert phone.written == written
    assert phone.e164 == dialled
    assert phone.international == shown
    assert str(phone) == shown
    assert tel_href(phone) == "tel:" + dialled
    assert sms_href(phone) == "sms:" + dialled


# (value, phone-region, phrase in the message, phrase in the hint)
REFUSED = [
    # National numbers with no region to read them in.
    ("020 7946 0101", None, "national number", "phone-region"),
    ("(020) 7946 0101", None, "national number", "+ and the country code"),
    ("07946 0101", None, "national number", 'phone-region = "GB"'),
    # Numbers that are not valid for their region; the hint quotes what was written.
    ("+44 20 7946 010", None, "not a valid phone number for +44 (GB)", "'+44 20 7946 010'"),
    ("+44 20 7946 01011", None, "+44 (GB)", "'+44 20 7946 01011'"),
    ("+44 7700 900001", None, "not a valid phone number for +44", "'+44 7700 900001'"),
    ("+1 555 0100", None, "not a valid phone number for +1 (US)", "'+1 555 0100'"),
    ("+44 207", None, "+44 (GB): it has too few digits", "'+44 207'"),
    ("+1 415 555 0100 1234", None, "too many digits", "'+1 415 555 0100 1234'"),
    ("020 7946 010", "GB", "not a valid phone number for +44 (GB)", "read as a number in GB"),
    ("555 0100", "US", "not a valid phone number for +1 (US)", "'555 0100'"),
    ("+999 1234 5678", None, "not a phone number", "'+999 1234 5678'"),
    # Not written as a phone number at all.
    ("call 020 7946 0101", "GB", "not a phone number", "for example +44"),
    ("+44 20 7946 0101 ext 12", None, "not a phone number", "for example"),
    ("tel:+442079460101", None, "not a phone number", "for example"),
    ("+44 20 7946 0101\u202e", None, "not a phone number", "for example"),
    ("١٢٣٤٥٦٧٨٩", None, "not a phone number", "for example"),
    ("12", None, "not a phone number", "for example"),
    # YAML read it as a number: the + or the leading 0 is gone for good.
    (442079460101, None, "YAML read this phone number as the number 442079460101", "quotes"),
    (2079460101, "GB", "loses a leading `+` or `0`", "quotes"),
    (True, None, "a phone number is text", "quotes"),
    (None, None, "a phone number is text", "quotes"),
]


@pytest.mark.parametrize(("value", "region", "message", "hint"), REFUSED)
def test_numbers_that_cannot_be_dialled_are_refused(value, region, message, hint) -> None:
    with pytest.raises(PhoneError) as caught:
        parse_phone(value, region)
    assert message in str(caught.value)
    assert hint in caught.value.hint


@pytest.mark.parametrize(
    ("value", "code"), [("GB", "GB"), ("gb", "GB"), (" us ", "US"), ("De", "DE")]
)
def test_regions_are_iso_codes_in_any_case(value: str, code: str) -> None:
    assert check_region(value) == code


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("UK", 'the United Kingdom\'s code is "GB"'),
        ("XX", "ISO 3166"),
        ("GBR", "ISO 3166"),
        ("", "ISO 3166"),
        ("44", "ISO 3166"),
    ],
)
def test_unknown_regions_are_refused(value: str, hint: str) -> None:
    with pytest.raises(PhoneError) as caught:
        check_region(value)
    assert "is not a region code" in str(caught.value)
    assert hint in caught.value.hint


def _teams(phone: object, context: dict | None = None) -> TeamsFile:
    return TeamsFile.model_validate(
        {"teams": [{"id": "payments", "name": "Payments", "oncall_phone": phone}]},
        context=context,
    )


def test_the_model_reads_national_numbers_in_the_region_it_is_given() -> None:
    phone = _teams("020 7946 0101", {"phone_region": "GB"}).teams[0].oncall_phone
    assert phone is not None and phone.e164 == "+442079460101"
    with pytest.raises(ValidationError, match="national number"):
        _teams("020 7946 0101")
    # The same digits are another country's number in another region.
    with pytest.raises(ValidationError, match=r"\+1 \(US\)"):
        _teams("020 7946 0101", {"phone_region": "US"})


def test_the_model_keeps_what_was_written_when_dumped() -> None:
    teams = _teams("+44 (0)20 7946 0101")
    assert teams.model_dump()["teams"][0]["oncall_phone"] == "+44 (0)20 7946 0101"


@pytest.mark.parametrize(
    ("value", "href"),
    [
        ("+44 (0)20 7946 0101", "tel:+442079460101"),
        ("+1 (415) 555-0100", "tel:+14155550100"),
        ("020 7946 0101", ""),  # a template has no region: a national number cannot dial
        ("+44 20 7946 010", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_template_filters_parse_text_the_same_way(value: str, href: str) -> None:
    env = page_environment(None)
    assert env.from_string("{{ p | tel }}").render(p=value) == href
    sms = env.from_string("{{ p | sms }}").render(p=value)
    assert sms == (href.replace("tel:", "sms:") if href else "")
