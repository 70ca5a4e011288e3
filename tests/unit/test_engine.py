"""The engine's two ways of writing results — pyoxigraph's serializers for small results, our streaming
writers for large ones — give the same answers, and only the second cuts at the row limit."""

import csv
import io
import json

import pyoxigraph
import pytest
from rdflib import Graph

from koryo_kg.query.embedded import Embedded

EX = "http://example.org/"
QUERY = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"


@pytest.fixture(scope="module")
def store():
    store = pyoxigraph.Store()
    year = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
    objects = [pyoxigraph.Literal('Лю, "quoted"', language="ru"), pyoxigraph.Literal("1937", datatype=year),
               pyoxigraph.NamedNode(f"{EX}o"), pyoxigraph.BlankNode("b1")]
    for number, value in enumerate(objects):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(f"{EX}s{number}"), pyoxigraph.NamedNode(f"{EX}p"), value))
    return store


def _answer(store, query, name, max_rows):
    answer = Embedded(store).evaluate({"query": query, "default_graph": None, "named_graphs": None, "names_dataset": False,
                              "format": name,
                              "max_rows": max_rows})
    body = answer.body if isinstance(answer.body, bytes) else b"".join(answer.body)
    return answer, body.decode("utf-8")


def _rows(name: str, text: str) -> list:
    if name == "json":
        return [{v: (t["type"], t["value"], t.get("xml:lang"), t.get("datatype")) for v, t in b.items()}
                for b in json.loads(text)["results"]["bindings"]]
    if name == "csv":
        return list(csv.reader(io.StringIO(text)))[1:]
    if name == "tsv":
        return text.splitlines()[1:]
    return [line for line in text.split("<result>")[1:]]


@pytest.mark.parametrize("name", ["json", "csv", "tsv"])
def test_small_and_streamed_results_agree(store, name):
    small, small_text = _answer(store, QUERY, name, max_rows=0)  # fits SMALL: pyoxigraph writes it
    streamed, streamed_text = _answer(store, QUERY, name, max_rows=4)  # over 4 bytes: our writers
    assert not small.truncated and not streamed.truncated
    assert _rows(name, small_text) == _rows(name, streamed_text)
    assert len(_rows(name, small_text)) == 4


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_the_row_limit_cuts_and_says_so(store, name):
    answer, text = _answer(store, QUERY, name, max_rows=3)
    assert answer.truncated
    assert len(_rows(name, text)) == 3


def test_graph_results_agree_and_cut(store):
    construct = f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}"
    small, small_text = _answer(store, construct, "turtle", max_rows=0)
    streamed, streamed_text = _answer(store, construct, "turtle", max_rows=4)
    cut, cut_text = _answer(store, construct, "ntriples", max_rows=2)
    assert len(Graph().parse(data=small_text, format="turtle")) == 4
    assert len(Graph().parse(data=streamed_text, format="turtle")) == 4 and not streamed.truncated
    assert cut.truncated and len(Graph().parse(data=cut_text, format="nt")) == 2
