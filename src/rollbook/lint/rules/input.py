"""Input rules RB001-RB012: problems the loader finds while reading a file.

These rules have no check of their own: the loader (``rollbook.load``) finds the problems and
the linter reports them under these codes. They are registered here so that they can be
documented, selected, ignored and re-graded like every other rule.
"""

from __future__ import annotations

from rollbook.codes import Code
from rollbook.diagnostics import Severity
from rollbook.lint.registry import register

E = Severity.ERROR

register(
    Code.YAML_SYNTAX,
    "yaml-syntax",
    E,
    "input",
    "fix the YAML at the line shown",
    """
    The file is not valid YAML.

    **What it checks**: the file parses as one YAML document: indentation, quotes, colons.

    **Why it matters**: nothing else can be checked, and the runbook cannot be shown to the
    person who needs it.

    **Failing**:

    ```yaml
    title: "Saved-search alerts
    summary: Emails customers
    ```

    **Also reported**: RB101, because a runbook that cannot be read covers no feature.

    **Passing**:

    ```yaml
    title: "Saved-search alerts"
    summary: Emails customers
    ```
""",
)

register(
    Code.DUPLICATE_KEY,
    "duplicate-key",
    E,
    "input",
    "merge the two keys or delete one",
    """
    The same key is written twice in one mapping.

    **What it checks**: no mapping repeats a key.

    **Why it matters**: YAML silently keeps only the last value, so half of what someone wrote
    disappears without a trace: often a rollback step.

    **Failing**:

    ```yaml
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off within a minute.
      steps:
        - do: Empty the saved carts with `cartctl purge --feature one-click`.
          expect: The command prints "purged".
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off within a minute.
        - do: Empty the saved carts with `cartctl purge --feature one-click`.
          expect: The command prints "purged".
    ```
""",
)

register(
    Code.UNKNOWN_KEY,
    "unknown-key",
    E,
    "input",
    "fix the spelling (see the suggestion) or remove it",
    """
    A key the runbook format does not define.

    **What it checks**: every key is one of the format's fields (`rollbook schema` lists them).

    **Why it matters**: a misspelt key (`rolback:`) is silently ignored by a lenient reader,
    and the runbook then lacks the very section its author wrote.

    **Failing**:

    ```yaml
    rolback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off within a minute.
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Switch checkout.one_click Off in the flag console.
          expect: The flag shows Off within a minute.
    ```
""",
)

register(
    Code.WRONG_TYPE,
    "wrong-type",
    E,
    "input",
    "write the kind of value the field expects",
    """
    A value of the wrong kind: a list where text is expected, text where a mapping is.

    **What it checks**: each field holds the kind of value the format defines.

    **Why it matters**: a wrongly shaped value cannot be shown or checked; an empty value is
    usually a placeholder nobody filled in.

    **Failing**:

    ```yaml
    owner: [payments, search]
    ```

    **Passing**:

    ```yaml
    owner: payments
    ```
""",
)

register(
    Code.MISSING_FIELD,
    "missing-field",
    E,
    "input",
    "add the field",
    """
    A required field is missing.

    **What it checks**: the fields every runbook needs (`id`, `title`, `summary`, `owner`,
    `risk`) and those every part needs (a step's `do`, a flag's `off`, ...) are present.

    **Why it matters**: a runbook without an owner or a flag without its off value leaves the
    person on call guessing.

    **Failing**:

    ```yaml
    flags:
      - key: checkout.one_click
        system: flagd
        change: Flag console > checkout.one_click > Off
    ```

    **Passing**:

    ```yaml
    flags:
      - key: checkout.one_click
        system: flagd
        off: false
        change: Flag console > checkout.one_click > Off
    ```
""",
)

register(
    Code.INVALID_VALUE,
    "invalid-value",
    E,
    "input",
    "use one of the allowed values",
    """
    A value the field does not allow: a risk level that does not exist, a bad id or link.

    **What it checks**: words come from the field's list, ids are slugs, links are https,
    dates are real dates, numbers are in range.

    **Why it matters**: `risk: severe` is not a level the linter knows, so the checks meant
    for risky features would quietly not run.

    **Failing**:

    ```yaml
    risk: severe
    ```

    **Passing**:

    ```yaml
    risk: critical
    ```
""",
)

register(
    Code.UNREADABLE_FILE,
    "unreadable-file",
    E,
    "input",
    "make the file one UTF-8 YAML document under 1 MiB",
    """
    The file cannot be read as a runbook: empty, binary, not UTF-8, too large or too deep.

    **What it checks**: each runbook file is one UTF-8 YAML document within rollbook's limits.

    **Why it matters**: the limits keep a hostile or broken file from stalling CI; an empty file
    is a runbook nobody wrote.

    **Failing**:

    ```yaml
    id: one-click-checkout
    ---
    id: one-click-checkout-v2
    ```

    **Also reported**: RB101, because a runbook that cannot be read covers no feature.

    **Passing**:

    ```yaml
    id: one-click-checkout
    ```
""",
)

register(
    Code.UNKNOWN_REFERENCE,
    "unknown-reference",
    E,
    "input",
    "use a name that is defined",
    """
    A name that points nowhere: a kill switch, signal, team or person that is not defined.

    **What it checks**: `rollback.kill_switch` names a flag in `flags`, risks and rollout gates
    name signals in `signals`, and owners and contacts are in the teams file.

    **Why it matters**: at 3 a.m. "switch off `checkout_one_click`" is useless if no flag of
    that name is described.

    **Failing**:

    ```yaml
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    rollback:
      kill_switch: checkout_one_click
    ```

    **Passing**:

    ```yaml
    flags:
      - {key: checkout.one_click, system: flagd, off: false, change: Flag console}
    rollback:
      kill_switch: checkout.one_click
    ```
""",
)

