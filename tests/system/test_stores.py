"""The remote backend (query/remote.py) against real stores on 127.0.0.1, after `koryo-kg publish`: the 48
competency questions with the same expected answers as the embedded engine, the named reads in rdflib terms
with bindings sent as terms, the dataset limited to the published graphs, and a slow or absent store answered
504 or 503 with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest
import requests
from rdflib import BNode, Literal, URIRef

from conftest import ROOT, free_port, koryo_kg
from koryo_kg.build.cache import BuildCache
from koryo_kg.query.bindings import with_bindings
from koryo_kg.query.engine import QueryError
from koryo_kg.query.remote import RemoteStore
from koryo_kg.stores.client import Endpoints, StoreClient, StoreRejected
from koryo_kg.vocab import Graphs
from stores import check_answer, client_for, publish_command, published, start_oxigraph, start_virtuoso

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
assert QUERIES, "no competency questions found"
DOC = "https://w3id.org/koryo-kg/id/document/"
KG = "https://w3id.org/koryo-kg/ontology#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def remote(home, sparql_server, request) -> RemoteStore:
    return RemoteStore(client_for(published(home, request, sparql_server.name)), timeout=30)


def request(query: str, format: str = "csv", max_rows: int = 0, **dataset) -> dict:
    return {"query": query, "default_graph": dataset.get("default_graph"), "named_graphs": dataset.get("named_graphs"),
            "names_dataset": dataset.get("names_dataset", False), "format": format, "max_rows": max_rows,
            "base_iri": dataset.get("base_iri")}


def csv_text(answer) -> str:
    body = answer.body if isinstance(answer.body, bytes) else b"".join(answer.body)
    return body.decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_competency_question_has_the_expected_answer(remote, sparql_server, query: Path):
    text = query.read_text(encoding="utf-8")
    answer = remote.evaluate(request(text))
    expected = query.with_suffix(".csv").read_text(encoding="utf-8")
    if answer.kind == "boolean":  # our CSV for ASK has the _askResult header; the .csv the value alone
        assert csv_text(answer).split() == ["_askResult", expected.strip()]
        return
    check_answer(sparql_server.name, query.stem, text, csv_text(answer), expected)


def test_the_dataset_is_the_published_graphs_only(remote, home):
    """A store's own default graph (Virtuoso's system graphs, say) is no part of the union."""
    answer = remote.evaluate(request("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    cache = BuildCache(home)
    union = cache.open(cache.current_key()).query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert csv_text(answer).split("\n")[1] == next(iter(union))["n"].value
    assert set(remote.graph_counts()) == {str(g) for g in Graphs.ALL}


def test_a_request_dataset_replaces_the_union(remote):
    data = str(Graphs.DATA)
    only_data = remote.evaluate(request("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[data]))
    assert csv_text(only_data).split("\n")[1] == str(remote.graph_counts()[data])
    named = remote.evaluate(request("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=[],
                                    named_graphs=[str(Graphs.META)]))
    assert csv_text(named).split("\n")[1:] == [str(Graphs.META), ""]


def test_rows_past_the_limit_are_cut_and_say_so(remote):
    answer = remote.evaluate(request("SELECT ?s WHERE { ?s ?p ?o }", format="json", max_rows=5))
    assert answer.truncated and b"urn:koryo-kg:truncated:5" in answer.body
    graph = remote.evaluate(request("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", format="ntriples", max_rows=3))
    assert graph.truncated and graph.body.count(b"\n") == 3


def test_relative_iris_resolve_against_our_endpoint(remote):
    answer = remote.evaluate(request("SELECT ?x WHERE { BIND(<relative> AS ?x) }",
                                     base_iri="http://127.0.0.1:5000/sparql"))
    assert csv_text(answer).split("\n")[1] == "http://127.0.0.1:5000/relative"


def test_named_reads_hand_out_rdflib_terms_with_bindings_as_terms(remote):
    rows = remote.select(f"SELECT ?p ?name WHERE {{ ?doc <{KG}signatory> ?p . ?p <{LABEL}> ?name "
                         "FILTER (lang(?name) = 'en') } ORDER BY ?name", {"doc": URIRef(DOC + "decree-1428-326cc")})
    assert rows and all(isinstance(r["p"], URIRef) and isinstance(r["name"], Literal) for r in rows)
    assert remote.ask(f"ASK {{ ?doc <{KG}signatory> ?p }}", {"doc": URIRef(DOC + "decree-1428-326cc")})
    assert not remote.ask(f"ASK {{ ?doc <{KG}signatory> ?p }}", {"doc": URIRef(DOC + "no-such-decree")})
    triples = remote.construct("CONSTRUCT { ?doc ?p ?o } WHERE { ?doc ?p ?o }", {"doc": URIRef(DOC + "decree-1428-326cc")})
    assert triples and {t[0] for t in triples} == {URIRef(DOC + "decree-1428-326cc")}
    assert len(triples) == len(set(triples))
    assert b"decree-1428-326cc" in remote.construct("CONSTRUCT { ?doc ?p ?o } WHERE { ?doc ?p ?o }",
                                                    {"doc": URIRef(DOC + "decree-1428-326cc")}, format="turtle")


@pytest.mark.parametrize("hostile", [
    URIRef("http://example.org/> } ; DROP ALL ; SELECT * { <x"),  # not an IRI: refused before anything is sent
    URIRef("http://example.org/a b"),
])
def test_a_binding_that_is_no_term_is_refused(remote, hostile):
    with pytest.raises(ValueError):
        remote.select("SELECT ?o WHERE { ?s ?p ?o }", {"s": hostile})


def test_a_literal_binding_cannot_escape_its_quotes(remote):
    sneaky = Literal('x" } } ; DROP ALL ; SELECT * { { "')
    assert remote.select("SELECT ?o WHERE { ?s ?p ?o }", {"o": sneaky}) == []
    assert remote.graph_counts()  # the dataset is still there


def test_bindings_open_the_where_clause_of_every_form():
    term = {"x": URIRef("http://example.org/x")}
    assert with_bindings("SELECT (COUNT(*) AS ?n) WHERE { ?x ?p ?o }", term).endswith(
        "WHERE { VALUES ( ?x ) { ( <http://example.org/x> ) } ?x ?p ?o }")
    assert "} WHERE { VALUES ( ?x )" in with_bindings("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", term)
    assert with_bindings("ASK { ?x ?p ?o }", term).startswith("ASK { VALUES ( ?x )")


def test_a_store_that_is_gone_is_503_with_the_reason():
    gone = RemoteStore(StoreClient(Endpoints.of(f"http://127.0.0.1:{free_port()}/query")), timeout=5)
    with pytest.raises(QueryError) as refused:
        gone.evaluate(request("ASK {}"))
    assert refused.value.status == 503 and "cannot be reached" in str(refused.value)


@pytest.mark.parametrize("start", [start_oxigraph, start_virtuoso], ids=["oxigraph", "virtuoso"])
def test_a_query_past_the_store_deadline_is_504_with_the_reason(tmp_path, start):
    """The store is given the deadline (Oxigraph server's --timeout-s, Virtuoso's MaxQueryExecutionTime and
    its `timeout` parameter) and the answer is cut at it here too: either way the caller hears why, in time."""
    store = start(tmp_path, timeout=1)
    try:
        client = client_for(store, deadline=("timeout", 1000.0) if store.name == "virtuoso" else None)
        triples = " ".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(300))
        client.update(f"INSERT DATA {{ GRAPH <urn:g> {{ {triples} }} }}", 10)
        slow = RemoteStore(client, timeout=2, graphs=["urn:g"])
        with pytest.raises(QueryError) as stopped:
            slow.evaluate(request("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"))
        # whichever deadline passes first, ours or the store's (Virtuoso's answer then says it is incomplete)
        assert stopped.value.status == 504
        assert "within 2 s" in str(stopped.value) or "stopped the query at its time limit" in str(stopped.value)
    finally:
        store.stop()


def test_virtuoso_answers_ask_with_a_table_which_is_read_as_the_boolean(home, virtuoso_server):
    """A deviation handled here: Virtuoso 7 sends ASK's answer as a one-row table (__ASK_RETVAL 1), not as
    the boolean of the results formats."""
    assert koryo_kg(*publish_command(virtuoso_server), home=home).returncode == 0
    raw = requests.post(virtuoso_server.query, data={"query": "ASK { ?s ?p ?o }"}, timeout=30,
                        headers={"Accept": "application/sparql-results+json"}).json()
    assert "boolean" not in raw and raw["head"]["vars"] == ["__ASK_RETVAL"]
    answer = RemoteStore(client_for(virtuoso_server), timeout=30).evaluate(request("ASK { ?s ?p ?o }", "json"))
    assert answer.kind == "boolean" and json.loads(answer.body) == {"head": {}, "boolean": True}


def test_virtuoso_answer_cut_at_its_own_deadline_is_504_not_a_result(tmp_path):
    """Given a deadline as its `timeout` parameter, Virtuoso stops the query there and answers 200 with what
    it found so far, saying so only in a header (an "anytime" answer): that must never pass for the answer."""
    store = start_virtuoso(tmp_path, timeout=60)
    try:
        # a quarter of our deadline in milliseconds: the store's deadline passes first
        client = client_for(store, deadline=("timeout", 250.0))
        triples = " ".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(300))
        client.update(f"INSERT DATA {{ GRAPH <urn:g> {{ {triples} }} }}", 10)
        backend = RemoteStore(client, timeout=4, graphs=["urn:g"])
        with pytest.raises(QueryError) as stopped:
            backend.evaluate(request("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"))
        assert stopped.value.status == 504 and "stopped the query at its time limit" in str(stopped.value)
    finally:
        store.stop()


def test_changes_apply_on_the_store_with_their_marker_and_a_graph_they_make_joins_the_dataset(remote, sparql_server):
    notes = "urn:koryo-kg:test:notes"
    note = pyoxigraph.Quad(pyoxigraph.NamedNode(DOC + "decree-1428-326cc"), pyoxigraph.NamedNode("urn:p"),
                           pyoxigraph.Literal('a "quoted" note\u2028 on two lines'), pyoxigraph.NamedNode(notes))
    remote.apply([], [note], "transaction-1")
    try:
        assert remote.applied("transaction-1") and not remote.applied("transaction-0")
        assert notes not in remote.graph_counts()  # the dataset is what the backend was given
        wider = remote.with_graphs([notes])
        assert wider.graph_counts()[notes] == 1 and remote.holds(notes) and not remote.holds("urn:koryo-kg:test:none")
        assert set(wider.local_copy([notes])) == {note}
        remote.apply([note], [], None)
        assert not remote.holds(notes) and remote.applied("transaction-1")
    finally:
        client_for(sparql_server).update(f"DROP SILENT GRAPH <{notes}>", 30)


def test_one_update_request_is_one_transaction_on_oxigraph_not_on_virtuoso(sparql_server):
    """What `serve --store` relies on and the README says: a request that fails at its last operation leaves
    Oxigraph as it was, and Virtuoso with the operations before it applied (so the update path undoes them)."""
    client, graph = client_for(sparql_server), "urn:koryo-kg:test:atomic"
    client.update(f"DROP SILENT GRAPH <{graph}> ; INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> 1 }} }}", 30)
    try:
        with pytest.raises(StoreRejected):
            client.update(f"DELETE DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> 1 }} }} ; "
                          f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> 2 }} }} ; CREATE GRAPH <{graph}>", 30)
        kept = RemoteStore(client, 30, [graph]).select("SELECT ?o WHERE { ?s ?p ?o }")
        assert [int(r["o"]) for r in kept] == ([2] if sparql_server.name == "virtuoso" else [1])
    finally:
        client.update(f"DROP SILENT GRAPH <{graph}>", 30)


def test_graph_with_an_empty_pattern_gives_the_named_graphs_on_every_store(remote, sparql_server):
    """A deviation handled here: Virtuoso 7 answers `GRAPH ?g {}` with no solution (rdflib's SPARQLStore lists
    a dataset's graphs so); SPARQL 1.1 gives one per named graph, which the adapter sends as VALUES."""
    text = "SELECT ?g WHERE { GRAPH ?g { } }"
    raw = requests.post(sparql_server.query, data=[("query", text)] + [("named-graph-uri", g) for g in remote.graphs],
                        headers={"Accept": "text/csv"}, timeout=30)
    assert len(raw.text.split()) - 1 == (0 if sparql_server.name == "virtuoso" else len(remote.graphs))
    assert sorted(csv_text(remote.evaluate(request(text))).split()[1:]) == sorted(remote.graphs)
    assert {str(r["g"]) for r in remote.select(text)} == set(remote.graphs)


def test_blank_nodes_in_results_are_read_whatever_their_label(remote, sparql_server):
    """A deviation handled here: Virtuoso labels blank nodes `nodeID://b10007` in SPARQL XML results, which
    pyoxigraph's parser refuses; the adapter relabels them, keeping one label one node."""
    text = (f"SELECT ?b ?again WHERE {{ GRAPH <{Graphs.ONTOLOGY}> {{ ?s ?p ?b FILTER isBlank(?b) }} "
            "BIND (?b AS ?again) } LIMIT 5")
    raw = requests.post(sparql_server.query, data=[("query", text)] + [("named-graph-uri", g) for g in remote.graphs],
                        headers={"Accept": "application/sparql-results+xml"}, timeout=30).text
    assert ("<bnode>nodeID://" in raw) == (sparql_server.name == "virtuoso")
    rows = remote.select(text)
    assert len(rows) == 5 and all(r["b"] == r["again"] and isinstance(r["b"], BNode) for r in rows)


def test_the_endpoints_are_found_from_the_store_s_layout(sparql_server):
    """Oxigraph server from its …/query URL; Virtuoso from the Server header of its service description."""
    found = Endpoints.of(sparql_server.query)
    assert (found.update, found.graphs) == (sparql_server.update, sparql_server.graphs)
    given = Endpoints.of(sparql_server.query, update="http://127.0.0.1:1/u", graphs="http://127.0.0.1:1/g")
    assert (given.update, given.graphs) == ("http://127.0.0.1:1/u", "http://127.0.0.1:1/g")


@pytest.fixture
def describing(tmp_path):
    """A server on 127.0.0.1 whose only page is the service description set in `described[0]`."""
    import http.server
    import threading

    described = [""]

    class Describe(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = described[0].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Describe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", described
    server.shutdown()
    server.server_close()


def test_the_update_endpoint_is_found_from_the_service_description_on_the_store_s_host_only(oxigraph_server, describing):
    base = oxigraph_server.query.removesuffix("/query")
    assert Endpoints.of(base + "/update").update == base + "/update"  # Oxigraph describes it there: sd:endpoint <>
    url, described = describing
    sd = "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> . [] sd:endpoint <{}> ; " \
         "sd:supportedLanguage sd:SPARQL11Query, sd:SPARQL11Update ."
    described[0] = sd.format(url + "/update-here")
    assert Endpoints.of(url + "/sparql").update == url + "/update-here"
    described[0] = sd.format(url.replace("127.0.0.1", "localhost") + "/update-elsewhere")  # credentials would go there
    assert Endpoints.of(url + "/sparql").update == url + "/sparql"
    described[0] = "not turtle {"
    assert Endpoints.of(url + "/sparql") == Endpoints(url + "/sparql", url + "/sparql", None)


@pytest.mark.parametrize("size", [1, 3, 7, 100, 65536])
def test_blank_node_labels_are_relabelled_across_any_cut_of_the_stream(size):
    import io

    from koryo_kg.query.remote import _BlankNodeLabels

    rows = [b'<result><binding name="x"><bnode>nodeID://b%d</bnode></binding></result>' % (i % 300) for i in range(600)]
    xml = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/>'
           b"</head><results>" + b"".join(rows) + b"</results></sparql>")

    class Trickle(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            nonlocal xml
            part, xml = xml[:min(size, len(buffer))], xml[min(size, len(buffer)):]
            buffer[:len(part)] = part
            return len(part)

    found = [s["x"] for s in pyoxigraph.parse_query_results(_BlankNodeLabels(Trickle()),
                                                           format=pyoxigraph.QueryResultsFormat.XML)]
    assert len(found) == 600 and len(set(found)) == 300 and found[0] == found[300]
