"""Validation reports of real validations (pyshacl, owlrl) in every format name the right file, line, shape and
severity. Each format from a small hand-made report: tests/unit/test_reports.py."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from conftest import FIXTURES, synthetic_register
from koryo_kg import formats
from koryo_kg.build.reports import WRITERS
from koryo_kg.sources.files import default_sources
from koryo_kg.validation.contributions import check

SH = Namespace("http://www.w3.org/ns/shacl#")
# A contributed file that breaks PersonShape at line 8 (kg:memberOfGroup of a person, not a group)
CONTRIBUTION = (FIXTURES / "contribution.ttl").read_text(encoding="utf-8")
SHAPE = "https://w3id.org/koryo-kg/shapes#PersonShape"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("contribution")
    (folder / "contribution.ttl").write_text(CONTRIBUTION, encoding="utf-8")
    return check([folder / "contribution.ttl"], default_sources())


def test_every_format_is_offered():
    assert set(WRITERS) == {"text", "json", "turtle", "junit", "github", "sarif"} == {f.name for f in formats.of(formats.REPORT)}


def test_turtle_is_the_shacl_report(report):
    graph = Graph().parse(data=WRITERS["turtle"](report), format="turtle")
    [result] = list(graph.subjects(SH.resultSeverity, SH.Violation))
    assert str(graph.value(result, SH.resultPath)).endswith("#memberOfGroup")


def test_junit(report):
    root = ET.fromstring(WRITERS["junit"](report))
    suite = root.find("testsuite")
    assert suite.get("tests") == "1" and suite.get("failures") == "1"
    case = suite.find("testcase")
    assert case.get("name") == "kgsh:PersonShape on person:new-historian"
    assert case.get("file").endswith("contribution.ttl")
    assert "contribution.ttl:8: violation" in case.find("failure").text


def test_github_annotations(report):
    [line] = WRITERS["github"](report).splitlines()
    assert line.startswith("::error file=") and ",line=8," in line and "title=kgsh%3APersonShape" in line
    assert "contribution.ttl" in line and line.split("::", 2)[2].startswith("kg:memberOfGroup must point")


def test_sarif(report):
    document = json.loads(WRITERS["sarif"](report))
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [SHAPE]
    [result] = run["results"]
    assert result["ruleId"] == SHAPE and result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("contribution.ttl")
    assert location["region"]["startLine"] == 8


@pytest.fixture(scope="module")
def mixed_report():
    """A violation, a warning and a reasoner's contradiction at once: every kind of finding a report holds."""
    files = [FIXTURES / name for name in ("contribution.ttl", "warning.ttl", "clash.ttl")]
    report = check(files, default_sources(), reason=True)
    assert {f.severity for f in report.findings} == {"violation", "warning"}
    assert any(f.shape == "owlrl" for f in report.findings)
    return report


def test_junit_follows_the_schema_and_reads_in_a_junit_reader(mixed_report):
    from junitparser import JUnitXml
    from lxml import etree

    document = WRITERS["junit"](mixed_report)
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "schemas" / "junit.xsd")))
    assert schema.validate(etree.fromstring(document.encode("utf-8"))), schema.error_log
    [suite] = list(JUnitXml.fromstring(document.encode("utf-8")))
    failed = {case.name for case in suite if not case.is_passed}
    assert suite.tests == len(list(suite)) and suite.failures == len(failed)
    assert "kgsh:PersonShape on person:new-historian" in failed and "owlrl on person:new-historian" in failed


def test_sarif_follows_the_sarif_2_1_0_schema(mixed_report):
    from sarif_kit.validate import validation_errors

    document = json.loads(WRITERS["sarif"](mixed_report))
    assert validation_errors(document) == []
    assert {r["level"] for r in document["runs"][0]["results"]} == {"error", "warning"}


def test_conforming_data_in_every_format():
    report = check([], default_sources())
    assert WRITERS["github"](report) == ""
    assert ET.fromstring(WRITERS["junit"](report)).find("testsuite").get("failures") == "0"
    assert json.loads(WRITERS["sarif"](report))["runs"][0]["results"] == []
    from sarif_kit.validate import validation_errors
    assert validation_errors(json.loads(WRITERS["sarif"](report))) == []


