"""The SPARQL 1.1 Protocol over real HTTP against `koryo-kg serve` processes on 127.0.0.1: what needs granian
and a socket (garbage on the wire, runaway queries replacing their process, chunked bodies, long request
lines, real client libraries, SIGTERM). The protocol itself is checked in process in tests/unit/test_protocol.py.
The tests on `engine_server` run once per engine: embedded, and `serve --store` on Oxigraph server and on
Virtuoso, with the same expected answers."""

from __future__ import annotations

import contextlib
import os
import threading
import time

import pytest
import requests
from rdflib import Graph

from conftest import ROOT
from stores import check_answer

KG = "https://w3id.org/koryo-kg/ontology#"
DECREE = "https://w3id.org/koryo-kg/id/document/decree-1428-326cc"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SIGNATORIES = f"SELECT ?name WHERE {{ <{DECREE}> <{KG}signatory>/<{RDFS_LABEL}> ?name }} ORDER BY ?name"
FORM = "application/x-www-form-urlencoded"
CONSTRUCT = f"CONSTRUCT {{ <{DECREE}> ?p ?o }} WHERE {{ GRAPH <https://w3id.org/koryo-kg/graph/data> {{ <{DECREE}> ?p ?o }} }}"


def names(response) -> list[str]:
    return [b["name"]["value"] for b in response.json()["results"]["bindings"]]


@pytest.mark.parametrize("headers, body", [
    ({"Accept": "application/sparql-results+json;q=oops, */*;q=-1, text/html;level=" + "x" * 5000}, None),
    ({"Accept": "\x00\x01"}, None),
    ({"Content-Type": "application/sparql-query"}, bytes(range(256)) * 4),
    ({"Content-Type": "multipart/form-data; boundary=zzz"}, b"--zzz\r\nnonsense"),
    ({"Content-Type": FORM}, b"query=%ZZ%E0%A4%A"),
])
def test_garbage_is_never_a_5xx(engine_server, headers, body):
    if body is None:
        response = requests.get(engine_server.url, params={"query": "ASK {}"}, headers=headers)
    else:
        response = requests.post(engine_server.url, data=body, headers=headers)
    assert response.status_code < 500, response.text


# --- limits --------------------------------------------------------------------------------------------

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def worker_pids(server) -> set[int]:
    """The worker processes under the `koryo-kg serve` process."""
    path = f"/proc/{server.process.pid}/task/{server.process.pid}/children"
    with open(path) as children:
        return {int(pid) for pid in children.read().split()}


def test_runaway_query_is_stopped_while_others_are_served(limited_server):
    outcome = {}
    before = worker_pids(limited_server)

    def runaway():
        outcome["response"] = requests.get(limited_server.url, params={"query": RUNAWAY})

    thread = threading.Thread(target=runaway)
    thread.start()
    simple = [requests.get(limited_server.url, params={"query": SIGNATORIES}) for _ in range(5)]
    assert all(r.status_code == 200 for r in simple)
    assert thread.is_alive(), "the simple queries were answered while the runaway query was still running"
    thread.join(60)
    response = outcome["response"]
    assert response.status_code == 503 and "stopped" in response.text
    # the server still answers, and the process that ran the runaway query ends and is replaced
    assert requests.get(limited_server.url, params={"query": SIGNATORIES}).status_code == 200
    deadline = time.monotonic() + 60
    while not (before - worker_pids(limited_server) and len(worker_pids(limited_server)) == 2):
        assert time.monotonic() < deadline, f"workers {before} not replaced: now {worker_pids(limited_server)}"
        time.sleep(0.2)
    assert requests.get(limited_server.url, params={"query": SIGNATORIES}).status_code == 200


def test_an_oversized_chunked_body_is_413(limited_server):
    # a chunked body says no length: granian passes it on, and it is cut at the limit all the same, for queries
    # and for validation (tests/unit/test_protocol.py checks bodies that say their length)
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 5000
    chunked = (part.encode() for part in (query[:1000], query[1000:]))
    assert requests.post(limited_server.url, data=chunked,
                         headers={"Content-Type": "application/sparql-query"}).status_code == 413
    turtle = (f"<urn:a> <urn:b> {i} .\n".encode() for i in range(500))
    validate = limited_server.url.replace("/sparql", "/validate")
    assert requests.post(validate, data=turtle, headers={"Content-Type": "text/turtle"}).status_code == 413
    small = (part.encode() for part in ("ASK ", "{}"))
    assert requests.post(limited_server.url, data=small, headers={"Content-Type": "application/sparql-query"}).json() == {
        "head": {}, "boolean": True}


# --- real clients --------------------------------------------------------------------------------------

def test_sparqlwrapper(engine_server):
    from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

    client = SPARQLWrapper(engine_server.url)
    client.setQuery(SIGNATORIES)
    client.setReturnFormat(JSON)
    assert "Иосиф Сталин" in [b["name"]["value"] for b in client.query().convert()["results"]["bindings"]]
    client.setReturnFormat(XML)
    assert client.query().convert().getElementsByTagName("result")
    client.setReturnFormat(CSV)
    assert "Иосиф Сталин" in client.query().convert().decode("utf-8")
    client.setMethod("POST")
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) > 20
    client.setReturnFormat(XML)
    assert len(client.query().convert()) > 20  # SPARQLWrapper parses RDF/XML into an rdflib Graph


