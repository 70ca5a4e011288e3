"""`koryo-kg serve --store URL`: a front end that holds no copy of the data serves, from Oxigraph server and
from Virtuoso, what the embedded engine serves — the SPARQL Protocol, linked data and its 303s, entity pages,
search, VoID — and keeps its own rules in front of the store."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from conftest import ROOT, Server, koryo_kg, root
from stores import publish_command

QUESTIONS = ["01-signatories-of-decree-1428", "09-yezhov-report", "12-persons-deported-side-by-side",
             "21-troikas", "46-ushtobe-in-central-asia"]


@pytest.fixture(scope="module")
def fronted(home, sparql_server):
    published = koryo_kg(*publish_command(sparql_server), home=home)
    assert published.returncode == 0, published.stderr
    server = Server(home, "--store", sparql_server.query, "--workers", "1", "--max-rows", "50")
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
