"""The SPARQL 1.1 Protocol in process, through Flask's test client on the application `koryo-kg serve` runs:
the three ways to send a query, the dataset parameters, refusals with their reasons, result formats,
the service description, CORS, row and body limits, gzip."""

from __future__ import annotations

import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph
from werkzeug.datastructures import MultiDict

from conftest import served

KG = "https://w3id.org/koryo-kg/ontology#"
DECREE = "https://w3id.org/koryo-kg/id/document/decree-1428-326cc"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SIGNATORIES = f"SELECT ?name WHERE {{ <{DECREE}> <{KG}signatory>/<{RDFS_LABEL}> ?name }} ORDER BY ?name"
LYUSHKOV = f'SELECT ?p WHERE {{ ?p <{RDFS_LABEL}> "Генрих Люшков"@ru }}'
LYUSHKOV_IRI = "https://w3id.org/koryo-kg/id/person/genrikh-lyushkov"
FORM = "application/x-www-form-urlencoded"
DATA = "https://w3id.org/koryo-kg/graph/data"
COUNT_IN_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = f"CONSTRUCT {{ <{DECREE}> ?p ?o }} WHERE {{ GRAPH <{DATA}> {{ <{DECREE}> ?p ?o }} }}"


def names(response) -> list[str]:
    return [b["name"]["value"] for b in response.get_json(force=True)["results"]["bindings"]]


def count(response) -> int:
    return int(response.get_json(force=True)["results"]["bindings"][0]["n"]["value"])


def get(client, headers=None, **params):
    return client.get("/sparql", query_string=params, headers=headers or {})


@pytest.fixture(scope="module")
def limited(home, tmp_path_factory):
    """What `serve --max-rows 5 --max-body 2000 --no-cors` runs."""
    return served(home, tmp_path_factory.mktemp("limited"), max_rows=5, max_body=2000, cors_origins=()).test_client()


# --- the three ways to send a query --------------------------------------------------------------------------

def test_get(client):
    response = get(client, query=SIGNATORIES)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert "Иосиф Сталин" in names(response) and "Molotov" in names(response)


def test_post_form(client):
    response = client.post("/sparql", data={"query": SIGNATORIES})
    assert response.status_code == 200 and "Иосиф Сталин" in names(response)


def test_post_query(client):
    response = client.post("/sparql", data=SIGNATORIES.encode("utf-8"), content_type="application/sparql-query")
    assert response.status_code == 200 and "Иосиф Сталин" in names(response)


@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_non_ascii_is_intact_in_every_method(client, method):
    if method == "get":
        response = get(client, query=LYUSHKOV)
    elif method == "form":
        response = client.post("/sparql", data={"query": LYUSHKOV})
    else:
        response = client.post("/sparql", data=LYUSHKOV.encode("utf-8"),
                               content_type="application/sparql-query; charset=utf-8")
    assert response.status_code == 200
    assert [b["p"]["value"] for b in response.get_json(force=True)["results"]["bindings"]] == [LYUSHKOV_IRI]


def test_form_body_with_a_percent_sign_is_decoded_once(client):
    response = client.post("/sparql", data={"query": 'SELECT ("100%25" AS ?x) WHERE {}'})
    assert response.get_json(force=True)["results"]["bindings"][0]["x"]["value"] == "100%25"


def test_head_and_describe(client):
    assert client.head("/sparql", query_string={"query": SIGNATORIES}).status_code == 200
    response = get(client, {"Accept": "application/n-triples"}, query=f"DESCRIBE <{DECREE}>")
    assert response.status_code == 200 and DECREE in response.text


# --- the dataset ------------------------------------------------------------------------------------------

def test_default_graph_is_the_union(client):
    union = count(get(client, query=COUNT_IN_DEFAULT))
    data = count(get(client, query=COUNT_IN_DEFAULT, **{"default-graph-uri": DATA}))
    assert union > data > 3000


def test_default_graph_uri_overrides_from(client):
    query = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/koryo-kg/graph/meta> WHERE { ?s ?p ?o }"
    meta = count(get(client, query=query))
    data = count(get(client, query=query, **{"default-graph-uri": DATA}))
    assert 0 < meta < 200 and data > 3000


