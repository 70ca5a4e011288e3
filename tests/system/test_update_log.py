"""The update log against crashes and odd text, over real server processes: a literal with U+2028, U+2029 or
U+0085 is read back the same by every worker and after a restart; a torn tail is set aside in a side file with
its byte offset said; a kill -9 loses no acknowledged update. The first and the last run once per engine
(embedded, and `serve --store` on Oxigraph server and on Virtuoso, where what is read back comes from the
store); the torn tail is the embedded log's (a front end on a store does not replay the log into the store).
The log's reading and writing on files, and `serve` stopping at a damaged line:
tests/unit/test_update_log.py and tests/unit/test_cli.py."""

import os
import signal
import threading

import pytest
import requests

from conftest import Server
from stores import ENGINES, published, store_front_end

TOKEN = "another-long-random-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOTES = "urn:example:notes"
SUBJECT = "https://w3id.org/koryo-kg/id/person/lyushkov"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
ODD = ["line\u2028separator", "paragraph\u2029separator", "next\u0085line", "carriage\rreturn", "emoji 😀",
       "combining e\u0301"]


def serve(home, folder, workers="2", store=None):
    """A server with the token on the folder's log: embedded, or a front end on `store`."""
    (folder / "token").write_text(TOKEN + "\n")
    args = ("--update-token-file", str(folder / "token"), "--update-log", str(folder / "log.rdfp"), "--workers", workers)
    return store_front_end(home, store, *args) if store else Server(home, *args)


@pytest.fixture(params=ENGINES)
def engine(request, home):
    """(None for the embedded engine, else the published store; a notes graph of the test's own, since a store
    outlives the tests)."""
    graph = f"urn:example:notes:{request.node.originalname}:{request.param}"
    return None if request.param == "embedded" else published(home, request, request.param), graph


def insert(server, value, graph=NOTES):
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")
    text = f'INSERT DATA {{ GRAPH <{graph}> {{ <{SUBJECT}> <{COMMENT}> "{escaped}" }} }}'
    return requests.post(server.url, data={"update": text}, headers=AUTH, timeout=30)


def notes(server, graph=NOTES) -> set[str]:
    response = requests.get(server.url, params={"query": f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return {b["o"]["value"] for b in response.json()["results"]["bindings"]}


def test_odd_characters_are_read_back_the_same_by_every_worker_and_after_a_restart(home, tmp_path, engine):
    store, graph = engine
    server = serve(home, tmp_path, store=store)
    try:
        for value in ODD:
            assert insert(server, value, graph).status_code == 200
        # each request opens its own connection, so both workers answer some of these
        assert all(notes(server, graph) == set(ODD) for _ in range(20))
    finally:
        server.stop()
    again = serve(home, tmp_path, store=store)
    try:
        assert all(notes(again, graph) == set(ODD) for _ in range(20))
    finally:
        log = again.stop()
    assert "Traceback" not in log


def _quad(value, graph=f"<{NOTES}>"):
    return f'<{SUBJECT}> <{COMMENT}> {value} {graph} .\n'


KEPT = "TX .\n" + "A " + _quad('"acknowledged"') + "TC .\n"
# the second A line would end in "TC .\n" (a blank node _:TC in the default graph): never mistaken for a TC line
LAST = "TX .\n" + "A " + _quad('"torn"') + "A " + _quad("_:TC", graph="") + "TC .\n"


def test_a_torn_tail_is_set_aside_and_the_server_starts(home, tmp_path):
    # one place of the tear: the log's own reading of each place is in tests/unit/test_update_log.py
    cut = len(LAST) - 6  # after the A line that ends in "TC .\n"
    log = tmp_path / "log.rdfp"
    log.write_bytes((KEPT + LAST[:cut]).encode())
    server = serve(home, tmp_path, workers="1")
    try:
        assert notes(server) == {"acknowledged"}
        assert insert(server, "after the tear").status_code == 200
        assert notes(server) == {"acknowledged", "after the tear"}
    finally:
        output = server.stop()
    offset = len(KEPT.encode())
    assert (tmp_path / f"log.rdfp.torn-{offset}").read_bytes() == LAST[:cut].encode()
    assert f"at byte {offset}" in output and "set aside" in output
    assert log.read_bytes().startswith(KEPT.encode() + b"TX .\n")


def test_an_update_acknowledged_before_a_kill_9_is_kept(home, tmp_path, engine):
    store, graph = engine
    server = serve(home, tmp_path, store=store)
    acknowledged, stop = [], threading.Event()

    def send():
        number = 0
        while not stop.is_set():
            number += 1
            try:
                if insert(server, f"value {number}", graph).status_code == 200:
                    acknowledged.append(f"value {number}")
            except requests.RequestException:
                return

    sender = threading.Thread(target=send)
    sender.start()
    try:
        for _ in range(600):
            if len(acknowledged) >= 10:
                break
            stop.wait(0.1)
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=30)
        server.stop()  # the process is gone: this only closes its log
    finally:
        stop.set()
        sender.join(timeout=60)
    assert len(acknowledged) >= 10
    again = serve(home, tmp_path, store=store)
    try:
        assert set(acknowledged) <= notes(again, graph)
    finally:
        again.stop()
