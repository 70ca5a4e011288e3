"""Serving the app with granian (a production server whose HTTP layer is written in Rust; it calls our WSGI
app from `threads` Python threads per process): `workers` processes, each serving the built store (shared on
disk, or a copy of its own: query/embedded.py open_store). One log line per request; SIGINT and SIGTERM stop it cleanly.

A runaway query cannot be cancelled inside pyoxigraph, so the process running it is replaced: its client gets
503 at the deadline, and the process asks granian's main process (SIGHUP) to respawn the workers. Each new
worker starts before the old one is told to stop; an old one finishes what it is serving and is killed when
it is still alive after the query timeout and a grace period. The others go on serving meanwhile.

A query can also run away with memory faster than with time (a cross product sorted: hundreds of MB a
second). Every worker watches its own resident memory; past `max_memory` its waiting requests are answered
503 and it ends at once with OUT_OF_MEMORY, which the main process takes as "replace this worker" rather
than as a crash (granian stops the whole server at a worker's unexpected end).

Idle clients hold connections, not threads: granian gives every connection a slot of `max_connections`
(its "backpressure", which it holds for the connection's life, not per request) and closes one that has
begun a request's headers and not ended them, or sits idle after a request, for `header_timeout`. One that
never sends a byte keeps its slot (hyper starts that timer at the first byte). A slow body holds a request
thread until it is in (granian's wsgi.input has no timeout; reading it in another thread under a time limit
stalled the whole worker when tried, and more runtime threads did not help), so bodies.py lets at most half
of the threads read bodies at once: requests without one always find a thread.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import threading
import time
from functools import partial

from granian.constants import Interfaces
from granian.http import HTTP1Settings
from granian.server import Server as Granian

from koryo_kg.http.access_log import logging_requests
from koryo_kg.query.engine import QueryError
from koryo_kg.settings import ServerConfig

GRACE = 5  # seconds an old worker has, beyond the query timeout, to finish what it serves
RESPAWN_DELAY = 1.0  # seconds a new worker has to open the graph before the old one stops taking requests
OUT_OF_MEMORY = 75  # exit status of a worker past the memory limit: not a crash, to be replaced
MEMORY_CHECK = 0.02  # seconds between two looks at the worker's memory (a runaway grows 0.3-1 GB a second)
LAST_WORDS = 0.1  # seconds a worker past the memory limit leaves its requests to take their 503, then to send it

_retiring = threading.Event()
_PAGE = os.sysconf("SC_PAGE_SIZE")


def replace_this_worker() -> None:
    if not _retiring.is_set():  # one respawn per process is enough
        _retiring.set()
        logging.getLogger("_granian").warning("a query passed its deadline: replacing worker %s", os.getpid())
        os.kill(os.getppid(), signal.SIGHUP)


def _resident_bytes() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE


def _watch_memory(engine, megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    while _resident_bytes() <= limit:
        time.sleep(MEMORY_CHECK)
    logging.getLogger("_granian").warning("worker %s used more than %s MB: replacing it", os.getpid(), megabytes)
    engine.stop_all(QueryError(503, f"the request used more than the server's memory limit of {megabytes} MB "
                                    "and was stopped"), within=LAST_WORDS)
    time.sleep(LAST_WORDS)  # for the answers to be sent
    os._exit(OUT_OF_MEMORY)  # at once: the runaway's thread would go on growing through a clean exit


def _load_app(config: ServerConfig, target: str):
    # A forked worker inherits the main process's handlers, which only set a flag in the worker's copy: a
    # SIGTERM while it loads would be lost and the worker would serve on. Until granian installs the worker's
    # own handlers, a signal simply ends it.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    from koryo_kg.app import create_app

    app = create_app(config, on_runaway=replace_this_worker)
    if config.max_memory:
        threading.Thread(target=_watch_memory, args=(app.config["ENGINE"], config.max_memory), daemon=True,
                         name="memory").start()
    return logging_requests(app)


class _NotTheGIL(logging.Filter):
    """granian warns that more Python threads than cores contend for the GIL; ours wait on pyoxigraph, which
    releases it, so the advice does not apply."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Python threads" not in record.getMessage()


class _Server(Granian):
    """granian, with a worker that ends with OUT_OF_MEMORY replaced at once instead of taken for a crash.

    The replacement goes through granian's own hook for workers over a memory limit, which its main loop
    calls between its other respawns; granian's periodic sampling of the workers' memory is left off, since
    every worker watches its own, fifty times a second."""

    def _spawn_worker(self, idx, target, callback_loader):
        worker = super()._spawn_worker(idx, target, callback_loader)
        crashed = worker._watcher

        def watcher():
            worker.inner.join()
            if worker.inner.exitcode != OUT_OF_MEMORY:
                return crashed()
            self.rss_signal = True
            self.main_loop_interrupt.set()

        worker._watcher = watcher
        return worker

    def _handle_rss_signal(self, spawn_target, target_loader):
        # an old worker being replaced anyway is no longer in self.wrks
        ended = [worker.idx for worker in self.wrks if worker.inner.exitcode == OUT_OF_MEMORY]
        if ended:
            self._respawn_workers(ended, spawn_target, target_loader)

    def _watch_workers_rss(self):
        pass


def _share_with_workers() -> None:
    """Import the app's modules in the main process, before granian forks the workers from it: the workers
    then share those pages copy-on-write instead of each importing its own copy. gc.freeze() moves what is
    imported out of the collector's reach, which would otherwise write to every object and copy its page."""
    import koryo_kg.app  # noqa: F401

    gc.collect()
    gc.freeze()


def run(config: ServerConfig, host: str, port: int) -> None:
    _share_with_workers()
    server = _Server(
        "koryo_kg.app:create_app", address=host, port=port, interface=Interfaces.WSGI, workers=config.workers,
        blocking_threads=config.threads, backpressure=config.max_connections, websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=int(config.header_timeout * 1000)),
        respawn_interval=RESPAWN_DELAY, workers_kill_timeout=min(int(config.query_timeout) + GRACE, 1800),
    )
    logging.getLogger("_granian").addFilter(_NotTheGIL())
    server.serve(target_loader=partial(_load_app, config))
