"""The fast reasoner (build/rules.py) publishes exactly what owlrl publishes, on the article's data and on
small ontologies that use each rule, and finds the same contradictions."""

import pytest
from rdflib import Graph, Literal, URIRef

from koryo_kg.build.reasoning import reason
from koryo_kg.sources.files import default_sources
from koryo_kg.sources.parsing import load

EX = "https://example.org/"
TOY = """
@prefix ex: <https://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Person a owl:Class ; rdfs:subClassOf ex:Agent . ex:Agent a owl:Class ; rdfs:subClassOf ex:Thing .
ex:Thing a owl:Class . ex:Human a owl:Class ; owl:equivalentClass ex:Person .
ex:knows a owl:ObjectProperty , owl:SymmetricProperty ; rdfs:domain ex:Person ; rdfs:range ex:Person .
ex:within a owl:ObjectProperty , owl:TransitiveProperty ; rdfs:subPropertyOf ex:near .
ex:near a owl:ObjectProperty . ex:contains a owl:ObjectProperty ; owl:inverseOf ex:within .
ex:parent a owl:ObjectProperty . ex:lives a owl:ObjectProperty .
ex:grandparentsTown a owl:ObjectProperty ; owl:propertyChainAxiom ( ex:parent ex:parent ex:lives ) .
ex:a ex:knows ex:b . ex:t1 ex:within ex:t2 . ex:t2 ex:within ex:t3 .
ex:a ex:parent ex:p . ex:p ex:parent ex:g . ex:g ex:lives ex:t1 . ex:h a ex:Human .
"""


def both(*graphs: Graph):
    return reason(*graphs, reasoner="rules"), reason(*graphs, reasoner="owlrl")


def test_the_article_gets_the_same_inferred_graph_from_both_reasoners():
    sources = default_sources()
    fast, owlrl = both(*(load(list(files))[0] for files in (sources.ontology, sources.imports, sources.data)))
    assert set(fast.inferred) == set(owlrl.inferred) and len(fast.inferred) > 4000
    assert fast.errors == owlrl.errors == []


def test_each_rule_agrees_with_owlrl_on_a_small_ontology():
    fast, owlrl = both(Graph().parse(data=TOY, format="turtle"))
    assert set(fast.inferred) == set(owlrl.inferred)
    expected = [("b", "knows", "a"), ("t1", "within", "t3"), ("t1", "near", "t3"), ("t3", "contains", "t1"),
                ("a", "grandparentsTown", "t1")]
    for s, p, o in expected:
        assert (URIRef(EX + s), URIRef(EX + p), URIRef(EX + o)) in fast.inferred, (s, p, o)
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert (URIRef(EX + "b"), rdf_type, URIRef(EX + "Agent")) in fast.inferred  # range, then the hierarchy
    assert (URIRef(EX + "h"), rdf_type, URIRef(EX + "Thing")) in fast.inferred  # through the equivalence


# subproperties, inverses, symmetry and equivalence leading into each other (rules.py reads their paths on the
# schema and runs each once); through an inverse, never to a triple whose subject would be a literal
PATHS = """
@prefix ex: <https://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:hasMember a owl:ObjectProperty ; owl:inverseOf ex:memberOf ; rdfs:subPropertyOf ex:involves .
ex:memberOf a owl:ObjectProperty ; rdfs:subPropertyOf ex:relatedTo . ex:relatedTo a owl:SymmetricProperty .
ex:involvedIn a owl:ObjectProperty ; owl:inverseOf ex:involves . ex:involves a owl:ObjectProperty .
ex:partOf a owl:ObjectProperty ; owl:equivalentProperty ex:memberOf .
ex:name rdfs:subPropertyOf ex:label . ex:label owl:inverseOf ex:labelOf .
ex:f ex:hasMember ex:p . ex:q ex:partOf ex:g . ex:p ex:name "P" .
"""


def test_paths_of_subproperties_and_inverses_agree_with_owlrl():
    fast, owlrl = both(Graph().parse(data=PATHS, format="turtle"))
    assert set(fast.inferred) == set(owlrl.inferred)
    for s, p, o in [("p", "memberOf", "f"), ("p", "relatedTo", "f"), ("f", "relatedTo", "p"), ("p", "partOf", "f"),
                    ("p", "involvedIn", "f"), ("g", "hasMember", "q"), ("g", "involves", "q"), ("q", "involvedIn", "g")]:
        assert (URIRef(EX + s), URIRef(EX + p), URIRef(EX + o)) in fast.inferred, (s, p, o)
    assert (URIRef(EX + "p"), URIRef(EX + "label"), Literal("P")) in fast.inferred


@pytest.mark.parametrize("clash", [
    "ex:x a ex:Person , ex:Place .",  # AllDisjointClasses
    "ex:x a ex:Town . ex:x a ex:Person .",  # disjointWith, through a subclass
])
def test_contradictions_are_found_by_both(clash):
    ontology = """@prefix ex: <https://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ex:Person a owl:Class . ex:Place a owl:Class . ex:Town a owl:Class ; rdfs:subClassOf ex:Place .
    ex:Person owl:disjointWith ex:Town . [] a owl:AllDisjointClasses ; owl:members ( ex:Person ex:Place ) .
    """
    fast, owlrl = both(Graph().parse(data=ontology + clash, format="turtle"))
    assert fast.errors and owlrl.errors
    assert all(URIRef(EX + "x") in resources for _, resources in fast.errors)
    assert all(message.startswith("Disjoint classes") for message, _ in fast.errors)
