"""Side-by-side SPARQL endpoint benchmark: `koryo-kg serve` against `oxigraph serve-read-only` (Rust, the
speed limit) and rdflib-endpoint (the Python peer), on the same data and the same queries, in one run.

Two datasets: the koryo-kg graph itself, and the graph plus a synthetic deportation register of about
100,000 triples added with `serve --add`. Four queries each (point lookup, 2-hop join, group-by, CONSTRUCT), at
concurrency 1 and 8, each cell a bounded run of --seconds on 127.0.0.1. Prints requests/s, p50 and p99 latency
and the server's CPU time per request (all its processes and threads) for each server, and the ratios
ours/peer of requests/s and of p50 (the peer's p50 over ours: above 1 when ours is faster), as a Markdown table.

With --home (a home built with `koryo-kg --home H build --include DIR`, DIR made by synthetic_register.py),
the built graph is served instead, by ours (`serve --include DIR`) and by `oxigraph serve-read-only` on the
build's own store folder, with queries on the synthetic register; and for each server, with 2 and 4 workers
for ours, the time to the first answer and the memory (RSS, PSS and USS of the server's processes,
summed; and the USS of each), once each query has been answered and again after the runs. Beside them, the
floor of any Python server on pyoxigraph (--no-floor to leave it out): granian with the same workers and
threads calling pyoxigraph with nothing between them (floor_app below).

    pip install oxigraph 'rdflib-endpoint[cli]'
    python benchmarks/endpoint_benchmark.py [--seconds 3]
    python benchmarks/endpoint_benchmark.py --home H --include DIR [--memory auto|copy|shared]
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
SYN = KG + "PREFIX syn: <https://w3id.org/koryo-kg/id/synthetic/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
BUILT_QUERIES = {  # on benchmarks/synthetic_register.py's register, built with the graph
    "point lookup": SYN + "SELECT ?p ?o WHERE { syn:person-4242 ?p ?o }",
    "2-hop join": SYN + "SELECT ?person ?label WHERE { syn:train-17 kg:affectedGroup ?family . "
                        "?person kg:memberOfGroup ?family ; rdfs:label ?label }",
    "group-by": SYN + "SELECT ?d (COUNT(?p) AS ?n) WHERE { ?t kg:destination ?d ; kg:affectedGroup ?f . "
                      "?p kg:memberOfGroup ?f } GROUP BY ?d ORDER BY ?d",
    "CONSTRUCT": SYN + "CONSTRUCT { ?p ?q ?o } WHERE { ?p kg:memberOfGroup syn:family-123 ; ?q ?o }",
}


_floor_store = None


def floor_app(environ, start_response):
    """The floor of any Python server on pyoxigraph: granian calling pyoxigraph with nothing between them (no
    framework, no deadline, no limits), on the store in $FLOOR_STORE. Run by granian as endpoint_benchmark:floor_app."""
    global _floor_store
    if _floor_store is None:
        _floor_store = pyoxigraph.Store.read_only(os.environ["FLOOR_STORE"])
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))["query"][0]
    results = _floor_store.query(query, use_default_graph_as_union=True)
    if isinstance(results, pyoxigraph.QueryBoolean):
        body, media_type = json.dumps({"head": {}, "boolean": bool(results)}).encode(), "application/sparql-results+json"
    elif isinstance(results, pyoxigraph.QueryTriples):
        body, media_type = results.serialize(format=pyoxigraph.RdfFormat.TURTLE), "text/turtle"
    else:
        body = results.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
        media_type = "application/sparql-results+json"
    start_response("200 OK", [("Content-Type", media_type), ("Content-Length", str(len(body)))])
    return [body]


class Server:
    def __init__(self, name: str, command: list[str], port: int, path: str, env=None):
        self.name, self.port, self.path = name, port, path
        started = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env={**os.environ, **(env or {})}, start_new_session=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                status = request(port, path, "ASK {}", "application/sparql-results+json")[0]
                if status == 200:
                    self.first_answer = time.perf_counter() - started
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited")
            time.sleep(0.02)
        self.stop()  # not left running (building, say) after the benchmark has given up on it
        raise RuntimeError(f"{name} did not start")

    def processes(self) -> list[int]:
        """The server's process and all of its descendants."""
        found, pending = [], [self.process.pid]
        while pending:
            pid = pending.pop()
            found.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as children:
                        pending += [int(child) for child in children.read().split()]
            except OSError:  # ended meanwhile
                pass
        return found

    def memory_mb(self) -> dict[str, float]:
        """RSS, PSS and USS of the server's processes, summed, in MB. RSS counts a page shared between forked
        workers (or mapped from the same file) once per process; PSS shares it out among them, so their PSS
        adds up to what the server really holds; USS is what each holds alone (freed if it ended)."""
        total = {"rss": 0, "pss": 0, "uss": 0, "each": []}
        for pid in self.processes():
            try:
                with open(f"/proc/{pid}/smaps_rollup") as rollup:
                    fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup if line.endswith("kB\n")}
            except OSError:
                continue
            total["rss"] += fields["Rss"]
            total["pss"] += fields["Pss"]
            total["uss"] += fields["Private_Clean"] + fields["Private_Dirty"]
            total["each"].append((fields["Private_Clean"] + fields["Private_Dirty"]) / 1024)
        return {name: kb if name == "each" else kb / 1024 for name, kb in total.items()}

    def cpu_seconds(self) -> float:
        """CPU time (user and system, all threads) the server's processes have used so far."""
        total = 0
        for pid in self.processes():
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except OSError:
                continue
        return total / os.sysconf("SC_CLK_TCK")

    def memory_text(self) -> str:
        memory = self.memory_mb()
        each = "/".join(f"{uss:.0f}" for uss in memory["each"])
        return f"RSS {memory['rss']:.0f} MB, PSS {memory['pss']:.0f} MB, USS {memory['uss']:.0f} MB ({each} MB)"

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
    started, cpu = time.perf_counter(), server.cpu_seconds()
    with multiprocessing.get_context("fork").Pool(concurrency) as pool:
        parts = pool.map(_client, [(server.port, server.path, query, seconds)] * concurrency)
    elapsed, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu
    latencies = sorted(l for part, _ in parts for l in part)
    errors = sum(e for _, e in parts)
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
            "n": len(latencies), "errors": errors, "cpu": cpu / len(latencies) * 1000}


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