def test_named_graph_uri_limits_graph_patterns(client):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    response = client.post("/sparql", data={"query": query, "named-graph-uri": [
        "https://w3id.org/koryo-kg/graph/shapes", "https://w3id.org/koryo-kg/graph/ontology"]})
    assert [b["g"]["value"] for b in response.get_json(force=True)["results"]["bindings"]] == [
        "https://w3id.org/koryo-kg/graph/ontology", "https://w3id.org/koryo-kg/graph/shapes"]


def test_from_a_url_never_loads_the_web(client):
    response = get(client, query="SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }")
    assert response.status_code == 200 and response.get_json(force=True)["results"]["bindings"] == []


def test_added_files_are_served_in_their_own_graphs(client):
    response = get(client, query=f'SELECT ?g WHERE {{ GRAPH ?g {{ ?x <{RDFS_LABEL}> "Заметка: поездка в Уштобе"@ru }} }}')
    [binding] = response.get_json(force=True)["results"]["bindings"]
    assert binding["g"]["value"].startswith("file:///") and binding["g"]["value"].endswith("added/notes.ttl")
    response = get(client, query='SELECT ?g WHERE { GRAPH ?g { ?x ?p "in graph a" } }')
    assert [b["g"]["value"] for b in response.get_json(force=True)["results"]["bindings"]] == [
        "https://example.org/notes/graph-a"]


# --- bad requests --------------------------------------------------------------------------------------

@pytest.mark.parametrize("send, status, reason", [
    (lambda c: get(c, query="SELECT ?x WHERE { ?x"), 400, "syntax error"),
    (lambda c: c.get("/sparql", query_string=MultiDict([("query", "ASK {}"), ("query", "ASK {}")])), 400,
     "exactly one"),
    (lambda c: get(c, query="INSERT DATA { <a:b> <a:c> <a:d> }"), 400, "Update"),
    (lambda c: get(c, query="   "), 400, "empty"),
    (lambda c: c.post("/sparql", data="", content_type=FORM), 400, "no query"),
    (lambda c: c.post("/sparql", data="ASK {}", content_type="text/plain"), 415, "Content-Type"),
    (lambda c: c.post("/sparql", data=b"\xff\xfe\x00garbage", content_type="application/sparql-query"), 400, "UTF-8"),
    (lambda c: get(c, query="SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"), 403, "SERVICE"),
], ids=["syntax", "two queries", "update by query", "empty", "no query", "content type", "not utf-8", "service"])
def test_bad_requests_get_4xx_with_a_reason(client, send, status, reason):
    response = send(client)
    assert response.status_code == status, response.text
    assert reason in response.text
    assert "Traceback" not in response.text


def test_updates_are_refused_and_change_nothing(client):
    before = count(get(client, query=COUNT_IN_DEFAULT))
    update = f"INSERT DATA {{ GRAPH <{DATA}> {{ <a:b> <a:c> <a:d> }} }}"
    assert client.post("/sparql", data={"update": update}).status_code == 403
    direct = client.post("/sparql", data=update, content_type="application/sparql-update")
    assert direct.status_code == 403 and "read-only" in direct.text
    assert count(get(client, query=COUNT_IN_DEFAULT)) == before


def test_unknown_path_and_method(client):
    assert client.get("/nowhere").status_code == 404
    response = client.delete("/sparql")
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
def test_select_formats_by_accept(client, accept, media_type):
    response = get(client, {"Accept": accept}, query=SIGNATORIES)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]
    assert "Иосиф Сталин" in response.get_data().decode("utf-8")


def test_select_results_parse_in_each_format(client):
    by = lambda fmt: get(client, query=SIGNATORIES, format=fmt)
    assert names(by("json")) == sorted(names(by("json")))
    root = ET.fromstring(by("xml").get_data())
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert len(root.findall(f"{ns}results/{ns}result")) == len(names(by("json")))
    rows = list(csv.reader(io.StringIO(by("csv").text)))
    assert rows[0] == ["name"] and ["Иосиф Сталин"] in rows
    lines = by("tsv").text.splitlines()
    assert lines[0] == "?name" and '"Иосиф Сталин"@ru' in lines


