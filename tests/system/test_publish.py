"""`koryo-kg publish` against real stores on 127.0.0.1 (Oxigraph server and Virtuoso, tests/stores.py): every
graph arrives whole, a second run replaces rather than adds, readers never see half of a publish, and every
failure (an unreachable store, refused credentials, a literal the store changes) says why, exits 4 and
leaves the dataset published before in place."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pyoxigraph
import pytest
import requests

from conftest import ROOT, free_port, koryo_kg, synthetic_register
from koryo_kg.build.cache import BuildCache
from koryo_kg.build.publish import STAGING, PublishFailed, publish
from koryo_kg.vocab import Graphs
from stores import client_for, publish_command

COUNTS = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), \"" + STAGING
          + '") || STRSTARTS(STR(?g), "https://w3id.org/koryo-kg/graph/")) } GROUP BY ?g')


def stored_counts(server) -> dict[str, int]:
    """Triples per graph of ours (published and staging) in the store, read with plain HTTP."""
    response = requests.post(server.query, data={"query": COUNTS}, timeout=30,
                             headers={"Accept": "application/sparql-results+json"})
    response.raise_for_status()
    return {row["g"]["value"]: int(row["n"]["value"]) for row in response.json()["results"]["bindings"]}


def build_counts(home) -> dict[str, int]:
    cache = BuildCache(home)
    store = cache.open(cache.current_key())
    return {str(g): sum(1 for _ in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(str(g))))
            for g in Graphs.ALL}


def test_publish_puts_every_graph_and_a_second_run_replaces_it(home, sparql_server):
    expected = build_counts(home)
    for _ in range(2):
        result = koryo_kg(*publish_command(sparql_server), home=home)
        assert result.returncode == 0, result.stderr
        assert stored_counts(sparql_server) == expected  # no staging graph left, nothing doubled
    assert "published" in result.stdout and f"{expected[str(Graphs.DATA)]:>8} triples" in result.stdout


def test_publish_without_a_graph_store_endpoint_uses_updates(home, sparql_server):
    cache = BuildCache(home)
    key = cache.current_key()
    result = publish(cache.open(key), key, client_for(sparql_server, graphs=False), progress=lambda m: None)
    assert result.method == "update"
    assert stored_counts(sparql_server) == build_counts(home)


def test_blank_nodes_shared_by_two_graphs_stay_one_node(home, sparql_server):
    """The inferred graph types the data graph's time-spans: joining them across graphs must still work."""
    assert koryo_kg(*publish_command(sparql_server), home=home).returncode == 0
    query = """SELECT (COUNT(*) AS ?n) WHERE {
      GRAPH <https://w3id.org/koryo-kg/graph/data> { ?event <http://www.cidoc-crm.org/cidoc-crm/P4_has_time-span> ?span }
      GRAPH <https://w3id.org/koryo-kg/graph/inferred> { ?span a ?type } }"""
    embedded = BuildCache(home).open(BuildCache(home).current_key())
    want = int(next(iter(embedded.query(query)))["n"].value)
    response = requests.post(sparql_server.query, data={"query": query}, timeout=30,
                             headers={"Accept": "application/sparql-results+json"})
    assert want > 0
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == want


def test_a_graph_is_published_in_documents_that_keep_each_blank_node_whole(home, sparql_server, monkeypatch):
    """A large graph goes in Graph Store documents of CHUNK triples (a PUT, then POSTs): made small here, the
    build's graphs take many documents each, and the blank nodes of its time-spans must stay one node each."""
    from koryo_kg.build import publish as publishing

    monkeypatch.setattr(publishing, "CHUNK", 300)
    documents = []
    client = client_for(sparql_server)
    for name in ("put_graph", "post_graph"):
        sent = getattr(client, name)
        monkeypatch.setattr(client, name, lambda *a, sent=sent, name=name: (documents.append(name), sent(*a))[1])
    cache = BuildCache(home)
    publish(cache.open(cache.current_key()), cache.current_key(), client, progress=lambda m: None)
    assert documents.count("post_graph") > 10 and documents.count("put_graph") == len(Graphs.ALL)
    assert stored_counts(sparql_server) == build_counts(home)
    spans = """SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/koryo-kg/graph/data> {
      ?event <http://www.cidoc-crm.org/cidoc-crm/P4_has_time-span> ?span .
      ?span <http://www.cidoc-crm.org/cidoc-crm/P82a_begin_of_the_begin> ?begin } }"""
    want = int(next(iter(cache.open(cache.current_key()).query(spans)))["n"].value)
    response = requests.post(sparql_server.query, data={"query": spans}, timeout=30,
                             headers={"Accept": "application/sparql-results+json"})
    assert want > 0 and int(response.json()["results"]["bindings"][0]["n"]["value"]) == want


REGISTER = "https://w3id.org/koryo-kg/graph/include/register"


