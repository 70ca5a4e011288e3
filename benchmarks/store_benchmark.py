"""Serving from a SPARQL store, side by side in one run: embedded `koryo-kg serve` against `koryo-kg serve
--store` on Oxigraph server and on Virtuoso 7, for the four queries of endpoint_benchmark.py (point lookup,
2-hop join, group-by, CONSTRUCT), on the koryo-kg graph and on the graph plus a synthetic register of about
1 M triples (benchmarks/synthetic_register.py, built with `--include`).

For each dataset: the time to publish the build into each store (Graph Store Protocol and SPARQL Update
paths); throughput at concurrency 1 and 8 (bounded runs of --seconds with keep-alive clients, as in
endpoint_benchmark.py) and its ratio to the embedded server; and the resident memory of each server (VmRSS of
its main process and workers, summed) after warm-up and after the query mix — a front end on --store must
hold no more with 1 M triples in the store than with 10 k.

Both stores are started on 127.0.0.1 by tests/stores.py (tests/run.sh installs them). The register and the
builds are kept in --work, so that a second run reuses them (building the 1 M-triple register takes minutes;
publishing is what is timed here). Prints Markdown tables.

    python benchmarks/store_benchmark.py [--seconds 2] [--persons 60000] [--work DIR] [--update-path-at-scale]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from endpoint_benchmark import QUERIES, Server, free_port, measure, result_size  # noqa: E402
from koryo_kg.build.cache import BuildCache  # noqa: E402
from koryo_kg.build.publish import PublishFailed, publish  # noqa: E402
from stores import client_for, start_oxigraph, start_virtuoso  # noqa: E402
from synthetic_register import generate  # noqa: E402

SMALL, LARGE = "koryo-kg graph", "graph + 1M register"
SYN = "https://w3id.org/koryo-kg/id/synthetic/"
KG = "PREFIX kg: <https://w3id.org/koryo-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
REGISTER_QUERIES = {
    "point lookup": f"SELECT ?p ?o WHERE {{ <{SYN}person-4242> ?p ?o }}",
    "2-hop join": KG + f"SELECT ?person ?name WHERE {{ <{SYN}train-17> kg:affectedGroup ?family . "
                       "?person kg:memberOfGroup ?family ; rdfs:label ?name }",
    "group-by": KG + "SELECT ?place (COUNT(?family) AS ?families) WHERE { ?train kg:destination ?place ; "
                     "kg:affectedGroup ?family } GROUP BY ?place ORDER BY ?place",
    "CONSTRUCT": KG + f"CONSTRUCT {{ ?p ?q ?o }} WHERE {{ ?p kg:memberOfGroup <{SYN}family-123> ; ?q ?o }}",
}
# Oxigraph server and Virtuoso stop a query at this many seconds: publish reads each graph back whole, which
# takes longer than a front end's deadline at 1 M triples (the front ends pass their own, see --store-deadline)
STORE_TIMEOUT = 600


def koryo(home: Path, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "koryo_kg.cli", "--home", str(home), *arguments]


def built(home: Path, include: tuple[Path, ...]) -> str:
    """The key of the build of the project (with the register folders of `include`), building it if needed."""
    subprocess.run(koryo(home, "build", *(f"--include={folder}" for folder in include)), check=True,
                   stdout=subprocess.DEVNULL)
    return BuildCache(home).current_key()


def resident_mb(pid: int) -> float:
    """VmRSS of a process and all its descendants (a server's main process and its workers), in MB."""
    total, pending = 0, [pid]
    while pending:
        process = pending.pop()
        try:
            status = Path(f"/proc/{process}/status").read_text()
            for task in Path(f"/proc/{process}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # a worker that ended meanwhile
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


def timed_publish(build, key: str, store, path: str) -> float | str:
    """Seconds `koryo-kg publish` takes to put the build into the store by this path, or why it failed."""
    steps = []
    try:
        result = publish(build, key, client_for(store, graphs=path == "graph store"), progress=steps.append,
                         timeout=STORE_TIMEOUT)
    except PublishFailed as failure:
        print(f"publishing to {store.name} by {path} failed at \"{steps[-1] if steps else 'the start'}\": {failure}",
              flush=True)
        return "failed (see the log above)"
    print(f"published {len(build):,} triples to {store.name} by {path} in {result.seconds:.1f} s", flush=True)
    return result.seconds


def servers_for(home: Path, include: tuple[Path, ...], stores) -> list[Server]:
    """Embedded `koryo-kg serve` and `koryo-kg serve --store` on each store, default workers and threads."""
    port = free_port()
    servers = [Server("embedded", koryo(home, "serve", "--port", str(port),
                                        *(f"--include={folder}" for folder in include)), port, "/sparql")]
    for store in stores:
        port = free_port()
        deadline = ["--store-deadline", "timeout=ms"] if store.name == "virtuoso" else []
        servers.append(Server(f"--store {store.name}", koryo(home, "serve", "--port", str(port), "--store",
                                                             store.query, *deadline), port, "/sparql"))
    return servers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each bounded run")
    parser.add_argument("--persons", type=int, default=60_000,
                        help="persons of the synthetic register (60,000: about 1 M triples with the inferred ones)")
    parser.add_argument("--work", type=Path, help="keep the register and builds here, for the next run")
    parser.add_argument("--update-path-at-scale", action="store_true",
                        help="also time the SPARQL Update path with the register (minutes per store)")
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="store-benchmark-"))
    home, register, stamp = work / "home", work / "register", work / "register.persons"
    if not stamp.exists() or stamp.read_text() != str(options.persons):  # the register of another --persons
        shutil.rmtree(register, ignore_errors=True)
        generate(options.persons, register, violations=0)
        stamp.write_text(str(options.persons))
    keys = {SMALL: built(home, ()), LARGE: built(home, (register,))}
    print(f"load average at start {os.getloadavg()[0]:.1f} (2 CPUs shared); {options.seconds:g} s per run", flush=True)
    folders = {name: work / f"store-{name}" for name in ("oxigraph", "virtuoso")}
    for folder in folders.values():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    stores = [start_oxigraph(folders["oxigraph"], STORE_TIMEOUT), start_virtuoso(folders["virtuoso"], STORE_TIMEOUT)]
    publishing, rows, memory = {}, [], []
    try:
        for dataset, include in ((SMALL, ()), (LARGE, (register,))):
            build = BuildCache(home).open(keys[dataset])
            size = len(build)
            paths = ["graph store", "update"] if dataset == SMALL or options.update_path_at_scale else ["graph store"]
            for store in stores:
                for path in paths:
                    publishing[dataset, store.name, path] = timed_publish(build, keys[dataset], store, path)
                if "update" not in paths and not isinstance(publishing[dataset, store.name, "graph store"], float):
                    # the store must hold this dataset for the reads: the Update path, if that one can do it
                    publishing[dataset, store.name, "update"] = timed_publish(build, keys[dataset], store, "update")
            del build
            holding = [store for store in stores if any(isinstance(publishing.get((dataset, store.name, p)), float)
                                                        for p in ("graph store", "update"))]
            servers = servers_for(home, include, holding)  # a store the dataset could not be put in is left out
            try:
                queries = QUERIES[SMALL] if dataset == SMALL else REGISTER_QUERIES
                sizes = {}
                for label, query in queries.items():  # the warm-up, and the answers compared
                    sizes[label] = {s.name: result_size(s, query) for s in servers}
                    if len(set(sizes[label].values())) != 1:
                        print(f"! {dataset} / {label}: results differ {sizes[label]}", flush=True)
                warm = {s.name: resident_mb(s.process.pid) for s in servers}
                for label, query in queries.items():
                    for concurrency in (1, 8):
                        cells = {s.name: measure(s, query, concurrency, options.seconds) for s in servers}
                        rows.append((dataset, label, concurrency, sizes[label]["embedded"], cells))
                        print(f"{dataset} {label} c={concurrency}: " + ", ".join(
                            f"{name} {c['rps']:.0f}/s" + (f" ({c['errors']} errors)" if c["errors"] else "")
                            for name, c in cells.items()), flush=True)
                after = {s.name: resident_mb(s.process.pid) for s in servers}
                memory.append((dataset, size, warm, after))
            finally:
                for server in servers:
                    server.stop()
    finally:
        for store in stores:
            store.stop()
        if options.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average at end {os.getloadavg()[0]:.1f}\n")
    report(publishing, rows, memory, options)


