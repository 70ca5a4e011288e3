"""The engine's two ways of writing results — pyoxigraph's serializers for results up to SMALL bytes and
max_rows rows, our streaming writers for the others — give the same answers, and a result is cut at the row
limit exactly when it has more rows."""

import csv
import io
import json

import pyoxigraph
import pytest
from rdflib import Graph

from koryo_kg.query import embedded
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


def _streamed(store, query, name, max_rows):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embedded, "SMALL", 8)
        answer, text = _answer(store, query, name, max_rows)
    assert not isinstance(answer.body, bytes)
    return answer, text


@pytest.mark.parametrize("name", ["json", "csv", "tsv"])
def test_small_and_streamed_results_agree(store, name):
    small, small_text = _answer(store, QUERY, name, max_rows=0)  # fits SMALL: pyoxigraph writes it
    streamed, streamed_text = _streamed(store, QUERY, name, max_rows=4)
    assert not small.truncated and not streamed.truncated and isinstance(small.body, bytes)
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
    streamed, streamed_text = _streamed(store, construct, "turtle", max_rows=4)
    cut, cut_text = _answer(store, construct, "ntriples", max_rows=2)
    assert len(Graph().parse(data=small_text, format="turtle")) == 4
    assert len(Graph().parse(data=streamed_text, format="turtle")) == 4 and not streamed.truncated
    assert cut.truncated and len(Graph().parse(data=cut_text, format="nt")) == 2


@pytest.fixture(scope="module")
def broken_lines():
    """Rows whose values hold line breaks: more lines than rows in CSV, and longer than a byte a row."""
    store = pyoxigraph.Store()
    for number in range(5):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(f"{EX}s{number}"), pyoxigraph.NamedNode(f"{EX}p"),
                                  pyoxigraph.Literal(f"line\r\nbreak\n{number}\u2028")))
    return store


def _count(name: str, text: str) -> int:
    if name == "xml":
        return text.count("<result>")
    if name == "csv":
        return len(list(csv.reader(io.StringIO(text, newline="")))) - 1
    if name == "tsv":  # U+2028 in a value is a line break to str.splitlines
        return text.count("\n") - 1
    return len(_rows(name, text))


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_a_result_of_exactly_max_rows_rows_is_whole_and_written_at_once(broken_lines, name):
    answer, text = _answer(broken_lines, QUERY, name, max_rows=5)  # far more than 5 bytes
    assert not answer.truncated and isinstance(answer.body, bytes)
    assert _count(name, text) == 5


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_a_result_of_one_row_more_is_cut_and_says_so(broken_lines, name):
    answer, text = _answer(broken_lines, QUERY, name, max_rows=4)
    assert answer.truncated
    assert _count(name, text) == 4


@pytest.mark.parametrize("name", ["turtle", "ntriples", "rdfxml", "jsonld", "nquads", "trig"])
def test_construct_is_cut_exactly_past_max_rows_triples(broken_lines, name):
    # each triple twice in the template's result: CONSTRUCT's answer counts what it writes
    construct = f"CONSTRUCT {{ ?s <{EX}p> ?o . ?s <{EX}q> ?s }} WHERE {{ ?s <{EX}p> ?o }}"
    fmt = embedded.RDF_FORMATS[name]
    whole, whole_text = _answer(broken_lines, construct, name, max_rows=10)
    assert not whole.truncated and isinstance(whole.body, bytes)
    assert len(list(pyoxigraph.parse(whole_text.encode(), format=fmt))) == 10
    cut, cut_text = _answer(broken_lines, construct, name, max_rows=9)
    assert cut.truncated
    assert len(list(pyoxigraph.parse(cut_text.encode(), format=fmt))) == 9


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv", "turtle", "trig", "ntriples"])
def test_rows_as_short_as_a_format_writes_them_are_still_counted(name):
    """The shortest rows (no binding at all) and triples (a small integer after a comma) each format can hold,
    one more than the limit: cut, and never shorter than the bytes a row the engine assumes before counting."""
    store = pyoxigraph.Store()
    integer = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    for number in range(1000):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(f"{EX}s"), pyoxigraph.NamedNode(f"{EX}p"),
                                  pyoxigraph.Literal(str(number), datatype=integer)))
    if name in embedded.RDF_FORMATS:
        query, count = "CONSTRUCT WHERE { ?s ?p ?o }", lambda text: len(list(pyoxigraph.parse(
            text.encode(), format=embedded.RDF_FORMATS[name])))
    else:
        query, count = f"SELECT ?x WHERE {{ ?s ?p ?o OPTIONAL {{ ?s <{EX}none> ?x }} }}", lambda text: _count(name, text)
    whole, whole_text = _answer(store, query, name, max_rows=1000)
    assert not whole.truncated and isinstance(whole.body, bytes) and count(whole_text) == 1000
    assert len(whole.body) >= 1000 * embedded.ROW_BYTES.get(name, 1)
    cut, cut_text = _answer(store, query, name, max_rows=999)
    assert cut.truncated and count(cut_text) == 999


def test_without_a_row_limit_a_result_up_to_small_is_written_at_once(broken_lines):
    answer, _ = _answer(broken_lines, QUERY, "json", max_rows=0)
    assert isinstance(answer.body, bytes) and not answer.truncated


def test_a_shared_store_is_the_built_one_read_only_and_a_copy_is_the_processs_own(home, monkeypatch):
    from koryo_kg.build.cache import BuildCache

    cache = BuildCache(home)
    path = str(cache.path(cache.current_key()) / "store")
    note = f"INSERT DATA {{ <{EX}s> <{EX}p> <{EX}o> }}"
    shared, copy = embedded.open_store(path, "shared"), embedded.open_store(path, "copy")
    assert len(shared) == len(copy) > 10_000
    with pytest.raises(RuntimeError, match="read-write"):  # the build's own files, opened read-only
        shared.update(note)
    copy.update(note)
    assert len(copy) == len(shared) + 1
    assert len(embedded.open_store(path, "auto")) == len(shared)  # the koryo-kg graph: copied
    embedded.open_store(path, "auto").update(note)
    monkeypatch.setattr(embedded, "COPY_BELOW", 1024)
    with pytest.raises(RuntimeError, match="read-write"):
        embedded.open_store(path, "auto").update(note)