# rdflib deprecates ConjunctiveGraph, but its Dataset cannot read a read-only store (see below)
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_rdflib_sparqlstore_as_graph_and_as_dataset(engine_server):
    from rdflib import ConjunctiveGraph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(engine_server.url))
    rows = list(graph.query(SIGNATORIES))
    assert "Иосиф Сталин" in [str(r[0]) for r in rows]
    assert (URIRef(DECREE), None, None) in graph
    # rdflib's Dataset adds a default graph on creation, which a read-only store refuses; the
    # SPARQLStore documentation uses ConjunctiveGraph for a dataset of named graphs.
    dataset = ConjunctiveGraph(store=SPARQLStore(engine_server.url))
    names_of_graphs = {str(g.identifier) for g in dataset.contexts()}
    assert "https://w3id.org/koryo-kg/graph/data" in names_of_graphs
    data = dataset.get_context(URIRef("https://w3id.org/koryo-kg/graph/data"))
    assert len(list(data.triples((URIRef(DECREE), None, None)))) > 20


def test_serve_stops_cleanly_on_sigterm(home):
    from conftest import Server

    server = Server(home)
    log = server.stop()
    assert server.process.returncode == 0, log
    assert "GET /sparql" in log  # one line per request was logged


def test_long_queries_by_get(engine_server):
    padding = "# " + "x" * 8000 + "\n"
    response = requests.get(engine_server.url, params={"query": padding + SIGNATORIES})
    assert response.status_code == 200 and "Иосиф Сталин" in names(response)


def test_string_functions_as_scholars_write_them(engine_server):
    """CONCAT, COALESCE and GROUP_CONCAT, spaced as people space them: each engine answers (the endpoint once
    refused GROUP_CONCAT, and its canonical text `CONCAT (` is no SPARQL pyoxigraph reads). BNODE() is in the
    unit tests: Virtuoso 7 has no BNODE, and says so (400)."""
    text = """SELECT (GROUP_CONCAT(?name ; separator = " | ") AS ?all) (COUNT(*) AS ?names)
              WHERE { VALUES ?given { "Iosif" "Vyacheslav" } BIND (CONCAT ( ?given , " " , COALESCE(?missing, "S.") ) AS ?name) }"""
    response = requests.post(engine_server.url, data={"query": text},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    row = response.json()["results"]["bindings"][0]
    assert sorted(row["all"]["value"].split(" | ")) == ["Iosif S.", "Vyacheslav S."]
    assert row["names"]["value"] == "2"


QUERIES = sorted((ROOT / "queries").glob("*.rq"))


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_competency_question_over_http(engine_server, query):
    text = query.read_text(encoding="utf-8")
    response = requests.post(engine_server.url, data={"query": text}, headers={"Accept": "text/csv"}, timeout=60)
    assert response.status_code == 200, response.text
    expected = query.with_suffix(".csv").read_text(encoding="utf-8")
    if response.text.startswith("_askResult"):  # our CSV for ASK; the .csv has the value alone
        assert response.text.split() == ["_askResult", expected.strip()]
        return
    check_answer(engine_server.engine, query.stem, text, response.text, expected)


# --- one copy of the data per machine ------------------------------------------------------------------

def _open_store_files(pid: int, store: str) -> list[str]:
    files = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(OSError):  # closed meanwhile
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith(store):
                files.append(target)
    return files


@pytest.mark.parametrize("memory, on_disk", [("shared", True), ("copy", False)])
def test_workers_share_the_built_store_or_copy_it_and_serve_updates_after_a_replacement(home, tmp_path, memory,
                                                                                        on_disk):
    from conftest import Server
    from koryo_kg.build.cache import BuildCache

    cache = BuildCache(home)
    store = str(cache.path(cache.current_key()) / "store")
    (tmp_path / "token").write_text("a-long-random-token\n")
    server = Server(home, "--memory", memory, "--workers", "2", "--timeout", "10", "--update-token-file",
                    str(tmp_path / "token"), "--update-log", str(tmp_path / "log.rdfp"))
    note = "urn:example:kept"
    insert = f"INSERT DATA {{ GRAPH <urn:example:notes> {{ <{DECREE}> <{RDFS_COMMENT}> \"{note}\" }} }}"
    ask = {"query": f"ASK {{ GRAPH <urn:example:notes> {{ ?s ?p \"{note}\" }} }}"}
    try:
        before = worker_pids(server)
        # shared: every worker reads the store's own files; copy: none keeps them open once it has copied them
        # (one worker may still be opening or copying them when the other answers first)
        deadline = time.monotonic() + 60
        while not all(bool(_open_store_files(pid, store)) == on_disk for pid in before):
            assert time.monotonic() < deadline, {pid: _open_store_files(pid, store) for pid in before}
            time.sleep(0.2)
        response = requests.post(server.url, data={"update": insert},
                                 headers={"Authorization": "Bearer a-long-random-token"})
        assert response.status_code == 200, response.text
        assert all(requests.get(server.url, params=ask).json()["boolean"] for _ in range(8))
        assert requests.get(server.url, params={"query": RUNAWAY}).status_code == 503
        deadline = time.monotonic() + 60
        while not (before - worker_pids(server) and len(worker_pids(server)) == 2):
            assert time.monotonic() < deadline, f"workers {before} not replaced: now {worker_pids(server)}"
            time.sleep(0.2)
        # the new worker serves the committed update too, from its first answer
        assert all(requests.get(server.url, params=ask).json()["boolean"] for _ in range(8))
    finally:
        server.stop()
