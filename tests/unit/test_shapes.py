"""Every shape fires on a negative fixture, at the file and line a contributor must fix, and nowhere else
in that fixture; the project's own data conforms."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from conftest import FIXTURES
from koryo_kg.sources.files import default_sources
from koryo_kg.validation.contributions import check

SH = Namespace("http://www.w3.org/ns/shacl#")
KGSH = "https://w3id.org/koryo-kg/shapes#"
SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def targeted_shapes() -> set[str]:
    shapes = Graph()
    for path in default_sources().shapes:
        shapes.parse(path)
    return {str(s)[len(KGSH):] for s in shapes.subjects(RDF.type, SH.NodeShape)
            if any(shapes.value(s, t) is not None for t in TARGETS)}


def declared_severity(shape: str) -> str:
    """The severity a shape's property shapes declare (SHACL's default: violation)."""
    shapes = Graph()
    for path in default_sources().shapes:
        shapes.parse(path)
    declared = {shapes.value(p, SH.severity) for p in shapes.objects(URIRef(KGSH + shape), SH.property)}
    return {SH.Warning: "warning", SH.Info: "info"}.get(next(iter(declared - {None}), None), "violation")


def expected_line(path: Path) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "<- expected" in line and not line.startswith("#"))


@pytest.fixture(scope="module")
def report():
    """All fixtures validated at once, together with the project's data (they refer to its IRIs)."""
    return check(SHAPE_FIXTURES, default_sources())


def test_every_targeted_shape_has_a_negative_fixture():
    assert targeted_shapes() == {p.stem for p in SHAPE_FIXTURES}


@pytest.mark.parametrize("fixture", SHAPE_FIXTURES, ids=lambda p: p.stem)
def test_shape_fires_at_the_marked_line(report, fixture: Path):
    mine = [f for f in report.findings if f.location and f.location.path.endswith(f"shapes/{fixture.name}")
            and (f.shape or "").startswith(KGSH)]  # a fixture may also misname a resource on purpose: the lint's, not ours
    assert mine, f"no finding located in {fixture.name}"
    assert {f.shape for f in mine} == {KGSH + fixture.stem}, [(f.shape, f.message) for f in mine]
    assert expected_line(fixture) in {f.location.line for f in mine}, [(str(f.location), f.message) for f in mine]
    assert {f.severity for f in mine} == {declared_severity(fixture.stem)}


def test_project_data_conforms():
    report = check([], default_sources())
    assert report.conforms, [(str(f.location), f.message) for f in report.findings]


def test_forked_and_single_process_validation_agree(monkeypatch):
    """From the command line the shapes are shared out among forked processes; the report is the same."""
    import os
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 1)  # as in the command line
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    alone = check(SHAPE_FIXTURES, default_sources())
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    forked = check(SHAPE_FIXTURES, default_sources())
    assert len(alone.findings) > len(SHAPE_FIXTURES)
    def comparable(report):  # blank nodes get new names each time the files are read
        return sorted(str({**f.to_json(), "focus": f.focus if f.focus.startswith("http") else "_:"}) for f in report.findings)

    assert comparable(forked) == comparable(alone)
    assert forked.conforms is alone.conforms is False
    assert len(list(forked.results_graph.subjects(SH.resultSeverity, None))) == len(alone.findings)
