"""Finding where a subject is written, in Turtle that tries to confuse a naive reader."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from koryo_kg.problems import Location
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


def _read_whole(files: list[tuple[str, str]]) -> dict[str, list]:
    """Each subject's statements as reading every file whole finds them (what the index did before)."""
    from koryo_kg.sources.locations import _expand, _prefixes

    found: dict[str, list] = {}
    for order, (name, text) in enumerate(files):
        for statement in statements(text):
            iri = _expand(statement.subject, _prefixes(text))
            if iri:
                found.setdefault(iri, []).append((order, statement, name))
    return found


def test_reading_around_the_spellings_finds_what_reading_whole_files_finds():
    """The index reads only the statements that may start with a resource: for every subject of the project's
    Turtle (and of the text above, made to confuse), the same statements, lines and columns as a whole read."""
    from koryo_kg.sources.files import project_root

    root = project_root()
    paths = [p for folder in ("data", "ontology", "shapes", "tests/fixtures") for p in sorted((root / folder).rglob("*"))
             if p.suffix in (".ttl", ".trig", ".nt", ".nq")] if (root / "tests").is_dir() else []
    files = [("x.ttl", TEXT), ("one-line.ttl", "@prefix ex: <https://example.org/> . ex:a ex:p 1 . ex:d ex:p ex:a .\n"
              "# ex:e ex:p ex:a .\n  ex:e ex:p \"\"\"x . ex:f\"\"\" ; ex:q ex:a.\nex:g ex:p ex:a.ex:h .\n")]
    files += [(str(p), p.read_text(encoding="utf-8")) for p in paths]
    index = LocationIndex()
    for name, text in files:
        index.add_file(name, text)
    expected = _read_whole(files)
    assert len(expected) > 800
    for iri, written in expected.items():
        assert index._statements_of(iri) == written, iri
    assert [s.subject for _, s, _ in index._statements_of("https://example.org/e")] == ["ex:e"]
    assert index._statements_of("https://example.org/f") == [] and index._statements_of("https://example.org/h") == []


def test_relative_iris_and_escaped_names_are_located():
    text = "@prefix ex: <https://example.org/> .\n<#x> ex:p ex:o .\n\n@base <https://other.org/dir/> .\n<y> ex:p ex:o .\nex:a\\.b ex:p ex:o .\n"
    index = LocationIndex()
    index.add_file("upload.ttl", text, base="https://example.org/validate/upload.ttl")
    assert index.locate(URIRef("https://example.org/validate/upload.ttl#x")) == Location("upload.ttl", 2, 1)
    assert index.locate(URIRef("https://other.org/dir/y")) == Location("upload.ttl", 5, 1)
    assert index.locate(URIRef("https://example.org/a.b")) == Location("upload.ttl", 6, 1)
