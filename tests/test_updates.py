"""SPARQL Update behind a bearer token, over real HTTP against `koryo-kg serve --update-token-file`: refused
without the token, validated against the shapes before it commits, atomic, seen by every server process, and
kept across a restart."""

import pytest
import requests
from rdflib import Graph

from conftest import Server, koryo_kg

TOKEN = "a-long-random-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOTES = "urn:example:notes"
DATA = "https://w3id.org/koryo-kg/graph/data"
LYUSHKOV = "https://w3id.org/koryo-kg/id/person/lyushkov"
NOTE = f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{LYUSHKOV}> <http://www.w3.org/2000/01/rdf-schema#comment> "%s" }} }}'
UNLABELLED_PERSON = (f"INSERT DATA {{ GRAPH <{DATA}> {{ <https://w3id.org/koryo-kg/id/person/nobody> a "
                     "<https://w3id.org/koryo-kg/ontology#Person> } }")


@pytest.fixture(scope="module")
def updatable(home, tmp_path_factory):
    folder = tmp_path_factory.mktemp("updates")
    (folder / "token").write_text(TOKEN + "\n")
    args = ("--update-token-file", str(folder / "token"), "--update-log", str(folder / "log.rdfp"), "--workers", "2")
    server = Server(home, *args)
    yield server
    server.stop()


def notes(server) -> set[str]:
    response = requests.get(server.url, params={"query": f"SELECT ?o WHERE {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }}"},
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return {b["o"]["value"] for b in response.json()["results"]["bindings"]}


def update(server, text, headers=AUTH, as_body=False):
    if as_body:
        return requests.post(server.url, data=text.encode("utf-8"),
                             headers={**headers, "Content-Type": "application/sparql-update"})
    return requests.post(server.url, data={"update": text}, headers=headers)


def test_without_the_token_nothing_changes(updatable):
    missing = update(updatable, NOTE % "unauthorised", headers={})
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="koryo-kg"'
    wrong = update(updatable, NOTE % "unauthorised", headers={"Authorization": "Bearer guess"}, as_body=True)
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert "unauthorised" not in notes(updatable)


def test_an_update_commits_and_every_process_sees_it(updatable):
    note = "Люшков — a scholar's note"
    response = update(updatable, NOTE % note, as_body=True)
    assert response.status_code == 200, response.text
    assert "1 added" in response.text
    # each request opens its own connection, so the two worker processes both answer some of these
    assert all(note in notes(updatable) for _ in range(12))


def test_an_update_that_violates_the_shapes_is_refused_whole(updatable):
    both = NOTE % "part of a refused update" + " ; " + UNLABELLED_PERSON
    response = update(updatable, both)
    assert response.status_code == 422
    assert "needs an rdfs:label in English" in response.text
    assert "part of a refused update" not in notes(updatable)  # atomic: the valid half was not kept either
    ask = requests.get(updatable.url, params={"query": "ASK { <https://w3id.org/koryo-kg/id/person/nobody> ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is False


@pytest.mark.parametrize("text, status, reason", [
    ("INSERT DATA { <a:b> <a:c> ", 400, "syntax"),
    ("DELETE WHERE { GRAPH <https://w3id.org/koryo-kg/graph/shapes> { ?s ?p ?o } }", 403, "the build makes"),
    ("LOAD <http://example.org/data.ttl>", 403, "fetches no URL"),
    ("", 400, "empty"),
])
def test_bad_updates_are_refused_with_the_reason(updatable, text, status, reason):
    response = update(updatable, text)
    assert response.status_code == status
    assert reason in response.text


def test_updates_come_by_post_with_the_token(updatable):
    assert requests.get(updatable.url, params={"update": NOTE % "by get"}, headers=AUTH).status_code == 400
    assert requests.post(updatable.url, data={"update": NOTE % "x", "query": "ASK {}"}, headers=AUTH).status_code == 400
    assert "by get" not in notes(updatable)


def test_the_service_description_says_updates_are_on(updatable):
    description = Graph().parse(data=requests.get(updatable.url, headers={"Accept": "text/turtle"}).text,
                                format="turtle")
    languages = {str(o) for o in description.objects(predicate=None) if str(o).endswith("Update")}
    assert "http://www.w3.org/ns/sparql-service-description#SPARQL11Update" in languages


def test_entity_documents_change_their_etag_with_an_update(updatable):
    page = updatable.url.replace("/sparql", "/id/person/lyushkov.ttl")
    before = requests.get(page)
    assert update(updatable, NOTE % "changes the etag").status_code == 200
    after = requests.get(page, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


def test_updates_persist_across_a_restart(home, tmp_path):
    # a server of its own: stopping the module's would fail the tests that come after this one
    (tmp_path / "token").write_text(TOKEN + "\n")
    args = ("--update-token-file", str(tmp_path / "token"), "--update-log", str(tmp_path / "log.rdfp"))
    first = Server(home, *args)
    try:
        assert update(first, NOTE % "kept").status_code == 200
    finally:
        first.stop()
    again = Server(home, *args)
    try:
        assert notes(again) == {"kept"}
    finally:
        again.stop()


def test_an_empty_token_file_is_a_usage_error(home, tmp_path):
    (tmp_path / "token").write_text("\n")
    result = koryo_kg("serve", "--update-token-file", str(tmp_path / "token"), home=home)
    assert result.returncode == 2
    assert "is empty" in result.stderr and "Traceback" not in result.stderr
