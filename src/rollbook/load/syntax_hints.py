"""Say what is actually wrong at a YAML syntax error, and show the line as it should be.

libyaml names the symptom ("mapping values are not allowed in this context", "did not find
expected key"); the same symptom has several causes, and a person needs the cause. The source
line decides: a value with an unquoted ``: ``, a key indented one space too far, text after a
closing quote, a tab, a ``[`` that a comment hid the end of. Every fix is built from the exact
text that was written, quoted so that it reads back as that text.
"""

from __future__ import annotations

import re

from rollbook.diagnostics import Problem

# Fallbacks by libyaml's (or PyYAML's pure-Python) message, for what the source line does not
# explain.
SYNTAX_HINTS = (
    ("'\\t'", "YAML indents with spaces; replace the tab with spaces."),
    (
        "could not find expected ':'",
        "a line may be missing the ':' after its key, or a quote was opened and not closed.",
    ),
    (
        "mapping values are not allowed",
        "a value that contains ': ' must be quoted, e.g. do: \"Set mode: off\".",
    ),
    ("found undefined alias", "define the anchor (&name) before using it (*name)."),
    ("found character '@'", "text starting with @ or ` must be quoted."),
    ("found character '`'", "text starting with @ or ` must be quoted."),
    ("did not find expected key", "check the indentation of this line against the lines above."),
    ("did not find expected '-'", "check the indentation of this list item."),
)


def quote_as_written(text: str) -> str:
    """``text`` in YAML quotes, so that it reads back exactly as written.

    Double quotes when nothing in it needs escaping there; single quotes otherwise (inside them
    only ``'`` is special, written twice), so a backslash in a command stays a backslash.
    """
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"


_KEY_LINE = re.compile(r"( *)((?:- +)*)([^\s#'\"\-\[\]{}][^:#]*?|-[^\s:#][^:#]*?):(?=\s|$)")


def _key_at(row: str) -> tuple[int, str, int, int] | None:
    """``(key column, key, colon index, value start index)`` when ``row`` starts with a key."""
    m = _KEY_LINE.match(row)
    if not m:
        return None
    value_start = m.end() + (len(row[m.end() :]) - len(row[m.end() :].lstrip(" ")))
    return len(m.group(1)) + len(m.group(2)) + 1, m.group(3), m.end() - 1, value_start


def _key_above(lines: list[str], line: int) -> tuple[int, int, str] | None:
    """``(line, key column, key)`` of the nearest line above ``line`` that starts with a key."""
    for above in range(line - 2, -1, -1):
        prev = lines[above]
        if not prev.strip() or prev.lstrip().startswith("#"):
            continue
        found = _key_at(prev)
        return (above + 1, found[0], found[1]) if found else None
    return None


def fix_line(prefix: str, value: str) -> str:
    return f"{prefix.strip()} {quote_as_written(value)}".strip()


