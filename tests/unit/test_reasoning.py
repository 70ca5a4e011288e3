"""owlrl's entailments: the useful ones are in the inferred graph, the trivia are not, and a contradiction
fails with owlrl's message."""

from __future__ import annotations

import pytest
from rdflib import Graph

from koryo_kg.build.reasoning import reason
from koryo_kg.vocab import Graphs

INFERRED = f"<{Graphs.INFERRED}>"
PREFIXES = """
PREFIX kg: <https://w3id.org/koryo-kg/ontology#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX id: <https://w3id.org/koryo-kg/id/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def inferred_ask(store, pattern: str) -> bool:
    return bool(store.query(f"{PREFIXES} ASK {{ GRAPH {INFERRED} {{ {pattern} }} }}"))


@pytest.mark.parametrize("pattern", [
    # inverse of an own property
    "<https://w3id.org/koryo-kg/id/person/joseph-stalin> kg:signed <https://w3id.org/koryo-kg/id/document/decree-1428-326cc>",
    # transitive containment, two hops: Ushtobe -> Kazakhstan -> Central Asia
    "<https://w3id.org/koryo-kg/id/place/ushtobe> kg:withinPlace <https://w3id.org/koryo-kg/id/place/central-asia>",
    # and its CRM superproperty, for CRM-only clients
    "<https://w3id.org/koryo-kg/id/place/karakalpak-assr> crm:P89_falls_within <https://w3id.org/koryo-kg/id/place/central-asia>",
    # CRM inverse declared in the imports
    "<https://w3id.org/koryo-kg/id/organization/nkvd> crm:P14i_performed <https://w3id.org/koryo-kg/id/event/deportation-1937>",
    # CRM / PROV types from the class hierarchy
    "<https://w3id.org/koryo-kg/id/document/decree-1428-326cc> a crm:E31_Document",
    "<https://w3id.org/koryo-kg/id/event/deportation-1937> a crm:E7_Activity , prov:Activity",
    "<https://w3id.org/koryo-kg/id/person/genrikh-lyushkov> a crm:E21_Person , crm:E39_Actor",
    # property chains: a chain over an inferred inverse (P143i) and over a time-span
    "<https://w3id.org/koryo-kg/id/person/genrikh-lyushkov> kg:joined <https://w3id.org/koryo-kg/id/post/chief-of-far-eastern-krai-nkvd>",
    "<https://w3id.org/koryo-kg/id/person/kim-byung-hwa> kg:honour <https://w3id.org/koryo-kg/id/concept/hero-of-socialist-labor>",
    '<https://w3id.org/koryo-kg/id/event/deportation-1937> kg:beginning "1937-09-01T00:00:00"^^xsd:dateTime',
])
def test_useful_entailment_is_published(store, pattern):
    assert inferred_ask(store, pattern)


@pytest.mark.parametrize("pattern", [
    "?x owl:sameAs ?x",
    "?x rdfs:subClassOf ?x",
    "?x ?p owl:Nothing",
    "?x a owl:Thing",
    "?x a rdfs:Datatype",
    "?x rdfs:domain ?y",
    "?x ?p ?o FILTER (STRSTARTS(STR(?x), STR(xsd:)) || STRSTARTS(STR(?x), STR(owl:)))",
])
def test_trivia_are_filtered(store, pattern):
    assert not inferred_ask(store, pattern)


def test_inferred_and_asserted_are_disjoint(store):
    assert not bool(store.query(f"""ASK {{ GRAPH {INFERRED} {{ ?s ?p ?o }}
        GRAPH <{Graphs.DATA}> {{ ?s ?p ?o }} }}"""))


def test_a_contradiction_is_reported_with_the_resources_it_names():
    ontology = Graph().parse(data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix ex: <https://example.org/> .
        ex:Person a owl:Class . ex:Place a owl:Class . ex:Person owl:disjointWith ex:Place .""", format="turtle")
    data = Graph().parse(data="""
        @prefix ex: <https://example.org/> . ex:ushtobe a ex:Person , ex:Place .""", format="turtle")
    result = reason(ontology, data)
    assert result.errors
    message, resources = result.errors[0]
    assert "Disjoint" in message
    from rdflib import URIRef
    assert URIRef("https://example.org/ushtobe") in resources
