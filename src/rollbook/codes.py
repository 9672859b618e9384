"""Every rule code, as a constant: a typo in a code is a NameError, not a silent other rule.

``Code`` lists the codes; each member's name is its rule's name (``Code.YAML_SYNTAX`` is
``RB001`` ``yaml-syntax``). The loader raises problems under these constants and the rules
register under them; importing :mod:`rollbook.lint.rules` checks that every constant has a
registered rule and every registered rule a constant. Because ``Code`` is a ``StrEnum``, a
member compares equal to, and formats as, its code: reports print ``RB001``.

This module imports nothing of rollbook, so that every stage (loader, linter, reporters) can
use it.
"""

from __future__ import annotations

from enum import StrEnum, unique

CONFIG_ERROR = "RB000"
"""Not a rule: a configuration error, which stops the run (exit 2) and cannot be selected,
ignored or suppressed."""


@unique
class Code(StrEnum):
    """The code of every rule; ``Code(text)`` raises ValueError for a code that is not one."""

    # Input: problems the loader finds while reading a file (rules in lint/rules/input.py).
    YAML_SYNTAX = "RB001"
    DUPLICATE_KEY = "RB002"
    UNKNOWN_KEY = "RB003"
    WRONG_TYPE = "RB004"
    MISSING_FIELD = "RB005"
    INVALID_VALUE = "RB006"
    UNREADABLE_FILE = "RB007"
    UNKNOWN_REFERENCE = "RB008"
    DUPLICATE_RUNBOOK_ID = "RB009"
    SILENT_YAML = "RB010"
    HIDDEN_CHARACTER = "RB011"
    LOOK_ALIKE_NAME = "RB012"

    # Coverage: runbooks against the feature sources (lint/rules/coverage.py).
    FEATURE_WITHOUT_RUNBOOK = "RB101"
    RUNBOOK_WITHOUT_ROLLBACK = "RB102"
    RUNBOOK_WITHOUT_FEATURE = "RB103"
    UNKNOWN_FLAG = "RB104"
    NO_FEATURE_SOURCES = "RB105"
    MATCHED_BY_ID_ONLY = "RB106"
    DEPLOYED_FEATURE_MARKED_UNDEPLOYABLE = "RB107"
    KILL_SWITCH_NOT_IN_SOURCE = "RB108"
    OFF_VALUE_MISMATCH = "RB109"
    FLAG_SYSTEM_MISMATCH = "RB110"

    # Rollback quality (lint/rules/rollback.py).
    STEP_WITHOUT_EXPECT = "RB201"
    VAGUE_STEP = "RB202"
    NO_KILL_SWITCH = "RB203"
    ENGINEER_STEP_WITHOUT_ALTERNATIVE = "RB204"
    IRREVERSIBLE_WITHOUT_WARNING = "RB205"
    NO_VERIFICATION = "RB206"
    ROLLBACK_WITHOUT_HANDLE = "RB207"

    # Visibility: signals and alerts (lint/rules/visibility.py).
    SIGNAL_WITHOUT_THRESHOLD = "RB301"
    SIGNAL_WITHOUT_LINK = "RB302"
    NO_ALERTING_SIGNAL = "RB303"
    RISK_WITHOUT_SIGNAL = "RB304"

    # Visibility against alert rule files (lint/rules/alerts.py).
    UNREADABLE_ALERT_RULES = "RB305"
    INVALID_ALERT_RULE = "RB306"
    UNKNOWN_ALERT = "RB307"
    ALERT_WITHOUT_RUNBOOK_URL = "RB308"
    ALERT_RUNBOOK_URL_MISMATCH = "RB309"
    INVALID_PROMQL = "RB310"
    ROLLBACK_NOT_ALERTED = "RB311"

    # Rollout (lint/rules/rollout.py).
    FIRST_STAGE_TOO_LARGE = "RB401"
    STRAIGHT_TO_EVERYONE = "RB402"
    # Rollout against the feature sources (lint/rules/rollout_sources.py).
    ROLLOUT_DISAGREES_WITH_SOURCE = "RB403"
    SOURCE_CHANGED_WITHOUT_RUNBOOK = "RB404"

    # Testing (lint/rules/testing.py).
    NO_STRESS_OR_FAILURE_TEST = "RB501"

    # People (lint/rules/people.py).
    OWNER_UNREACHABLE = "RB601"
    CONTACT_UNREACHABLE = "RB602"

    # Freshness (lint/rules/freshness.py).
    REVIEW_OVERDUE = "RB701"
    DRILL_OVERDUE = "RB702"

    # Hygiene (lint/rules/hygiene.py).
    SECRET_IN_RUNBOOK = "RB801"
    INSECURE_LINK = "RB802"
    PLACEHOLDER_LEFT = "RB803"

    # Suppressions (lint/rules/suppressions.py).
    SUPPRESSION_WITHOUT_REASON = "RB901"
    UNUSED_SUPPRESSION = "RB902"
    EXPIRED_SUPPRESSION = "RB903"
    INVALID_SUPPRESSION = "RB904"
    # The baseline file and per-key exemptions (lint/rules/baseline.py).
    STALE_BASELINE_ENTRY = "RB905"
    EXPIRED_EXEMPTION = "RB906"
    UNUSED_EXEMPTION = "RB907"

    # Enum hashes a member by its name; hash it as its text, as it compares, so that a code
    # read from a Problem or a finding (plain text) is found in a set or dict of constants.
    __hash__ = str.__hash__

    @property
    def rule_name(self) -> str:
        """The rule's kebab-case name: ``Code.YAML_SYNTAX.rule_name == "yaml-syntax"``."""
        return self.name.lower().replace("_", "-")


def is_known(code: str) -> bool:
    """Whether ``code`` is a rule code or the configuration error code."""
    return code == CONFIG_ERROR or code in Code._value2member_map_