def syntax_diagnosis(
    text: str, message: str, line: int, col: int, context_line: int
) -> tuple | None:
    """What is actually wrong at a YAML syntax error, with the fix: ``(message, hint)``, and
    ``(line, column)`` third when the cause is somewhere else than where libyaml stopped.

    libyaml names the symptom ("mapping values are not allowed"); the person needs the cause.
    The same message comes from a value with an unquoted ``: `` and from a key indented one
    space too far, so the source line decides. Each hint shows the line as it should be,
    built from the exact text that was written.
    """
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    row = lines[line - 1]
    ch = row[col - 1] if 0 < col <= len(row) else ""
    for at in (line, context_line):
        if 1 <= at <= len(lines):
            text_at = lines[at - 1]
            lead = text_at[: len(text_at) - len(text_at.lstrip(" \t"))]
            tab = lead.find("\t")
            if tab < 0 and at == line and ch == "\t":
                tab = col - 1
            if tab >= 0:
                return (
                    f"a tab character at line {at}, column {tab + 1}, where YAML allows only "
                    "spaces",
                    "YAML indents with spaces only; replace the tab with spaces (set your editor "
                    "to insert spaces for Tab in YAML files)",
                )
    if ch == "\t":
        return (
            "a tab character where YAML expects a value",
            "YAML indents with spaces only; replace the tab with spaces",
        )
    if "mapping values are not allowed" in message and ch == ":":
        return _colon_diagnosis(lines, line, col)
    before = row[: col - 1].rstrip()
    if (
        "did not find expected" in message
        and "flow" in message
        and ch == ":"
        and (context_line == line)
    ):
        return (
            "a value contains ': ', which YAML reads as the start of a mapping",
            f"quote the whole value: {_flow_item(row, col - 1)}",
        )
    if "did not find expected key" in message and ch == "-" and row.lstrip().startswith("- "):
        return (
            "a `- ` list item among the keys of a mapping",
            "a list goes under a key of its own: the key on one line (`steps:`), then its "
            "`- ` items indented below it",
        )
    if "did not find expected" in message and before.endswith(('"', "'", "]", "}")):
        return _text_after_closing(row, col, before, message)
    if "cannot start any token" in message and ch in "@`%":
        start = _key_at(row)
        at = start[3] if start else col - 1
        prefix, value = row[:at], row[at:]
        return (
            f"a value cannot start with {ch} unless it is quoted",
            f"quote the whole value: {fix_line(prefix, value.rstrip())}",
        )
    if "while scanning an alias" in message or "while scanning an anchor" in message:
        start = _key_at(lines[context_line - 1]) if 1 <= context_line <= len(lines) else None
        if start is not None and context_line == line:
            sign = "*" if "alias" in message else "&"
            kind = "an alias" if sign == "*" else "an anchor"
            return (
                f"text that starts with {sign} is read as {kind}",
                f"quote the whole value: {fix_line(row[: start[3]], row[start[3] :].rstrip())}",
                (line, start[3] + 1),
            )
    if "could not find expected ':'" in message and 1 <= context_line <= len(lines):
        start = lines[context_line - 1]
        m = re.match(r"\s*(?:- +)*([A-Za-z_][\w.-]*):(\S)", start)
        if m:
            return (
                f"`{m.group(1)}:` on line {context_line} has no space after the colon",
                f"YAML needs a space after the colon of a key: `{m.group(1)}: {m.group(2)}...`",
            )
    if "did not find expected" in message and "flow" in message and context_line != line:
        opener = "[" if "sequence" in message else "{"
        closer = "]" if opener == "[" else "}"
        for at in range(context_line, line):
            cut = _comment_in_flow(lines[at - 1])
            if cut is not None:
                return (
                    f"` #` on line {at} starts a comment, so the rest of that line, with its "
                    f"closing {closer}, is not read",
                    f"if the # is part of the text, quote it: {cut}",
                )
        return (
            f"the {opener} opened on line {context_line} is not closed before line {line}",
            f"close it with {closer} on line {context_line}, or quote a value that starts "
            f"with {opener}",
        )
    own = _key_at(row)
    if "did not find expected" in message and own is not None:
        above = _key_above(lines, line)
        if above is not None and above[1] != own[0]:
            more = own[0] > above[1]
            diff = abs(own[0] - above[1])
            spaces = "one space" if diff == 1 else f"{diff} spaces"
            return (
                f"`{own[1]}:` is indented {spaces} {'more' if more else 'less'} than "
                f"`{above[2]}:` on line {above[0]}",
                f"keys of one mapping start in the same column: move `{own[1]}:` to column "
                f"{above[1]}, under `{above[2]}:`",
            )
    if "while scanning a quoted scalar" in message:
        return (
            f"the quote opened on line {context_line} is never closed",
            "close the quote at the end of the value; a quote inside the value must be doubled "
            "('It''s off') or escaped (\"say \\\"off\\\"\")",
        )
    return None


def _flow_item(row: str, index: int) -> str:
    """The ``[ ]`` or ``{ }`` item around ``row[index]``, quoted: ``do: "Run: kubectl"``."""
    start = max(row.rfind(c, 0, index) for c in "[{,") + 1
    ends = [i for i in (row.find(c, index) for c in ",]}") if i >= 0]
    item = row[start : min(ends, default=len(row))].strip()
    key, sep, value = item.partition(": ")
    if sep and " " not in key and key.find(":") < 0 and value.strip():
        return f"{key}: {quote_as_written(value.strip())}"
    return quote_as_written(item)


