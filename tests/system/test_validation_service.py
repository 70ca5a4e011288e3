"""The validation service of a running `koryo-kg serve`: POST /validate reports on what clients send, in
the format they ask for, located at their own file names; GET /validation shows the published data's report."""

from __future__ import annotations

import json

import requests
from lxml import etree
from sarif_kit.validate import validation_errors

from conftest import FIXTURES

CONTRIBUTION = (FIXTURES / "contribution.ttl").read_bytes()  # breaks PersonShape at line 8


def validate_url(server) -> str:
    return server.url.replace("/sparql", "/validate")


def test_a_turtle_body_gets_a_located_json_report(server):
    response = requests.post(validate_url(server), data=CONTRIBUTION, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    report = json.loads(response.text)
    assert report["conforms"] is False and report["counts"]["violation"] == 1
    [finding] = report["findings"]
    assert finding["location"] == {"file": "body.ttl", "line": 8, "column": None}
    assert finding["shape"] == "https://w3id.org/koryo-kg/shapes#PersonShape"


def test_multipart_files_keep_their_names_and_every_format_is_offered(server):
    files = {"a": ("contribution.ttl", CONTRIBUTION), "b": ("warning.ttl", (FIXTURES / "warning.ttl").read_bytes())}
    sarif = requests.post(validate_url(server), files=files, headers={"Accept": "application/sarif+json"})
    assert sarif.headers["Content-Type"] == "application/sarif+json"
    document = sarif.json()
    assert validation_errors(document) == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert {"contribution.ttl", "warning.ttl"} <= uris
    junit = requests.post(validate_url(server), files=files, headers={"Accept": "application/xml"})
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "schemas" / "junit.xsd")))
    assert schema.validate(etree.fromstring(junit.content))
    github = requests.post(validate_url(server) + "?format=github", files=files)
    assert "::warning file=warning.ttl,line=7," in github.text and "::error file=contribution.ttl,line=8," in github.text
    text = requests.post(validate_url(server), files=files, headers={"Accept": "text/plain"})
    assert "contribution.ttl:8: violation:" in text.text
    turtle = requests.post(validate_url(server), files=files, headers={"Accept": "text/turtle"})
    assert "sh:ValidationReport" in turtle.text


def test_standalone_validates_the_body_alone(server):
    url = validate_url(server) + "?standalone=true"
    report = requests.post(url, data=CONTRIBUTION, headers={"Content-Type": "text/turtle"}).json()
    assert report["counts"]["violation"] > 1  # Stalin and the footnote are unknown without the project's data


def test_bad_requests_are_4xx_with_the_reason(server):
    url = validate_url(server)
    broken = requests.post(url, data=b"@prefix ex: <https://example.org/> .\nex:a ex:b", headers={"Content-Type": "text/turtle"})
    assert broken.status_code == 400 and "body.ttl:2:" in broken.text
    assert requests.post(url, data=b"x", headers={"Content-Type": "image/png"}).status_code == 415
    assert requests.post(url, data=b"  ", headers={"Content-Type": "text/turtle"}).status_code == 400
    assert requests.post(url, files={"f": ("notes.docx", b"x")}).status_code == 415
    assert requests.post(url, data=CONTRIBUTION, headers={"Content-Type": "text/turtle", "Accept": "image/png"}).status_code == 406
    refused = requests.get(url)
    assert refused.status_code == 405 and refused.headers["Allow"] == "POST"


def test_bodies_over_the_limit_are_413(limited_server):
    url = validate_url(limited_server)
    big = b"# padding\n" * 300 + CONTRIBUTION  # over the limited server's 2,000 bytes
    assert requests.post(url, data=big, headers={"Content-Type": "text/turtle"}).status_code == 413


def test_the_published_report(server):
    url = server.url.replace("/sparql", "/validation")
    report = requests.get(url).json()
    assert report["conforms"] is True and report["counts"] == {"violation": 0, "warning": 0, "info": 0}
    assert len(report["build"]) == 64  # the build's input hash
    page = requests.get(url, headers={"Accept": "text/html"})
    assert page.headers["Content-Type"].startswith("text/html") and "Conforms" in page.text
