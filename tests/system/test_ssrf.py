"""SERVICE and LOAD against real `koryo-kg serve` processes: a loopback sink must hear nothing from hostile
spellings (comments ended by CR/LF/CRLF/U+2028, codepoint escapes, case, prefixed names, BASE, nesting),
an allowed SERVICE does reach it, and a failed call tells nothing about the remote side. Also the canonical
text on the competency questions, relative IRIs, and using-graph-uri. KORYO_KG_SSRF_VARIANTS=5000 for more."""

from __future__ import annotations

import json
import os
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph
import pytest
import requests

from conftest import ROOT, Server, free_port
from koryo_kg.query.sparql_text import outline

TOKEN = "a-long-random-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
SECRET = "remote-secret-body"
QUERIES = sorted((ROOT / "queries").glob("*.rq"))


class Sink:
    """An HTTP server on loopback that records every request and answers one SPARQL JSON row, or an error
    holding SECRET under /error."""

    def __init__(self):
        heard = self.heard = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                heard.append(self.path)
                if self.path.startswith("/error"):
                    body, status, kind = SECRET.encode(), 500, "text/plain"
                else:
                    body = json.dumps({"head": {"vars": ["sink"]}, "results": {"bindings": [
                        {"sink": {"type": "literal", "value": "from the sink"}}]}}).encode()
                    status, kind = 200, "application/sparql-results+json"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def sink():
    sink = Sink()
    yield sink
    sink.server.shutdown()
    sink.server.server_close()


@pytest.fixture(scope="module")
def guarded(home, sink, tmp_path_factory):
    """A server with the update token that allows SERVICE to two IRIs on the sink and one on a closed port."""
    folder = tmp_path_factory.mktemp("ssrf")
    (folder / "token").write_text(TOKEN + "\n")
    closed = free_port()
    server = Server(home, "--update-token-file", str(folder / "token"), "--update-log", str(folder / "log.rdfp"),
                    "--workers", "1", "--allow-service", f"http://127.0.0.1:{sink.port}/allowed",
                    "--allow-service", f"http://127.0.0.1:{sink.port}/error",
                    "--allow-service", f"http://127.0.0.1:{closed}/error")
    server.closed = closed
    yield server
    server.stop()


def _escaped(word: str, rng: random.Random) -> str:
    """`word` in random case with some letters as \\u or \\U codepoint escapes."""
    out = []
    for letter in word:
        letter = letter.upper() if rng.random() < 0.5 else letter.lower()
        roll = rng.random()
        out.append(f"\\u{ord(letter):04X}" if roll < 0.2 else f"\\U{ord(letter):08x}" if roll < 0.3 else letter)
    return "".join(out)


COMMENT_ENDS = ["\r", "\n", "\r\n", "\u2028"]
NESTS = ["@", "OPTIONAL { @ }", "{ ?a ?b ?c } UNION { @ }", "?a ?b ?c MINUS { @ }", "{ SELECT * WHERE { @ } }",
         "FILTER EXISTS { @ }", "FILTER NOT EXISTS { @ }", "GRAPH ?g { @ }", "BIND(<urn:a\\u0041#x> AS ?z) @",
         'BIND("x\\" } # " AS ?q) @', "BIND('''fake ''' } ''' AS ?q) @"]  # @: where the call goes


def hostile(port: int, count: int, seed: int = 11) -> list[str]:
    """SERVICE and LOAD spellings pyoxigraph would execute, each aimed at the sink."""
    rng = random.Random(seed)
    variants = []
    for _ in range(count):
        path = rng.choice(["x", "y#frag", "allowed/../x", "q?a=1"])
        prefix, target = "", f"<http://127.0.0.1:{port}/{path}>"
        style = rng.random()
        if style < 0.2:
            prefix, target = f"PREFIX s: <http://127.0.0.1:{port}/> ", "s:x"
        elif style < 0.3:
            prefix, target = f"BASE <http://127.0.0.1:{port}/> ", "<x>"
        elif style < 0.45:
            target = "<" + "".join(f"\\u{ord(c):04x}" if rng.random() < 0.3 else c
                                   for c in f"http://127.0.0.1:{port}/{path}") + ">"
        comment = f"# note{rng.choice(COMMENT_ENDS)}" if rng.random() < 0.6 else ""
        silent = _escaped("SILENT", rng) + " " if rng.random() < 0.3 else ""
        if rng.random() < 0.25:
            variants.append(f"{prefix}{comment}{_escaped('LOAD', rng)} {silent}{target} INTO GRAPH <urn:x>")
            continue
        call = f"{comment}{_escaped('SERVICE', rng)} {silent}{target} {{ ?s ?p ?o }}"
        variants.append(f"{prefix}SELECT * WHERE {{ {rng.choice(NESTS).replace('@', call)} }}")
    return variants


VARIANTS = int(os.environ.get("KORYO_KG_SSRF_VARIANTS", "300"))


