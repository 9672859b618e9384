"""Hypothesis strategies for links as people paste them (Kibana, Grafana, wikis, chat)."""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

# Characters that turn up in pasted links, the awkward ones over-represented.
AWKWARD = [
    *"'()!*$&+,;=:@/ \"<>\\{}|^`[]%#?~.-_",
    "é",
    "ß",
    "日本",
    "😀",
    "\u0301",  # combining accent
    "%41",
    "%zz",
    "%2F",
    "..",
]
ASCII_LABEL = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=8
)
IDN_LABEL = st.sampled_from(
    [
        "bücher",
        "faß",
        "пример",
        "例え",
        "münchen",
        "ÖBB",
        "straße",
        "ελληνικά",
        "xn--bcher-kva",
        "日本",
    ]
)
NUMERIC_LABEL = st.sampled_from(["1", "127", "0x7f", "0", "256", "08", "0x"])


def _ipv4(n: int) -> str:
    return str(ipaddress.IPv4Address(n))


HOSTS = st.one_of(
    st.lists(st.one_of(ASCII_LABEL, IDN_LABEL), min_size=1, max_size=4).map(".".join),
    st.tuples(
        st.lists(st.one_of(ASCII_LABEL, NUMERIC_LABEL), min_size=0, max_size=3),
        NUMERIC_LABEL,
    ).map(lambda t: ".".join([*t[0], t[1]])),
    st.integers(0, 2**32 - 1).map(_ipv4),
    st.integers(0, 2**128 - 1).map(lambda n: f"[{ipaddress.IPv6Address(n)}]"),
    st.text(min_size=1, max_size=6),
)
PART = st.lists(
    st.one_of(st.sampled_from(AWKWARD), st.text(min_size=1, max_size=3)), max_size=8
).map("".join)


@st.composite
def pasted_links(draw: st.DrawFn) -> str:
    """A link as someone might paste it: mostly plausible, sometimes broken on purpose."""
    scheme = draw(st.sampled_from(["https://", "http://"]))
    userinfo = draw(st.sampled_from(["", "", "", "", "user@", "user:pw@"]))
    host = draw(HOSTS)
    if draw(st.booleans()) and draw(st.booleans()):
        host += "."
    port = draw(st.one_of(st.just(""), st.integers(0, 70000).map(lambda p: f":{p}")))
    path = draw(st.one_of(st.just(""), PART.map(lambda p: "/" + p)))
    query = draw(st.one_of(st.just(""), PART.map(lambda p: "?" + p)))
    fragment = draw(st.one_of(st.just(""), PART.map(lambda p: "#" + p)))
    return scheme + userinfo + host + port + path + query + fragment


def any_links() -> st.SearchStrategy[str]:
    """Pasted links, and arbitrary text after a scheme."""
    return st.one_of(
        pasted_links(),
        st.text(max_size=30).map(lambda t: "https://" + t),
    )
