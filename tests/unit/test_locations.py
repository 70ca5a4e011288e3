"""Finding where a subject is written, in Turtle that tries to confuse a naive reader."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from koryo_kg.sources.locations import LocationIndex, statements

TEXT = '''@prefix ex: <https://example.org/> .
# ex:commented a ex:Thing .
ex:a ex:says "a string with . and ; and # inside" ;
    ex:more """a long
string . ex:fake ex:p ex:o .
""" .

<https://example.org/b> ex:p ex:a ,
    [ ex:q "nested" ] .
ex:c ex:p 1.5 ; ex:when "1937"^^<http://www.w3.org/2001/XMLSchema#gYear> .
'''


def test_statements_skip_strings_comments_and_blank_nodes():
    found = [(s.subject, s.start, s.end) for s in statements(TEXT)]
    assert found == [("ex:a", 3, 6), ("<https://example.org/b>", 8, 9), ("ex:c", 10, 10)]


def test_locate_subject_and_value_lines():
    index = LocationIndex()
    index.add_file("x.ttl", TEXT)
    graph = Graph().parse(data=TEXT, format="turtle")
    assert (index.locate(URIRef("https://example.org/a")).line, index.locate(URIRef("https://example.org/a")).col) == (3, 1)
    assert index.locate(URIRef("https://example.org/b"), graph, URIRef("https://example.org/a")).line == 8
    b, p = URIRef("https://example.org/b"), URIRef("https://example.org/p")
    nested = next(o for o in graph.objects(b, p) if not isinstance(o, URIRef))
    assert index.locate(nested, graph, Literal("nested")).line == 9
    assert index.locate(URIRef("https://example.org/c"), graph, Literal("1937")).line == 10
    assert index.locate(URIRef("https://example.org/nowhere")) is None