def _seconds(cell) -> str:
    return "not run" if cell is None else f"{cell:.1f} s" if isinstance(cell, float) else cell


def report(publishing: dict, rows: list, memory: list, options) -> None:
    print("| dataset | triples | Oxigraph GSP | Oxigraph Update | Virtuoso GSP | Virtuoso Update |\n|---|---|---|---|---|---|")
    for dataset, size, _, _ in memory:
        cells = [publishing.get((dataset, store, path)) for store in ("oxigraph", "virtuoso")
                 for path in ("graph store", "update")]
        print(f"| {dataset} | {size:,} | " + " | ".join(_seconds(s) for s in cells) + " |")
    names = list(rows[0][4])
    fmt = lambda c: "—" if c is None else f"{c['rps']:.0f} ({c['p50']:.1f}/{c['p99']:.1f})" + (f" {c['errors']} errors" if c["errors"] else "")
    print("\n| data | query | conc. | rows | " + " | ".join(f"{n} req/s (p50/p99 ms)" for n in names) + " | "
          + " | ".join(f"{n}/embedded" for n in names[1:]) + " |\n|---|---|---|---|" + "---|" * (2 * len(names) - 1))
    for dataset, label, concurrency, size, cells in rows:
        ours = cells["embedded"]["rps"]
        print(f"| {dataset} | {label} | {concurrency} | {size} | " + " | ".join(fmt(cells.get(n)) for n in names) + " | "
              + " | ".join(f"{cells[n]['rps'] / ours:.2f}" if n in cells else "—" for n in names[1:]) + " |")
    print("\n| data | triples in the store | " + " | ".join(f"{n} MB (warm / after the mix)" for n in names)
          + " |\n|---|---|" + "---|" * len(names))
    for dataset, size, warm, after in memory:
        print(f"| {dataset} | {size:,} | " + " | ".join(f"{warm[n]:.0f} / {after[n]:.0f}" if n in warm else "—" for n in names) + " |")


if __name__ == "__main__":
    main()
