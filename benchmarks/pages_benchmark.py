"""How fast the pages answer on a large build: entity pages of a synthetic person, its family and its train,
search (a common name, a rare one, a synthetic person's full name, a short prefix), the timeline and its
JSON/CSV twins, the sitemap index and a sitemap file, VoID and a 404, through the Flask test client (the
request path above the server itself). The values derived once per dataset version that a process computes
when it starts (the search index, the subjects, VoID's counts and checksums …) are waited for and their times
printed (--no-wait: the pages are asked while they are computed); then each page is asked once (the first
answer), then --repeat times; prints p50 and p95 per page, and the memory the process holds once every page
has been asked.

    python benchmarks/synthetic_register.py --persons 172000 --out /tmp/register
    koryo-kg --home /tmp/home build --include /tmp/register
    python benchmarks/pages_benchmark.py --home /tmp/home [--persons 172000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from koryo_kg.app import create_app
from koryo_kg.settings import ServerConfig


def latest_build(home: Path) -> Path:
    """The newest complete build under `home`."""
    builds = [p.parent for p in (home / "stores").glob("*/COMPLETE")]
    if not builds:
        raise SystemExit(f"no complete build under {home}/stores: run koryo-kg --home {home} build --include …")
    return max(builds, key=lambda p: (p / "COMPLETE").stat().st_mtime)


def pages(persons: int) -> dict[str, tuple[str, dict]]:
    """name -> (URL, headers)"""
    person = persons // 2  # a person in the middle of the register: in a family, on a train
    html, json = {"Accept": "text/html"}, {"Accept": "application/json"}
    return {
        "entity: person": (f"/id/synthetic/person-{person}.html", html),
        "entity: family": ("/id/synthetic/family-1000.html", html),
        "entity: train": ("/id/synthetic/train-7.html", html),
        "entity: the register every person cites": ("/id/synthetic/citation-register.html", html),
        "entity: person (Turtle)": (f"/id/synthetic/person-{person}.ttl", {}),
        "search: Kim": ("/search?q=Kim", json),
        "search: Lyushkov (rare)": ("/search?q=Lyushkov", json),
        "search: a synthetic person": (f"/search?q=Synthetic+person+{person}", json),
        "search: 'syn' (most match)": ("/search?q=syn", json),
        "search: HTML, page 2": ("/search?q=Kim&offset=10", html),
        "query page (its completions are the named things)": ("/", html),
        "timeline": ("/timeline", html),
        "timeline JSON": ("/timeline?format=json", {}),
        "timeline CSV": ("/timeline?format=csv", {}),
        "sitemap.xml": ("/sitemap.xml", {}),
        "sitemap file 1": ("/sitemap/1.xml", {}),
        "VoID": ("/.well-known/void", {"Accept": "text/turtle"}),
        "404 with suggestions": ("/id/synthetic/persn-12", {"Accept": "text/plain"}),
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="the koryo-kg home holding the build")
    parser.add_argument("--persons", type=int, default=172_000, help="persons in the included register")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip", action="append", default=[], help="leave out the pages whose name starts so")
    parser.add_argument("--no-wait", action="store_true", help="ask the pages while the start's values are computed")
    args = parser.parse_args()
    build = latest_build(args.home)
    started = time.perf_counter()
    app = create_app(ServerConfig(store_path=str(build / "store"), dumps_dir=str(build / "dumps"), threads=1))
    client = app.test_client()
    print(f"{build}: loaded in {time.perf_counter() - started:.1f} s")
    state = app.extensions["koryo_kg.dataset_state"]
    if not args.no_wait:
        state.warming.join()
        print(f"computed when starting, in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{name.rsplit('.', 2)[-2]}.{name.rsplit('.', 1)[-1]} {seconds:.2f} s"
                          for name, seconds in state.warm_seconds.items()))
    print()
    print(f"| page at {args.persons:,} persons | status | bytes | first (ms) | p50 (ms) | p95 (ms) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, (url, headers) in pages(args.persons).items():
        if name.startswith(tuple(args.skip)):
            continue
        times = []
        for _ in range(args.repeat + 1):
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            body = response.get_data()
            times.append((time.perf_counter() - start) * 1000)
        first, rest = times[0], times[1:]
        print(f"| {name} | {response.status_code} | {len(body):,} | {first:.0f} | {statistics.median(rest):.1f} "
              f"| {percentile(rest, 0.95):.1f} |", flush=True)
    print(f"\npeak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
