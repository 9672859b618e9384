"""JUnit XML, for CI test views (GitLab's ``artifacts:reports:junit``, Jenkins, ...).

Each finding at or above ``fail-on`` is a failed test case named after its rule and place;
each checked file without one is a passing test case, so the counts read naturally.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from rollbook.lint.engine import LintResult
from rollbook.report.text import location
from rollbook.safe_text import for_xml

# XML 1.0 cannot hold most control characters, even escaped.
_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("?", text)


def render(result: LintResult) -> str:
    failing = [f for f in result.findings if f.severity.rank >= result.fail_on.rank]
    other = [f for f in result.findings if f.severity.rank < result.fail_on.rank]
    failed_files = {f.path for f in failing}
    cases = []
    for finding in failing:
        case = ET.Element(
            "testcase",
            classname=_clean(finding.path),
            name=_clean(f"{finding.code} {location(finding)}"),
            file=_clean(finding.path),
        )
        if finding.line > 0:
            case.set("line", str(finding.line))
        failure = ET.SubElement(case, "failure", type=finding.code, message=_clean(finding.message))
        failure.text = _clean(
            f"{location(finding)}: {finding.code} [{finding.severity.value}] "
            f"{finding.message}\nhelp: {finding.help}"
        )
        cases.append(case)
    for path in result.files:
        if path in failed_files:
            continue
        case = ET.Element("testcase", classname=_clean(path), name=_clean(path), file=_clean(path))
        notes = [f for f in other if f.path == path]
        if notes:
            out = ET.SubElement(case, "system-out")
            out.text = _clean(
                "\n".join(
                    f"{location(f)}: {f.code} [{f.severity.value}] {f.message}" for f in notes
                )
            )
        cases.append(case)
    suites = ET.Element(
        "testsuites",
        name="rollbook lint",
        tests=str(len(cases)),
        failures=str(len(failing)),
        errors="0",
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="rollbook lint",
        tests=str(len(cases)),
        failures=str(len(failing)),
        errors="0",
        skipped="0",
    )
    suite.extend(cases)
    ET.indent(suites)
    # Bidi and other format characters, C1 controls and CR become character references;
    # surrogates from undecodable file names, which XML cannot hold, visible escapes.
    body = for_xml(ET.tostring(suites, encoding="unicode"))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
