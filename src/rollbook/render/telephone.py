"""The rollback as a telephone script (``rollbook show FEATURE --say``).

The person who knows the rollback may be reachable only by a voice call, and the person at
the keyboard may not be an engineer. The script is what the caller reads aloud: "Step 2 of
5", one action per step, what the listener should see, and how to confirm each step back
before the next ("tell me what you see"); when to stop and whom to call, with numbers read
in groups. Anything that could be misheard is spelled out: identifiers in the text (flag
keys, names with dots, underscores, slashes or capitals inside, links) are read character
group by character group (``checkout.one_click``: "checkout, dot, one, underscore, click"),
and commands are read group by group, each group spelled, with a read-back before Enter.

It is plain text for a terminal: every string passes through
:func:`rollbook.safe_text.for_terminal`, and hidden characters are named when spelled.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

from rollbook.render.views import PhoneView, RollbackView, StepView
from rollbook.safe_text import for_terminal

WIDTH = 80
WORDS_PER_MINUTE = 130  # reading aloud slowly and clearly, with pauses for answers

SYMBOLS = {
    ".": "dot",
    "_": "underscore",
    "-": "dash",
    "/": "slash",
    "\\": "backslash",
    ":": "colon",
    ";": "semicolon",
    "=": "equals",
    '"': "double quote",
    "'": "single quote",
    "`": "backtick",
    "|": "pipe",
    "&": "ampersand",
    "*": "star",
    "?": "question mark",
    "#": "hash",
    "@": "at sign",
    "$": "dollar",
    "%": "percent",
    "~": "tilde",
    "^": "caret",
    "(": "open bracket",
    ")": "close bracket",
    "[": "open square bracket",
    "]": "close square bracket",
    "{": "open curly bracket",
    "}": "close curly bracket",
    "<": "less than",
    ">": "greater than",
    "+": "plus",
    ",": "comma",
    "!": "exclamation mark",
    " ": "space",
}
_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+|.", re.DOTALL)
# A word of prose that is an identifier a listener could mishear or mistype: a link, or a
# name with a dot, underscore, slash, colon or at sign inside, or a capital after a small
# letter (OneClickErrors), or letters and digits mixed (v2ranking).
_IDENTIFIER = re.compile(
    r"https?://\S+"
    r"|[\w@#$~-]*\w[._/:@][\w./:@-]*\w"
    r"|\w*[a-z][A-Z]\w*"
    r"|(?=\w*[A-Za-z])(?=\w*\d)\w{3,}"
)


def spell(text: str) -> str:
    """``text`` as it is read out: word groups, digits one by one, every symbol named.

    ``checkout.one_click`` -> ``checkout, dot, one, underscore, click``;
    ``OneClickErrors`` -> ``capital One, capital Click, capital Errors``.
    """
    said: list[str] = []
    for token in _TOKEN.findall(text):
        if token.isdigit():
            said.extend(token)
        elif token.isalpha() and token.isascii():
            if len(token) > 1 and token.isupper():
                said.append("capitals " + " ".join(token))
            elif token[0].isupper():
                said.append(f"capital {token}")
            else:
                said.append(token)
        elif token in SYMBOLS:
            said.append(SYMBOLS[token])
        elif token.isalpha():
            said.append(for_terminal(token))
        else:
            name = unicodedata.name(token, "").lower() or "a control character"
            said.append(f"the character {for_terminal(token)} ({name})")
    return ", ".join(said)


def identifiers(text: str) -> list[str]:
    """The words of ``text`` that should be spelled, in order, each once."""
    found = []
    for match in _IDENTIFIER.finditer(text):
        word = match.group().rstrip(".,;:!?)'\"")
        if word and word not in found:
            found.append(word)
    return found


def say_phone(phone: PhoneView) -> str:
    """A phone number read in its written groups: ``plus 44, 20, 7946, 0101``."""
    groups = phone.international.lstrip("+").split()
    return "plus " + ", ".join(groups)


def command_groups(command: str) -> list[str]:
    """A command split into the groups it is read in: its words (quotes kept together)."""
    groups: list[str] = []
    for line in command.strip().splitlines():
        groups.extend(line.split())
        groups.append("\n")
    return groups[:-1]


class _Script:
    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []

    def text(self, text: str, indent: str = "", first: str | None = None) -> None:
        first = indent if first is None else first
        clean = for_terminal(" ".join(text.split()), lines=False)
        self.lines.extend(
            textwrap.wrap(
                clean,
                self.width,
                initial_indent=first,
                subsequent_indent=indent,
                break_on_hyphens=False,
            )
            or [""]
        )

    def blank(self) -> None:
        self.lines.append("")

    def spell_words(self, text: str, indent: str, skip: set[str]) -> None:
        for word in identifiers(text):
            if word in skip:
                continue
            skip.add(word)
            # A link is read without its scheme: "https, colon, slash, slash" helps nobody.
            address = re.sub(r"^https?://", "", word)
            self.text(f'Spell {address} as: "{spell(address)}".', indent + "  ", first=indent)


def _quote(text: str) -> str:
    return f'"{" ".join(text.split())}"'


def _step(script: _Script, step: StepView, total: int, spelled: set[str]) -> None:
    """One step; ``spelled`` holds what the script has spelled already (once is enough)."""
    script.blank()
    script.text(f"STEP {step.n} OF {total}")
    if step.irreversible:
        script.text(
            "This step cannot be undone. Read the warning first, and go on only if the "
            "backup is done.",
            "  ",
        )
        if step.warning:
            script.text(f"Warning: {_quote(step.warning)}", "    ", first="  ")
        if step.backup:
            script.text(f"Backup: {_quote(step.backup)}", "    ", first="  ")
    if step.engineer:
        script.text("This step needs an engineer: if the listener is not one, stop here.", "  ")
    script.text(f"Say: {_quote(step.do)}", "    ", first="  ")
    script.spell_words(step.do, "  ", spelled)
    if step.link and step.link not in spelled:
        address = re.sub(r"^https?://", "", step.link)
        script.text(f'The address to open is: "{spell(address)}".', "    ", first="  ")
        spelled.add(step.link)
    if step.command:
        groups = command_groups(step.command)
        words = [g for g in groups if g != "\n"]
        script.text(
            f"The command has {len(words)} group{'s' if len(words) != 1 else ''}. Read one "
            'group at a time; wait for "got it" after each.',
            "  ",
        )
        n = 0
        for group in groups:
            if group == "\n":
                script.text("Then: new line.", "    ", first="    ")
                continue
            n += 1
            script.text(f'Group {n}: "{spell(group)}".', "      ", first="    ")
        script.text("Ask them to read the whole command back to you before they press Enter.", "  ")
    if step.expect:
        script.text('Confirm: ask "What do you see now?"', "  ")
        script.text(f"They should see: {_quote(step.expect)}", "    ", first="  ")
        script.spell_words(step.expect, "  ", spelled)
    else:
        script.text('Confirm: ask "Is it done?" and wait for "done".', "  ")
    if step.if_not:
        script.text(f"If not: {_quote(step.if_not)}", "    ", first="  ")
    else:
        script.text("If not: stop here and call for help (below).", "    ", first="  ")


def render_script(view: RollbackView, *, width: int = WIDTH) -> str:
    """The telephone script for ``view`` (plain text, ends with a newline)."""
    script = _Script(width)
    total = len(view.steps)
    script.text(f"TELEPHONE SCRIPT: roll back {view.title}")
    script.text(
        "Read this aloud to the person doing the rollback. One step at a time: wait until "
        "they have done it and told you what they see before you read the next step."
    )
    script.blank()
    script.text("START")
    if not view.has_rollback or not total:
        script.text(
            'Say: "This feature has no rollback steps written down. We need to call the '
            'owner now."',
            "    ",
            first="  ",
        )
    else:
        opening = (
            f"We are going to turn off {view.title}. There "
            f"{'is 1 step' if total == 1 else f'are {total} steps'}. I will read one step "
            "at a time. After each one, tell me what you see. If anything looks different "
            "from what I say, stop and tell me."
        )
        script.text(f"Say: {_quote(opening)}", "    ", first="  ")
    kill = view.kill_switch
    spelled: set[str] = set()
    if kill:
        script.text(
            f"The switch that turns it off is the flag {kill.key} ({kill.system}); off means "
            f"{kill.off}.",
            "  ",
        )
        script.text(f'Spell {kill.key} as: "{spell(kill.key)}".', "    ", first="  ")
        spelled.add(kill.key)
    for step in view.steps:
        _step(script, step, total, spelled)
    if view.verify:
        script.blank()
        script.text("CHECK IT WORKED")
        script.text("Ask them to check, one at a time:", "  ")
        for item in view.verify:
            script.text(_quote(item), "    ", first="  - ")
    script.blank()
    script.text("WHEN TO STOP AND WHOM TO CALL")
    script.text(
        "Stop at once if what they see does not match, if they are unsure, or if a step "
        "says to. Then call, in this order:",
        "  ",
    )
    for n, contact in enumerate(view.contacts, start=1):
        number = f"on {say_phone(contact.phone)}" if contact.phone else "(no phone number)"
        when = f" {contact.when}." if contact.when else ""
        script.text(f"{n}. {contact.name}, {number}.{when}", "     ", first="  ")
    if not view.contacts:
        script.text(f"The owner, {view.owner_name}.", "    ", first="  ")
    body = "\n".join(script.lines)
    minutes = max(1, round(len(body.split()) / WORDS_PER_MINUTE))
    script.blank()
    script.text(f"(About {minutes} minute{'s' if minutes != 1 else ''} to read aloud.)")
    return "\n".join(script.lines) + "\n"
