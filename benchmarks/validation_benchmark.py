"""How validation time grows with the data, and where it goes; with --against, this code and another side by
side (the same data, the same findings).

The project's data files are copied x1, x10 and x100 (every IRI under /id/ renamed per copy, the concept
schemes shared, so every copy conforms like the original and the shapes meet the same patterns), written as
Turtle files, and validated by `koryo-kg validate --standalone`'s own code path; `--register DIR` (the output
of synthetic_register.py, say) is validated as `koryo-kg validate DIR` does, with the project's data. Each
validation runs in a fresh process: once for the wall and CPU time and the peak memory as the command line
runs it (the first run includes loading the SHACL engine), once under cProfile for the share of each phase:
parsing (into pyoxigraph, or into rdflib terms), copying rdflib graphs into a store (the code before the
store), the location index, the SHACL engine (pyshacl-turbo, Rust), the checks beyond SHACL (SPARQL on
pyoxigraph), and locating the findings.

    python benchmarks/validation_benchmark.py [--factors 1,10,100] [--register DIR]
    python benchmarks/validation_benchmark.py --factors 1,10 --register DIR --against /work/main/src --rounds 3

`--against SRC` runs each validation with the koryo_kg package of SRC too (PYTHONPATH), the two alternating,
each side's median of `--rounds` runs, and says whether both found the same (blank nodes' names aside).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RENAMED = re.compile(r"https://w3id\.org/koryo-kg/id/(?!concept/)")
OURS = Path(__file__).resolve().parents[1] / "src"
BLANK_NODE = re.compile(r"\bN?[0-9a-f]{16,32}\b")  # rdflib's and pyoxigraph's names: new at every parse
PHASES = {  # phase -> the functions (file suffix, name) whose cumulative time it is, less those of `minus`
    "parse": [("koryo_kg/sources/parsing.py", "load"), ("koryo_kg/sources/parsing.py", "load_into")],
    "rdflib to store": [("koryo_kg/build/shacl.py", "validate")],
    "location index": [("koryo_kg/sources/locations.py", "add_file")],
    "pyshacl-turbo": [("koryo_kg/build/shacl.py", "_pyshacl_turbo")],
    "undefined terms": [("koryo_kg/build/shacl.py", "undefined_terms")],
    "undescribed": [("koryo_kg/build/shacl.py", "undescribed")],
    "locate findings": [("koryo_kg/sources/locations.py", "locate")],
}
MINUS = {"rdflib to store": [("koryo_kg/build/shacl.py", "validate_in")]}  # the old validate() wraps validate_in


def write_copies(factor: int, folder: Path) -> None:
    """`factor` renamed copies of every data file."""
    from koryo_kg.sources.files import default_sources

    for copy in range(factor):
        for source in default_sources().data:
            text = RENAMED.sub(f"https://w3id.org/koryo-kg/id/copy{copy}/", source.read_text(encoding="utf-8"))
            (folder / f"copy{copy}-{source.name}").write_text(text, encoding="utf-8")


def cumulative(stats: pstats.Stats, functions: list[tuple[str, str]]) -> float:
    return sum(row[3] for (path, _, function), row in stats.stats.items()
               if any(path.replace(os.sep, "/").endswith(suffix) and function == name for suffix, name in functions))


def share(stats: pstats.Stats, phase: str, total: float) -> float:
    spent = cumulative(stats, PHASES[phase])
    return (spent - cumulative(stats, MINUS[phase]) if spent and phase in MINUS else spent) / total


def _child(folder: Path, standalone: bool) -> None:
    """One validation of `folder` with the koryo_kg this process imports: its times, shares, size and findings
    as JSON."""
    import pyoxigraph

    from koryo_kg.sources.files import default_sources, project_root, rdf_files
    from koryo_kg.sources.locations import LocationIndex
    from koryo_kg.sources.parsing import load_into
    from koryo_kg.validation.contributions import check

    sources = default_sources()
    started, cpu = time.perf_counter(), time.process_time()
    report = check([folder], sources, standalone=standalone)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB, before the runs below
    profile = cProfile.Profile()  # a second run, for the shares
    profile.runcall(check, [folder], sources, standalone)
    stats = pstats.Stats(profile)
    profiled = cumulative(stats, [("koryo_kg/validation/contributions.py", "check")])
    shares = {phase: share(stats, phase, profiled) for phase in PHASES}
    store = pyoxigraph.Store()  # the triples validated, counted once each
    files = rdf_files([folder]) + ([] if standalone else list(sources.data))
    load_into(store, files, pyoxigraph.NamedNode("urn:koryo-kg:data"), LocationIndex())
    root = str(project_root()) + os.sep  # the two sides' project files, named alike
    findings = sorted(BLANK_NODE.sub("_:", json.dumps(f.to_json(), sort_keys=True)).replace(root, "")
                      for f in report.findings)
    print(json.dumps({"wall": wall, "cpu": cpu, "peak": peak, "shares": shares, "triples": len(store),
                      "conforms": report.conforms, "findings": findings}))


def _run(folder: Path, standalone: bool, source: Path) -> dict:
    command = [sys.executable, __file__, "--child", str(folder)] + (["--standalone"] if standalone else [])
    done = subprocess.run(command, env={**os.environ, "PYTHONPATH": str(source)}, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        sys.exit(f"validation with {source} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def measure(label: str, folder: Path, standalone: bool, against: Path | None, rounds: int) -> None:
    sides = {"ours": OURS, **({"peer": against} if against else {})}
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    for _ in range(rounds):  # alternating, so that both sides meet the same moments of a shared machine
        for side, source in sides.items():
            runs[side].append(_run(folder, standalone, source))
    ours = runs["ours"][0]
    line = (f"{label:<10} {ours['triples']:>8} triples  conforms={ours['conforms']}  {len(ours['findings'])} findings"
            + "".join(f"  {side} {statistics.median(r['wall'] for r in runs[side]):6.2f} s wall "
                      f"{statistics.median(r['cpu'] for r in runs[side]):6.2f} s CPU "
                      f"{max(r['peak'] for r in runs[side]):5.0f} MB" for side in sides))
    if against:
        ratio = lambda key: statistics.median(r[key] for r in runs["peer"]) / statistics.median(r[key] for r in runs["ours"])
        same = all(r["findings"] == ours["findings"] for side in sides for r in runs[side])
        line += f"  peer/ours {ratio('wall'):.2f} wall {ratio('cpu'):.2f} CPU  same findings: {'yes' if same else 'NO'}"
    print(line, flush=True)
    for side in sides:
        shares = {phase: statistics.median(r["shares"][phase] for r in runs[side]) for phase in PHASES}
        print(f"{'':10} {side}: " + "  ".join(f"{phase} {100 * part:.0f}%" for phase, part in shares.items() if part),
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", default="1,10,100", help="copies of the data to validate, comma-separated "
                        "('' for none)")
    parser.add_argument("--register", type=Path, help="a folder to validate with the project's data too")
    parser.add_argument("--against", type=Path, metavar="SRC", help="another checkout's src/, run side by side")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each side per data set (the median is shown)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--standalone", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.standalone)
        return
    sys.path.insert(0, str(OURS))
    for factor in (int(f) for f in args.factors.split(",") if f):
        with tempfile.TemporaryDirectory() as tmp:
            write_copies(factor, Path(tmp))
            measure(f"x{factor}", Path(tmp), True, args.against, args.rounds)
    if args.register:
        measure(args.register.name, args.register.resolve(), False, args.against, args.rounds)


if __name__ == "__main__":
    main()