register(
    Code.DUPLICATE_RUNBOOK_ID,
    "duplicate-runbook-id",
    E,
    "input",
    "give each feature one runbook",
    """
    Two runbooks use the same `id`.

    **What it checks**: runbook ids are unique across the project.

    **Why it matters**: ids name the pages of the site; one of the two runbooks would be
    unreachable, and nobody would know which one is current.

    **Failing**:

    ```yaml
    # runbooks/checkout-v2.yaml
    id: one-click-checkout
    title: One-click checkout, second version
    ```

    **Passing**:

    ```yaml
    # runbooks/checkout-v2.yaml
    id: one-click-checkout-v2
    title: One-click checkout, second version
    ```
""",
)

register(
    Code.SILENT_YAML,
    "silent-yaml",
    E,
    "input",
    "quote the value as the hint shows",
    """
    YAML that reads differently from how it looks: text cut at ` #`, a list split at a comma.

    **What it checks**: in text, name and command fields, no value is followed by a comment on
    its line (` #` starts a comment, so `- Post in #payments what happened.` reads as
    `Post in`, and `chat: #payments-oncall` reads as nothing); a `[ ]` list of sentences
    (`when`, `verify`, `after`) with two or more items has every item quoted, since a comma
    there separates items; a `command` spread over several lines is a `|` block, not folded
    (`>`) or continued, which joins its lines with spaces; a `- ` line under a key that has
    a value is not folded into that value; text does not start with an unused anchor (`&Co`).

    **Why it matters**: YAML drops the text without a word, and every check passes on what is
    left. Chat channels start with `#`, so the one sentence that says where to report is the
    one that gets cut; two commands folded into one line run neither.

    **Failing**:

    ```yaml
    rollback:
      when: [error rate above 2%, for 5 minutes]
      after:
        - Post in #payments what happened.
    ```

    **Passing**:

    ```yaml
    rollback:
      when: ["error rate above 2%, for 5 minutes"]
      after:
        - "Post in #payments what happened."
    ```
""",
)

register(
    Code.HIDDEN_CHARACTER,
    "hidden-character",
    E,
    "input",
    "delete the character",
    """
    An invisible, direction-changing or control character, anywhere in the file.

    **What it checks**: no text direction override or isolate (U+202A..U+202E,
    U+2066..U+2069, U+200E, U+200F, U+061C), no zero-width or other invisible format
    character (Unicode category Cf: U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER, U+00AD SOFT
    HYPHEN, U+FEFF, tag characters ...), no other default-ignorable character (Hangul fillers
    U+115F, U+1160, U+3164, U+FFA0; U+034F; variation selectors on their own), no U+2028 or
    U+2029, and no control character written as an escape (`"\\e"`, `"\\x1b"`, `"\\r"`), in any
    value, key or comment. The message gives the line and column of the character itself, its
    code point and its Unicode name. Allowed, because text needs them and they hide nothing: a
    variation selector right after an emoji or other non-ASCII symbol (⚠️), U+200D inside an
    emoji sequence, and U+200C/U+200D between two letters of a script that uses them (Persian,
    Indic scripts).

    **Why it matters**: these characters change what a page shows without changing what is
    copied or run ("Trojan Source", CVE-2021-42574): a page can show one command while Copy
    gives another, or show `ON` where the file says `NO`. rustc refuses them in source code
    for the same reason.

    **Failing**:

    ```yaml
    # The command holds U+202E RIGHT-TO-LEFT OVERRIDE, written here as an escape.
    rollback:
      steps:
        - do: Switch the flag off.
          command: "flagctl set checkout.one_click \\u202eNO"
          expect: The command prints "checkout.one_click = false".
    ```

    **Passing**:

    ```yaml
    rollback:
      steps:
        - do: Switch the flag off.
          command: "flagctl set checkout.one_click OFF"
          expect: The command prints "checkout.one_click = false".
    ```
""",
)

register(
    Code.LOOK_ALIKE_NAME,
    "look-alike-name",
    E,
    "input",
    "retype the name in one script",
    """
    A name with a character that imitates another: a Cyrillic `с` in a Latin flag key.

    **What it checks**: names that are typed, searched for or compared (flag keys, kill
    switches, signal and alert names and the lists that refer to them, ids, owners, tags, chat
    handles) hold no letter from another script that looks like a letter of their own, no
    word that mixes scripts (Japanese, Chinese and Korean mixes excepted, as Unicode's UTS #39
    allows), no word written wholly in look-alikes of Latin letters (Cyrillic `рау` for
    `pay`), and no compatibility look-alike (fullwidth `ｃ`, mathematical `𝐜`). A name without
    spaces, typed into a console, also holds no look-alike punctuation (U+2010 HYPHEN for
    `-`). The look-alikes come from Unicode's confusables.txt; the message names the character
    and what it looks like.

    **Why it matters**: on the page `сheckout.one_click` looks exactly like
    `checkout.one_click`; typed into the flag console it is a different flag, or none, and the
    kill switch is not switched off.

    **Failing**:

    ```yaml
    rollback:
      kill_switch: сheckout.one_click   # the first letter is U+0441 CYRILLIC SMALL LETTER ES
    ```

    **Passing**:

    ```yaml
    rollback:
      kill_switch: checkout.one_click
    ```
""",
)
