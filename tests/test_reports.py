"""Validation reports in every format name the right file, line, shape and severity."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph, Namespace

from koryo_kg.contributions import check
from koryo_kg.reports import FORMATS
from koryo_kg.resources import default_sources

from conftest import FIXTURES

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
    assert set(FORMATS) == {"text", "json", "turtle", "junit", "github", "sarif"}


def test_turtle_is_the_shacl_report(report):
    graph = Graph().parse(data=FORMATS["turtle"](report), format="turtle")
    [result] = list(graph.subjects(SH.resultSeverity, SH.Violation))
    assert str(graph.value(result, SH.resultPath)).endswith("#memberOfGroup")


def test_junit(report):
    root = ET.fromstring(FORMATS["junit"](report))
    suite = root.find("testsuite")
    assert suite.get("tests") == "1" and suite.get("failures") == "1"
    case = suite.find("testcase")
    assert case.get("name") == "kgsh:PersonShape on person:new-historian"
    assert case.get("file").endswith("contribution.ttl")
    assert "contribution.ttl:8: violation" in case.find("failure").text


def test_github_annotations(report):
    [line] = FORMATS["github"](report).splitlines()
    assert line.startswith("::error file=") and ",line=8," in line and "title=kgsh%3APersonShape" in line
    assert "contribution.ttl" in line and line.split("::", 2)[2].startswith("kg:memberOfGroup must point")


def test_sarif(report):
    document = json.loads(FORMATS["sarif"](report))
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [SHAPE]
    [result] = run["results"]
    assert result["ruleId"] == SHAPE and result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("contribution.ttl")
    assert location["region"]["startLine"] == 8


def test_conforming_data_in_every_format():
    report = check([], default_sources())
    assert FORMATS["github"](report) == ""
    assert ET.fromstring(FORMATS["junit"](report)).find("testsuite").get("failures") == "0"
    assert json.loads(FORMATS["sarif"](report))["runs"][0]["results"] == []