def test_the_reported_bypasses_reach_nothing(server, guarded, sink):
    port = sink.port
    reported = [f"SELECT * WHERE {{ # note\rSERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ BIND(<urn:a\\u0041#x> AS ?z) SERVICE <http://127.0.0.1:{port}/y> {{ ?s ?p ?o }} }}"]
    for query in reported:
        response = requests.get(server.url, params={"query": query}, headers=JSON)
        assert response.status_code == 403, response.text
    load = requests.post(guarded.url, data={"update": f"# c\rLOAD <http://127.0.0.1:{port}/x> INTO GRAPH <urn:x>"},
                         headers=AUTH)
    assert load.status_code == 403, load.text
    assert sink.heard == []


def test_hostile_spellings_reach_nothing(server, guarded, sink):
    session = requests.Session()
    for text in hostile(sink.port, VARIANTS):
        for url, name, headers in ((server.url, "query", JSON), (guarded.url, "update", AUTH),
                                   (guarded.url, "query", JSON)):
            response = session.post(url, data={name: text}, headers=headers)
            # after "# note" + U+2028 the call is still comment: nothing to run, so an update may be a 200
            benign = response.status_code == 200 and "\u2028" in text
            assert 400 <= response.status_code < 500 or benign, (text, response.status_code, response.text)
            assert "from the sink" not in response.text
    assert sink.heard == []


def test_an_allowed_service_reaches_the_sink_and_no_other(guarded, sink):
    allowed = f"SELECT ?sink WHERE {{ SERVICE <http://127.0.0.1:{sink.port}/allowed> {{ ?sink ?p ?o }} }}"
    response = requests.get(guarded.url, params={"query": allowed}, headers=JSON)
    assert response.status_code == 200, response.text
    assert "from the sink" in response.text and sink.heard
    sink.heard.clear()
    other = requests.get(guarded.url, params={"query": allowed.replace("/allowed", "/other")}, headers=JSON)
    assert other.status_code == 403 and sink.heard == []


def test_a_failed_service_call_tells_nothing_about_the_remote_side(guarded, sink):
    def call(port):
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/error> {{ ?s ?p ?o }} }}"
        response = requests.get(guarded.url, params={"query": query}, headers=JSON)
        return response.status_code, response.text.replace(str(port), "PORT")

    open_port, closed_port = call(sink.port), call(guarded.closed)
    assert open_port == closed_port
    assert open_port[0] == 502 and SECRET not in open_port[1] and "refused" not in open_port[1].lower()
    sink.heard.clear()


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_the_canonical_text_answers_as_the_original(store, query):
    text = query.read_text(encoding="utf-8")
    original, canonical = store.query(text), store.query(outline(text).text)
    assert type(original) is type(canonical)
    if isinstance(original, pyoxigraph.QuerySolutions):
        assert [[s[v] for v in original.variables] for s in original] == \
               [[s[v] for v in canonical.variables] for s in canonical]
    elif isinstance(original, pyoxigraph.QueryBoolean):
        assert bool(original) == bool(canonical)
    else:
        assert set(original) == set(canonical)


def test_strings_and_escapes_survive_the_canonical_text():
    store = pyoxigraph.Store()
    text = "SELECT ?a ?b ?c WHERE { BIND('''two\nlines \" ''' AS ?a) BIND(\"\\\\u0041\" AS ?b) BIND(\"\\u00e9\" AS ?c) }"
    original, canonical = store.query(text), store.query(outline(text).text)
    assert [list(s) for s in original] == [list(s) for s in canonical]


def test_text_the_terminals_do_not_cover_is_a_syntax_error(server):
    response = requests.get(server.url, params={"query": "SELECT * WHERE { ?s ?p ?o \u2028 }"})
    assert response.status_code == 400 and "SPARQL syntax error at 1:" in response.text


def test_relative_iris_resolve_against_the_endpoint(server):
    response = requests.get(server.url, params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
                            headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    assert f"<{server.url.rsplit('/', 1)[0]}/s>" in response.text


def test_using_graph_uri_is_the_where_clauses_dataset(guarded):
    notes = "urn:example:ssrf-notes"
    insert = requests.post(guarded.url, headers=AUTH, data={
        "update": f"INSERT DATA {{ GRAPH <{notes}> {{ <urn:a> <urn:p> <urn:b> }} }}"})
    assert insert.status_code == 200, insert.text
    copy = "INSERT { GRAPH <urn:example:ssrf-copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
    response = requests.post(guarded.url, headers=AUTH, data={"update": copy, "using-graph-uri": notes})
    assert response.status_code == 200 and "1 added" in response.text, response.text
    conflict = requests.post(guarded.url, headers=AUTH, data={
        "update": copy.replace("WHERE", f"USING <{notes}> WHERE"), "using-graph-uri": notes})
    assert conflict.status_code == 400 and "once" in conflict.text
    with_clause = requests.post(guarded.url, headers=AUTH, data={
        "update": f"WITH <{notes}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", "using-named-graph-uri": notes})
    assert with_clause.status_code == 400
