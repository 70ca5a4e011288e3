"""The outline of a request's SPARQL text: its form, the SERVICE endpoints and LOADs it would execute (as
pyoxigraph will read the canonical text, however the request spells them), whether it names its dataset, and
the canonical text itself."""

from __future__ import annotations

import pyoxigraph
import pytest

from koryo_kg.query.sparql_text import SparqlSyntaxError, iri_token, outline


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("PREFIX ask: <urn:a#> select * { ?s ask:x ?o }", "SELECT"),  # a prefix named like a form is not one
    ("BASE <urn:b> ASK {}", "ASK"),
    ("# SELECT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("describe <urn:x>", "DESCRIBE"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "UPDATE"),
    ("PREFIX : <urn:> DELETE WHERE { ?s ?p ?o }", "UPDATE"),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "UPDATE"),
    ('SELECT ("INSERT" AS ?x) {}', "SELECT"),
    ("", None),
    ("PREFIX : <urn:>", None),
])
def test_form(text, form):
    assert outline(text).form == form


@pytest.mark.parametrize("text, services", [
    ("SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } }", ("<http://a.example/sparql>",)),
    ("SELECT * { SERVICE SILENT <http://a.example/s> {} SERVICE ?e {} }", ("<http://a.example/s>", "?e")),
    ("PREFIX e: <http://a.example/> SELECT * { service e:sparql {} }", ("e:sparql",)),
    ("SELECT * { SERV\\u0049CE <http://a.example/s> {} }", ("<http://a.example/s>",)),  # an escape is read first
    ("SELECT * { SERVICE <http://a.ex\\u0061mple/s> {} }", ("<http://a.example/s>",)),
    ("SELECT * { ?s ?p 'SERVICE <http://a.example/s>' } # SERVICE <http://b.example/s>", ()),
    ("SELECT * { SERVICE", ("(nothing)",)),
])
def test_services_as_pyoxigraph_will_read_them(text, services):
    assert outline(text).services == services


@pytest.mark.parametrize("services, allowed, refused", [
    (("<http://a.example/s>",), ("http://a.example/s",), None),
    (("<http://a.example/s>", "<http://b.example/s>"), ("http://a.example/s",), "<http://b.example/s>"),
    (("?endpoint",), ("http://a.example/s",), "?endpoint"),
    (("e:sparql",), ("http://a.example/s",), "e:sparql"),
    (("<relative>",), ("relative",), "<relative>"),  # resolved against a BASE it could be anything
])
def test_refused_service(services, allowed, refused):
    text = "SELECT * { " + " ".join(f"SERVICE {s} {{}}" for s in services) + " }"
    assert outline(text).refused_service(allowed) == refused


def test_loads_and_datasets():
    assert outline("LOAD <http://a.example/data.ttl>").loads
    assert outline("LO\\u0041D <http://a.example/data.ttl> INTO GRAPH <urn:g>").loads
    assert not outline("INSERT DATA { <urn:a> <urn:b> 'LOAD' }").loads
    assert outline("SELECT * FROM <urn:g> { ?s ?p ?o }").names_dataset
    assert outline("SELECT * FROM NAMED <urn:g> { ?s ?p ?o }").names_dataset
    assert not outline("SELECT * { ?s <urn:from> ?o }").names_dataset
    assert outline("DELETE { ?s ?p ?o } USING <urn:g> WHERE { ?s ?p ?o }").own_dataset
    assert outline("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").own_dataset
    assert not outline("DELETE WHERE { ?s ?p ?o }").own_dataset


def test_the_canonical_text_has_no_comments_escapes_or_other_quotes():
    text = outline("SELECT ?x # a comment\n WHERE { ?x ?p '''two\nlines''' ; ?q 'it\\'s' ; ?r \"\\u00e9\" }").text
    assert text == "SELECT ?x WHERE { ?x ?p \"two\\nlines\" ; ?q \"it's\" ; ?r \"é\" }"


@pytest.fixture(scope="module")
def literals():
    store = pyoxigraph.Store()
    s, p = pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:ex:a.b")
    for value in ('a "quoted" \\ word\r\n', "tab\there", "\\u0041"):
        store.add(pyoxigraph.Quad(s, p, pyoxigraph.Literal(value)))
    store.add(pyoxigraph.Quad(s, p, pyoxigraph.Literal("x", language="en-gb")))
    return store


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p '''a \"quoted\" \\\\ word\r\n''' }",
    "SELECT * WHERE { ?s ?p 'tab\\there' }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = \"\\\\u0041\") }",
    'PREFIX ex: <urn:ex:> SELECT * WHERE { ?s ex:a\\.b "x"@en-GB }',
])
def test_the_canonical_text_means_what_the_request_meant(literals, text):
    canonical = outline(text).text
    original = [[t for t in solution] for solution in literals.query(text)]
    assert original and [[t for t in solution] for solution in literals.query(canonical)] == original
    assert outline(canonical).text == canonical  # canonical already


