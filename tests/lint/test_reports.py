"""Report formats: SARIF against the official schema, JUnit as XML, GitLab, GitHub, JSON."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from rollbook.diagnostics import Location, Severity
from rollbook.lint import Finding, LintResult
from rollbook.lint.finding import fingerprint
from rollbook.report import github, gitlab, json_report, junit, sarif, text
from tests.lint.conftest import GOOD

# The official OASIS schema, copied into the repository (tests/fixtures/README.md).
SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "fixtures/schemas/sarif-schema-2.1.0.json"

NASTY = "100% broken: a, b\nsecond line\r"


def finding(
    code="RB201",
    severity=Severity.ERROR,
    message="step 1 has no expect",
    line=3,
    path="runbooks/a b.yaml",
) -> Finding:
    return Finding(
        code,
        "step-without-expect",
        severity,
        message,
        Location(path, line, 5),
        "add expect",
        "rollback.steps[0]",
        fingerprint(code, path, message),
    )


def result(*findings: Finding) -> LintResult:
    return LintResult(
        list(findings), ["runbooks/a b.yaml", "runbooks/ok.yaml"], Severity.ERROR, suppressed=1
    )


@pytest.fixture
def real_result(project):
    project.runbook(
        GOOD.replace("      expect: The flag shows Off within a minute.\n", "").replace(
            "link: https://grafana", "link: http://grafana"
        )
    )
    project.write("rollbook.toml", 'runbooks = ["runbooks"]\n')  # adds an RB105 at line 0
    return project.lint()


def test_sarif_validates_against_the_official_schema(real_result):
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    doc = json.loads(sarif.render(real_result))
    jsonschema.Draft4Validator.check_schema(schema)
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(doc))
    assert errors == []
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"RB201": "error", "RB802": "warning", "RB105": "note"}
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["partialFingerprints"]["rollbook/v1"]


def test_sarif_of_a_clean_run_validates():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    doc = json.loads(sarif.render(result()))
    assert list(jsonschema.Draft4Validator(schema).iter_errors(doc)) == []
    assert doc["runs"][0]["results"] == []


def test_sarif_nasty_message_and_path():
    doc = json.loads(sarif.render(result(finding(message=NASTY))))
    res = doc["runs"][0]["results"][0]
    assert res["message"]["text"].startswith(NASTY)
    assert (
        res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "runbooks/a%20b.yaml"
    )


def test_junit_parses_as_xml(real_result):
    root = ET.fromstring(junit.render(real_result))
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    failures = suite.findall("testcase/failure")
    assert [f.get("type") for f in failures] == ["RB201"]
    assert suite.get("failures") == "1"
    assert int(suite.get("tests")) == len(suite.findall("testcase"))


def test_junit_survives_control_characters():
    root = ET.fromstring(junit.render(result(finding(message="bad \x00\x1b byte <&>"))))
    assert "<&>" in root.find("testsuite/testcase/failure").get("message")


def test_gitlab_has_the_fields_gitlab_reads(real_result):
    issues = json.loads(gitlab.render(real_result))
    assert issues
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["lines"]["begin"] >= 1
        assert isinstance(issue["location"]["path"], str)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_code = {i["check_name"]: i for i in issues}
    assert by_code["RB201"]["severity"] == "major"
    assert by_code["RB201"]["location"]["path"] == "runbooks/one-click-checkout.yaml"


def test_github_escapes_message_and_properties():
    line = github.render(result(finding(message=NASTY, path="run,books/a:b.yaml")))
    first = line.splitlines()[0]
    assert first.startswith("::error file=run%2Cbooks/a%3Ab.yaml,line=3,col=5,title=RB201 ")
    assert first.endswith("::100%25 broken: a, b%0Asecond line%0D%0Ahelp: add expect")
    assert "\r" not in line and line.count("\n") == 2


def test_github_most_severe_first_and_limited_per_level():
    findings = [finding(severity=Severity.WARNING, line=i) for i in range(1, 15)]
    findings += [finding(severity=Severity.ERROR, line=i) for i in range(1, 13)]
    lines = github.render(result(*findings)).splitlines()
    annotations = [x for x in lines if x.startswith("::")]
    assert [a.split(" ")[0] for a in annotations] == ["::error"] * 10 + ["::warning"] * 10
    assert "2 errors, 4 warnings not annotated" in lines[-2]


def test_github_step_summary_is_a_markdown_table():
    md = github.step_summary(result(finding(message="a | b")))
    assert "| Severity | Rule | Where | Finding |" in md
    assert "a \\| b" in md


def test_json_is_versioned(real_result):
    doc = json.loads(json_report.render(real_result))
    assert doc["version"] == 1
    assert doc["summary"]["errors"] == 1 and doc["summary"]["failed"] is True
    first = doc["findings"][0]
    assert {
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "help",
        "fingerprint",
        "docs",
    } <= set(first)


def _json_as_dumps_writes_it(res: LintResult) -> str:
    """The JSON report as ``json.dumps(indent=2)`` writes the whole document (the reporter
    writes the findings itself, faster, and must give the same bytes)."""
    from rollbook import __version__
    from rollbook.report.text import docs_link
    from rollbook.safe_text import for_json

    data = {
        "version": 1,
        "tool": {"name": "rollbook", "version": __version__},
        "summary": {
            "files": len(res.files),
            "findings": len(res.findings),
            "errors": res.count(Severity.ERROR),
            "warnings": res.count(Severity.WARNING),
            "infos": res.count(Severity.INFO),
            "suppressed": res.suppressed,
            "fail_on": res.fail_on.value,
            "failed": res.failed,
            "since": res.since,
        },
        "findings": [
            {
                "code": f.code,
                "name": f.name,
                "severity": f.severity.value,
                "message": f.message,
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "help": f.help,
                "docs": docs_link(f.code),
                "fingerprint": f.fingerprint,
            }
            for f in res.findings
        ],
    }
    return for_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


@pytest.mark.parametrize(
    "findings",
    [
        (),
        (finding(),),
        (finding(message=NASTY), finding(path='runbooks/"quoted"\\back.yaml', line=0)),
        (finding(message="\u202eevil\u2066 \x00 \x1b[31m é 中 \U0001f600 </script>"),),
        (finding(message='"findings": []', path="runbooks/findings.yaml"), finding(line=10**6)),
    ],
    ids=["none", "one", "controls", "unicode", "lookalike-key"],
)
def test_json_report_is_what_json_dumps_writes(findings):
    res = result(*findings)
    assert json_report.render(res) == _json_as_dumps_writes_it(res)


def test_json_report_of_a_real_run_is_what_json_dumps_writes(real_result):
    assert json_report.render(real_result) == _json_as_dumps_writes_it(real_result)


def test_text_format(real_result):
    out = text.render(real_result)
    assert (
        "runbooks/one-click-checkout.yaml:37:7: RB201 [error] rollback step 1 does not "
        "say what to expect" in out
    )
    assert "    help: add `expect:`" in out
    # The docs pointer works in the user's repository: a command, not a path in rollbook's.
    assert "    docs: `rollbook rule RB201`\n" in out
    assert "docs/rules.md" not in out
    assert out.splitlines()[-1].startswith("Found 3 findings (1 error, 1 warning, 1 info)")


def test_fingerprints_do_not_depend_on_line_numbers(project):
    bad = GOOD.replace("      expect: The flag shows Off within a minute.\n", "")
    project.runbook(bad)
    before = project.lint().findings[0]
    project.runbook(
        bad.replace("tags", "tags").replace(
            "risk: critical\n", "risk: critical\ntags: [checkout]\n"
        )
    )
    after = project.lint().findings[0]
    assert after.line == before.line + 1
    assert after.fingerprint == before.fingerprint
