"""Hygiene rules RB8xx: no secrets, no insecure links, no placeholders left behind.

The secret and placeholder rules match on :func:`rollbook.lint.normalise.fold` of the text
(case kept: token formats and the `FILL IN` marker are case-sensitive), so that invisible
characters, odd spaces, fullwidth letters or look-alike letters do not hide what they look for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rollbook.codes import Code
from rollbook.diagnostics import Location, Severity, format_path
from rollbook.lint.context import RunbookContext
from rollbook.lint.normalise import fold, fold_with_offsets
from rollbook.lint.registry import FieldPath, Hit, rule

# What a secret looks like. A value that reads a variable (`$TOKEN`, `${TOKEN}`, `<token>`,
# `{{ token }}`) is the right way to write a command and is not reported.
_SECRETS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")),
    ("an AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "a GitHub token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})"),
    ),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Stripe key", re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}")),
    # A token starts where a run of token characters starts, never inside one: from every
    # "eyJ" in a long run, the run would be read again to its end (quadratic).
    (
        "a JSON web token",
        re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_-]{10,}+\.eyJ[A-Za-z0-9_-]{10,}+\."),
    ),
    # Anchored on "://" (with a scheme character before it), not on every letter that could
    # start a scheme: a long word without "://" would be read again from each of its letters.
    ("a password in a URL", re.compile(r"(?<=[a-z0-9+.-])://[^/\s:@]++:(?![$<{])[^/\s@]{3,}+@")),
    ("a bearer token", re.compile(r"(?i)\bbearer\s+(?![$<{])[A-Za-z0-9._~+/-]{20,}")),
    (
        "a password or token",
        re.compile(
            r"(?i)(?:\b|_|-)(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)"
            r"(?:\s*[=:]\s*|\s+)['\"]?(?![$<{%])[A-Za-z0-9+/=_.!@#^&*-]{8,}"
        ),
    ),
)
_PLACEHOLDER = "FILL IN"
# The marker as `rollbook new` writes it: after a comment sign, a key's colon or a list dash.
# Prose that merely mentions it ("fill in every line marked FILL IN") is not a placeholder.
_PLACEHOLDER_RE = re.compile(r"(?:#\s*|:\s+|^\s*-\s*|^\s*)(FILL IN)\b")
_HTTP = re.compile(r"\bhttp://(?!localhost\b|127\.0\.0\.1\b|\[::1\])[^\s\"'<>]+", re.I)


# Every secret pattern needs one of these (lower-cased) in the text: a cheap test first, so
# that the regular expressions run on few of a runbook's hundreds of values.
_SECRET_HINTS = re.compile(
    r"private key|akia|asia|gh[pousr]_|github_pat_|glpat-|xox|_live_|eyj|@|bearer|passw|pwd"
    r"|secret|token|key",
    re.IGNORECASE,
)


# The same hints as plain substrings of the lower-cased text: `in` runs at C speed, where a
# case-insensitive regular expression costs about a millisecond per runbook.
_HINT_WORDS = (
    "private key",
    "akia",
    "asia",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xox",
    "_live_",
    "eyj",
    "@",
    "bearer",
    "passw",
    "pwd",
    "secret",
    "token",
    "key",
)


def may_hold_secret(text: str) -> bool:
    """False when ``text`` cannot hold any secret ``find_secret`` looks for."""
    low = text.lower()
    return any(word in low for word in _HINT_WORDS)


def find_secret(text: str) -> str | None:
    """What kind of secret ``text`` seems to hold, if any."""
    if not _SECRET_HINTS.search(text):
        return None
    for kind, pattern in _SECRETS:
        for match in pattern.finditer(text):
            # Words such as "password reset" are prose, not a secret: require a digit or a
            # symbol in the candidate unless it is one of the unmistakable token formats.
            if kind == "a password or token" and not re.search(r"[0-9]", match.group(0)):
                continue
            return kind
    return None


def secret_kind(text: str) -> str | None:
    """What kind of secret ``text`` holds as a reader sees it (matched on folded text)."""
    # For ASCII, folding with case kept only joins runs of whitespace (YAML refuses control
    # characters), and the patterns accept runs where a token can have them: skip it, as it
    # is most of this rule's cost.
    return find_secret(text if text.isascii() else fold(text, keep_case=True))


@rule(
    Code.SECRET_IN_RUNBOOK,
    "secret-in-runbook",
    Severity.ERROR,
    help="remove it, rotate it, and read it from a variable or a secret store instead "
    "(`$API_TOKEN`)",
)
def secret_in_runbook(ctx: RunbookContext) -> Iterator[Hit]:
    """A command or text holds something that looks like a secret.

    **What it checks**: no value contains a private key, a cloud or chat token (AWS, GitHub,
    GitLab, Slack, Stripe), a JSON web token, a password in a URL, or a `password=`/`token:`
    followed by a literal value. Values that read a variable (`$TOKEN`, `${TOKEN}`, `<token>`)
    are fine. The finding never repeats the secret. Values are matched after normalisation
    (NFKC, invisible characters removed, spaces folded, look-alike letters mapped to Latin;
    case kept), so a zero-width space inside a token or a Cyrillic letter in `password` does
    not hide it.

    **Why it matters**: runbooks are rendered into a site many people can read, and stay in
    git history for ever. A secret there is a leaked secret.

    **Failing**:

    ```yaml
    rollback:
      steps:
        - do: Switch the flag off with the API.
          command: 'curl -H "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4" https://flags.example/off'
          expect: HTTP 200.
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Switch the flag off with the API.
          command: 'curl -H "Authorization: Bearer $FLAGS_TOKEN" https://flags.example/off'
          expect: HTTP 200.
    ```
    """
    joined = ctx.joined_strings
    if not may_hold_secret(joined if joined.isascii() else fold(joined, keep_case=True)):
        return
    for path, text in ctx.strings:
        kind = secret_kind(text)
        if kind:
            yield Hit(f"`{_dotted(path)}` looks like it contains {kind}", path)


@rule(Code.INSECURE_LINK, "insecure-link", Severity.WARNING, help="use https://")
def insecure_link(ctx: RunbookContext) -> Iterator[Hit]:
    """A link uses `http://` rather than `https://`.

    **What it checks**: no value contains an `http://` link, except to localhost.

    **Why it matters**: plain HTTP can be read and changed on the way; a runbook link to a
    console or dashboard should not send anyone's session over it.

    **Failing**:

    ```yaml
    signals:
      - name: Checkout error rate
        kind: metric
        threshold: above 2% for 5 minutes
        alert: CheckoutErrorRateHigh
        link: http://grafana.example.com/d/checkout
    ```

    **Passing**:

    ```yaml
    signals:
      - name: Checkout error rate
        kind: metric
        threshold: above 2% for 5 minutes
        alert: CheckoutErrorRateHigh
        link: https://grafana.example.com/d/checkout
    ```
    """
    # A value the pattern matches holds `http://` in any case (no other character matches
    # h, t, p, : or / ignoring case): most runbooks have none, and are passed in one search.
    if "http://" not in ctx.joined_strings.lower():
        return
    for path, text in ctx.strings:
        if _HTTP.search(text):
            yield Hit(f"`{_dotted(path)}` links over plain http://", path)


@rule(
    Code.PLACEHOLDER_LEFT,
    "placeholder-left",
    Severity.ERROR,
    "text",
    help="replace the FILL IN comment with the real value",
)
def placeholder_left(text: str, path: str) -> Iterator[Hit]:
    """Placeholder text left from `rollbook new`.

    **What it checks**: the file does not contain `FILL IN`, the marker `rollbook new` writes
    beside every value to fill in. It is checked in the raw text, so it is found even when the
    file does not load; the loader's complaint about the empty value on the same line is folded
    into this finding. The text is normalised first (NFKC, invisible characters removed, every
    kind of space folded to one, look-alike letters mapped to Latin; case kept), so
    `FILL` and `IN` joined by a non-breaking space, or spelt with fullwidth or Cyrillic
    letters, are found too; the column is where the marker starts in the file.

    **Why it matters**: an unfinished runbook looks finished on the site; the gaps are found
    during the incident.

    **Failing**:

    ```yaml
    title:    # FILL IN: the feature's name as people say it
    ```

    **Passing**:

    ```yaml
    title: One-click checkout
    ```
    """
    if text.isascii():
        if _PLACEHOLDER.split()[0] not in text:
            return
    elif _PLACEHOLDER not in fold(text, keep_case=True):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.isascii() and "FILL" not in line:
            continue
        folded, offsets = fold_with_offsets(line, keep_case=True)
        match = _PLACEHOLDER_RE.search(folded)
        if match is None:
            continue
        column = offsets[match.start(1)]
        note = _shorten(folded[match.start(1) :].strip())
        # Matched on folded text; where the file writes it otherwise (hidden or look-alike
        # characters), it is quoted as written too, so the report shows what is really there
        # (every report escapes what a terminal or a page would act on).
        written = _shorten(line[column:].strip())
        shown = note if written == note else f"{note} (written {written!r})"
        yield Hit(
            f"placeholder left from `rollbook new`: {shown}",
            location=Location(path, number, column + 1),
            anchor=f"{folded.split(':')[0].strip()}:{note}",
        )


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _dotted(path: FieldPath) -> str:
    return format_path(path) or "(document)"