def test_the_turtle_report_holds_the_checks_beyond_shacl(mixed_report):
    """The reasoner's contradictions and names no vocabulary has are results of the SHACL report too, so that
    a pipeline reading sh:conforms sees what the exit status says."""
    graph = Graph().parse(data=WRITERS["turtle"](mixed_report), format="turtle")
    [report] = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(report, SH.conforms).toPython() is False
    components = {str(graph.value(r, SH.sourceConstraintComponent)) for r in graph.objects(report, SH.result)}
    assert "https://w3id.org/koryo-kg/lint#owlrl-contradiction" in components
    typo = check([FIXTURES / "broken" / "class-typo.ttl"], default_sources())
    graph = Graph().parse(data=WRITERS["turtle"](typo), format="turtle")
    [result] = list(graph.subjects(SH.sourceConstraintComponent, URIRef("https://w3id.org/koryo-kg/lint#undefined-term")))
    assert str(graph.value(result, SH.value)).endswith("#Persn")


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic") / "register"
    synthetic_register(3000, folder)  # two trains at least
    return folder


@pytest.mark.parametrize("given", ["as files", "as --include"])
def test_a_registers_seeded_violations_are_found_at_their_lines(register, given):
    """Validated in the store, a register's violations are still at their file and line: the persons without
    a source where they are written, the trains that end before they begin at the line of their begin."""
    sources = default_sources()
    report = check([register], sources) if given == "as files" else check([], sources.including((register,)))
    persons = (register / "persons-001.ttl").read_text(encoding="utf-8").splitlines()
    trains = (register / "trains.ttl").read_text(encoding="utf-8").splitlines()
    expected = set()
    for n in (1, 2):
        expected.add(("persons-001.ttl", next(i for i, text in enumerate(persons, 1) if text.startswith(f"syn:person-{n} "))))
        begin = next(i for i, text in enumerate(trains, 1) if text.startswith(f"syn:train-{n} ")) + 4
        assert "P82a_begin_of_the_begin" in trains[begin - 1]
        expected.add(("trains.ttl", begin))
    assert not report.conforms
    assert {(Path(f.location.path).name, f.location.line) for f in report.findings} == expected


@pytest.mark.parametrize("extension", [".ttl", ".trig"])  # loaded by pyoxigraph's bulk loader; parsed first
def test_relative_iris_of_an_upload_resolve_against_the_base_and_its_name(tmp_path, extension):
    """POST /validate names an upload's relative IRIs by the URL it was sent to and its name, not its folder."""
    person = "<#someone> a <https://w3id.org/koryo-kg/ontology#Person> .\n"
    (tmp_path / f"notes{extension}").write_text(person if extension == ".ttl" else "{ " + person + "}\n", encoding="utf-8")
    report = check([tmp_path / f"notes{extension}"], default_sources(), standalone=True, root=tmp_path,
                   base="http://127.0.0.1:5000/validate/")
    assert report.findings and {f.focus for f in report.findings} == {f"http://127.0.0.1:5000/validate/notes{extension}#someone"}


def test_both_reasoners_report_an_ill_typed_literal_at_its_line():
    """validate --reason, by the rules (the default) and by owlrl: the same contradiction, where it is written;
    the rules also warn that owl:sameAs is not reasoned with, where it is used."""
    files = [FIXTURES / "ill-typed.ttl"]
    found = {reasoner: [f for f in check(files, default_sources(), reason=True, reasoner=reasoner).findings
                        if f.shape == "owlrl"] for reasoner in ("rules", "owlrl")}
    message = ("Lexical value of the literal 'seven' does not match its datatype "
               "(http://www.w3.org/2001/XMLSchema#integer)")
    for reasoner, findings in found.items():
        contradiction = next(f for f in findings if f.severity == "violation")
        assert contradiction.message == f"{reasoner}: {message}"
        assert contradiction.focus.endswith("/citation/footnote-7")
        assert (contradiction.location.path.endswith("ill-typed.ttl"), contradiction.location.line) == (True, 7)
    [warning] = [f for f in found["rules"] if f.severity == "warning"]
    assert warning.message.startswith("rules: owl:sameAs is not reasoned with") and warning.location.line == 9
    assert [f.severity for f in found["owlrl"]] == ["violation"]
