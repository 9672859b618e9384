"""Every built-in pattern reads hostile text in linear time.

Runbooks, flag files, code and configuration may be written by anyone who can open a pull
request, and `rollbook lint` runs on them in CI. A regular expression that backtracks
(reads the same text again from each of many starting points) turns one crafted line into a
CI job that never ends. Each case below is a near-match repeated to a million characters, and
ends with a genuine match that must still be found. It runs in a forked process with a
generous limit (tests/bounded.py): a linear scan needs milliseconds, a quadratic one hours.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rollbook.config import _key_line
from rollbook.lint.rules import hygiene
from rollbook.lint.rules.hygiene import find_secret
from rollbook.lint.rules.rollback import vague_phrase
from rollbook.lint.suppressions import parse_suppressions
from rollbook.sources import code
from tests.bounded import finishes

N = 1_000_000


def rep(unit: str, size: int = N) -> str:
    """``unit`` repeated to about ``size`` characters (whole units only)."""
    return unit * (size // len(unit))


# --- code sources: the OpenFeature SDK patterns ----------------------------------------------

# (suffix, hostile text ending with a real call, a key that must be found)
CODE_CASES = {
    "python-blanks-after-name": (
        ".py",
        "get_boolean_value" + " " * N + "\nget_boolean_value('real')",
    ),
    "python-unclosed-string": (
        ".py",
        'get_string_value("' + "a" * N + '\nget_string_value("real")',
    ),
    "python-many-flag-key": (
        ".py",
        rep("get_object_value_details_async(flag_key=") + '\nget_integer_value("real")',
    ),
    "go-blanks-in-context": (
        ".go",
        "client.IntValue(" + " " * N + '\nc.BooleanValue(ctx, "real", false)',
    ),
    "go-tabs-and-newlines": (
        ".go",
        "c.FloatValue(" + rep("\t\n ") + '\nc.StringValue(ctx, "real", "")',
    ),
    "go-repeated-calls": (".go", rep("BooleanValue(ctx ") + '\nx.StringValue(ctx, "real", "")'),
    "go-unclosed-parenthesis": (".go", "ObjectValue((" + "x" * N + '\nIntValue(ctx, "real", 0)'),
    "js-unclosed-type-argument": (
        ".js",
        rep("getBooleanValue<") + "\ngetBooleanValue<Foo>('real', false)",
    ),
    "tsx-type-argument-without-call": (".tsx", rep("useFlag<a>") + "\nuseFlag('real')"),
    "ts-details-type-argument": (
        ".ts",
        rep("getObjectDetails<T> ") + "\ngetObjectDetails<T>('real', {})",
    ),
    "js-unclosed-template": (".js", "getNumberValue(`" + "a" * N + "\ngetNumberValue(`real`, 0)"),
    "java-escaped-quotes": (".java", rep('getIntegerValue("\\"') + '\ngetIntegerValue("real", 1)'),
    "java-blanks-before-key": (".java", "getDoubleValue(" + " " * N + '"real", 1.0)'),
}


def _scan_keys(file: Path) -> list[str]:
    builtin = code.sdk_patterns(code.DEFAULT_LANGUAGES).get(file.suffix, ())
    return [f.key for f in code.scan(file, file.name, builtin, ())]


@pytest.mark.parametrize("case", CODE_CASES, ids=list(CODE_CASES))
def test_sdk_patterns_are_linear_on_hostile_code(tmp_path: Path, case: str) -> None:
    suffix, text = CODE_CASES[case]
    file = tmp_path / f"hostile{suffix}"
    file.write_text(text, encoding="utf-8")
    assert "real" in finishes(_scan_keys, file)


# --- RB801: secrets in runbook text ------------------------------------------------------------

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"
URL = "https://deploy:hunter22@example.com/"

# (hostile text, the kind of secret it must still report)
SECRET_CASES = {
    "jwt-dash-separated": (rep("eyJ-") + " " + JWT, "a JSON web token"),
    "jwt-digit-dash": (rep("eyJ0-") + " " + JWT, "a JSON web token"),
    "jwt-after-word": ("jwt " + rep("-eyJ") + " " + JWT, "a JSON web token"),
    "jwt-long-runs": (rep("eyJ" + "a" * 20 + ".-") + " " + JWT, "a JSON web token"),
    "url-long-word": ("key " + "a" * N + " " + URL, "a password in a URL"),
    "url-scheme-characters": ("@ " + rep("a1+.") + " " + URL, "a password in a URL"),
    "url-dashes": ("@" + rep("x-") + " " + URL, "a password in a URL"),
    "url-many-schemes": ("@" + rep("s://u:") + " " + URL, "a password in a URL"),
    "bearer-blanks": ("bearer" + " " * N + " bearer " + "A" * 30, "a bearer token"),
    "bearer-repeated": (rep("bearer ") + "Bearer " + "A1" * 15, "a bearer token"),
    "token-repeated": (rep("token ") + "token=s3cr3t-value", "a password or token"),
    "key-dashes": (rep("-key=") + " password: hunter22", "a password or token"),
    "password-blanks": ("password" + " " * N + ", password: hunter22", "a password or token"),
    "private-key-words": (
        rep("-----BEGIN A ") + " -----BEGIN RSA PRIVATE KEY-----",
        "a private key",
    ),
    "private-key-letters": (
        "-----BEGIN " + "A" * N + " -----BEGIN PRIVATE KEY-----",
        "a private key",
    ),
}


@pytest.mark.parametrize("case", SECRET_CASES, ids=list(SECRET_CASES))
def test_secret_patterns_are_linear_on_hostile_text(case: str) -> None:
    text, kind = SECRET_CASES[case]
    assert finishes(find_secret, text) == kind


# --- RB202, RB802, RB803: vague steps, insecure links, placeholders -----------------------------


def _http(text: str) -> str:
    return hygiene._HTTP.search(text).group(0)


def _placeholder(text: str) -> str:
    return hygiene._PLACEHOLDER_RE.search(text).group(1)


# (the function that reads the text, hostile text, what it must find)
OTHER_CASES = {
    "vague-check-the": (vague_phrase, rep("check the ") + " check logs", "check logs"),
    "vague-look-at": (vague_phrase, rep("look at the ") + " investigate", "investigate"),
    "vague-markers": (vague_phrase, rep("TODOs ") + " TBD", "TBD"),
    "http-empty-links": (_http, rep("http:// ") + "http://x", "http://x"),
    "http-quoted": (_http, rep('http://"') + " http://x", "http://x"),
    "placeholder-blanks": (_placeholder, "#" + rep(" \t") + "x  # FILL IN", "FILL IN"),
    "placeholder-comments": (_placeholder, rep("# ") + "FILL IN", "FILL IN"),
    "placeholder-colons": (_placeholder, rep(": ") + "x: FILL IN", "FILL IN"),
}


@pytest.mark.parametrize("case", OTHER_CASES, ids=list(OTHER_CASES))
def test_text_rule_patterns_are_linear_on_hostile_text(case: str) -> None:
    fn, text, expected = OTHER_CASES[case]
    assert finishes(fn, text) == expected


# --- inline suppressions ----------------------------------------------------------------------

SUPPRESSION_CASES = {
    "unclosed-heads": rep("# rollbook: ignore["),
    "unclosed-heads-with-codes": rep("// rollbook:ignore[RB201, "),
    "one-head-many-codes": "#rollbook: ignore[" + rep("RB201 "),
    "many-markers": rep("#rollbook: "),
    "blanks-after-hash": "#" + " " * N,
}


def _suppressed_lines(text: str) -> list[tuple[int, list[str]]]:
    return [(s.location.line, sorted(s.codes)) for s in parse_suppressions(text, "x.yaml")]


@pytest.mark.parametrize("case", SUPPRESSION_CASES, ids=list(SUPPRESSION_CASES))
def test_suppression_comments_are_read_in_linear_time(case: str) -> None:
    text = SUPPRESSION_CASES[case] + "\nx: 1  # rollbook: ignore[RB201] the console confirms it\n"
    assert finishes(_suppressed_lines, text)[-1] == (2, ["RB201"])


# --- configuration errors: the line of an unknown key ---------------------------------------------


@pytest.mark.parametrize("blank", ["\n", " \n", "\t\n", " \t \n"], ids=repr)
def test_configuration_key_line_is_found_in_linear_time(blank: str) -> None:
    lines = N // len(blank)
    text = blank * lines + 'sitename = "x"\n'
    assert finishes(_key_line, text, "sitename") == lines + 1


@pytest.mark.parametrize("blank", ["\n", " \n", "\r\n"], ids=repr)
def test_configuration_key_line_gives_up_in_linear_time(blank: str) -> None:
    # A key pydantic names but the text writes otherwise (a dotted key): no line, quickly.
    text = blank * (N // len(blank)) + "site.name = 1\n"
    assert finishes(_key_line, text, "sitename") == 0


@pytest.mark.parametrize("blank", ["\n", " \n", "\r\n"], ids=repr)
def test_configuration_table_header_line_is_found_in_linear_time(blank: str) -> None:
    # An array of tables (`[[alert-rules]]`) is where its entries' errors point.
    lines = N // len(blank)
    text = blank * lines + "[[tool.rollbook.alert-rules]]\n"
    assert finishes(_key_line, text, "alert-rules") == lines + 1