@pytest.mark.parametrize("text, where", [
    ("SELECT * { ?s ?p ?o } ~", "1:23"),
    ("SELECT *\n{ ?s ?p ?o }\n  `", "3:3"),
])
def test_syntax_errors_say_where(text, where):
    with pytest.raises(SparqlSyntaxError, match=where):
        outline(text)


def test_an_escape_that_is_no_character_is_a_syntax_error():
    with pytest.raises(SparqlSyntaxError, match="not a character"):
        outline("SELECT * { ?s ?p '\\uD800' }")


def test_using_goes_before_each_where_of_an_update():
    update = outline("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; INSERT { ?s ?p 1 } WHERE { ?s ?p ?o } ; "
                     "DELETE WHERE { ?s ?p 2 }")
    text = update.using(["urn:g"], ["urn:n"])
    assert text.count("USING <urn:g> USING NAMED <urn:n> WHERE") == 2
    assert "DELETE WHERE { ?s ?p 2 }" in text  # DELETE WHERE takes no USING


@pytest.mark.parametrize("iri", ["urn:a b", "urn:a>b", "urn:<", 'urn:"', "urn:{x}"])
def test_an_iri_that_an_iriref_cannot_hold_is_refused(iri):
    with pytest.raises(SparqlSyntaxError):
        iri_token(iri)


def test_iri_token():
    assert iri_token("https://w3id.org/koryo-kg/graph/data") == "<https://w3id.org/koryo-kg/graph/data>"


# Every function call of SPARQL 1.1 (BuiltInCall, Aggregate) with arguments pyoxigraph accepts
CALLS = ["STR(?x)", "LANG(?x)", 'LANGMATCHES(LANG(?x), "*")', "DATATYPE(?x)", "BOUND(?x)", "IRI(STR(?x))",
         "URI(STR(?x))", "BNODE()", "BNODE(STR(?x))", "RAND()", "ABS(1)", "CEIL(1.5)", "FLOOR(1.5)", "ROUND(1.5)",
         'CONCAT(STR(?x), "b")', "SUBSTR(STR(?x), 1, 2)", "STRLEN(STR(?x))", 'REPLACE(STR(?x), "a", "b")',
         "UCASE(STR(?x))", "LCASE(STR(?x))", "ENCODE_FOR_URI(STR(?x))", 'CONTAINS(STR(?x), "a")',
         'STRSTARTS(STR(?x), "a")', 'STRENDS(STR(?x), "a")', 'STRBEFORE(STR(?x), "a")', 'STRAFTER(STR(?x), "a")',
         "YEAR(NOW())", "MONTH(NOW())", "DAY(NOW())", "HOURS(NOW())", "MINUTES(NOW())", "SECONDS(NOW())",
         "TIMEZONE(NOW())", "TZ(NOW())", "UUID()", "STRUUID()", "MD5(STR(?x))", "SHA1(STR(?x))", "SHA256(STR(?x))",
         "SHA384(STR(?x))", "SHA512(STR(?x))", "COALESCE(?x, 1)", "IF(BOUND(?x), 1, 2)", 'STRLANG(STR(?x), "en")',
         "STRDT(STR(?x), <http://www.w3.org/2001/XMLSchema#string>)", "sameTerm(?x, ?x)", "isIRI(?x)",
         "isURI(?x)", "isBLANK(?x)", "isLITERAL(?x)", "isNUMERIC(?x)", 'REGEX(STR(?x), "a", "i")']
AGGREGATES = ["COUNT(*)", "COUNT(DISTINCT ?x)", "SUM(?x)", "MIN(?x)", "MAX(?x)", "AVG(?x)", "SAMPLE(?x)",
              "GROUP_CONCAT(STR(?x))", 'GROUP_CONCAT(DISTINCT STR(?x); separator=", ")']


@pytest.mark.parametrize("spaced", [False, True], ids=["f(x)", "f ( x )"])
@pytest.mark.parametrize("call", CALLS + AGGREGATES)
def test_every_function_of_sparql_is_read_and_its_canonical_text_runs(call, spaced):
    """As a scholar writes it, with or without spaces: pyoxigraph reads neither `CONCAT (` nor `BNODE( )`,
    so the canonical text must not put them there (GROUP_CONCAT was refused as a syntax error too)."""
    if spaced:
        call = call.replace("(", " ( ").replace(")", " ) ").replace(",", " , ")
    text = f'SELECT ({call} AS ?y) WHERE {{ VALUES ?x {{ "abc" }} }}'
    solutions = list(pyoxigraph.Store().query(outline(text).text))
    assert len(solutions) == 1
