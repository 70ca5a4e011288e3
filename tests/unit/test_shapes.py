"""Every shape fires on a negative fixture, at the file and line a contributor must fix, and nowhere else
in that fixture; the project's own data conforms."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, Namespace, URIRef

from conftest import FIXTURES, synthetic_register
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


def test_pyshacl_turbo_finds_what_pyshacl_finds(tmp_path):
    """The build's engines, pyshacl-turbo (Rust, the default) and pySHACL (the reference), on the same triples:
    the article's data, every shape's negative fixture and a small synthetic register with its seeded
    violations, as one data graph."""
    from koryo_kg.build.shacl import ENGINES, _read
    from koryo_kg.sources.parsing import load

    sources = default_sources()
    register = tmp_path / "register"
    synthetic_register(300, register)
    data = load(SHAPE_FIXTURES + list(sources.data) + sorted(register.glob("*.ttl"))
                + list(sources.ontology) + list(sources.imports))[0]
    shapes = load(list(sources.shapes))[0]
    text = data.serialize(format="nt")
    turbo = _read(ENGINES["turbo"](text, shapes), shapes)
    reference = _read(ENGINES["pyshacl"](text, shapes), shapes)

    def comparable(results):  # blank nodes get new names in each engine's report
        return sorted(str([r.severity, r.message, r.path, r.shape, r.constraint] + [
            "_:" if isinstance(t, BNode) else str(t) for t in (r.focus, r.value)]) for r in results)

    assert comparable(turbo) == comparable(reference)
    assert len(turbo) > len(SHAPE_FIXTURES)
    seeded = {str(r.focus).rsplit("/", 1)[-1] for r in turbo if "/synthetic/" in str(r.focus)}
    assert {"person-1", "person-2"} <= seeded  # the persons without a source
    assert any(str(r.path).endswith("P82a_begin_of_the_begin") for r in turbo)  # a train that ends before it begins


def test_every_shacl_choice_has_an_engine():
    from koryo_kg.build.shacl import ENGINES
    from koryo_kg.settings import SHACL

    assert set(ENGINES) == set(SHACL.choices) and SHACL.default in ENGINES