def run_cells(dataset: str, queries: dict[str, str], servers: list[Server], seconds: float, rows: list) -> None:
    for label, query in queries.items():
        sizes = {s.name: result_size(s, query) for s in servers}
        if len(set(sizes.values())) != 1:
            print(f"! {dataset} / {label}: results differ {sizes}")
        for concurrency in (1, 8):
            cells = {s.name: measure(s, query, concurrency, seconds) for s in servers}
            rows.append((dataset, label, concurrency, sizes["koryo-kg"], cells))
            ours = cells["koryo-kg"]
            print(f"{dataset:22} {label:13} c={concurrency}  " + "  ".join(
                f"{name}: {c['rps']:8.1f}/s p50 {c['p50']:7.2f} ms p99 {c['p99']:8.2f} ms CPU {c['cpu']:6.2f} ms"
                + (f" ({c['errors']} errors)" if c["errors"] else "") for name, c in cells.items())
                + "".join(f"  ours/{name} {ours['rps'] / c['rps']:.2f} (p50 {c['p50'] / ours['p50']:.2f})"
                          for name, c in cells.items() if c is not ours),
                flush=True)


def table(rows: list) -> None:
    names = list(rows[0][4])
    print("\n| data | query | conc. | rows | " + " | ".join(f"{n} req/s (p50/p99 ms)" for n in names) + " | "
          + " | ".join(f"ours/{n} req/s (p50)" for n in names[1:]) + " |")
    print("|---" * (4 + 2 * len(names) - 1) + "|")
    for dataset, label, concurrency, size, cells in rows:
        ours = cells["koryo-kg"]
        print(f"| {dataset} | {label} | {concurrency} | {size} | "
              + " | ".join(f"{c['rps']:.0f} ({c['p50']:.2f}/{c['p99']:.1f})" for c in cells.values()) + " | "
              + " | ".join(f"{ours['rps'] / cells[n]['rps']:.2f} ({cells[n]['p50'] / ours['p50']:.2f})" for n in names[1:])
              + " |")


