"""The SPARQL 1.1 Protocol over real HTTP against `koryo-kg serve` processes on 127.0.0.1."""

from __future__ import annotations

import csv
import gzip
import io
import json
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Graph

KG = "https://w3id.org/koryo-kg/ontology#"
DECREE = "https://w3id.org/koryo-kg/id/document/decree-1428-326cc"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SIGNATORIES = f"SELECT ?name WHERE {{ <{DECREE}> <{KG}signatory>/<{RDFS_LABEL}> ?name }} ORDER BY ?name"
LYUSHKOV = f'SELECT ?p WHERE {{ ?p <{RDFS_LABEL}> "Генрих Люшков"@ru }}'
LYUSHKOV_IRI = "https://w3id.org/koryo-kg/id/person/genrikh-lyushkov"
FORM = "application/x-www-form-urlencoded"


def names(response) -> list[str]:
    return [b["name"]["value"] for b in response.json()["results"]["bindings"]]


# --- the three ways to send a query --------------------------------------------------------------------------

def test_get(server):
    response = requests.get(server.url, params={"query": SIGNATORIES})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert "Иосиф Сталин" in names(response) and "Molotov" in names(response)


def test_post_form(server):
    response = requests.post(server.url, data={"query": SIGNATORIES})
    assert response.status_code == 200 and "Иосиф Сталин" in names(response)


