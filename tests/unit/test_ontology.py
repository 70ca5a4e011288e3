"""The ontology passes the checkable FOOPS!/OOPS! criteria (docs/modeling-notes.md, *Ontology lint*), each
criterion as the lint (koryo_kg.validation.lint) checks it, so that the test and `koryo-kg lint` cannot
disagree; that the lint catches each one is tests/unit/test_lint.py's broken ontology."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, Graph

from koryo_kg.build.terms import Terms
from koryo_kg.sources.files import default_sources
from koryo_kg.validation.lint import findings
from koryo_kg.vocab import KG


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in default_sources().ontology:
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def found(ontology) -> dict[str, list]:
    imports = Graph()
    for path in default_sources().imports:
        imports.parse(path)
    by_rule: dict[str, list] = {}
    for rule, focus, message, value in findings(ontology, Terms(ontology + imports)):
        by_rule.setdefault(rule, []).append((str(focus), message, value))
    return by_rule


def test_the_lint_has_terms_to_check(ontology):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    assert len({s for k in kinds for s in ontology.subjects(RDF.type, k) if str(s).startswith(str(KG))}) > 80


@pytest.mark.parametrize("criterion, rules", [
    ("exactly one ontology with full metadata", ["one-ontology", "ontology-metadata", "version-iri"]),
    ("every own term is labelled, defined and attributed", ["label", "definition", "defined-by"]),
    ("naming conventions", ["naming"]),
    ("at most one domain and range, and both unless defined by a chain or an inverse",
     ["one-domain-range", "domain-range"]),
    ("no axioms about external terms", ["external-axiom"]),
    ("no functional value properties and no external sameAs", ["functional", "same-as"]),
    ("every term used exists in its vocabulary", ["undefined-term"]),
])
def test_criterion(found, criterion, rules):
    assert {rule: found[rule] for rule in rules if rule in found} == {}
