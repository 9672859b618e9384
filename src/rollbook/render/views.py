"""What the renderer produces and what it is given besides runbooks: plain data, no HTML engine."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SitePage:
    """One generated page: where it goes, what it is called and its content as HTML.

    ``search_text`` is what the site's search index holds for the page besides its title, kept
    short on purpose (see :func:`rollbook.render.pages.search_text`).
    """

    src_uri: str
    title: str
    description: str
    html: str
    search_text: str = ""
    kind: str = "page"


@dataclass(frozen=True)
class FindingView:
    """A lint finding or loader problem, ready to show on a runbook page."""

    code: str
    message: str
    location: str
    severity: str = "error"
    hint: str = ""


@dataclass(frozen=True)
class RuleView:
    """A lint rule's documentation, read from the rule's own code."""

    code: str
    name: str
    severity: str
    summary: str
    doc: str = ""


@dataclass(frozen=True)
class GapView:
    """A deployable feature no runbook covers, as the coverage page lists it."""

    key: str
    source: str  # the kind of source: flagd, code, ...
    path: str  # the file that declares it, relative to the project
    line: int
    why: str  # RB101's message: what came close, and why it does not count
    fix: str  # RB101's help: what to write


@dataclass(frozen=True)
class CoverageView:
    """The project's coverage, computed by the linter from the configured sources."""

    sources_configured: bool
    deployable: int
    gaps: tuple[GapView, ...] = ()


@dataclass
class LintResults:
    """What ``rollbook lint`` found, by runbook file, if the linter is installed."""

    available: bool = False
    by_file: dict[str, list[FindingView]] = field(default_factory=dict)
    rules: list[RuleView] = field(default_factory=list)
    note: str = ""
    coverage: CoverageView | None = None


@dataclass(frozen=True)
class MissingRunbook:
    """A runbook file with errors that has no page: where it would have been listed, and why.

    ``id``, ``title``, ``owner`` and ``tags`` are read from whatever of the file still reads
    (see :mod:`rollbook.load.salvage`); any of them may be empty.
    """

    path: str
    problems: tuple[FindingView, ...]
    id: str = ""
    title: str = ""
    owner: str = ""
    tags: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """What the pages call it: its title, else its id, else its file."""
        return self.title or self.id or self.path


@dataclass
class SiteProblems:
    """Input files with errors, as every page may mention them.

    ``missing`` runbooks have no page; ``flawed`` ones (references that point nowhere) were
    published with their errors shown; ``teams`` are the teams file's own problems.
    """

    missing: list[MissingRunbook] = field(default_factory=list)
    flawed: list[tuple[str, tuple[FindingView, ...]]] = field(default_factory=list)
    teams: tuple[FindingView, ...] = ()
    teams_path: str = ""

    @property
    def files(self) -> int:
        """How many files have errors."""
        return len(self.missing) + len(self.flawed) + (1 if self.teams else 0)

    def __bool__(self) -> bool:
        return self.files > 0


# ---------------------------------------------------------------------------------------------
# The rollback, as every medium shows it: the site's runbook page, the terminal (`rollbook
# show`), the telephone script (`--say`), the text message (`--sms`, and the page's "Send these
# steps" link) and the offline cards (`rollbook card`) all render from one RollbackView, built
# by rollbook.render.rollback.rollback_view, so that they cannot disagree about a step.


@dataclass(frozen=True)
class PhoneView:
    """A phone number as shown (``international``) and as dialled (``e164``)."""

    international: str
    e164: str


@dataclass(frozen=True)
class ContactLine:
    """Someone to call, in escalation order, with what is needed to reach them."""

    name: str
    role: str = ""
    when: str = ""
    phone: PhoneView | None = None
    chat: str = ""
    chat_url: str = ""


@dataclass(frozen=True)
class KillSwitchView:
    """The flag that turns the feature off: its key, the value that means off, and how."""

    key: str
    off: str
    """The off value as written in the runbook (``false``, ``"off"``, ``0``)."""
    system: str
    change: str
    redeploy: bool = False
    link: str = ""
    command: str = ""


@dataclass(frozen=True)
class StepView:
    """One rollback step: its action and what should happen."""

    n: int
    do: str
    command: str = ""
    link: str = ""
    expect: str = ""
    if_not: str = ""
    engineer: bool = False
    irreversible: bool = False
    warning: str = ""
    backup: str = ""


@dataclass(frozen=True)
class RollbackView:
    """A runbook's rollback, everything a person needs and nothing else, as plain text.

    Text is as the runbook wrote it: each renderer escapes it for its medium. ``page_url`` is
    the feature's page on the published site (empty when ``site-url`` is not configured).
    """

    id: str
    title: str
    risk: str
    owner: str
    owner_name: str
    summary: str
    audience: str = "anyone"
    when: tuple[str, ...] = ()
    kill_switch: KillSwitchView | None = None
    steps: tuple[StepView, ...] = ()
    verify: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    contacts: tuple[ContactLine, ...] = ()
    flags: tuple[str, ...] = ()
    """Every flag key of the feature (what a person may search for)."""
    page_url: str = ""
    has_rollback: bool = True

    @property
    def first_phone(self) -> ContactLine | None:
        """The first contact in escalation order who has a phone number."""
        return next((c for c in self.contacts if c.phone is not None), None)


@dataclass(frozen=True)
class OutlookView:
    """Who can roll a feature back over the next day, and any freeze in force, as of build time.

    Worked out by :mod:`rollbook.guard.outlook` from the teams file, away calendars and freezes
    when the site is built; the page says so, because it is stale the moment it is published.
    ``error`` is set, and the rest empty, when a calendar could not be read.
    """

    as_of_text: str
    as_of_iso: str
    until_text: str
    reachable: tuple[str, ...] = ()
    away: tuple[str, ...] = ()
    freezes: tuple[str, ...] = ()
    needed: int = 1
    error: str = ""
