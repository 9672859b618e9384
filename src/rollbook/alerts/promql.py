"""Does a query parse as PromQL? Asked of a real parser, never of a home-made one.

The parser is ``promql-parser`` (a Python binding of the Rust crate used by GreptimeDB). Its
parser recurses in native code: a query nested a few thousand levels deep (``x+x+x+...``,
``((((...``) overflows the stack and ends the interpreter with a segmentation fault, which no
``try`` can catch. So a query with more operators and brackets than any real query has is
refused before it reaches the parser (measured here: 3,000 levels parse, 5,000 crash; the
limit is far below both).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_QUERY_CHARS = 20_000
MAX_OPERATORS = 400
_OPERATOR_CHARS = frozenset("+-*/%^(<>=![{")


@dataclass(frozen=True)
class PromqlError:
    """Why a query is not PromQL, in the parser's words (or why it was not tried)."""

    message: str
    checked: bool = True
    """False when the query was too large or nested too deeply to hand to the parser."""


def operator_count(query: str) -> int:
    """Operators and opening brackets outside string literals: the parser's nesting bound."""
    count = 0
    quote = ""
    escaped = False
    for ch in query:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote != "`":
                escaped = True
            elif ch == quote:
                quote = ""
            continue
        if ch in "\"'`":
            quote = ch
        elif ch in _OPERATOR_CHARS:
            count += 1
    # Word operators (and, or, unless) bind as binary operators too.
    words = query.split()
    return count + sum(1 for w in words if w in {"and", "or", "unless"})


def promql_error(query: str) -> PromqlError | None:
    """None when ``query`` parses as PromQL, else the parser's message."""
    if len(query) > MAX_QUERY_CHARS:
        return PromqlError(
            f"the query is {len(query):,} characters long; rollbook checks queries of up to "
            f"{MAX_QUERY_CHARS:,}",
            checked=False,
        )
    if operator_count(query) > MAX_OPERATORS:
        return PromqlError(
            f"the query has more than {MAX_OPERATORS} operators and brackets; rollbook does not "
            "hand such a query to the PromQL parser (it could crash on it)",
            checked=False,
        )
    import promql_parser

    try:
        promql_parser.parse(query)
    except ValueError as exc:
        return PromqlError(str(exc) or "invalid PromQL")
    except Exception as exc:  # the binding may raise others for input it does not expect
        return PromqlError(f"{type(exc).__name__}: {exc}")
    return None