def _comment_in_flow(row: str) -> str | None:
    """The flow item a ``#`` comment cuts on ``row``, quoted, e.g. ``what: "Ran #12"``."""
    m = re.search(r"[ \t]#", row)
    if m is None or row[: m.start()].count('"') % 2 or row[: m.start()].count("'") % 2:
        return None
    start = max(row.rfind(c, 0, m.start()) for c in "[{,") + 1
    ends = [i for i in (row.find(c, m.end()) for c in ",]}") if i >= 0]
    item = row[start : min(ends, default=len(row))].strip()
    key, sep, value = item.partition(": ")
    if sep and " " not in key and "#" not in key:
        return f"{key}: {quote_as_written(value.strip())}"
    return quote_as_written(item)


def _colon_diagnosis(lines: list[str], line: int, col: int) -> tuple:
    row = lines[line - 1]
    own = _key_at(row)
    if own is not None and own[2] == col - 1 and " " not in own[1]:
        # The line is `key: value` and its own colon is the one YAML trips on: YAML read the
        # line as the continuation of the value above, so the key is indented too far.
        key_col, key = own[0], own[1]
        above = _key_above(lines, line)
        if above is not None and key_col > above[1]:
            extra = key_col - above[1]
            spaces = "one space" if extra == 1 else f"{extra} spaces"
            return (
                f"`{key}:` is indented {spaces} more than `{above[2]}:` on line {above[0]}, "
                "so YAML reads it as part of that value",
                f"keys of one mapping start in the same column: move `{key}:` to column "
                f"{above[1]}, under `{above[2]}:`",
                (line, key_col),
            )
        return (
            f"`{key}:` is indented so that YAML reads it as part of the value above",
            "line the key up with the keys of its mapping",
        )
    if own is not None and own[2] < col - 1:
        value = row[own[3] :].rstrip()
        return (
            "a value contains ': ', which YAML reads as the start of a mapping",
            f"quote the whole value: {fix_line(row[: own[3]], value)}",
        )
    return (
        "': ' inside a value that started on an earlier line",
        "a value that contains ': ' must be quoted; put the whole value in quotes",
    )


def _text_after_closing(row: str, col: int, before: str, message: str) -> tuple[str, str]:
    closer = before[-1]
    if "flow" in message:
        start = max(before.rfind("["), before.rfind(","), before.rfind("{")) + 1
        if closer in "]}":
            start = max(before[:-1].rfind("["), before[:-1].rfind(","), before.rfind("{")) + 1
        rest = row[col - 1 :]
        ends = [i for i in (rest.find(","), rest.find("]"), rest.find("}")) if i >= 0]
        stop = min(ends, default=len(rest))
        item = (row[start : col - 1] + rest[:stop]).strip()
        what = "quote the whole item"
        fix = quote_as_written(item)
    else:
        start = _key_at(row)
        prefix = row[: start[3]] if start else row[: len(row) - len(row.lstrip(" -"))]
        value = row[len(prefix) :].rstrip()
        what = "quote the whole value"
        fix = fix_line(prefix, value)
    if closer in "\"'":
        return (
            "text after the closing quote: YAML ends a quoted value at its closing quote",
            f"{what}: {fix}",
        )
    return (
        f"text after a closing {closer}: a value that starts with [ or {{ is a list or mapping "
        "to YAML",
        f"{what}: {fix}",
    )


def quote_hint(problem: Problem, text: str) -> Problem:
    """Text that YAML took for an alias (``*New*``) or a tag (``!important``): show it quoted."""
    alias = "unknown alias" in problem.message
    tag = problem.message.startswith("YAML tag !") and not problem.message.startswith("YAML tag !!")
    if not (alias or tag):
        return problem
    lines = text.split("\n")
    row = lines[problem.location.line - 1] if problem.location.line <= len(lines) else ""
    start = _key_at(row)
    at = start[3] if start else problem.location.column - 1
    fix = fix_line(row[:at], row[at:].rstrip())
    sign, kind = ("*", "an alias to an anchor") if alias else ("!", "a YAML tag")
    return Problem(
        problem.code,
        problem.message + f" (text that starts with {sign} is read as {kind})",
        problem.location,
        problem.field,
        f"if it is text, quote the whole value: {fix}",
    )
