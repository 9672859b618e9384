"""Web links: the one function that says whether a link can be a button, and what its href is.

A runbook (or the teams file, or the configuration) holds links as people paste them: Kibana
and Grafana addresses with quotes, brackets, spaces and braces, hosts in other scripts, ports
and fragments. Browsers repair much of that on their own, differently in each part of the
address, and a sanitiser or a page check may refuse what the browser would repair. So the
model does not accept a link on a pattern alone: :func:`web_href` parses it the way a browser
does (the WHATWG URL standard, for http and https), refuses what a browser would read as
something else or what would mislead a reader, and writes the href with everything
percent-encoded that needs it. The model's validation and every renderer call this one
function, so a link that validates always renders, and to the same place.

What is refused, each with a message saying why: other schemes; spaces or line breaks at
either end, control, invisible and direction-changing characters, and unusual spaces anywhere
(they hide what a link is); a user name or password before the host (``https://bank.example@
evil.example/`` goes to evil.example); hosts that are not domain names or usual IP addresses
(``https://0x7f.1/`` is 127.0.0.1 to a browser), percent-encoded hosts and invalid
internationalised names; ports outside 1-65535; and backslashes before the query, which
browsers read as ``/``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

# Characters a link may not contain anywhere: control characters (browsers silently drop tabs
# and line breaks from a link, so what is clicked differs from what was written), spaces other
# than the plain one, and invisible or direction-changing characters (a reader cannot see
# what the link really says). Written out rather than taken from `unicodedata`, so that the
# exported schema below says exactly the same on every Python version.
_BAD_CONTROL = r"\x00-\x1f\x7f-\x9f"
_BAD_OTHER = (
    r"\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u2028\u2029"  # unusual spaces
    r"\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    r"\ufff9-\ufffb"  # invisible and direction-changing (Unicode "format" characters)
)
_BAD_CHARS = _BAD_CONTROL + _BAD_OTHER
_BAD = re.compile(f"[{_BAD_CHARS}]")

_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
# What must be percent-encoded in each part: everything RFC 3986 does not allow there (it
# allows unreserved characters, "!$&'()*+,;=", ":", "@" and "/", and "?" after the path),
# and a "%" that does not start an escape.
_NEEDS_ENCODING_PATH = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]|%(?![0-9A-Fa-f]{2})")
_NEEDS_ENCODING_QUERY = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]|%(?![0-9A-Fa-f]{2})")

_ASCII_LABEL = re.compile(r"[a-z0-9_-]+\Z")
_NUMBER_LABEL = re.compile(r"(?:[0-9]+|0[xX][0-9a-fA-F]*)\Z")
_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
                   r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\Z")  # fmt: skip
_PORT = re.compile(r"[1-9][0-9]{0,4}\Z")

# The same rules as a JSON Schema pattern (ECMA-262 and Python both read it), for editors and
# CI. It accepts every link web_href accepts; web_href is stricter only where a pattern cannot
# follow: whether an internationalised host name is valid, and invalid `xn--` labels.
_HOST_CHAR = r"(?:[A-Za-z0-9_-]|[^\x00-\x7f])"
_DOMAIN = f"{_HOST_CHAR}+(?:\\.{_HOST_CHAR}+)*\\.?"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_AUTHORITY_END = "(?:[:/?#]|$)"
# A host whose last label is a number is an IPv4 address to a browser: only the usual form.
_NOT_NUMBER_HOST = f"(?!(?:{_HOST_CHAR}+\\.)*(?:[0-9]+|0[xX][0-9A-Fa-f]*)\\.?{_AUTHORITY_END})"
_HOST = (
    f"(?:\\[[0-9A-Fa-f:.]+\\]|(?:{_OCTET}\\.){{3}}{_OCTET}\\.?(?={_AUTHORITY_END})"
    f"|{_NOT_NUMBER_HOST}{_DOMAIN})"
)
_PORT_PATTERN = (
    "(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?"
)
LINK_PATTERN = (
    f"^(?!.*[{_BAD_CHARS}])(?!.* $)https?://{_HOST}{_PORT_PATTERN}"
    "(?:/[^?#\\\\]*)?(?:\\?[^#]*)?(?:#.*)?$"
)
LINK_MAX_LENGTH = 2000


class LinkError(ValueError):
    """A link that cannot be rendered as a working, honest link; ``hint`` says how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def _char(text: str, index: int) -> str:
    ch = text[index]
    name = unicodedata.name(ch, "") or "a control character"
    shown = repr(ch)[1:-1] if not ch.isprintable() or ch.isspace() else ch
    return f"character {index + 1} (`{shown}`, U+{ord(ch):04X} {name})"