def test_publish_include_puts_the_registers_graph_and_a_build_without_it_drops_it(home, sparql_server, tmp_path):
    """`publish --include DIR` publishes the folder's graph beside the build's; a later publish of a build
    without it drops it in the same swap (`serve --store` serves every graph of ours the store holds)."""
    register = tmp_path / "register"
    synthetic_register(300, register, violations=0)
    with_register = tmp_path / "home"  # a build of its own, leaving the session's current one alone
    result = koryo_kg(*publish_command(sparql_server, "--include", str(register)), home=with_register)
    assert result.returncode == 0, result.stderr
    expected = {**build_counts(with_register), REGISTER: sum(1 for _ in BuildCache(with_register).open(
        BuildCache(with_register).current_key()).quads_for_pattern(None, None, None, pyoxigraph.NamedNode(REGISTER)))}
    assert expected[REGISTER] > 1000 and f"include/register  {expected[REGISTER]:>8} triples" in result.stdout
    assert stored_counts(sparql_server) == expected
    again = koryo_kg(*publish_command(sparql_server), home=home)
    assert again.returncode == 0, again.stderr
    assert "removed include/register" in again.stdout and "removing include/register" in again.stderr
    assert stored_counts(sparql_server) == build_counts(home)


def test_publish_of_sources_that_do_not_build_publishes_nothing(home, oxigraph_server, tmp_path):
    """A register with violations stops the publish at its file and line (exit 1): the last good build is not
    published in its place, and the store keeps what it had."""
    assert koryo_kg(*publish_command(oxigraph_server), home=home).returncode == 0
    before = stored_counts(oxigraph_server)
    register = tmp_path / "register"
    synthetic_register(300, register)
    result = koryo_kg(*publish_command(oxigraph_server, "--include", str(register)), home=home)
    assert result.returncode == 1 and "register/persons-001.ttl:14:1: violation" in result.stderr
    assert "published" not in result.stdout and "Traceback" not in result.stderr
    assert stored_counts(oxigraph_server) == before