def test_ask(client):
    assert get(client, query=f"ASK {{ <{DECREE}> ?p ?o }}").get_json(force=True) == {"head": {}, "boolean": True}
    assert get(client, query="ASK { <a:x> <a:y> <a:z> }", format="csv").text.split() == ["_askResult", "false"]


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"), ("application/n-quads", "nquads"), ("application/trig", "trig"),
])
def test_construct_formats(client, accept, rdflib_format):
    response = get(client, {"Accept": accept}, query=CONSTRUCT)
    assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == accept
    graph = Graph()
    graph.parse(data=response.get_data(), format=rdflib_format)
    assert len(graph) > 20
    assert any("О выселении" in str(o) for o in graph.objects())


def test_format_parameter_overrides_accept_and_sparqlwrapper_extras_are_tolerated(client):
    response = get(client, {"Accept": "application/sparql-results+xml"}, query=SIGNATORIES, format="csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert get(client, query=CONSTRUCT, output="json").headers["Content-Type"].startswith("application/ld+json")
    response = get(client, query=SIGNATORIES, results="xml")
    assert response.headers["Content-Type"].startswith("application/sparql-results+xml")


def test_406_only_when_nothing_acceptable(client):
    response = get(client, {"Accept": "image/png"}, query=SIGNATORIES)
    assert response.status_code == 406 and "text/csv" in response.text
    assert get(client, query=CONSTRUCT, format="csv").status_code == 406


def test_results_are_gzipped_when_the_client_asks(client):
    big = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 200"}
    plain = get(client, {"Accept-Encoding": "identity"}, **big)
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    zipped = get(client, {"Accept-Encoding": "gzip"}, **big)
    assert zipped.headers["Content-Encoding"] == "gzip"
    raw = zipped.get_data()  # the test client does not decode it
    assert int(zipped.headers["Content-Length"]) == len(raw) < len(plain.get_data())
    assert gzip.decompress(raw) == plain.get_data()
    assert "Content-Encoding" not in get(client, {"Accept-Encoding": "gzip;q=0"}, **big).headers
    small = get(client, {"Accept-Encoding": "gzip"}, query="ASK {}")
    assert "Content-Encoding" not in small.headers  # not worth it under a kilobyte


# --- service description, CORS ------------------------------------------------------------------------

def test_service_description(client):
    response = client.get("/sparql")
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    answer = graph.query("""PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?name ?n WHERE { ?s sd:endpoint ?e ; sd:defaultDataset/sd:namedGraph ?g .
                                ?g sd:name ?name ; sd:graph/void:triples ?n }""")
    graphs = {str(name): int(n) for name, n in answer}
    assert graphs[DATA] > 3000
    assert graphs[DATA] == count(get(client, query=COUNT_IN_DEFAULT, **{"default-graph-uri": DATA}))
    assert any(name.startswith("file:///") for name in graphs)
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["Content-Type"].startswith("application/ld+json") and json.loads(jsonld.text)


def test_browsers_get_a_page(client):
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "<form" in response.text and DATA in response.text


def test_cors(client, limited):
    response = get(client, {"Origin": "https://yasgui.org"}, query="ASK {}")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={"Origin": "https://yasgui.org",
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in get(limited, {"Origin": "https://yasgui.org"}, query="ASK {}").headers


# What browser-based clients send, replayed: Comunica's SPARQL endpoint fetcher (form POST, one result type
# per query form) and YASGUI (form POST with a wildcard fallback, from another origin).
CLIENT_REPLAYS = [
    ("comunica SELECT", f"SELECT ?s WHERE {{ ?s a <{KG}Person> }} LIMIT 2",
     {"Accept": "application/sparql-results+json"}, "application/sparql-results+json"),
    ("comunica ASK", f"ASK {{ ?s a <{KG}Person> }}",
     {"Accept": "application/sparql-results+json"}, "application/sparql-results+json"),
    ("comunica CONSTRUCT", f"CONSTRUCT WHERE {{ ?s a <{KG}Person> }} LIMIT 2",
     {"Accept": "application/n-triples,text/turtle;q=0.9"}, "application/n-triples"),
    ("yasgui SELECT", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2",
     {"Accept": "application/sparql-results+json,*/*;q=0.9", "Origin": "https://yasgui.org",
      "X-Requested-With": "XMLHttpRequest"}, "application/sparql-results+json"),
    ("yasgui CONSTRUCT", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2",
     {"Accept": "text/turtle,*/*;q=0.9", "Origin": "https://yasgui.org"}, "text/turtle"),
]


@pytest.mark.parametrize("name, query, headers, media_type", CLIENT_REPLAYS, ids=[r[0] for r in CLIENT_REPLAYS])
def test_browser_clients_replayed(client, name, query, headers, media_type):
    if "Origin" in headers:
        preflight = client.options("/sparql", headers={
            "Origin": headers["Origin"], "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": ", ".join(h.lower() for h in headers if h not in ("Accept", "Origin"))
                                              or "content-type"})
        assert preflight.status_code == 200
    response = client.post("/sparql", data={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]
    if "Origin" in headers:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    if media_type.startswith("application/sparql-results+json"):
        body = response.get_json(force=True)
        assert "boolean" in body or len(body["results"]["bindings"]) == 2
    else:
        assert len(Graph().parse(data=response.text, format="nt" if "n-triples" in media_type else "turtle")) > 0


# --- limits --------------------------------------------------------------------------------------------

def test_result_rows_are_capped_visibly(limited):
    response = get(limited, query="SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 200
    assert len(response.get_json(force=True)["results"]["bindings"]) == 5
    assert "X-Result-Truncated" in response.headers
    assert "urn:koryo-kg:truncated:5" in response.get_json(force=True)["head"]["link"]
    assert "X-Result-Truncated" not in get(limited, query=SIGNATORIES).headers


def test_oversized_body_is_413(limited):
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 5000
    assert limited.post("/sparql", data={"query": query}).status_code == 413
    assert limited.post("/sparql", data=query, content_type="application/sparql-query").status_code == 413
    assert limited.post("/validate", data="<urn:a> <urn:b> 1 .\n" * 500, content_type="text/turtle").status_code == 413


# --- what the hot path remembers decides as it did -----------------------------------------------------------

@pytest.fixture(scope="module")
def two_origins(home, tmp_path_factory):
    return served(home, tmp_path_factory.mktemp("origins"), cors_origins=("https://a.example", "https://b.example"),
                  allowed_hosts=("127.0.0.1", "localhost")).test_client()


def test_cors_headers_follow_each_requests_origin(two_origins):
    for _ in range(2):  # the second round is answered from what was remembered
        for origin, allowed in (("https://a.example", True), ("https://evil.example", False),
                                ("https://b.example", True), (None, None)):
            response = get(two_origins, {"Origin": origin} if origin else {}, query="ASK {}")
            assert response.status_code == 200
            if allowed:
                assert response.headers["Access-Control-Allow-Origin"] == origin
                assert any("Origin" in vary for vary in response.headers.getlist("Vary"))
            elif allowed is False:
                assert "Access-Control-Allow-Origin" not in response.headers


def test_relative_iris_resolve_against_each_requests_own_host(two_origins):
    query = "SELECT ?u WHERE { BIND(<x> AS ?u) }"
    for _ in range(2):
        for host in ("127.0.0.1:5000", "localhost:8080", "127.0.0.1:5000"):
            response = two_origins.get("/sparql", query_string={"query": query}, headers={"Host": host})
            assert response.get_json(force=True)["results"]["bindings"][0]["u"]["value"] == f"http://{host}/x"


def test_a_refused_or_broken_query_is_refused_every_time(client):
    for _ in range(3):
        assert get(client, query="SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }").status_code == 403
        assert get(client, query="SELECT * WHERE { ?s ?p ?o ").status_code == 400
        assert get(client, query="SELECT * WHERE { ?s ?p ?o } LIMIT 1").status_code == 200


@pytest.mark.parametrize("query_string", ["query=ASK+%7B%7D&format=json", "query=%D0%96&query=%FF%FE",
                                          "a&b=&c=%zz&d=1%2B1", ""])
def test_url_arguments_are_werkzeugs_remembered(query_string):
    from werkzeug import Request

    from koryo_kg.endpoint.protocol import _url_arguments

    expected = Request({"QUERY_STRING": query_string}).args
    for _ in range(2):  # the second from memory
        assert list(_url_arguments(query_string).items(multi=True)) == list(expected.items(multi=True))
