"""Serving the app with gunicorn (a production WSGI server): one HTTP process with threads, queries in the
engine's executor processes. gunicorn logs one line per request and stops cleanly on SIGINT and SIGTERM."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from .config import ServerConfig

ACCESS_LOG = '%(h)s "%(r)s" %(s)s %(B)s bytes %(M)s ms "%(a)s"'


class _Gunicorn(BaseApplication):
    def __init__(self, config: ServerConfig, host: str, port: int, threads: int):
        self.koryo, self.bind, self.threads = config, f"{host}:{port}", threads
        super().__init__()

    def load_config(self):
        for key, value in {
            "bind": self.bind, "workers": 1, "worker_class": "gthread", "threads": self.threads,
            "accesslog": "-", "errorlog": "-", "access_log_format": ACCESS_LOG, "loglevel": "info",
            "timeout": int(self.koryo.query_timeout) + 30, "graceful_timeout": 5, "keepalive": 5,
            "proc_name": "koryo-kg", "control_socket_disable": True,
        }.items():
            self.cfg.set(key, value)

    def load(self):
        from .app import create_app

        return create_app(self.koryo)


def run(config: ServerConfig, host: str, port: int, threads: int) -> None:
    _Gunicorn(config, host, port, threads).run()
