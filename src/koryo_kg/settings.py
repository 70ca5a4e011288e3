"""Everything the server can be told, in one place, with the defaults the README lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from koryo_kg.vocab import BASE


@dataclass(frozen=True)
class ServerConfig:
    store_path: str  # a pyoxigraph store folder, opened read-only
    graph_counts: dict[str, int] = field(default_factory=dict)  # named graph IRI -> triples
    workers: int = 2  # server processes, each with the graph in memory
    threads: int = 16  # requests served at once per process
    query_timeout: float = 30.0  # seconds; a query past it is stopped and answered 503
    max_rows: int = 100_000  # result rows (or triples) per response; 0 for no limit
    max_body: int = 1_000_000  # bytes of request body; more is answered 413
    max_memory: int = 2048  # MB of memory (resident) per process; a process past it is replaced, its queries 503
    max_connections: int = 1000  # open connections per process; more wait in the listen queue
    header_timeout: float = 10.0  # seconds to finish a request's headers once begun, or idle after one
    cors_origins: tuple[str, ...] = ("*",)  # empty: no CORS headers
    service_allowlist: tuple[str, ...] = ()  # SERVICE endpoints a query may call
    base: str = BASE
    dumps_dir: str | None = None  # the build's downloads (see store.DUMPS)
    validation_report: str | None = None  # the build's SHACL report as JSON (see store.VALIDATION)
    version: str = "unversioned"  # changes whenever the served data changes: the root of every ETag
    modified: datetime | None = None  # when the served data last changed: Last-Modified
    update_log: str | None = None  # the RDF Patch file of committed updates, replayed at start (see updates.py)
    update_token: str | None = field(default=None, repr=False)  # SPARQL Update is on only with this token
    public_url: str | None = None  # what links start with (--public-url); None: the request's checked Host
    allowed_hosts: tuple[str, ...] = ()  # Host names answered (see hosts.py); empty: any (tests, embedding)
