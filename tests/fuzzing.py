"""A bounded HTTP fuzzer for a running `koryo-kg serve`: hostile and malformed requests, sent over raw sockets,
for the SPARQL endpoint and for every other route; what counts as a failure is a 5xx, a hang, or a server that
stops answering.

The requests are generated from a seed, so a failure can be replayed: each one is printed with the seed and
its number. The test suite runs a few hundred of each (tests/system/test_fuzz.py); the full run is

    python tests/fuzzing.py --url http://127.0.0.1:5000 --requests 10000

which exits 1 when any request failed. Only loopback servers are accepted: this is a load on purpose.
"""

from __future__ import annotations

import argparse
import random
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

QUERIES = sorted((Path(__file__).resolve().parents[1] / "queries").glob("*.rq"))
HANG = 60.0  # seconds without an answer that count as a hang (the fuzzed server's --timeout is far below)
DEADLINE_503 = b"ran longer than the server's limit"  # the documented answer to a query past --timeout

SPARQL_PIECES = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "[", "]", ".", ";", ",",
                 "?s", "?p", "?o", "$x", "*", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "SILENT",
                 "LOAD", "INSERT DATA", "DELETE WHERE", "CLEAR ALL", "BIND", "AS", "VALUES", "UNDEF", "GROUP BY",
                 "ORDER BY", "LIMIT 0", "LIMIT 99999999999999999999", "OFFSET -1", "REGEX(?o, \"(a+)+$\")",
                 "<http://127.0.0.1:9/x>", "<>", "<urn:x>", "<a b>", "\"", "'", "\"\"\"", "\\u0053", "\\U0001F600",
                 "# comment\r", "#\u2028", "\u0000", "\ud7ff", "é", "고려", "^^", "@en", "1e999", "-0", "rdf:type",
                 "kg:", "PREFIX kg: <https://w3id.org/koryo-kg/ontology#>", "BASE <http://127.0.0.1:9/>",
                 "FROM <http://127.0.0.1:9/>", "FROM NAMED <urn:x>", "COUNT(*)", "SAMPLE(", "GROUP_CONCAT(?o;",
                 "STRLEN(", "SHA512(", "NOW()", "UUID()", "IRI(\"javascript:alert(1)\")", "(" * 50, "{" * 50]
PATHS = ["/", "/sparql", "/id/person/genrikh-lyushkov", "/id/event/deportation-1937.html", "/id/event/x.ttl",
         "/id/", "/id/person/", "/ontology", "/ontology/0.1.0", "/ontology/9.9", "/shapes", "/search", "/timeline",
         "/validate", "/validation", "/dumps/koryo-kg.nq", "/dumps/koryo-kg.ttl.gz", "/dumps/", "/static/site.css",
         "/static/editor.js", "/static/../../pyproject.toml", "/.well-known/void", "/robots.txt", "/sitemap.xml",
         "/favicon.ico", "/dataset", "/graph/data", "/build/x", "/id/document/decree-1428-326cc.rdf"]
PATH_NOISE = ["", "/", "//", "/..", "/%2e%2e/", "%00", "%ff", "%", "%zz", ".html", ".ttl", ".jsonld", ".exe", "?", "#x",
              ";x=1", "~", "\u00e9", "%E2%80%A8", "a" * 300, "/" + "b/" * 200, "%2F", "\\", "*"]
ACCEPTS = ["*/*", "text/html", "text/turtle", "application/sparql-results+json", "application/json;q=0",
           "text/*;q=0.5, */*;q=0.1", "garbage", "", ";;;", "text/html;q=abc", "*/*;q=2", "a/b, " * 100,
           "application/ld+json", "application/rdf+xml", "text/csv", "image/png", "\u00e9/\u00e9"]
CONTENT_TYPES = ["application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
                 "text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
                 "multipart/form-data; boundary=xyz", "multipart/form-data", "text/plain", "", "garbage/;;",
                 "application/x-www-form-urlencoded; charset=latin1"]
BODIES = ["", "query=ASK{}", "update=CLEAR ALL", "query=%ff%fe", "<s> <p> <o> .", "@prefix : <urn:x#> . :a :b :c .",
          "<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", "{\"@id\": 1}",
          "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.ttl\"\r\n\r\n<a> <b> <c> .\r\n--xyz--\r\n",
          "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x.rdf\"\r\n\r\n<x/>\r\n--xyz--\r\n",
          "\x00" * 64, "query=" + "%7B" * 500, "\u2028\u2029\u0085"]
