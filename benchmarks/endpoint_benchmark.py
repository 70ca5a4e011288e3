"""Side-by-side SPARQL endpoint benchmark: `koryo-kg serve` against `oxigraph serve-read-only` (Rust, the
speed limit) and rdflib-endpoint (the Python peer), on the same data and the same queries, in one run.

Two datasets: the koryo-kg graph itself, and the graph plus a synthetic deportation register of about
100,000 triples. Four queries each (point lookup, 2-hop join, group-by, CONSTRUCT), at concurrency 1 and 8,
each cell a bounded run of --seconds on 127.0.0.1. Prints requests/s, p50 and p99 latency per server and the
ratios ours/peer, as a Markdown table.

    pip install oxigraph 'rdflib-endpoint[cli]'
    python benchmarks/endpoint_benchmark.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pyoxigraph

REG = "https://example.org/register/"
PERSONS = 14_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def synthetic_register(path: Path) -> int:
    """About 100,000 triples shaped like a deportation register: persons, families, trains, destinations."""
    rng = random.Random(1937)
    lines = []
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    destinations = ["Kazakh SSR", "Uzbek SSR", "Karakalpak ASSR", "Ushtobe", "Kzyl Orda", "Tashkent",
                    "Karaghandy", "Dzhambul", "Almaty", "Aral Sea area"]
    for d, name in enumerate(destinations):
        lines.append(f'<{REG}destination/{d}> {label} "{name}"@en .')
    for t in range(120):
        lines.append(f'<{REG}train/{t}> <{REG}number> "{t}" .')
    family = 0
    for p in range(PERSONS):
        if rng.random() < 0.22:
            family += 1
        s = f"<{REG}person/{p}>"
        lines += [
            f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{REG}Deportee> .",
            f'{s} <{REG}name> "Kim {p}" .',
            f'{s} <{REG}birthYear> "{rng.randint(1860, 1937)}"^^<http://www.w3.org/2001/XMLSchema#integer> .',
            f"{s} <{REG}family> <{REG}family/{family}> .",
            f"{s} <{REG}fromRaion> <{REG}raion/{rng.randrange(20)}> .",
            f"{s} <{REG}deportedTo> <{REG}destination/{rng.randrange(len(destinations))}> .",
            f"{s} <{REG}train> <{REG}train/{rng.randrange(120)}> .",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


KG = "PREFIX kg: <https://w3id.org/koryo-kg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
QUERIES = {
    "koryo-kg graph": {
        "point lookup": "SELECT ?p ?o WHERE { <https://w3id.org/koryo-kg/id/document/decree-1428-326cc> ?p ?o }",
        "2-hop join": KG + "SELECT ?s ?n WHERE { ?s kg:about <https://w3id.org/koryo-kg/id/event/deportation-1937> ; "
                           "prov:wasDerivedFrom ?f . ?f kg:footnoteNumber ?n }",
        "group-by": "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) ?type",
        "CONSTRUCT": KG + "CONSTRUCT { ?s ?p ?o } WHERE { ?s a kg:Person ; ?p ?o }",
    },
    "graph + 100k register": {
        "point lookup": f"SELECT ?p ?o WHERE {{ <{REG}person/4242> ?p ?o }}",
        "2-hop join": f"SELECT ?name ?label WHERE {{ ?p <{REG}train> <{REG}train/17> ; <{REG}name> ?name ; "
                      f"<{REG}deportedTo> ?d . ?d <http://www.w3.org/2000/01/rdf-schema#label> ?label }}",
        "group-by": f"SELECT ?d (COUNT(?p) AS ?n) (AVG(?y) AS ?year) WHERE {{ ?p <{REG}deportedTo> ?d ; "
                    f"<{REG}birthYear> ?y }} GROUP BY ?d ORDER BY ?d",
        "CONSTRUCT": f"CONSTRUCT {{ ?p ?q ?o }} WHERE {{ ?p <{REG}family> <{REG}family/123> ; ?q ?o }}",
    },
}


class Server:
    def __init__(self, name: str, command: list[str], port: int, path: str, env=None):
        self.name, self.port, self.path = name, port, path
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env={**os.environ, **(env or {})}, start_new_session=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                status = request(port, path, "ASK {}", "application/sparql-results+json")[0]
                if status == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited")
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not start")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def request(port: int, path: str, query: str, accept: str, connection=None):
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    response = conn.getresponse()
    body = response.read()
    if connection is None:
        conn.close()
    return response.status, body


def accept_for(query: str) -> str:
    return "text/turtle" if "CONSTRUCT" in query else "application/sparql-results+json"


def _client(args):
    port, path, query, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    latencies, errors = [], 0
    accept = accept_for(query)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or not latencies:
        start = time.perf_counter()
        try:
            status, _ = request(port, path, query, accept, conn)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            status = 0
        latencies.append(time.perf_counter() - start)
        errors += status != 200
        if time.monotonic() > deadline + 60:
            break
    conn.close()
    return latencies, errors


def measure(server: Server, query: str, concurrency: int, seconds: float) -> dict:
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(concurrency) as pool:
        parts = pool.map(_client, [(server.port, server.path, query, seconds)] * concurrency)
    elapsed = time.perf_counter() - started
    latencies = sorted(l for part, _ in parts for l in part)
    errors = sum(e for _, e in parts)
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
            "n": len(latencies), "errors": errors}


def result_size(server: Server, query: str) -> int:
    status, body = request(server.port, server.path, query, accept_for(query))
    if status != 200:
        return -status
    if "CONSTRUCT" in query:
        from rdflib import Graph

        return len(Graph().parse(data=body, format="turtle"))
    return len(json.loads(body)["results"]["bindings"])


def start_servers(work: Path, dataset: str, project: dict[str, Path], register_nt: Path | None) -> list[Server]:
    """The three servers on the same triples: ours and Oxigraph with the same named graphs and the union
    as default graph; rdflib-endpoint with the union as one N-Triples file."""
    slug = dataset.replace(" ", "-").replace("+", "plus")
    ours = [sys.executable, "-m", "koryo_kg.cli", "serve", "--port"]
    port = free_port()
    servers = [Server("koryo-kg", ours + [str(port)] + (["--add", str(register_nt)] if register_nt else []),
                      port, "/sparql", env={"KORYO_KG_HOME": str(work / "home")})]
    location = work / f"oxigraph-{slug}"
    subprocess.run(["oxigraph", "load", "--location", str(location), "--file", str(project["nq"])], check=True,
                   capture_output=True)
    if register_nt:
        subprocess.run(["oxigraph", "load", "--location", str(location), "--file", str(register_nt),
                        "--graph", register_nt.resolve().as_uri()], check=True, capture_output=True)
    port = free_port()
    servers.append(Server("oxigraph serve", ["oxigraph", "serve-read-only", "--location", str(location),
                                             "--union-default-graph", "--bind", f"127.0.0.1:{port}"], port, "/query"))
    combined = work / f"{slug}.nt"
    combined.write_bytes(project["nt"].read_bytes() + (register_nt.read_bytes() if register_nt else b""))
    port = free_port()
    servers.append(Server("rdflib-endpoint", ["rdflib-endpoint", "serve", "--host", "127.0.0.1", "--port", str(port),
                                              str(combined)], port, "/"))
    return servers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each bounded run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="koryo-bench-"))
    try:
        env = {**os.environ, "KORYO_KG_HOME": str(work / "home")}
        subprocess.run([sys.executable, "-m", "koryo_kg.cli", "build"], env=env, check=True, capture_output=True)
        from koryo_kg.build.cache import BuildCache

        cache = BuildCache(work / "home")
        store = cache.open(cache.current_key())
        project = {"nq": work / "project.nq", "nt": work / "project.nt"}
        project["nq"].write_bytes(store.dump(format=pyoxigraph.RdfFormat.N_QUADS))
        union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        project["nt"].write_bytes(union.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES))
        del store
        register_nt = work / "register.nt"
        register_size = synthetic_register(register_nt)
        print(f"data: koryo-kg graph {sum(1 for _ in open(project['nt']))} distinct triples; register {register_size} triples; "
              f"{args.seconds:g} s per run; {os.cpu_count()} CPUs\n")
        rows = []
        for dataset, queries in QUERIES.items():
            servers = start_servers(work, dataset, project, register_nt if "register" in dataset else None)
            try:
                for label, query in queries.items():
                    sizes = {s.name: result_size(s, query) for s in servers}
                    if len(set(sizes.values())) != 1:
                        print(f"! {dataset} / {label}: results differ {sizes}")
                    for concurrency in (1, 8):
                        cells = {s.name: measure(s, query, concurrency, args.seconds) for s in servers}
                        rows.append((dataset, label, concurrency, sizes["koryo-kg"], cells))
                        ours = cells["koryo-kg"]
                        print(f"{dataset:22} {label:13} c={concurrency}  " + "  ".join(
                            f"{name}: {c['rps']:8.1f}/s p50 {c['p50']:7.2f} ms p99 {c['p99']:8.2f} ms"
                            + (f" ({c['errors']} errors)" if c["errors"] else "") for name, c in cells.items())
                            + f"  ours/oxigraph {ours['rps'] / cells['oxigraph serve']['rps']:.2f}"
                            + f"  ours/rdflib-endpoint {ours['rps'] / cells['rdflib-endpoint']['rps']:.1f}", flush=True)
            finally:
                for server in servers:
                    server.stop()
        print("\n| data | query | conc. | rows | koryo-kg req/s (p50/p99 ms) | oxigraph serve req/s (p50/p99 ms) "
              "| rdflib-endpoint req/s (p50/p99 ms) | ours/oxigraph | ours/rdflib-endpoint |")
        print("|---|---|---|---|---|---|---|---|---|")
        for dataset, label, concurrency, size, cells in rows:
            fmt = lambda c: f"{c['rps']:.0f} ({c['p50']:.1f}/{c['p99']:.1f})"
            ours, oxi, rdf = cells["koryo-kg"], cells["oxigraph serve"], cells["rdflib-endpoint"]
            print(f"| {dataset} | {label} | {concurrency} | {size} | {fmt(ours)} | {fmt(oxi)} | {fmt(rdf)} "
                  f"| {ours['rps'] / oxi['rps']:.2f} | {ours['rps'] / rdf['rps']:.1f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
