"""The ontology passes the checkable FOOPS!/OOPS! criteria (docs/modeling-notes.md, *Ontology lint*)."""

from __future__ import annotations

import re

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS

from koryo_kg.sources.files import default_sources
from koryo_kg.vocab import KG, ONTOLOGY

VANN = "http://purl.org/vocab/vann/"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in default_sources().ontology:
        graph.parse(path)
    return graph


def own_terms(ontology: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted({s for kind in kinds for s in ontology.subjects(RDF.type, kind) if str(s).startswith(str(KG))})


def test_exactly_one_ontology_with_full_metadata(ontology):
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY]
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator, DCTERMS.created,
                 OWL.versionIRI, OWL.versionInfo, URIRef(VANN + "preferredNamespacePrefix"),
                 URIRef(VANN + "preferredNamespaceUri")):
        assert ontology.value(ONTOLOGY, prop) is not None, prop
    assert ontology.value(ONTOLOGY, OWL.versionIRI) != ONTOLOGY


def test_every_own_term_is_labelled_defined_and_attributed(ontology):
    terms = own_terms(ontology)
    assert len(terms) > 80
    for term in terms:
        labels = [l for l in ontology.objects(term, RDFS.label) if getattr(l, "language", None) == "en"]
        comments = [c for c in ontology.objects(term, RDFS.comment) if getattr(c, "language", None) == "en"]
        assert labels and comments, term
        assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY, term


def test_naming_conventions(ontology):
    for term in own_terms(ontology):
        name = str(term)[len(str(KG)):]
        if (term, RDF.type, OWL.Class) in ontology:
            assert re.fullmatch(r"[A-Z][A-Za-z]*", name), term
        else:
            assert re.fullmatch(r"[a-z][A-Za-z]*", name), term


def test_at_most_one_domain_and_range_and_both_unless_defined_by_chain_or_inverse(ontology):
    for term in own_terms(ontology):
        if (term, RDF.type, OWL.Class) in ontology:
            continue
        domains = list(ontology.objects(term, RDFS.domain))
        ranges = list(ontology.objects(term, RDFS.range))
        assert len(domains) <= 1 and len(ranges) <= 1, term
        derived = ontology.value(term, OWL.propertyChainAxiom) or ontology.value(term, OWL.inverseOf)
        assert derived or (domains and ranges), f"{term} lacks a domain or range"


def test_no_axioms_about_external_terms(ontology):
    allowed = (str(KG), str(ONTOLOGY), "https://w3id.org/koryo-kg/id/")
    for subject in set(ontology.subjects()):
        if isinstance(subject, URIRef):
            assert str(subject).startswith(allowed), subject


def test_no_functional_value_properties_and_no_external_sameas(ontology):
    assert not list(ontology.subjects(RDF.type, OWL.FunctionalProperty))
    assert not list(ontology.triples((None, OWL.sameAs, None)))
