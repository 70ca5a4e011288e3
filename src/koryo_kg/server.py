"""Serving the app with granian (a production server whose HTTP layer is written in Rust; it calls our WSGI
app from `threads` Python threads per process): `workers` processes, every one with the graph in memory. One
log line per request; SIGINT and SIGTERM stop it cleanly.

A runaway query cannot be cancelled inside pyoxigraph, so the process running it is replaced: its client gets
503 at the deadline, and the process asks granian's main process (SIGHUP) to respawn the workers. Each new
worker starts before the old one is told to stop; an old one finishes what it is serving and is killed when
it is still alive after the query timeout and a grace period, the longest any query it ran may still need.
The others go on serving meanwhile.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from functools import partial

from granian.constants import Interfaces
from granian.server import Server as Granian

from .access_log import logging_requests
from .config import ServerConfig

GRACE = 5  # seconds an old worker has, beyond the query timeout, to finish what it serves
RESPAWN_DELAY = 1.0  # seconds a new worker has to load the graph before the old one stops taking requests

_retiring = threading.Event()


def replace_this_worker() -> None:
    if not _retiring.is_set():  # one respawn per process is enough
        _retiring.set()
        logging.getLogger("_granian").warning("a query passed its deadline: replacing worker %s", os.getpid())
        os.kill(os.getppid(), signal.SIGHUP)


def _load_app(config: ServerConfig, target: str):
    # A forked worker inherits the main process's handlers, which only set a flag in the worker's copy: a
    # SIGTERM while it loads would be lost and the worker would serve on. Until granian installs the worker's
    # own handlers, a signal simply ends it.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    from .app import create_app

    return logging_requests(create_app(config, on_runaway=replace_this_worker))


class _NotTheGIL(logging.Filter):
    """granian warns that more Python threads than cores contend for the GIL; ours wait on pyoxigraph, which
    releases it, so the advice does not apply."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Python threads" not in record.getMessage()


def run(config: ServerConfig, host: str, port: int) -> None:
    server = Granian(
        "koryo_kg.app:create_app", address=host, port=port, interface=Interfaces.WSGI, workers=config.workers,
        blocking_threads=config.threads, backpressure=config.threads, websockets=False,
        respawn_interval=RESPAWN_DELAY, workers_kill_timeout=min(int(config.query_timeout) + GRACE, 1800),
    )
    logging.getLogger("_granian").addFilter(_NotTheGIL())
    server.serve(target_loader=partial(_load_app, config))
