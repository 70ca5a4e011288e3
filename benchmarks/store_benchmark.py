"""Publishing to and reading from a SPARQL store, side by side in one run: `koryo-kg publish` to Oxigraph
server and to Virtuoso 7 (the Graph Store Protocol path and the SPARQL Update path), and the engine's
backends — embedded pyoxigraph in memory against RemoteStore on each store — for the four queries of
endpoint_benchmark.py (point lookup, 2-hop join, group-by, CONSTRUCT), on the koryo-kg graph and on the graph
plus the synthetic register of about 100,000 triples (put in the data graph for the occasion).

Both stores are started on 127.0.0.1 by tests/stores.py (tests/run.sh installs them). Prints Markdown tables:
publish seconds per store and path, and the median milliseconds per query and backend.

    python benchmarks/store_benchmark.py [--repeat 10] [--no-register]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from endpoint_benchmark import QUERIES, synthetic_register  # noqa: E402
from koryo_kg.build.cache import BuildCache  # noqa: E402
from koryo_kg.build.publish import publish  # noqa: E402
from koryo_kg.query.remote import RemoteStore  # noqa: E402
from koryo_kg.query.sparql_text import outline  # noqa: E402
from koryo_kg.stores.client import Credentials, Endpoints, StoreClient  # noqa: E402
from koryo_kg.vocab import Graphs  # noqa: E402
from stores import start_oxigraph, start_virtuoso  # noqa: E402


def build(home: Path) -> tuple[pyoxigraph.Store, str]:
    subprocess.run([sys.executable, "-m", "koryo_kg.cli", "--home", str(home), "build"], check=True,
                   capture_output=True)
    cache = BuildCache(home)
    key = cache.current_key()
    memory = pyoxigraph.Store()
    memory.bulk_extend(cache.open(key).quads_for_pattern(None, None, None, None))
    return memory, key


def with_register(store: pyoxigraph.Store, folder: Path) -> pyoxigraph.Store:
    larger = pyoxigraph.Store()
    larger.bulk_extend(store.quads_for_pattern(None, None, None, None))
    synthetic_register(folder / "register.nt")
    larger.bulk_load(path=str(folder / "register.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES,
                     to_graph=pyoxigraph.NamedNode(str(Graphs.DATA)))
    return larger


def client_for(store, graphs: bool = True) -> StoreClient:
    credentials = Credentials(*store.credentials.split(":", 1)) if store.credentials else None
    return StoreClient(Endpoints(store.query, store.update, store.graphs if graphs else None), credentials)


def median_ms(run, repeat: int) -> float:
    run()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def embedded(store: pyoxigraph.Store, query: str):
    results = store.query(query, use_default_graph_as_union=True)
    if isinstance(results, pyoxigraph.QuerySolutions):
        return results.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
    return pyoxigraph.serialize(results, format=pyoxigraph.RdfFormat.TURTLE)


def remote(backend: RemoteStore, query: str):
    answer = backend.evaluate({"query": query, "default_graph": None, "named_graphs": None, "names_dataset": False,
                               "format": "turtle" if outline(query).form == "CONSTRUCT" else "json",
                               "max_rows": 100_000, "base_iri": None})
    return answer.body if isinstance(answer.body, bytes) else b"".join(answer.body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each query per backend")
    parser.add_argument("--no-register", action="store_true", help="only the koryo-kg graph")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="store-benchmark-") as work:
        work = Path(work)
        graph, key = build(work / "home")
        datasets = {"koryo-kg graph": graph}
        if not options.no_register:
            datasets["graph + 100k register"] = with_register(graph, work)
        stores = [start_oxigraph(_folder(work, "oxigraph")), start_virtuoso(_folder(work, "virtuoso"))]
        try:
            publishing, reading = [], []
            for dataset, data in datasets.items():
                size = sum(1 for _ in data.quads_for_pattern(None, None, None, None))
                backends = {"embedded": lambda q, data=data: embedded(data, q)}
                for store in stores:
                    for path, graphs in (("graph store", True), ("update", False)):
                        start = time.perf_counter()
                        publish(data, key, client_for(store, graphs), progress=lambda m: None)
                        publishing.append((dataset, size, store.name, path, time.perf_counter() - start))
                    backend = RemoteStore(client_for(store), timeout=60)
                    backends[store.name] = lambda q, backend=backend: remote(backend, q)
                for name, query in QUERIES[dataset].items():
                    reading.append((dataset, name, {b: median_ms(lambda run=run, query=query: run(query), options.repeat)
                                                    for b, run in backends.items()}))
        finally:
            for store in stores:
                store.stop()
    print("| dataset | triples | store | path | publish s |\n|---|---|---|---|---|")
    for dataset, size, store, path, seconds in publishing:
        print(f"| {dataset} | {size:,} | {store} | {path} | {seconds:.2f} |")
    names = list(reading[0][2])
    print("\n| dataset | query | " + " | ".join(f"{n} ms" for n in names) + " |\n|---|---|" + "---|" * len(names))
    for dataset, query, medians in reading:
        print(f"| {dataset} | {query} | " + " | ".join(f"{medians[n]:.1f}" for n in names) + " |")


def _folder(work: Path, name: str) -> Path:
    folder = work / name
    folder.mkdir()
    return folder


if __name__ == "__main__":
    main()
