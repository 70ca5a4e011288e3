"""The streaming result writers against the W3C SPARQL 1.1 result formats: what they write is read back to the
same solutions by pyoxigraph's parsers (JSON, XML, TSV) and by rdflib's, and CSV follows RFC 4180 as the
SPARQL 1.1 CSV format says (values only, CRLF, quoted when needed, blank nodes as _:label)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph
import pytest
from rdflib import Variable
from rdflib.query import Result

from koryo_kg.query.writers import write_boolean, write_solutions

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
NATIVE = {"json": pyoxigraph.QueryResultsFormat.JSON, "xml": pyoxigraph.QueryResultsFormat.XML,
          "tsv": pyoxigraph.QueryResultsFormat.TSV}
VARIABLES = ["s", "o"]
# every kind of term, values that need escaping in each format, and an unbound variable
ROWS = [
    [pyoxigraph.NamedNode("https://w3id.org/koryo-kg/id/person/lyushkov"), pyoxigraph.Literal("Генрих Люшков", language="ru")],
    [pyoxigraph.BlankNode("b0"), pyoxigraph.Literal("42", datatype=pyoxigraph.NamedNode(XSD_INTEGER))],
    [pyoxigraph.NamedNode("urn:x?a=1&b=2,3"), pyoxigraph.Literal('comma, "quote"\ttab\nnewline\n<tag/> & 😀')],
    [None, pyoxigraph.Literal("only o")],
    [pyoxigraph.NamedNode("urn:unbound-o"), None],
]


def text(name: str, rows=ROWS, notes=()) -> str:
    return "".join(write_solutions(VARIABLES, rows, name, list(notes)))


def solutions(parsed) -> list[list]:
    variables = [v.value for v in parsed.variables]
    return [[solution[v] for v in variables] for solution in parsed]


@pytest.mark.parametrize("name", sorted(NATIVE))
def test_pyoxigraph_reads_back_the_same_solutions(name):
    parsed = pyoxigraph.parse_query_results(text(name).encode("utf-8"), format=NATIVE[name])
    assert [v.value for v in parsed.variables] == VARIABLES
    assert _canonical(solutions(parsed)) == _canonical(ROWS)


def _canonical(rows):
    """Blank nodes by position: a parser may give them labels of its own."""
    return [[("bnode" if isinstance(t, pyoxigraph.BlankNode) else t) for t in row] for row in rows]


@pytest.mark.parametrize("name", ["json", "xml", "tsv"])
def test_rdflib_reads_them_too(name):
    result = Result.parse(io.BytesIO(text(name).encode("utf-8")), format=name)
    assert [str(v) for v in result.vars] == VARIABLES
    rows = [[None if row.get(Variable(v)) is None else str(row[Variable(v)]) for v in VARIABLES] for row in result.bindings]
    assert rows[0] == ["https://w3id.org/koryo-kg/id/person/lyushkov", "Генрих Люшков"]
    assert rows[2][1] == ROWS[2][1].value and rows[3][0] is None and rows[4][1] is None


def test_a_carriage_return_survives_a_conforming_xml_parser():
    rows = [[pyoxigraph.NamedNode("urn:x"), pyoxigraph.Literal("carriage\r\nreturn")]]
    literal = ET.fromstring(text("xml", rows=rows).encode()).find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal.text == "carriage\r\nreturn"


def test_json_terms_are_as_the_recommendation_writes_them():
    document = json.loads(text("json"))
    assert document["head"] == {"vars": VARIABLES}
    bindings = document["results"]["bindings"]
    assert bindings[0]["o"] == {"type": "literal", "value": "Генрих Люшков", "xml:lang": "ru"}
    assert bindings[1] == {"s": {"type": "bnode", "value": "b0"},
                           "o": {"type": "literal", "value": "42", "datatype": XSD_INTEGER}}
    assert bindings[3] == {"o": {"type": "literal", "value": "only o"}}  # unbound: absent, and no xsd:string
    assert "\\u" not in text("json").replace("\\u0000", "")  # UTF-8, not escaped


def test_json_streams_in_batches_that_make_one_document():
    rows = ([pyoxigraph.Literal(str(n)), None] for n in range(1234))
    document = json.loads("".join(write_solutions(VARIABLES, rows, "json")))
    assert [b["s"]["value"] for b in document["results"]["bindings"]] == [str(n) for n in range(1234)]


def test_xml_is_in_the_results_namespace_with_escaped_text():
    root = ET.fromstring(text("xml").encode("utf-8"))
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert root.tag == f"{ns}sparql"
    assert [v.get("name") for v in root.find(f"{ns}head")] == VARIABLES
    results = root.findall(f"{ns}results/{ns}result")
    assert len(results) == len(ROWS)
    literal = results[0].find(f"{ns}binding/{ns}literal")
    assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "ru"
    assert results[2].find(f"{ns}binding/{ns}uri").text == "urn:x?a=1&b=2,3"
    assert [b.get("name") for b in results[3]] == ["o"]


def test_csv_is_rfc_4180_values_only():
    written = text("csv")
    assert written.endswith("\r\n") and written.startswith("s,o\r\n")
    rows = list(csv.reader(io.StringIO(written, newline="")))
    assert rows == [VARIABLES,
                    ["https://w3id.org/koryo-kg/id/person/lyushkov", "Генрих Люшков"],
                    ["_:b0", "42"],
                    ["urn:x?a=1&b=2,3", ROWS[2][1].value],
                    ["", "only o"],
                    ["urn:unbound-o", ""]]


def test_tsv_writes_terms_one_row_a_line():
    lines = text("tsv").split("\n")
    assert lines[0] == "?s\t?o"
    assert lines[1] == '<https://w3id.org/koryo-kg/id/person/lyushkov>\t"Генрих Люшков"@ru'
    assert lines[2] == f'_:b0\t"42"^^<{XSD_INTEGER}>'
    assert len(lines) == len(ROWS) + 2 and lines[-1] == ""  # the tab and newlines in a literal are escaped


def test_notes_are_links_in_json_and_xml():
    assert json.loads(text("json", notes=["urn:koryo-kg:truncated:5"]))["head"]["link"] == ["urn:koryo-kg:truncated:5"]
    root = ET.fromstring(text("xml", notes=["urn:koryo-kg:truncated:5"]).encode("utf-8"))
    assert root.find("{http://www.w3.org/2005/sparql-results#}head/{http://www.w3.org/2005/sparql-results#}link").get(
        "href") == "urn:koryo-kg:truncated:5"


def test_no_rows():
    for name in NATIVE:
        assert solutions(pyoxigraph.parse_query_results(text(name, rows=[]).encode(), format=NATIVE[name])) == []
    assert text("csv", rows=[]) == "s,o\r\n"


@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize("name", ["json", "xml"])
def test_booleans_read_back(name, value):
    assert bool(pyoxigraph.parse_query_results(write_boolean(value, name).encode(), format=NATIVE[name])) is value
    assert Result.parse(io.BytesIO(write_boolean(value, name).encode()), format=name).askAnswer is value


def test_booleans_in_csv_and_tsv_are_a_column_named_askresult():
    # the W3C CSV and TSV formats define no boolean result; this is the column Jena and Virtuoso write
    assert write_boolean(True, "csv") == "_askResult\r\ntrue\r\n"
    assert write_boolean(False, "tsv") == "?_askResult\nfalse\n"


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError):
        text("yaml")