HEADERS = [("If-None-Match", "*"), ("If-None-Match", '"x", W/"y"'), ("If-Modified-Since", "yesterday"),
           ("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"), ("Range", "bytes=0-0"), ("Range", "bytes=-5,9-"),
           ("Range", "bytes=999999999-"), ("Accept-Encoding", "gzip"), ("Accept-Encoding", "gzip;q=0, br, *"),
           ("Accept-Encoding", "x" * 2000), ("Authorization", "Bearer x"), ("Authorization", "Basic !!!"),
           ("Origin", "http://evil.example"), ("Cookie", "a=" + "b" * 500), ("Accept-Language", "ko;q=0.9, *"),
           ("X-Forwarded-For", "1.2.3.4"), ("Access-Control-Request-Method", "PUT"), ("Expect", "100-continue"),
           ("Transfer-Encoding", "identity")]
METHODS = ["GET", "GET", "GET", "HEAD", "POST", "POST", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "BREW"]


@dataclass
class Outcome:
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    deadlines: int = 0  # 503s that are the documented --timeout answer
    failures: list[str] = field(default_factory=list)

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3, 4])):  # a third left whole, to get past the parser too
        kind = rng.randrange(5)
        at = rng.randint(0, len(text))
        if kind == 0:
            text = text[:at] + " " + rng.choice(SPARQL_PIECES) + " " + text[at:]
        elif kind == 1 and text:
            text = text[:at] + text[at + rng.randint(1, 20):]
        elif kind == 2:
            text = text[:at] + chr(rng.choice([0x0d, 0x0a, 0x23, 0x3c, 0x3e, 0x22, 0x5c, 0x2028, 0x85, 0xfffd,
                                               rng.randint(0x20, 0x10ffff)])) + text[at:]
        elif kind == 3:
            text = text[:at]
        else:
            text = " ".join(rng.choice(SPARQL_PIECES) for _ in range(rng.randint(1, 30)))
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _query(rng: random.Random) -> str:
    return _mutate(rng, rng.choice(QUERIES).read_text(encoding="utf-8") if rng.random() < 0.7 else "")


def _headers(rng: random.Random) -> list[tuple[str, str]]:
    headers = [("Accept", rng.choice(ACCEPTS))] if rng.random() < 0.8 else []
    return headers + rng.sample(HEADERS, rng.randint(0, 3))


def sparql_request(rng: random.Random) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """A request for the SPARQL endpoint: a mutated competency question by GET, form or body, with odd
    parameters and headers."""
    text = _query(rng)
    params = [(rng.choice(["default-graph-uri", "named-graph-uri", "format", "output", "results", "using-graph-uri",
                           "query", "timeout"]), rng.choice(["", "json", "xml", "csv", "turtle", "urn:x",
                                                             "https://w3id.org/koryo-kg/graph/data", "a" * 500]))
              for _ in range(rng.choice([0, 0, 1, 2]))]
    how = rng.randrange(4)
    if how == 0:
        target = "/sparql?query=" + quote(text, safe="") + "".join(f"&{k}={quote(v)}" for k, v in params)
        return rng.choice(["GET", "GET", "HEAD"]), target, _headers(rng), b""
    if how == 1:
        body = ("query=" + quote(text, safe="") + "".join(f"&{k}={quote(v)}" for k, v in params)).encode()
        return "POST", "/sparql", _headers(rng) + [("Content-Type", "application/x-www-form-urlencoded")], body
    kind = rng.choice(["application/sparql-query", "application/sparql-update", rng.choice(CONTENT_TYPES)])
    body = text.encode("utf-8") if rng.random() < 0.9 else rng.randbytes(rng.randint(0, 200))
    return "POST", "/sparql" + ("?" + "&".join(f"{k}={quote(v)}" for k, v in params) if params else ""), \
        _headers(rng) + [("Content-Type", kind)], body