def _escape(match: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8"))


def _encode(part: str, needs: re.Pattern[str]) -> str:
    """``part`` with every character ``needs`` matches percent-encoded as UTF-8.

    A ``%`` that starts an escape (two hex digits) is kept, so a link already encoded stays as
    it was; any other ``%`` is itself encoded. Most links need nothing: that costs one search.
    """
    return needs.sub(_escape, part) if needs.search(part) else part


# Most hosts are plain names already as a browser writes them: nothing to convert.
_PLAIN_HOST = re.compile(r"(?!xn--)[a-z0-9_-]+(?:\.(?!xn--)[a-z0-9_-]+)*\.?\Z")
_NUMBER_END = re.compile(r"(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)\.?\Z")


def _host(host: str, link: str) -> str:
    """The host as a browser sends it (lower case, IDN in punycode), or LinkError."""
    if _PLAIN_HOST.match(host) and not _NUMBER_END.search(host):
        return host
    if not host:
        raise LinkError(
            f"the link {link!r} has no host after `//`",
            "write the whole address: https://grafana.example.com/d/...",
        )
    if host.startswith("["):
        # A zone (`%eth0`) means something only on one machine; browsers refuse it.
        inner = host[1:-1] if host.endswith("]") and "%" not in host else ""
        try:
            return f"[{ipaddress.IPv6Address(inner).compressed}]"
        except ValueError:
            raise LinkError(
                f"the link's host {host!r} is not an IPv6 address",
                "write an IPv6 address in brackets, e.g. https://[2001:db8::1]/",
            ) from None
    bad = next((c for c in host if c.isascii() and not (c.isalnum() or c in "-._")), None)
    if bad is not None:
        raise LinkError(
            f"the link's host {host!r} contains {bad!r}, which no host name has",
            "the host is the part after `//` and before the next `/`, `?` or `#`; "
            "check for a missing `/` or a stray character",
        )
    import idna  # only for hosts that are not plain ASCII names

    if not host.isascii():
        try:
            host = idna.uts46_remap(host, std3_rules=False, transitional=False)
        except idna.IDNAError as exc:
            raise LinkError(
                f"the link's host {host!r} is not a valid international domain name ({exc})",
                "check the host name, or write it in its xn-- (punycode) form",
            ) from None
    host = host.lower()
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels = labels[:-1]  # `example.com.` names the same host as `example.com`
    out = []
    for label in labels:
        if not label:
            raise LinkError(
                f"the link's host {host!r} has an empty part between dots",
                "remove the extra dot",
            )
        try:
            if not label.isascii():
                label = idna.alabel(label).decode("ascii")
            elif label.startswith("xn--"):
                idna.decode(label)
        except (idna.IDNAError, UnicodeError) as exc:
            raise LinkError(
                f"the link's host {host!r} is not a valid international domain name ({exc})",
                "check the host name: emoji and some symbols cannot be part of one",
            ) from None
        if not _ASCII_LABEL.match(label):
            raise LinkError(
                f"the link's host {host!r} is not a valid host name",
                "a host name is letters, digits, hyphens and dots",
            )
        out.append(label)
    if _NUMBER_LABEL.match(out[-1]) and not _IPV4.match(".".join(out)):
        raise LinkError(
            f"the link's host {host!r} is a number that browsers read as an IP address",
            "write an IPv4 address as four numbers 0-255 without leading zeros "
            "(https://192.0.2.10/), or use the host's name",
        )
    return ".".join(out) + ("." if host.endswith(".") else "")


# A link that is already its own href: a plain lower-case host, a small port, and only
# characters RFC 3986 allows. Most links are like this; they skip the parse below (about
# half its time), and a test checks that the parse would return them unchanged.
_ALREADY_HREF = re.compile(
    r"https?://(?P<host>(?!xn--)[a-z0-9-]+(?:\.(?!xn--)[a-z0-9-]+)*)(?::[1-9][0-9]{0,3})?"
    r"(?:/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*)?"
    r"(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*)?"
    r"(?:#[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*)?\Z"
)
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def web_href(text: str) -> str:
    """The href for the web link ``text``, percent-encoded where needed, or :class:`LinkError`.

    The href is ASCII, a valid URL (RFC 3986 and WHATWG), and a browser goes with it to the
    same place as with ``text`` pasted into its address bar: the scheme, host and port as the
    browser reads them, and the path, query and fragment with the same characters once
    percent-decoded. ``text`` as written stays what the runbook says; only the href differs.
    """
    plain = _ALREADY_HREF.match(text) if isinstance(text, str) else None
    if (
        plain
        and len(text) <= LINK_MAX_LENGTH
        and not _NUMBER_END.search(plain["host"])
        and ("%" not in text or not _LONE_PERCENT.search(text))
    ):
        return text
    return parse_href(text)


def parse_href(text: str) -> str:
    """:func:`web_href` without its shortcut for links that are already hrefs."""
    if not isinstance(text, str):
        raise LinkError(f"a link is text; got {type(text).__name__}")
    if not text.startswith(("https://", "http://")):
        scheme = text.split(":", 1)[0] if ":" in text[:20] else ""
        if scheme.lower() in ("http", "https"):
            hint = "write it as https:// (lower case, two slashes)"
        elif scheme:
            hint = (
                f"`{scheme}:` links are not allowed: javascript:, data: and file: links are "
                "unsafe on a page people trust; link to a web page instead"
            )
        else:
            hint = "start the link with https://"
        raise LinkError(
            f"must be a web link starting with https:// (or http://); got {text[:60]!r}", hint
        )
    if len(text) > LINK_MAX_LENGTH:
        raise LinkError(
            f"the link is {len(text)} characters long (at most {LINK_MAX_LENGTH})",
            "use the tool's short-link or saved-search feature",
        )
    if text != text.strip(" "):
        raise LinkError(
            f"the link {text!r} has a space at its start or end",
            "remove the space; a space inside a link is fine (it becomes %20)",
        )
    bad = _BAD.search(text)
    if bad:
        raise LinkError(
            f"the link has {_char(text, bad.start())}: control, invisible and "
            "direction-changing characters and unusual spaces hide what a link really says",
            "retype the link, or paste it from the browser's address bar",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise LinkError(
            f"the link is not valid Unicode text ({exc.reason})",
            "retype the link, or paste it from the browser's address bar",
        ) from None
    scheme, rest = text.split("://", 1)
    end = len(rest)
    for sep in "/?#\\":
        pos = rest.find(sep)
        if pos != -1:
            end = min(end, pos)
    authority, tail = rest[:end], rest[end:]
    if not authority and tail[:1] in ("/", "\\"):
        raise LinkError(
            f"the link {text!r} has more than two slashes after `{scheme}:`",
            f"write {scheme}://host/...",
        )
    if "@" in authority:
        raise LinkError(
            f"the link {text!r} has a user name or password before `@`: it would be "
            "shown to everyone, and it can disguise the host "
            "(https://grafana.example.com@evil.example/ goes to evil.example)",
            "remove everything between `//` and `@`; people sign in in the browser",
        )
    host, colon, port = authority, "", ""
    if authority.startswith("["):
        close = authority.find("]")
        if close != -1 and authority[close + 1 : close + 2] == ":":
            host, colon, port = authority[: close + 1], ":", authority[close + 2 :]
    elif ":" in authority:
        host, colon, port = authority.partition(":")
    ascii_host = _host(host, text)
    if colon and not (_PORT.match(port) and int(port) <= 65535):
        raise LinkError(
            f"the link's port {port!r} is not a port number",
            "a port is a number from 1 to 65535 after the host: https://host:8443/",
        )
    before_fragment, fragment_mark, fragment = tail.partition("#")
    path, query_mark, query = before_fragment.partition("?")
    if "\\" in path:
        where = text.index("\\")
        raise LinkError(
            f"the link has a backslash ({_char(text, where)}) before any `?` or `#`: "
            "browsers read it as `/`, so the link would go somewhere else",
            "write `/` if a folder is meant, or %5C for a backslash the server expects",
        )
    return (
        f"{scheme}://{ascii_host}{colon}{port}"
        + _encode(path, _NEEDS_ENCODING_PATH)
        + query_mark
        + _encode(query, _NEEDS_ENCODING_QUERY)
        + fragment_mark
        + _encode(fragment, _NEEDS_ENCODING_QUERY)
    )


# Each segment of a file path is encoded completely: a runbook file name may hold `#`, `?`,
# `%`, quotes or spaces, and each must reach the repository host as part of the name.
_KEEP_SEGMENT = frozenset(_UNRESERVED)


def path_href(base: str, path: str) -> str:
    """``base`` (a link :func:`web_href` accepts) joined with the file ``path``, encoded.

    ``path`` is a relative POSIX path (``runbooks/one click #2.yaml``); each segment is
    percent-encoded in full, so no character of a file name can end the path or start a query.
    """
    segments = [
        "".join(
            ch if ch in _KEEP_SEGMENT else "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
            for ch in segment
        )
        for segment in path.split("/")
    ]
    return web_href(base.rstrip("/") + "/" + "/".join(segments))
