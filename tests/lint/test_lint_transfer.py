"""What a cold lint run pays for besides linting: results sent back by workers, imports on exit.

Lint's forked workers send every file's findings and summary to the parent pickled; these
classes pickle as a call with their fields (faster to load than dataclasses' default for
slotted classes), which must give back equal objects of the same class, field for field.
And a lint run must not import the site's stack (Jinja, the renderer) only to decide how to
report an error it cannot have raised.
"""

from __future__ import annotations

import pickle
import subprocess
import sys

from rollbook.diagnostics import Location, Severity
from rollbook.lint.context import FlagSummary, RunbookSummary
from rollbook.lint.finding import Finding


def _round_trip(value):
    back = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is type(value)
    assert back == value
    assert repr(back) == repr(value)
    return back


def test_locations_and_findings_pickle_field_for_field():
    for loc in [Location("runbooks/a.yaml", 3, 7), Location("a.yaml"), Location("ü/ä.yaml", 0, 0)]:
        _round_trip(loc)
    finding = Finding(
        "RB202",
        "vague-step",
        Severity.WARNING,
        "step 1 says 'fix it'",
        Location("runbooks/a.yaml", 12, 9),
        help="name what to do",
        anchor="rollback.steps[0].do",
        fingerprint="0123abcd",
    )
    back = _round_trip(finding)
    assert back.location.line == 12 and back.severity is Severity.WARNING
    _round_trip(Finding("RB001", "n", Severity.ERROR, "m", Location("x.yaml")))  # defaults


def test_summaries_pickle_field_for_field():
    where = Location("runbooks/a.yaml", 9, 5)
    flags = (
        FlagSummary("checkout.one_click", "flagd", where, False, True, where, where, where),
        FlagSummary("checkout.other", "flagd", where),  # off/on not given
    )
    summary = RunbookSummary(
        "one-click-checkout",
        "runbooks/a.yaml",
        Location("runbooks/a.yaml", 1, 5),
        flags,
        False,
        True,
        has_rollback=False,
        deployable_location=where,
        kill_switch="checkout.one_click",
        kill_switch_location=where,
        stage_percents=(1.0, None, 100.0),
        rollout_location=where,
    )
    back = _round_trip(summary)
    assert back.flags[1].off is None and back.flag_keys == {"checkout.one_click", "checkout.other"}
    _round_trip(RunbookSummary("x", "x.yaml", where, (), True, True))  # defaults


_PROBE = """
import sys
from rollbook.cli import main
try:
    main(["lint", "--no-cache", "--exit-zero"])
except SystemExit as exc:
    code = exc.code
print("exit", code, "site imported:", "rollbook.site.output" in sys.modules)
"""


def test_lint_does_not_import_the_site_on_exit(project):
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "exit 0 site imported: False", result.stderr