def route_request(rng: random.Random) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """A request for any other route: paths and their mutations, query strings, methods, headers, bodies."""
    path = rng.choice(PATHS) + "".join(rng.choice(PATH_NOISE) for _ in range(rng.choice([0, 0, 1, 2])))
    path = quote(path, safe="/%?#=&;~*\\.") if rng.random() < 0.8 else path.encode("utf-8", "replace").decode("latin-1")
    if rng.random() < 0.4:
        path += ("&" if "?" in path else "?") + "&".join(
            f"{rng.choice(['q', 'limit', 'query', 'example', 'format', 'standalone', 'page', ''])}="
            f"{quote(rng.choice(['', 'Люшков', '고려', '-1', '999999999999', 'a' * 1000, 'true', '%00', '<script>']))}"
            for _ in range(rng.randint(1, 3)))
    method = rng.choice(METHODS)
    headers = _headers(rng)
    body = b""
    if method in ("POST", "PUT", "PATCH") or rng.random() < 0.05:
        headers.append(("Content-Type", rng.choice(CONTENT_TYPES)))
        body = rng.choice(BODIES).encode("utf-8", "surrogatepass") if rng.random() < 0.9 else rng.randbytes(300)
    return method, path, headers, body


def _raw(method: str, target: str, headers: list[tuple[str, str]], body: bytes, host: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Connection: close", *(f"{k}: {v}" for k, v in headers)]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines).encode("utf-8", "surrogatepass") + b"\r\n\r\n" + body


def send(address: tuple[str, int], request: bytes) -> tuple[int | None, bytes]:
    """The status and the start of the body, or (None, why) when the server hung or closed without an answer."""
    with socket.create_connection(address, timeout=HANG) as connection:
        connection.sendall(request)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
                if len(received) > 4096 and b"\r\n\r\n" in received:
                    break  # the status and headers are what count
        except TimeoutError:
            return None, b"hang: no complete answer within %d s" % HANG
        except ConnectionResetError:
            pass
    while received.startswith(b"HTTP/1.1 1"):  # an interim answer (100 Continue): the final one follows
        received = received.partition(b"\r\n\r\n")[2]
    if not received.startswith(b"HTTP/"):
        return None, b"closed without an answer" if not received else b"not HTTP: " + received[:80]
    return int(received.split(b" ", 2)[1]), received.partition(b"\r\n\r\n")[2][:300]


def fuzz(url: str, requests: int, seed: int = 1937, kinds: tuple[str, ...] = ("sparql", "routes"),
         progress=lambda message: None) -> dict[str, Outcome]:
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("fuzzing: only a server on loopback may be fuzzed")
    address = (parts.hostname, parts.port or 80)
    host = parts.netloc
    makers = {"sparql": sparql_request, "routes": route_request}
    outcomes = {}
    for kind in kinds:
        rng = random.Random(f"{seed}/{kind}")
        outcome = outcomes[kind] = Outcome()
        for number in range(requests):
            method, target, headers, body = makers[kind](rng)
            status, detail = send(address, _raw(method, target, headers, body, host))
            outcome.sent += 1
            if status is not None:
                outcome.count(status)
            if status is not None and status == 503 and DEADLINE_503 in detail:
                outcome.deadlines += 1
            elif status is None or status >= 500:
                outcome.failures.append(f"{kind} #{number} (seed {seed}): {method} {target[:300]!r} "
                                        f"headers={headers!r} body={body[:200]!r} -> {status} {detail[:200]!r}")
            if number % 1000 == 999:
                progress(f"{kind}: {number + 1} sent, {len(outcome.failures)} failures")
    return outcomes


def still_answers(url: str) -> bool:
    parts = urlsplit(url)
    status, _ = send((parts.hostname, parts.port or 80),
                     _raw("GET", "/sparql?query=ASK%7B%7D", [("Accept", "application/sparql-results+json")], b"",
                          parts.netloc))
    return status == 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000", help="the server's root URL (loopback only)")
    parser.add_argument("--requests", type=int, default=10_000, help="requests of each kind")
    parser.add_argument("--seed", type=int, default=1937)
    parser.add_argument("--kind", choices=["sparql", "routes"], action="append", help="default: both")
    args = parser.parse_args()
    started = time.monotonic()
    outcomes = fuzz(args.url, args.requests, args.seed, tuple(args.kind or ("sparql", "routes")),
                    progress=lambda m: print(m, file=sys.stderr))
    for kind, outcome in outcomes.items():
        print(f"{kind}: {outcome.sent} requests, statuses {dict(sorted(outcome.statuses.items()))}, "
              f"{outcome.deadlines} answered 503 at the query deadline, {len(outcome.failures)} failures")
        for failure in outcome.failures[:20]:
            print("  " + failure)
    answering = still_answers(args.url)
    print(f"the server still answers: {answering}; {time.monotonic() - started:.0f} s")
    return 0 if answering and not any(o.failures for o in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