def built(args) -> None:
    """Ours and `oxigraph serve-read-only` on one built store: first answers, memory, then the cells."""
    from koryo_kg.build.cache import BuildCache

    cache = BuildCache(args.home)
    store = cache.path(cache.current_key()) / "store"
    includes = [part for folder in args.include for part in ("--include", str(folder))]
    ours = [sys.executable, "-m", "koryo_kg.cli", "--home", str(args.home), "serve", *includes, "--memory",
            args.memory, "--port"]
    print(f"data: {len(pyoxigraph.Store.read_only(str(store)))} quads in {store}; {args.seconds:g} s per run; "
          f"{os.cpu_count()} CPUs\n")

    def oxigraph() -> Server:
        port = free_port()
        return Server("oxigraph serve", ["oxigraph", "serve-read-only", "--location", str(store),
                                         "--union-default-graph", "--bind", f"127.0.0.1:{port}"], port, "/query")

    def koryo(workers: int) -> Server:
        port = free_port()
        return Server("koryo-kg", ours + [str(port), "--workers", str(workers)], port, "/sparql")

    def floor(workers: int) -> Server:  # granian with our workers and threads, and pyoxigraph, nothing else
        port = free_port()
        return Server("granian+pyoxigraph", [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers",
                                             str(workers), "--blocking-threads", "16", "--host", "127.0.0.1", "--port",
                                             str(port), "--no-ws", "endpoint_benchmark:floor_app"], port, "/",
                      env={"PYTHONPATH": str(Path(__file__).resolve().parent), "FLOOR_STORE": str(store)})

    def after_queries(server: Server) -> str:  # memory once every query has been answered (pages read in)
        for query in BUILT_QUERIES.values():
            result_size(server, query)
        return f"first answer {server.first_answer:.2f} s, {server.memory_text()}"

    for start in (oxigraph, lambda: koryo(4)):
        server = start()
        try:
            print(f"{server.name}{' (4 workers)' if server.name == 'koryo-kg' else ''}: {after_queries(server)}")
        finally:
            server.stop()
    servers = [koryo(2), oxigraph()] + ([floor(2)] if args.floor else [])
    rows: list = []
    try:
        print(f"koryo-kg (2 workers): {after_queries(servers[0])}")
        queries = {label: text for label, text in BUILT_QUERIES.items() if label in (args.query or BUILT_QUERIES)}
        run_cells("built graph + register", queries, servers, args.seconds, rows)
        for server in servers:  # every worker has now served every query: their caches are warm
            print(f"{server.name} after the runs: {server.memory_text()}")
    finally:
        for server in servers:
            server.stop()
    table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each bounded run")
    parser.add_argument("--home", type=Path, help="a koryo-kg home already built with --include: serve that build")
    parser.add_argument("--include", type=Path, action="append", default=[], help="the build's --include folders")
    parser.add_argument("--memory", default="auto", help="our serve --memory")
    parser.add_argument("--floor", action=argparse.BooleanOptionalAction, default=True,
                        help="with --home: also measure the floor, granian calling pyoxigraph with nothing between")
    parser.add_argument("--query", action="append", choices=list(BUILT_QUERIES), help="with --home: only this query "
                        "(repeatable)")
    args = parser.parse_args()
    if args.home:
        return built(args)
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
        rows: list = []
        for dataset, queries in QUERIES.items():
            servers = start_servers(work, dataset, project, register_nt if "register" in dataset else None)
            try:
                run_cells(dataset, queries, servers, args.seconds, rows)
            finally:
                for server in servers:
                    server.stop()
        table(rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