def test_post_query(server):
    response = requests.post(server.url, data=SIGNATORIES.encode("utf-8"),
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and "Иосиф Сталин" in names(response)


@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_non_ascii_is_intact_in_every_method(server, method):
    if method == "get":
        response = requests.get(server.url, params={"query": LYUSHKOV})
    elif method == "form":
        response = requests.post(server.url, data={"query": LYUSHKOV})
    else:
        response = requests.post(server.url, data=LYUSHKOV.encode("utf-8"),
                                 headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert response.status_code == 200
    assert [b["p"]["value"] for b in response.json()["results"]["bindings"]] == [LYUSHKOV_IRI]


def test_form_body_with_a_percent_sign_is_decoded_once(server):
    query = 'SELECT ("100%25" AS ?x) WHERE {}'
    response = requests.post(server.url, data={"query": query})
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "100%25"


# --- the dataset ------------------------------------------------------------------------------------------

COUNT_IN_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_is_the_union(server):
    union = count(requests.get(server.url, params={"query": COUNT_IN_DEFAULT}))
    data = count(requests.get(server.url, params={"query": COUNT_IN_DEFAULT,
                                                  "default-graph-uri": "https://w3id.org/koryo-kg/graph/data"}))
    assert union > data > 3000


def test_default_graph_uri_overrides_from(server):
    query = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/koryo-kg/graph/meta> WHERE { ?s ?p ?o }"
    meta = count(requests.get(server.url, params={"query": query}))
    data = count(requests.get(server.url, params={"query": query,
                                                  "default-graph-uri": "https://w3id.org/koryo-kg/graph/data"}))
    assert 0 < meta < 200 and data > 3000


def test_named_graph_uri_limits_graph_patterns(server):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    response = requests.post(server.url, data={"query": query, "named-graph-uri": [
        "https://w3id.org/koryo-kg/graph/shapes", "https://w3id.org/koryo-kg/graph/ontology"]})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [
        "https://w3id.org/koryo-kg/graph/ontology", "https://w3id.org/koryo-kg/graph/shapes"]


def test_from_a_url_never_loads_the_web(server):
    response = requests.get(server.url, params={
        "query": "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }"})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []


def test_added_files_are_served_in_their_own_graphs(server):
    response = requests.get(server.url, params={"query":
        'SELECT ?g WHERE { GRAPH ?g { ?x <http://www.w3.org/2000/01/rdf-schema#label> "Заметка: поездка в Уштобе"@ru } }'})
    [binding] = response.json()["results"]["bindings"]
    assert binding["g"]["value"].startswith("file:///") and binding["g"]["value"].endswith("added/notes.ttl")
    response = requests.get(server.url, params={"query":
        'SELECT ?g WHERE { GRAPH ?g { ?x ?p "in graph a" } }'})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == ["https://example.org/notes/graph-a"]


# --- bad requests --------------------------------------------------------------------------------------

@pytest.mark.parametrize("send, status, reason", [
    (lambda url: requests.get(url, params={"query": "SELECT ?x WHERE { ?x"}), 400, "syntax error"),
    (lambda url: requests.get(url, params=[("query", "ASK {}"), ("query", "ASK {}")]), 400, "exactly one"),
    (lambda url: requests.get(url, params={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}), 400, "Update"),
    (lambda url: requests.get(url, params={"query": "   "}), 400, "empty"),
    (lambda url: requests.post(url, data="", headers={"Content-Type": FORM}), 400, "no query"),
    (lambda url: requests.post(url, data="ASK {}", headers={"Content-Type": "text/plain"}), 415, "Content-Type"),
    (lambda url: requests.post(url, data=b"\xff\xfe\x00garbage", headers={"Content-Type": "application/sparql-query"}),
     400, "UTF-8"),
    (lambda url: requests.get(url, params={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}),
     403, "SERVICE"),
])
def test_bad_requests_get_4xx_with_a_reason(server, send, status, reason):
    response = send(server.url)
    assert response.status_code == status, response.text
    assert reason in response.text
    assert "Traceback" not in response.text


def test_updates_are_refused_and_change_nothing(server):
    before = count(requests.get(server.url, params={"query": COUNT_IN_DEFAULT}))
    update = "INSERT DATA { GRAPH <https://w3id.org/koryo-kg/graph/data> { <a:b> <a:c> <a:d> } }"
    assert requests.post(server.url, data={"update": update}).status_code == 403
    direct = requests.post(server.url, data=update, headers={"Content-Type": "application/sparql-update"})
    assert direct.status_code == 403 and "read-only" in direct.text
    assert count(requests.get(server.url, params={"query": COUNT_IN_DEFAULT})) == before


@pytest.mark.parametrize("headers, body", [
    ({"Accept": "application/sparql-results+json;q=oops, */*;q=-1, text/html;level=" + "x" * 5000}, None),
    ({"Accept": "\x00\x01"}, None),
    ({"Content-Type": "application/sparql-query"}, bytes(range(256)) * 4),
    ({"Content-Type": "multipart/form-data; boundary=zzz"}, b"--zzz\r\nnonsense"),
    ({"Content-Type": FORM}, b"query=%ZZ%E0%A4%A"),
])
def test_garbage_is_never_a_5xx(server, headers, body):
    if body is None:
        response = requests.get(server.url, params={"query": "ASK {}"}, headers=headers)
    else:
        response = requests.post(server.url, data=body, headers=headers)
    assert response.status_code < 500, response.text


def test_unknown_path_and_method(server):
    assert requests.get(server.url.replace("/sparql", "/nowhere")).status_code == 404
    response = requests.delete(server.url)
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


# --- result formats -------------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("*/*", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
])
def test_select_formats_by_accept(server, accept, media_type):
    response = requests.get(server.url, params={"query": SIGNATORIES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]
    assert "Иосиф Сталин" in response.content.decode("utf-8")


def test_select_results_parse_in_each_format(server):
    get = lambda fmt: requests.get(server.url, params={"query": SIGNATORIES, "format": fmt})
    assert names(get("json")) == sorted(names(get("json")))
    root = ET.fromstring(get("xml").content)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert len(root.findall(f"{ns}results/{ns}result")) == len(names(get("json")))
    rows = list(csv.reader(io.StringIO(get("csv").text)))
    assert rows[0] == ["name"] and ["Иосиф Сталин"] in rows
    lines = get("tsv").text.splitlines()
    assert lines[0] == "?name" and '"Иосиф Сталин"@ru' in lines


def test_ask(server):
    yes = requests.get(server.url, params={"query": f"ASK {{ <{DECREE}> ?p ?o }}"})
    assert yes.json() == {"head": {}, "boolean": True}
    assert requests.get(server.url, params={"query": "ASK { <a:x> <a:y> <a:z> }", "format": "csv"}).text.split() == [
        "_askResult", "false"]


CONSTRUCT = f"CONSTRUCT {{ <{DECREE}> ?p ?o }} WHERE {{ GRAPH <https://w3id.org/koryo-kg/graph/data> {{ <{DECREE}> ?p ?o }} }}"


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"), ("application/n-quads", "nquads"), ("application/trig", "trig"),
])
def test_construct_formats(server, accept, rdflib_format):
    response = requests.get(server.url, params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == accept
    graph = Graph()
    graph.parse(data=response.content, format=rdflib_format)
    assert len(graph) > 20
    assert any("О выселении" in str(o) for o in graph.objects())


def test_format_parameter_overrides_accept_and_sparqlwrapper_extras_are_tolerated(server):
    response = requests.get(server.url, params={"query": SIGNATORIES, "format": "csv"},
                            headers={"Accept": "application/sparql-results+xml"})
    assert response.headers["Content-Type"].startswith("text/csv")
    response = requests.get(server.url, params={"query": CONSTRUCT, "output": "json"})
    assert response.headers["Content-Type"].startswith("application/ld+json")
    response = requests.get(server.url, params={"query": SIGNATORIES, "results": "xml"})
    assert response.headers["Content-Type"].startswith("application/sparql-results+xml")


def test_406_only_when_nothing_acceptable(server):
    response = requests.get(server.url, params={"query": SIGNATORIES}, headers={"Accept": "image/png"})
    assert response.status_code == 406 and "text/csv" in response.text
    response = requests.get(server.url, params={"query": CONSTRUCT, "format": "csv"})
    assert response.status_code == 406


# --- service description, CORS ------------------------------------------------------------------------

def test_service_description(server):
    response = requests.get(server.url)
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    answer = graph.query("""PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?name ?n WHERE { ?s sd:endpoint ?e ; sd:defaultDataset/sd:namedGraph ?g .
                                ?g sd:name ?name ; sd:graph/void:triples ?n }""")
    graphs = {str(name): int(n) for name, n in answer}
    assert graphs["https://w3id.org/koryo-kg/graph/data"] > 3000
    data = count(requests.get(server.url, params={"query": COUNT_IN_DEFAULT,
                                                  "default-graph-uri": "https://w3id.org/koryo-kg/graph/data"}))
    assert graphs["https://w3id.org/koryo-kg/graph/data"] == data
    assert any(name.startswith("file:///") for name in graphs)
    jsonld = requests.get(server.url, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["Content-Type"].startswith("application/ld+json") and json.loads(jsonld.text)


def test_browsers_get_a_page(server):
    response = requests.get(server.url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "<form" in response.text and "https://w3id.org/koryo-kg/graph/data" in response.text


def test_cors(server, limited_server):
    response = requests.get(server.url, params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(server.url, headers={"Origin": "https://yasgui.org",
                                                      "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    off = requests.get(limited_server.url, params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.org"})
    assert "Access-Control-Allow-Origin" not in off.headers


# What browser-based clients send, replayed: Comunica's SPARQL endpoint fetcher (form POST, one result type
# per query form) and YASGUI (form POST with a wildcard fallback, from another origin).
CLIENT_REPLAYS = [
    ("comunica SELECT", "SELECT ?s WHERE { ?s a <https://w3id.org/koryo-kg/ontology#Person> } LIMIT 2",
     {"Accept": "application/sparql-results+json"}, "application/sparql-results+json"),
    ("comunica ASK", "ASK { ?s a <https://w3id.org/koryo-kg/ontology#Person> }",
     {"Accept": "application/sparql-results+json"}, "application/sparql-results+json"),
    ("comunica CONSTRUCT", "CONSTRUCT WHERE { ?s a <https://w3id.org/koryo-kg/ontology#Person> } LIMIT 2",
     {"Accept": "application/n-triples,text/turtle;q=0.9"}, "application/n-triples"),
    ("yasgui SELECT", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2",
     {"Accept": "application/sparql-results+json,*/*;q=0.9", "Origin": "https://yasgui.org",
      "X-Requested-With": "XMLHttpRequest"}, "application/sparql-results+json"),
    ("yasgui CONSTRUCT", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2",
     {"Accept": "text/turtle,*/*;q=0.9", "Origin": "https://yasgui.org"}, "text/turtle"),
]


@pytest.mark.parametrize("name, query, headers, media_type", CLIENT_REPLAYS, ids=[r[0] for r in CLIENT_REPLAYS])
def test_browser_clients_replayed(server, name, query, headers, media_type):
    if "Origin" in headers:
        preflight = requests.options(server.url, headers={
            "Origin": headers["Origin"], "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": ", ".join(h.lower() for h in headers if h not in ("Accept", "Origin"))
                                              or "content-type"})
        assert preflight.status_code == 200
    response = requests.post(server.url, data={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]
    if "Origin" in headers:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    if media_type.startswith("application/sparql-results+json"):
        assert "boolean" in response.json() or len(response.json()["results"]["bindings"]) == 2
    else:
        assert len(Graph().parse(data=response.text, format="nt" if "n-triples" in media_type else "turtle")) > 0


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


def test_result_rows_are_capped_visibly(limited_server):
    response = requests.get(limited_server.url, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 5
    assert "X-Result-Truncated" in response.headers
    assert "urn:koryo-kg:truncated:5" in response.json()["head"]["link"]
    small = requests.get(limited_server.url, params={"query": SIGNATORIES})
    assert "X-Result-Truncated" not in small.headers


def test_oversized_body_is_413(limited_server):
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 5000
    assert requests.post(limited_server.url, data={"query": query}).status_code == 413
    assert requests.post(limited_server.url, data=query,
                         headers={"Content-Type": "application/sparql-query"}).status_code == 413
    # a chunked body says no length: it is cut at the limit all the same, for queries and for validation
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

def test_sparqlwrapper(server):
    from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

    client = SPARQLWrapper(server.url)
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


def test_rdflib_sparqlstore_as_graph_and_as_dataset(server):
    from rdflib import ConjunctiveGraph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(server.url))
    rows = list(graph.query(SIGNATORIES))
    assert "Иосиф Сталин" in [str(r[0]) for r in rows]
    assert (URIRef(DECREE), None, None) in graph
    # rdflib's Dataset adds a default graph on creation, which a read-only store refuses; the
    # SPARQLStore documentation uses ConjunctiveGraph for a dataset of named graphs.
    dataset = ConjunctiveGraph(store=SPARQLStore(server.url))
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


def test_long_queries_by_get(server):
    padding = "# " + "x" * 8000 + "\n"
    response = requests.get(server.url, params={"query": padding + SIGNATORIES})
    assert response.status_code == 200 and "Иосиф Сталин" in names(response)


def test_head_and_describe(server):
    assert requests.head(server.url, params={"query": SIGNATORIES}).status_code == 200
    response = requests.get(server.url, params={"query": f"DESCRIBE <{DECREE}>"}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and DECREE in response.text


def test_results_are_gzipped_when_the_client_asks(server):
    big = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 200"}
    plain = requests.get(server.url, params=big, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    zipped = requests.get(server.url, params=big, headers={"Accept-Encoding": "gzip"}, stream=True)
    assert zipped.headers["Content-Encoding"] == "gzip"
    raw = zipped.raw.read(decode_content=False)
    assert int(zipped.headers["Content-Length"]) == len(raw) < len(plain.content)
    assert gzip.decompress(raw) == plain.content
    refused = requests.get(server.url, params=big, headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    small = requests.get(server.url, params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers  # not worth it under a kilobyte
