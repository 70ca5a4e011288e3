"""Serving the app with gunicorn (a production WSGI server): `workers` processes with `threads` threads
each, every process with the graph in memory. gunicorn logs one line per request and stops cleanly on
SIGINT and SIGTERM.

A runaway query cannot be cancelled inside pyoxigraph, so the process that runs it retires: it answers 503,
stops accepting connections, finishes its other requests and ends after a grace period, taking the query
with it; gunicorn starts a fresh process while the others go on serving.
"""

from __future__ import annotations

import logging
import os
import signal
import threading

from gunicorn.app.base import BaseApplication

from .config import ServerConfig

ACCESS_LOG = '%(h)s "%(r)s" %(s)s %(B)s bytes %(M)s ms "%(a)s"'
GRACE = 5.0  # seconds a retiring process has to finish its other requests


def retire_this_process() -> None:
    logging.getLogger("gunicorn.error").warning("a query passed its deadline: retiring process %s", os.getpid())
    os.kill(os.getpid(), signal.SIGTERM)  # gunicorn: accept nothing more, finish what is in flight
    timer = threading.Timer(GRACE, os._exit, args=(0,))  # the runaway query never finishes by itself
    timer.daemon = True
    timer.start()


class _Gunicorn(BaseApplication):
    def __init__(self, config: ServerConfig, host: str, port: int):
        self.koryo, self.bind = config, f"{host}:{port}"
        super().__init__()

    def load_config(self):
        for key, value in {
            "bind": self.bind, "workers": self.koryo.workers, "worker_class": "gthread",
            "threads": self.koryo.threads, "accesslog": "-", "errorlog": "-", "access_log_format": ACCESS_LOG,
            "loglevel": "info", "timeout": int(self.koryo.query_timeout + GRACE) + 30,
            "graceful_timeout": int(GRACE), "keepalive": 5, "proc_name": "koryo-kg",
            "control_socket_disable": True,
            "limit_request_line": 0,  # long queries by GET (SPARQLWrapper's default method) must get through
        }.items():
            self.cfg.set(key, value)

    def load(self):
        from .app import create_app

        return create_app(self.koryo, on_runaway=retire_this_process)


def run(config: ServerConfig, host: str, port: int) -> None:
    _Gunicorn(config, host, port).run()
