"""Each report format from a small hand-made Report: a violation, a warning with characters to escape, a
reasoner's contradiction and a finding with no location. JUnit against its schema and read by a JUnit reader,
SARIF against the SARIF 2.1.0 schema, the SHACL report parsed back. (From real validations: tests/unit/test_validation_reports.py.)"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace

from conftest import FIXTURES
from koryo_kg.build.reports import WRITERS as FORMATS
from koryo_kg.build.shacl import Finding, Report
from koryo_kg.problems import Location

SH = Namespace("http://www.w3.org/ns/shacl#")
KG = "https://w3id.org/koryo-kg/ontology#"
PERSON = "https://w3id.org/koryo-kg/id/person/"
SHAPES = "https://w3id.org/koryo-kg/shapes#"


def report_of(findings: list[Finding], unlocated: list[Finding] = ()) -> Report:
    """A report as validation makes it: pyshacl's results graph (here, of `unlocated` alone: it holds no
    result), then the findings from outside SHACL added to it."""
    graph = Graph()
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(True)))
    report = Report(conforms=True, findings=list(unlocated), results_graph=graph)
    report.add(findings)
    return report


VIOLATION = Finding("violation", "kg:memberOfGroup must point to a kg:Group", PERSON + "new-historian",
                    KG + "memberOfGroup", PERSON + "joseph-stalin", SHAPES + "PersonShape", None,
                    Location("contribution.ttl", 8))
WARNING = Finding("warning", "a label, with: 100% of\nits spaces", PERSON + "someone", None, "Someone ",
                  SHAPES + "TidyLabelShape", None, Location("data/a,b:c.ttl", 7, 3))
CONTRADICTION = Finding("violation", "owlrl: Disjoint classes", PERSON + "new-historian", None, None, "owlrl", None,
                        Location("clash.ttl", 7, 1))
UNLOCATED = Finding("info", "a note with no place", "urn:x", None, None, None, None, None)


@pytest.fixture
def report() -> Report:
    return report_of([VIOLATION, WARNING, CONTRADICTION], [UNLOCATED])


def test_every_format_is_offered():
    assert set(FORMATS) == {"text", "json", "turtle", "junit", "github", "sarif"}


def test_text_groups_by_file_and_counts(report):
    lines = FORMATS["text"](report).splitlines()
    assert "  contribution.ttl:8: violation: kg:memberOfGroup must point to a kg:Group" in lines
    assert ("      focus person:new-historian, path kg:memberOfGroup, value person:joseph-stalin, shape "
            "kgsh:PersonShape") in lines
    assert "  clash.ttl:7:1: violation: owlrl: Disjoint classes" in lines
    assert "(location unknown)" in lines and "  (location unknown):?: info: a note with no place" in lines
    assert lines[-1] == "does not conform: 2 violations, 1 warning, 1 info"
    assert FORMATS["text"](report_of([])).splitlines() == ["conforms: 0 violations, 0 warnings, 0 infos"]


def test_json(report):
    document = json.loads(FORMATS["json"](report, version="abc"))
    assert document["schema_version"] == 1 and document["build"] == "abc" and document["conforms"] is False
    assert document["counts"] == {"violation": 2, "warning": 1, "info": 1}
    by_message = {f["message"]: f for f in document["findings"]}
    assert by_message[VIOLATION.message]["location"] == {"file": "contribution.ttl", "line": 8, "column": None}
    assert by_message[WARNING.message]["location"] == {"file": "data/a,b:c.ttl", "line": 7, "column": 3}
    assert by_message[UNLOCATED.message]["location"] is None
    assert "build" not in json.loads(FORMATS["json"](report))


def test_turtle_is_a_shacl_report_that_does_not_conform(report):
    graph = Graph().parse(data=FORMATS["turtle"](report), format="turtle")
    [node] = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(node, SH.conforms).toPython() is False
    results = list(graph.objects(node, SH.result))
    assert len(results) == 3
    assert {str(graph.value(r, SH.resultMessage)) for r in results} >= {VIOLATION.message, CONTRADICTION.message}


def test_junit_follows_the_schema_and_reads_in_a_junit_reader(report):
    from junitparser import JUnitXml
    from lxml import etree

    document = FORMATS["junit"](report)
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "schemas" / "junit.xsd")))
    assert schema.validate(etree.fromstring(document.encode("utf-8"))), schema.error_log
    [suite] = list(JUnitXml.fromstring(document.encode("utf-8")))
    failed = {case.name for case in suite if not case.is_passed}
    assert suite.tests == 4 and suite.failures == 2
    assert failed == {"kgsh:PersonShape on person:new-historian", "owlrl on person:new-historian"}
    case = ET.fromstring(document).find("testsuite/testcase[@name='kgsh:PersonShape on person:new-historian']")
    assert case.get("file") == "contribution.ttl" and "contribution.ttl:8: violation" in case.find("failure").text


def test_junit_of_a_conforming_report_is_one_passing_case():
    suite = ET.fromstring(FORMATS["junit"](report_of([]))).find("testsuite")
    assert suite.get("tests") == "1" and suite.get("failures") == "0"


def test_github_workflow_commands_escape_what_they_must(report):
    lines = FORMATS["github"](report).splitlines()
    assert len(lines) == 4
    [violation] = [line for line in lines if "PersonShape" in line]
    assert violation.startswith("::error file=contribution.ttl,line=8,title=kgsh%3APersonShape::")
    assert violation.split("::", 2)[2].startswith("kg:memberOfGroup must point")
    [warning] = [line for line in lines if line.startswith("::warning")]
    # property values escape : and , as well; the message escapes %, CR and LF, so that it stays one line
    assert warning.startswith("::warning file=data/a%2Cb%3Ac.ttl,line=7,col=3,title=kgsh%3ATidyLabelShape::")
    assert "a label, with: 100%25 of%0Aits spaces" in warning
    assert any(line.startswith("::notice title=SHACL::a note with no place") for line in lines)
    assert FORMATS["github"](report_of([])) == ""


def test_sarif_follows_the_sarif_2_1_0_schema(report):
    from sarif_kit.validate import validation_errors

    document = json.loads(FORMATS["sarif"](report))
    assert validation_errors(document) == []
    run = document["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == sorted({SHAPES + "PersonShape", SHAPES + "TidyLabelShape", "owlrl", "shape"})
    levels = {r["message"]["text"]: r["level"] for r in run["results"]}
    assert levels == {VIOLATION.message: "error", WARNING.message: "warning", CONTRADICTION.message: "error",
                      UNLOCATED.message: "note"}
    by_message = {r["message"]["text"]: r for r in run["results"]}
    region = by_message[WARNING.message]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7, "startColumn": 3}
    assert "locations" not in by_message[UNLOCATED.message]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    empty = json.loads(FORMATS["sarif"](report_of([])))
    assert empty["runs"][0]["results"] == [] and validation_errors(empty) == []
