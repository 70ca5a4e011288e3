"""SPARQL Update over real HTTP against `koryo-kg serve --update-token-file`: an update is seen by every worker
process, and kept across a restart. Each test makes its own state: a note of its own, or a server of its own.
The token, the shapes, atomicity and the refusals, in process: tests/unit/test_updates.py."""

import pytest
import requests

from conftest import Server

TOKEN = "a-long-random-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOTES = "urn:example:notes"
LYUSHKOV = "https://w3id.org/koryo-kg/id/person/lyushkov"
NOTE = f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{LYUSHKOV}> <http://www.w3.org/2000/01/rdf-schema#comment> "%s" }} }}'


@pytest.fixture
def updatable(home, tmp_path):
    """Two worker processes on a log of the test's own."""
    (tmp_path / "token").write_text(TOKEN + "\n")
    args = ("--update-token-file", str(tmp_path / "token"), "--update-log", str(tmp_path / "log.rdfp"), "--workers", "2")
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


def test_an_update_commits_and_every_process_sees_it(updatable):
    note = "Люшков — a scholar's note"
    response = update(updatable, NOTE % note, as_body=True)
    assert response.status_code == 200, response.text
    assert "1 added" in response.text
    # each request opens its own connection, so the two worker processes both answer some of these
    assert all(notes(updatable) == {note} for _ in range(12))


def test_updates_persist_across_a_restart(home, tmp_path):
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
