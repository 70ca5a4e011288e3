"""SPARQL Update behind a bearer token, in process, each test on an application with a log of its own: refused
without the token, validated against the shapes before it commits, atomic, by POST only, said in the service
description, and seen by the entity documents' ETags. Across worker processes and restarts: tests/system."""

from __future__ import annotations

import pytest
from rdflib import Graph

from conftest import served

TOKEN = "a-long-random-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOTES = "urn:example:notes"
DATA = "https://w3id.org/koryo-kg/graph/data"
LYUSHKOV = "https://w3id.org/koryo-kg/id/person/lyushkov"
NOTE = f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{LYUSHKOV}> <http://www.w3.org/2000/01/rdf-schema#comment> "%s" }} }}'
UNLABELLED_PERSON = (f"INSERT DATA {{ GRAPH <{DATA}> {{ <https://w3id.org/koryo-kg/id/person/nobody> a "
                     "<https://w3id.org/koryo-kg/ontology#Person> } }")


@pytest.fixture
def client(home, tmp_path):
    return served(home, tmp_path, update_log=str(tmp_path / "log.rdfp"), update_token=TOKEN).test_client()


def notes(client) -> set[str]:
    response = client.get("/sparql", query_string={"query": f"SELECT ?o WHERE {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }}"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return {b["o"]["value"] for b in response.get_json(force=True)["results"]["bindings"]}


def update(client, text, headers=AUTH, as_body=False):
    if as_body:
        return client.post("/sparql", data=text.encode("utf-8"), headers=headers,
                           content_type="application/sparql-update")
    return client.post("/sparql", data={"update": text}, headers=headers)


def test_without_the_token_nothing_changes(client):
    missing = update(client, NOTE % "unauthorised", headers={})
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="koryo-kg"'
    wrong = update(client, NOTE % "unauthorised", headers={"Authorization": "Bearer guess"}, as_body=True)
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert notes(client) == set()


def test_an_update_commits(client, tmp_path):
    note = "Люшков — a scholar's note"
    response = update(client, NOTE % note, as_body=True)
    assert response.status_code == 200, response.text
    assert "1 added" in response.text
    assert notes(client) == {note}
    assert note.encode() in (tmp_path / "log.rdfp").read_bytes()


def test_an_update_that_violates_the_shapes_is_refused_whole(client, tmp_path):
    response = update(client, NOTE % "part of a refused update" + " ; " + UNLABELLED_PERSON)
    assert response.status_code == 422
    assert "needs an rdfs:label in English" in response.text
    assert notes(client) == set()  # atomic: the valid half was not kept either
    ask = client.get("/sparql", query_string={"query": "ASK { <https://w3id.org/koryo-kg/id/person/nobody> ?p ?o }"},
                     headers={"Accept": "application/sparql-results+json"})
    assert ask.get_json(force=True)["boolean"] is False
    assert (tmp_path / "log.rdfp").read_bytes() == b""


@pytest.mark.parametrize("text, status, reason", [
    ("INSERT DATA { <a:b> <a:c> ", 400, "syntax"),
    ("DELETE WHERE { GRAPH <https://w3id.org/koryo-kg/graph/shapes> { ?s ?p ?o } }", 403, "the build makes"),
    ("LOAD <http://example.org/data.ttl>", 403, "fetches no URL"),
    ("", 400, "empty"),
])
def test_bad_updates_are_refused_with_the_reason(client, text, status, reason):
    response = update(client, text)
    assert response.status_code == status
    assert reason in response.text


def test_updates_come_by_post_with_the_token(client):
    assert client.get("/sparql", query_string={"update": NOTE % "by get"}, headers=AUTH).status_code == 400
    assert client.post("/sparql", data={"update": NOTE % "x", "query": "ASK {}"}, headers=AUTH).status_code == 400
    assert notes(client) == set()


def test_the_service_description_says_updates_are_on(client):
    description = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
    languages = {str(o) for o in description.objects(predicate=None) if str(o).endswith("Update")}
    assert "http://www.w3.org/ns/sparql-service-description#SPARQL11Update" in languages


def test_entity_documents_change_their_etag_with_an_update(client):
    # the note makes the document exist: <…/person/lyushkov> has nothing but notes
    assert update(client, NOTE % "makes the document").status_code == 200
    before = client.get("/id/person/lyushkov.ttl")
    assert before.status_code == 200, before.text
    assert update(client, NOTE % "changes the etag").status_code == 200
    after = client.get("/id/person/lyushkov.ttl", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert "changes the etag" in after.text


# --- through a store: which graphs an update names, and the log's aborted transactions --------------------

@pytest.mark.parametrize("text, named", [
    ("PREFIX n: <urn:example:> BASE <http://example.org/a/> INSERT { GRAPH n:notes { <s> <p> 1 } } "
     "WHERE { GRAPH <../g> { ?s ?p ?o } }", {"urn:example:", "urn:example:notes", "http://example.org/a/",
                                                   "http://example.org/a/s", "http://example.org/a/p",
                                                   "http://example.org/g"}),
    ("WITH <urn:w> DELETE { ?s ?p ?o } USING <urn:u> WHERE { ?s ?p ?o }", {"urn:w", "urn:u"}),
    ("MOVE <urn:a> TO <urn:b>", {"urn:a", "urn:b"}),
    ("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> 'GRAPH ?g { }' } }", {"urn:g", "urn:s", "urn:p"}),
    ("DELETE WHERE { GRAPH ?g { <urn:s> ?p ?o } }", None),
    ("DELETE WHERE { GRAPH $g { <urn:s> ?p ?o } }", None),
    ("CLEAR ALL", None),
    ("DROP SILENT NAMED", None),
])
def test_the_iris_an_update_names_resolved_or_none_for_graphs_by_variable(text, named):
    from koryo_kg.endpoint.updates import _named_iris

    assert _named_iris(text, "http://127.0.0.1:5000/sparql") == named


def test_an_aborted_transaction_is_skipped_by_every_reader(tmp_path):
    import pyoxigraph

    from koryo_kg.endpoint.updates import UpdateLog

    quad = pyoxigraph.Quad(pyoxigraph.NamedNode(LYUSHKOV), pyoxigraph.NamedNode("urn:p"), pyoxigraph.Literal("x"),
                           pyoxigraph.NamedNode(NOTES))
    writer, reader = UpdateLog(tmp_path / "log.rdfp"), UpdateLog(tmp_path / "log.rdfp")
    with writer.lock():
        writer.begin([], [quad])
        assert reader.new_transactions() == [] and reader.read_to == 0  # open: still being written
        writer.end(committed=False)
        writer.append([], [quad])
    assert reader.new_transactions() == [([], [quad])] and reader.read_to == writer.read_to
    assert (tmp_path / "log.rdfp").read_bytes().count(b"TA .\n") == 1
