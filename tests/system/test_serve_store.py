"""`koryo-kg serve --store URL`: a front end that holds no copy of the data serves, from Oxigraph server and
from Virtuoso, what the embedded engine serves — the SPARQL Protocol, linked data and its 303s, entity pages,
search, VoID — and keeps its own rules in front of the store."""

from __future__ import annotations

import csv
import io
import re

import pytest
import requests

from conftest import ROOT, koryo_kg, root
from koryo_kg.endpoint.updates import UpdateLog
from stores import client_for, publish_command, published, start_oxigraph, store_front_end

QUESTIONS = ["01-signatories-of-decree-1428", "09-yezhov-report", "12-persons-deported-side-by-side",
             "21-troikas", "46-ushtobe-in-central-asia"]


@pytest.fixture(scope="module")
def fronted(home, sparql_server, request):
    server = store_front_end(home, published(home, request, sparql_server.name), "--workers", "1", "--max-rows", "50")
    yield server, sparql_server
    server.stop()


def rows(url: str, name: str) -> list[list[str]]:
    text = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    response = requests.post(url, data={"query": text}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    return sorted(csv.reader(io.StringIO(response.text)))


def test_the_same_answers_as_the_embedded_engine(fronted, server):
    front, store = fronted
    assert "from the store at " + store.query in front.read_log()
    for name in QUESTIONS:
        assert rows(front.url, name) == rows(server.url, name), name


def test_linked_data_pages_search_and_void_from_the_store(fronted):
    front, _ = fronted
    base = root(front)
    seen = requests.get(base + "/id/person/genrikh-lyushkov", headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert seen.status_code == 303 and seen.headers["Location"].endswith("/id/person/genrikh-lyushkov.ttl")
    document = requests.get(base + "/id/person/genrikh-lyushkov.ttl")
    assert document.status_code == 200 and "Генрих Люшков" in document.text
    page = requests.get(base + "/id/person/genrikh-lyushkov.html")
    assert page.status_code == 200 and "<h1>Genrikh Lyushkov</h1>" in page.text and "[13]" in page.text
    found = requests.get(base + "/search", params={"q": "Люшков"}, headers={"Accept": "application/json"}).json()
    assert found["results"][0]["iri"].endswith("/id/person/genrikh-lyushkov")
    void = requests.get(base + "/.well-known/void", headers={"Accept": "text/turtle"})
    assert void.status_code == 200 and "void:triples" in void.text
    assert requests.get(base + "/id/person/nobody-at-all").status_code == 404


def test_the_endpoint_keeps_its_own_rules_in_front_of_the_store(fronted):
    front, _ = fronted
    many = requests.get(front.url, params={"query": "SELECT ?s WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert many.status_code == 200 and len(many.text.strip().splitlines()) == 51  # header and --max-rows 50
    assert many.headers.get("X-Result-Truncated")
    service = requests.get(front.url, params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert service.status_code == 403
    update = requests.post(front.url, data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert update.status_code in (400, 403) and "read-only" in update.text


# --- updates through front ends on one store ------------------------------------------------------------

TOKEN = "a-token-for-the-store-front-ends"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LYUSHKOV = "https://w3id.org/koryo-kg/id/person/genrikh-lyushkov"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
DATA = "https://w3id.org/koryo-kg/graph/data"
UNLABELLED_PERSON = (f"INSERT DATA {{ GRAPH <{DATA}> {{ <https://w3id.org/koryo-kg/id/person/nobody> a "
                     "<https://w3id.org/koryo-kg/ontology#Person> } }")


@pytest.fixture(scope="module")
def front_ends(home, sparql_server, tmp_path_factory, request):
    """Two `serve --store` processes with the token, sharing one update log."""
    folder = tmp_path_factory.mktemp("front-ends")
    (folder / "token").write_text(TOKEN + "\n")
    store = published(home, request, sparql_server.name)
    args = ["--workers", "2", "--update-token-file", str(folder / "token"), "--update-log", str(folder / "log.rdfp")]
    first, second = store_front_end(home, store, *args), store_front_end(home, store, *args)
    yield first, second, folder / "log.rdfp", sparql_server
    first.stop()
    second.stop()


def notes_graph(request) -> str:
    """A graph of the test's own: the store outlives each test."""
    return "urn:example:notes:" + re.sub(r"\W", "-", request.node.name)


def post_update(server, text, headers=AUTH):
    return requests.post(server.url, data={"update": text}, headers=headers, timeout=60)


def store_ask(store, text: str) -> bool:
    """Asked of the store itself, not through a front end."""
    response = requests.post(store.query, data={"query": text}, timeout=30,
                             headers={"Accept": "application/sparql-results+xml"})
    assert response.status_code == 200, response.text
    return "<boolean>true</boolean>" in response.text or ">1</literal>" in response.text


def values(server, graph) -> set[str]:
    response = requests.get(server.url, params={"query": f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return {b["o"]["value"] for b in response.json()["results"]["bindings"]}


def test_an_update_lands_in_the_store_and_every_front_end_sees_it(front_ends, request):
    first, second, log, store = front_ends
    graph, note = notes_graph(request), "Люшков — a note through the store"
    response = post_update(first, f'INSERT DATA {{ GRAPH <{graph}> {{ <{LYUSHKOV}> <{COMMENT}> "{note}" }} }}')
    assert response.status_code == 200 and "1 added" in response.text, response.text
    assert store_ask(store, f'ASK {{ GRAPH <{graph}> {{ <{LYUSHKOV}> <{COMMENT}> "{note}" }} }}')
    # each request opens its own connection: both workers of both front ends answer some of these
    assert all(values(server, graph) == {note} for server in (first, second) for _ in range(6))
    assert note.encode() in log.read_bytes() and log.read_bytes().endswith(b"TC .\n")
    changed = post_update(second, f'DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <{graph}> '
                                  f'{{ ?s ?p "changed" }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}')
    assert changed.status_code == 200 and "1 quads deleted, 1 added" in changed.text, changed.text
    assert all(values(server, graph) == {"changed"} for server in (first, second) for _ in range(4))


def test_an_update_that_violates_the_shapes_changes_nothing_in_the_store(front_ends, request):
    first, _, log, store = front_ends
    graph = notes_graph(request)
    before = log.read_bytes()
    response = post_update(first, f'INSERT DATA {{ GRAPH <{graph}> {{ <{LYUSHKOV}> <{COMMENT}> "half" }} }} ; '
                           + UNLABELLED_PERSON)
    assert response.status_code == 422 and "needs an rdfs:label in English" in response.text
    assert not store_ask(store, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert not store_ask(store, "ASK { GRAPH ?g { <https://w3id.org/koryo-kg/id/person/nobody> ?p ?o } }")
    assert log.read_bytes() == before


def test_without_the_token_nothing_reaches_the_store(front_ends, request):
    first, _, log, store = front_ends
    graph = notes_graph(request)
    before = log.read_bytes()
    for headers in ({}, {"Authorization": "Bearer guess"}, {"Authorization": f"Basic {TOKEN}"}):
        response = post_update(first, f'INSERT DATA {{ GRAPH <{graph}> {{ <{LYUSHKOV}> <{COMMENT}> "x" }} }}', headers)
        assert response.status_code == 401
    assert not store_ask(store, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert log.read_bytes() == before


@pytest.mark.parametrize("text, status, reason", [
    ("DELETE WHERE { GRAPH ?g { <urn:x> ?p ?o } }", 400, "names the graphs it reads"),
    ("CLEAR SILENT ALL", 400, "names the graphs it reads"),
    (f'INSERT DATA {{ <{LYUSHKOV}> <{COMMENT}> "in the default graph" }}', 400, "named graphs only"),
    ("DROP GRAPH <https://w3id.org/koryo-kg/graph/shapes>", 403, "the build makes"),
    ("LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <urn:example:loaded>", 403, "fetches no URL"),
])
def test_what_a_store_cannot_take_safely_is_refused_with_the_reason(front_ends, text, status, reason):
    first, _, log, _ = front_ends
    before = log.read_bytes()
    response = post_update(first, text)
    assert response.status_code == status and reason in response.text, response.text
    assert log.read_bytes() == before


def test_a_graph_of_the_store_outside_the_dataset_is_not_changed(front_ends):
    first, _, _, store = front_ends
    client_for(store).update('INSERT DATA { GRAPH <urn:example:someone-else> { <urn:a> <urn:b> "theirs" } }', 30)
    response = post_update(first, 'INSERT DATA { GRAPH <urn:example:someone-else> { <urn:a> <urn:b> "ours" } }')
    assert response.status_code == 403 and "not part of the dataset" in response.text
    assert not store_ask(store, 'ASK { GRAPH <urn:example:someone-else> { <urn:a> <urn:b> "ours" } }')


def test_blank_nodes_an_update_makes_land_as_iris(front_ends, request):
    first, second, log, store = front_ends
    graph = notes_graph(request)
    response = post_update(first, f'INSERT DATA {{ GRAPH <{graph}> {{ <{LYUSHKOV}> <{COMMENT}> [ <{COMMENT}> "inner" ] }} }}')
    assert response.status_code == 200, response.text
    found = requests.get(second.url, params={"query": f"SELECT ?b WHERE {{ GRAPH <{graph}> {{ <{LYUSHKOV}> ?p ?b }} }}"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    node = found["results"]["bindings"][0]["b"]
    assert node["type"] == "uri" and node["value"].startswith("https://w3id.org/koryo-kg/.well-known/genid/")
    assert node["value"].encode() in log.read_bytes()  # the log holds what landed
    assert store_ask(store, f'ASK {{ GRAPH <{graph}> {{ <{node["value"]}> <{COMMENT}> "inner" }} }}')


def test_an_update_the_store_refuses_is_not_acknowledged_nor_committed_in_the_log(home, tmp_path):
    """The store takes reads but refuses every update (Oxigraph's serve-read-only on a published dataset):
    the update was logged before it was sent, so the log must not count it, and the server goes on serving."""
    (tmp_path / "store").mkdir()
    store = start_oxigraph(tmp_path / "store")
    try:
        assert koryo_kg(*publish_command(store), home=home).returncode == 0
    finally:
        store.stop()
    store = start_oxigraph(tmp_path / "store", read_only=True)
    (tmp_path / "token").write_text(TOKEN + "\n")
    log = tmp_path / "log.rdfp"
    front = store_front_end(home, store, "--workers", "1", "--update-token-file", str(tmp_path / "token"),
                            "--update-log", str(log))
    try:
        graph = "urn:example:notes:refused"
        response = post_update(front, f'INSERT DATA {{ GRAPH <{graph}> {{ <{LYUSHKOV}> <{COMMENT}> "refused" }} }}')
        assert response.status_code == 502 and "refused" in response.text, response.text
        assert not store_ask(store, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert UpdateLog(log).new_transactions() == [] and log.read_bytes().endswith(b"TA .\n")  # aborted
        assert values(front, graph) == set() and rows(front.url, QUESTIONS[0])
    finally:
        output = front.stop()
        store.stop()
    assert "Traceback" not in output
