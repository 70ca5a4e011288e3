"""How validation time grows with the data, and where it goes.

The project's data files are copied x1, x10 and x100 (every IRI under /id/ renamed per copy, the concept
schemes shared, so every copy conforms like the original and the shapes meet the same patterns), written as
Turtle files, and validated by `koryo-kg validate --standalone`'s own code path: once for the wall time as
the command line runs it (the first run includes loading the SHACL engine), once under cProfile for the share
of each phase: parsing (pyoxigraph, into rdflib terms), the location index, the SHACL engine (pyshacl-turbo,
Rust), the checks beyond SHACL (SPARQL on pyoxigraph), and locating the findings.

    python benchmarks/validation_benchmark.py [--factors 1,10,100]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import tempfile
import time
from pathlib import Path

from koryo_kg.sources.files import default_sources
from koryo_kg.sources.parsing import load
from koryo_kg.validation.contributions import check

RENAMED = re.compile(r"https://w3id\.org/koryo-kg/id/(?!concept/)")
PHASES = {  # phase -> (file suffix, function name) whose cumulative time it is
    "parse": ("koryo_kg/sources/parsing.py", "load"),
    "location index": ("koryo_kg/sources/locations.py", "add_file"),
    "pyshacl-turbo": ("koryo_kg/build/shacl.py", "_pyshacl_turbo"),
    "undefined terms": ("koryo_kg/build/shacl.py", "undefined_terms"),
    "undescribed": ("koryo_kg/build/shacl.py", "undescribed"),
    "locate findings": ("koryo_kg/sources/locations.py", "locate"),
}


def write_copies(factor: int, folder: Path) -> None:
    """`factor` renamed copies of every data file."""
    for copy in range(factor):
        for source in default_sources().data:
            text = RENAMED.sub(f"https://w3id.org/koryo-kg/id/copy{copy}/", source.read_text(encoding="utf-8"))
            (folder / f"copy{copy}-{source.name}").write_text(text, encoding="utf-8")


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    return sum(row[3] for (path, _, function), row in stats.stats.items()
               if function == name and path.endswith(suffix))


def measure(factor: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_copies(factor, folder)
        started = time.perf_counter()
        report = check([folder], default_sources(), standalone=True)
        wall = time.perf_counter() - started
        profile = cProfile.Profile()  # a second run, for the shares
        profile.runcall(check, [folder], default_sources(), True)
        stats = pstats.Stats(profile)
        profiled = cumulative(stats, "koryo_kg/validation/contributions.py", "check")
        shares = "  ".join(f"{phase.strip()} {100 * cumulative(stats, *where) / profiled:.0f}%"
                           for phase, where in PHASES.items())
        triples = factor * len(load(list(default_sources().data))[0])
        print(f"x{factor:<4} {triples:>7} triples  conforms={report.conforms}  {len(report.findings)} findings  "
              f"{wall:7.1f} s  |  {shares}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", default="1,10,100", help="copies of the data to validate, comma-separated")
    args = parser.parse_args()
    for factor in (int(f) for f in args.factors.split(",")):
        measure(factor)


if __name__ == "__main__":
    main()