def _smaller(home) -> tuple[pyoxigraph.Store, str]:
    """The build without some of its data and inferred triples: a second dataset to tell apart by its counts."""
    cache = BuildCache(home)
    smaller = pyoxigraph.Store()
    for graph in Graphs.ALL:
        quads = list(cache.open(cache.current_key()).quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph)))
        smaller.extend(quads[:len(quads) // 2] if graph in (Graphs.DATA, Graphs.INFERRED) else quads)
    return smaller, "0" * 64


def _reads_during_publishes(home, server) -> tuple[list[dict], dict, dict]:
    """What a reader polling the graphs' counts saw while two datasets were published by turns."""
    cache = BuildCache(home)
    key = cache.current_key()
    client = client_for(server)
    smaller, smaller_key = _smaller(home)
    half = {str(g): sum(1 for _ in smaller.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(str(g))))
            for g in Graphs.ALL}
    publish(cache.open(key), key, client, progress=lambda m: None)
    seen, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            counts = stored_counts(server)
            seen.append({g: n for g, n in counts.items() if not g.startswith(STAGING)})

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            publish(smaller, smaller_key, client, progress=lambda m: None)
            publish(cache.open(key), key, client, progress=lambda m: None)
    finally:
        stop.set()
        reader.join(timeout=60)
    return seen, build_counts(home), half


def test_oxigraph_readers_see_the_old_dataset_or_the_new_one_never_a_mix(home, oxigraph_server):
    """Oxigraph runs the one update of MOVEs as one transaction: a reader sees one dataset or the other."""
    seen, whole, half = _reads_during_publishes(home, oxigraph_server)
    mixed = [counts for counts in seen if counts not in (whole, half)]
    assert not mixed, f"{len(mixed)} of {len(seen)} reads saw a mix, such as {mixed[0]}"
    assert whole in seen and half in seen
    assert stored_counts(oxigraph_server) == whole


def test_virtuoso_readers_may_see_a_swap_half_done(home, virtuoso_server):
    """Virtuoso's readers see a MOVE in progress (its reads are not isolated from a running update): the
    README says so. A graph mid-MOVE may even hold the old build's triples and the new one's together (seen in
    CI: more than either build's count), never more than both; only our graphs are ever seen; and before and
    after the swap every graph is whole."""
    seen, whole, half = _reads_during_publishes(home, virtuoso_server)
    assert whole in seen and half in seen
    for counts in seen:
        assert set(counts) <= set(whole)
        assert all(n <= whole[g] + half[g] for g, n in counts.items())
    assert stored_counts(virtuoso_server) == whole


def test_a_store_that_changes_a_literal_fails_the_publish_and_keeps_the_old_dataset(home, virtuoso_server):
    """Virtuoso takes "abc"^^xsd:integer and keeps 0: publish reads every graph back and refuses that."""
    assert koryo_kg(*publish_command(virtuoso_server), home=home).returncode == 0
    before = stored_counts(virtuoso_server)
    odd, _ = _smaller(home)
    odd.add(pyoxigraph.Quad(pyoxigraph.NamedNode("https://w3id.org/koryo-kg/id/person/odd"),
                            pyoxigraph.NamedNode("https://w3id.org/koryo-kg/ontology#value"),
                            pyoxigraph.Literal("abc", datatype=pyoxigraph.NamedNode(
                                "http://www.w3.org/2001/XMLSchema#integer")),
                            pyoxigraph.NamedNode(str(Graphs.DATA))))
    with pytest.raises(PublishFailed, match=r'did not keep 1 triple\(s\) of graph data as they are: .*"abc"'):
        publish(odd, "1" * 64, client_for(virtuoso_server), progress=lambda m: None)
    assert stored_counts(virtuoso_server) == before  # the staging graphs are gone, the published ones intact


def test_refused_credentials_exit_4_and_are_never_shown(home, virtuoso_server, tmp_path):
    assert koryo_kg(*publish_command(virtuoso_server), home=home).returncode == 0
    before = stored_counts(virtuoso_server)
    secret = "not-the-password-7f3a9c"
    wrong = tmp_path / "wrong"
    wrong.write_text(f"dba:{secret}\n")
    base = ["publish", "--store", virtuoso_server.query, "--store-update", virtuoso_server.update,
            "--store-graphs", virtuoso_server.graphs]
    for result in (koryo_kg(*base, "--store-credentials", str(wrong), home=home),
                   _with_environment(base, {"KORYO_KG_STORE_CREDENTIALS": f"dba:{secret}"}, home)):
        assert result.returncode == 4, result.stderr
        assert "refused the credentials" in result.stderr and "unchanged" in result.stderr
        assert secret not in result.stdout + result.stderr and "Traceback" not in result.stderr
    none = koryo_kg(*base, home=home)
    assert none.returncode == 4 and "wants credentials" in none.stderr
    assert stored_counts(virtuoso_server) == before


def _with_environment(arguments, variables, home):
    env = {**os.environ, "KORYO_KG_HOME": str(home), **variables}
    return subprocess.run([sys.executable, "-m", "koryo_kg.cli", *arguments], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_an_unreachable_store_exits_4_with_the_reason(home):
    result = koryo_kg("publish", "--store", f"http://127.0.0.1:{free_port()}/query", home=home)
    assert result.returncode == 4
    assert "cannot be reached (Connection refused)" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("arguments, message", [
    (["--store", "ftp://127.0.0.1/sparql"], "must be an http or https URL"),
    (["--store", "http://dba:hunter2@127.0.0.1:1/sparql"], "must not carry credentials"),
    (["--store", "http://127.0.0.1:99999999/sparql"], "is not a URL"),
    (["--store", "http://127.0.0.1:1/sparql", "--store-credentials", "/nonexistent/credentials"],
     "cannot read the store's credentials"),
])
def test_bad_input_exits_2(home, arguments, message):
    result = koryo_kg("publish", *arguments, home=home)
    assert result.returncode == 2 and message in result.stderr
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr


def test_credentials_that_are_not_user_colon_password_exit_2(home, tmp_path):
    bad = tmp_path / "credentials"
    bad.write_text("just-a-password\n")
    result = koryo_kg("publish", "--store", "http://127.0.0.1:1/query", "--store-credentials", str(bad), home=home)
    assert result.returncode == 2 and "user:password" in result.stderr and "just-a-password" not in result.stderr


def test_a_store_that_pauses_while_it_reads_a_large_body_still_gets_it_all(monkeypatch):
    """Oxigraph server loads a PUT's graph as it reads it and stops reading meanwhile: a pause longer than the
    connect timeout must not end the upload (urllib3 sends a body under the connect timeout)."""
    import socket

    from koryo_kg.stores import client as store_client

    monkeypatch.setattr(store_client, "CONNECT", 0.5)
    body = b"<urn:s> <urn:p> <urn:o> .\n" * 400_000  # 10 MB: more than the socket buffers hold
    received = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(30)

    def store():
        connection, _ = listener.accept()
        data = b""
        while b"\r\n\r\n" not in data:
            data += connection.recv(65536)
        head, rest = data.split(b"\r\n\r\n", 1)
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
        threading.Event().wait(1.5)  # three connect timeouts without reading
        while len(rest) < length:
            rest += connection.recv(65536)
        received.append(rest)
        connection.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        connection.close()

    thread = threading.Thread(target=store, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    client = store_client.StoreClient(store_client.Endpoints(f"{url}/query", f"{url}/update", f"{url}/store"))
    client.put_graph("urn:g", body, "application/n-triples", timeout=20)
    thread.join(20)
    listener.close()
    assert received == [body]
