"""What a start and a respawn of `koryo-kg serve` cost on a large build: the time to the first answer and to the
first search, and the CPU each worker spends until it is idle (most of it the values derived from the data:
the search index, the subjects …, computed once a machine and read from files by the other processes, see
http/kept_values.py); then a query past the deadline makes the server replace its workers, and the same is
measured of the new ones, with the slowest search answered meanwhile.

    python benchmarks/synthetic_register.py --persons 172000 --out /tmp/register --violations 0
    koryo-kg --home /tmp/home build --include /tmp/register
    python benchmarks/serve_start.py --home /tmp/home [--workers 2] -- --include /tmp/register

Run it on a copy of the home (cp -al): the first start writes the files into the build's folder."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TICK = os.sysconf("SC_CLK_TCK")


def _get(url: str, timeout: float = 60) -> tuple[int, float]:
    """Status and seconds of one request."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
    return status, time.perf_counter() - started


def _until(url: str, since: float) -> float:
    """Seconds from `since` until `url` answers 200."""
    while True:
        try:
            if _get(url, timeout=60)[0] == 200:
                return time.perf_counter() - since
        except OSError:
            time.sleep(0.02)


def _workers(server: int) -> dict[int, float]:
    """CPU seconds (user + system) of each child of `server`."""
    seconds = {}
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server:
            seconds[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICK
    return seconds


def _idle(server: int, before: set[int] = frozenset(), still: float = 3.0) -> dict[int, float]:
    """The CPU of the workers not in `before`, once none has used any for `still` seconds."""
    last, quiet = {}, time.monotonic()
    while time.monotonic() - quiet < still:
        time.sleep(0.5)
        now = {pid: cpu for pid, cpu in _workers(server).items() if pid not in before}
        if not now or any(now.get(pid, 0) - last.get(pid, 0) > 0.05 for pid in now):
            quiet = time.monotonic()
        last = now
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=15, help="the query deadline, for the respawn (longer than the start's own queries)")
    parser.add_argument("serve", nargs=argparse.REMAINDER, help="after --: more options of serve (the --include of the build)")
    options = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile("w+", prefix="serve-", suffix=".log", delete=False)
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "koryo_kg.cli", "serve", "--port", str(port), "--workers",
                               str(options.workers), "--timeout", str(options.timeout),
                               *(a for a in options.serve if a != "--")],
                              env={**os.environ, "KORYO_KG_HOME": str(options.home)}, stdout=log, stderr=subprocess.STDOUT)
    try:
        first = _until(root + "/sparql?query=" + urllib.parse.quote("ASK {}"), started)
        search = _until(root + "/search?q=Kim", started)
        print(f"start: first answer after {first:.2f} s, first search after {search:.2f} s")
        cpu = _idle(server.pid)
        print(f"  worker CPU until idle: {', '.join(f'{s:.2f} s' for s in cpu.values())} (sum {sum(cpu.values()):.2f} s)")
        status, seconds = _get(root + "/sparql?query=" + urllib.parse.quote(ENDLESS))
        print(f"runaway: {status} after {seconds:.1f} s; searching while the workers are replaced")
        replaced = time.perf_counter()
        slowest = 0.0
        while time.perf_counter() - replaced < 15:
            try:
                status, seconds = _get(root + "/search?q=Kim")
                slowest = max(slowest, seconds)
            except OSError:
                pass
            time.sleep(0.05)
        cpu = _idle(server.pid, before=set(cpu))
        print(f"  slowest search in the 15 s after: {slowest:.2f} s; new workers' CPU until idle: "
              f"{', '.join(f'{s:.2f} s' for s in cpu.values())}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        print("the workers' lines:\n" + "".join(line for line in Path(log.name).read_text().splitlines(True)
                                              if "derived from the data" in line or "replacing" in line))


if __name__ == "__main__":
    main()
