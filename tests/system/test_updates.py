"""SPARQL Update over real HTTP against `koryo-kg serve --update-token-file`, once per engine (embedded, and
`serve --store` on Oxigraph server and on Virtuoso): an update is seen by every worker process, and kept
across a restart. Each test makes its own state: a notes graph of its own (a store outlives the tests), and a
server and a log of its own. The token, the shapes, atomicity and the refusals, in process:
tests/unit/test_updates.py; through front ends on a store: tests/system/test_serve_store.py."""

import re

import pytest
import requests

from conftest import Server
from stores import ENGINES, published, store_front_end

TOKEN = "a-long-random-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LYUSHKOV = "https://w3id.org/koryo-kg/id/person/lyushkov"


@pytest.fixture(params=ENGINES)
def serve(request, home, tmp_path):
    """serve(): a server with the token and two worker processes on the test's own log, on the engine."""
    (tmp_path / "token").write_text(TOKEN + "\n")
    args = ("--update-token-file", str(tmp_path / "token"), "--update-log", str(tmp_path / "log.rdfp"), "--workers", "2")
    if request.param == "embedded":
        return lambda: Server(home, *args)
    store = published(home, request, request.param)
    return lambda: store_front_end(home, store, *args)


@pytest.fixture
def notes_graph(request) -> str:
    return "urn:example:notes:" + re.sub(r"\W", "-", request.node.name)


def note(graph: str, text: str) -> str:
    return f'INSERT DATA {{ GRAPH <{graph}> {{ <{LYUSHKOV}> <http://www.w3.org/2000/01/rdf-schema#comment> "{text}" }} }}'


def notes(server, graph) -> set[str]:
    response = requests.get(server.url, params={"query": f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return {b["o"]["value"] for b in response.json()["results"]["bindings"]}


def update(server, text, headers=AUTH, as_body=False):
    if as_body:
        return requests.post(server.url, data=text.encode("utf-8"),
                             headers={**headers, "Content-Type": "application/sparql-update"})
    return requests.post(server.url, data={"update": text}, headers=headers)


def test_an_update_commits_and_every_process_sees_it(serve, notes_graph):
    server = serve()
    try:
        text = "Люшков — a scholar's note"
        response = update(server, note(notes_graph, text), as_body=True)
        assert response.status_code == 200, response.text
        assert "1 added" in response.text
        # each request opens its own connection, so the two worker processes both answer some of these
        assert all(notes(server, notes_graph) == {text} for _ in range(12))
    finally:
        server.stop()


def test_updates_persist_across_a_restart(serve, notes_graph):
    first = serve()
    try:
        assert update(first, note(notes_graph, "kept")).status_code == 200
    finally:
        first.stop()
    again = serve()
    try:
        assert notes(again, notes_graph) == {"kept"}
    finally:
        again.stop()
