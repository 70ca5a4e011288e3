"""The fast reasoner (build/rules.py) publishes exactly what owlrl publishes, on the article's data and on
small ontologies that use each rule, and finds the same contradictions, of each kind."""

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef

from koryo_kg.build.reasoning import reason, reason_in
from koryo_kg.build.rules import unreasoned
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


ONTOLOGY = """@prefix ex: <https://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Person a owl:Class . ex:Place a owl:Class . [] a owl:AllDisjointClasses ; owl:members ( ex:Person ex:Place ) .
ex:born a owl:DatatypeProperty ; rdfs:subPropertyOf ex:when .
"""


def errors_in_store(turtle: str, reasoner: str):
    """The contradictions of `turtle` as `validate --reason` reasons: parsed by pyoxigraph into a named graph
    (rdflib's parser would rewrite some ill-typed literals: "maybe"^^xsd:boolean becomes "false")."""
    store, graph = pyoxigraph.Store(), pyoxigraph.NamedNode("urn:test:data")
    store.load(turtle.encode(), pyoxigraph.RdfFormat.TURTLE, to_graph=graph)
    return reason_in(store, [graph], reasoner)


@pytest.mark.parametrize("data", [
    "ex:x a owl:Nothing .",  # cls-nothing2
    'ex:x ex:count "twelve"^^xsd:integer .',  # dt-not-type, for each family of datatypes pyoxigraph parses
    'ex:x ex:count "many"^^xsd:double , "x"^^xsd:float , "300x"^^xsd:byte , "-"^^xsd:nonNegativeInteger .',
    'ex:x ex:born "1937-13-01"^^xsd:date ; ex:at "noon"^^xsd:dateTime , "25:00:00"^^xsd:time , "x"^^xsd:dateTimeStamp .',
    'ex:x ex:count "twelve"^^xsd:integer . ex:y ex:count "twelve"^^xsd:integer .',  # one literal, two holders
    'ex:x ex:has [ ex:count "twelve"^^xsd:integer ] .',  # held by a blank node
    'ex:x a ex:Person , ex:Place ; ex:born "1937-13-01"^^xsd:date .',  # two kinds at once
])
def test_each_kind_of_contradiction_is_found_alike_by_both(data):
    fast, owlrl = (errors_in_store(ONTOLOGY + data, reasoner) for reasoner in ("rules", "owlrl"))
    blank = [[message, [r if isinstance(r, URIRef) else "blank node" for r in resources]] for message, resources in fast]
    assert fast and blank == [[message, [r if isinstance(r, URIRef) else "blank node" for r in resources]]
                              for message, resources in owlrl]  # each store names its blank nodes
    assert all(resources for _, resources in fast)  # each names where it is: an ill-typed literal its holders


def test_valid_literals_are_no_contradiction():
    data = ('ex:x ex:count "12"^^xsd:integer , "-1.5"^^xsd:decimal , "1E3"^^xsd:double , "7"^^xsd:byte ; '
            'ex:born "1937-09-21"^^xsd:date , "1937-09-21Z"^^xsd:date ; ex:at "1937-09-21T10:00:00"^^xsd:dateTime , '
            '"10:00:00"^^xsd:time , "true"^^xsd:boolean , "19x7"^^xsd:gYear , "any"^^ex:ownType , "any"@en .')
    assert errors_in_store(ONTOLOGY + data, "rules") == errors_in_store(ONTOLOGY + data, "owlrl") == []


@pytest.mark.parametrize("literal", ['"maybe"^^xsd:boolean', '"1e5"^^xsd:decimal'])
def test_ill_typed_literals_that_rdflib_rewrites_are_found_by_the_rules(literal):
    """owlrl never sees these: rdflib, which owlrl reasons in, reads "maybe"^^xsd:boolean as "false" and
    "1e5"^^xsd:decimal (XSD's decimals have no exponent) as "100000"."""
    [(message, resources)] = errors_in_store(ONTOLOGY + f"ex:x ex:value {literal} .", "rules")
    lexical, datatype = literal.strip('"').split('"^^xsd:')
    assert message == (f"Lexical value of the literal '{lexical}' does not match its datatype "
                       f"(http://www.w3.org/2001/XMLSchema#{datatype})") and resources == [URIRef(EX + "x")]


def test_an_ill_typed_decimal_stops_owlrl_but_is_reported():
    """owlrl's check of "1.2.3"^^xsd:decimal raises decimal.InvalidOperation, which it does not catch."""
    data = ONTOLOGY + 'ex:x ex:value "1.2.3"^^xsd:decimal .'
    assert errors_in_store(data, "owlrl") == errors_in_store(data, "rules") == [(
        "Lexical value of the literal '1.2.3' does not match its datatype (http://www.w3.org/2001/XMLSchema#decimal)",
        [URIRef(EX + "x")])]


def test_what_the_rules_leave_out_is_named():
    """owl:sameAs makes x and y one individual, in two disjoint classes: owlrl finds it, the rules do not reason
    with owl:sameAs, and say where it is used instead."""
    data = "ex:x a ex:Person ; owl:sameAs ex:y . ex:y a ex:Place . ex:p a owl:IrreflexiveProperty ."
    assert errors_in_store(ONTOLOGY + data, "owlrl") and not errors_in_store(ONTOLOGY + data, "rules")
    store, graph = pyoxigraph.Store(), pyoxigraph.NamedNode("urn:test:data")
    store.load((ONTOLOGY + data).encode(), pyoxigraph.RdfFormat.TURTLE, to_graph=graph)
    assert unreasoned(store, [graph]) == [("owl:sameAs", [URIRef(EX + "x")]),
                                          ("owl:IrreflexiveProperty", [URIRef(EX + "p")])]
    store, graph = pyoxigraph.Store(), pyoxigraph.NamedNode("urn:test:data")
    store.load(TOY.encode(), pyoxigraph.RdfFormat.TURTLE, to_graph=graph)
    assert unreasoned(store, [graph]) == []  # what the rules reason with
