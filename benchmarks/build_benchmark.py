"""The build at scale: `koryo-kg build --include` of a synthetic register of N persons, each stage's seconds
and the peak memory, for each reasoner asked for, side by side.

    python benchmarks/build_benchmark.py --persons 172000
    python benchmarks/build_benchmark.py --persons 2000 --reasoner rules --reasoner owlrl

Each build runs in a process of its own (so that its peak resident set is its own), with `--force` into a
fresh home; the stages are timed by the build's own progress messages (parse; reason, with the validation
running beside it; the rest of the validation, when it outlasts the reasoning; store with the dumps), so that
the benchmark times exactly what the command runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAGES = ("parsing", "reasoning", "validating", "storing")


def _child(register: Path, home: Path, reasoner: str) -> None:
    """One build, printing {stage: [seconds, peak MB at its end]} and the outcome as JSON."""
    from koryo_kg.build.cache import BuildCache
    from koryo_kg.build.pipeline import build
    from koryo_kg.problems import BuildFailed
    from koryo_kg.sources.files import default_sources

    marks: list[tuple[str, float, float, int]] = []  # stage, wall clock, CPU seconds, peak kB so far

    def progress(message: str) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        marks.append((message.split()[0].rstrip(":"), time.monotonic(), usage.ru_utime + usage.ru_stime, usage.ru_maxrss))

    started = time.monotonic()
    outcome = "built"
    try:
        result = build(default_sources().including((register,)), BuildCache(home), force=True, progress=progress,
                       reasoner=reasoner)
        outcome += f" ({sum(result.counts.values())} triples)"
    except BuildFailed as failure:
        findings = failure.report.findings if failure.report else []
        outcome = f"refused: {len(findings)} findings, " + ", ".join(sorted({str(f.location) for f in findings})[:4])
    progress("end")
    stages = {name: [round(marks[i + 1][1] - at, 2), round(marks[i + 1][2] - cpu, 2), marks[i + 1][3] // 1024]
              for i, (name, at, cpu, _) in enumerate(marks[:-1])}
    print(json.dumps({"stages": stages, "wall": round(time.monotonic() - started, 2), "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=172_000)
    parser.add_argument("--reasoner", action="append", choices=("rules", "owlrl"))
    parser.add_argument("--valid", action="store_true", help="a register without its seeded violations (the "
                        "build then stores and dumps; with them it stops after validating, as it must)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(Path(args.child[0]), Path(args.child[1]), args.child[2])
        return
    sys.path.insert(0, str(HERE))
    import synthetic_register

    with tempfile.TemporaryDirectory() as scratch:
        register = Path(scratch) / "register"
        counts = synthetic_register.generate(args.persons, register,
                                             violations=0 if args.valid else synthetic_register.VIOLATIONS)
        print(f"register: {counts}")
        print("seconds of wall clock (and of CPU) per stage; this machine's 2 CPUs are shared, so the CPU time "
              "is what the build itself costs")
        print(f"| reasoner | {' | '.join(STAGES)} | wall (s) | peak RSS (MB) | outcome |")
        print(f"|---|{'---|' * len(STAGES)}---|---|---|")
        for reasoner in args.reasoner or ["rules"]:
            home = Path(scratch) / f"home-{reasoner}"
            child = subprocess.run([sys.executable, __file__, "--child", str(register), str(home), reasoner],
                                   capture_output=True, text=True, check=True)
            run = json.loads(child.stdout.splitlines()[-1])
            cells = [f"{run['stages'][s][0]:.1f} ({run['stages'][s][1]:.1f})" if s in run["stages"] else "–"
                     for s in STAGES]
            peak = max(mb for _, _, mb in run["stages"].values())
            print(f"| {reasoner} | {' | '.join(cells)} | {run['wall']:.1f} | {peak} | {run['outcome']} |")


if __name__ == "__main__":
    main()
