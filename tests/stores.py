"""Real SPARQL stores for the tests, started on 127.0.0.1 by the tests themselves: Oxigraph server (the
`oxigraph` command of the PyPI package) and Virtuoso Open Source 7 (Debian's `virtuoso-opensource`, run
with a virtuoso.ini of our own in a temporary folder). tests/run.sh installs both.

A store that cannot start fails the tests that need it, with its log: it is never skipped, so that a machine
without it cannot pass for one that has it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from koryo_kg.stores.client import Credentials, Endpoints, StoreClient

START = 120  # seconds a store may take to answer its first query (Virtuoso creates its database first)
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"  # the credentials of a new Virtuoso database


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningStore:
    """A store process and the URLs `koryo-kg publish` and RemoteStore are given."""

    name: str
    query: str  # the SPARQL 1.1 Protocol query endpoint
    update: str
    graphs: str  # the Graph Store HTTP Protocol endpoint
    credentials: str | None  # user:password, for the update and graph store endpoints
    folder: Path
    process: subprocess.Popen = field(repr=False)
    log: Path = field(repr=False)

    def credentials_file(self) -> Path | None:
        if self.credentials is None:
            return None
        path = self.folder / "credentials"
        path.write_text(self.credentials + "\n")
        path.chmod(0o600)
        return path

    def read_log(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


def _start(name: str, command: list[str], folder: Path, query: str, **urls) -> RunningStore:
    if shutil.which(command[0]) is None:
        pytest.fail(f"{name}: `{command[0]}` is not installed (tests/run.sh installs it)", pytrace=False)
    log = folder / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own group: stop() ends all it started
    store = RunningStore(name, query, folder=folder, process=process, log=log, **urls)
    probe = query + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + START
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}:\n{store.read_log()}", pytrace=False)
        try:
            with urllib.request.urlopen(probe, timeout=5) as response:
                response.read()
            return store
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    store.stop()
    pytest.fail(f"{name} did not answer {probe} within {START} s:\n{store.read_log()}", pytrace=False)


def start_oxigraph(folder: Path, timeout: int = 30, read_only: bool = False) -> RunningStore:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    return _start("oxigraph", ["oxigraph", "serve-read-only" if read_only else "serve", "--location", str(folder / "data"),
                               "--bind", f"127.0.0.1:{port}", "--timeout-s", str(timeout)],
                  folder, f"{base}/query", update=f"{base}/update", graphs=f"{base}/store", credentials=None)


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
DirsAllowed        = ., {folder}
NumberOfBuffers    = 20000
MaxDirtyBuffers    = 15000
CheckpointInterval = 0
; bytes one transaction may log: publish's MOVE of a 1 M-triple build logs more than the default 50 MB
TransactionAfterImageLimit = 1000000000
[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = /var/lib/virtuoso-opensource-7/vsp
ServerThreads      = 10
MaxClientConnections = 10
Charset            = UTF-8
[SPARQL]
; Virtuoso cuts longer results silently (it only says so in a header): koryo-kg's own --max-rows is lower
ResultSetMaxRows   = 1000000
MaxQueryExecutionTime = {timeout}
"""


def start_virtuoso(folder: Path, timeout: int = 30) -> RunningStore:
    sql_port, http_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port,
                                                             http_port=http_port, timeout=timeout))
    base = f"http://127.0.0.1:{http_port}"
    return _start("virtuoso", ["virtuoso-t", "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                  folder, f"{base}/sparql", update=f"{base}/sparql-auth", graphs=f"{base}/sparql-graph-crud-auth",
                  credentials=f"{VIRTUOSO_USER}:{VIRTUOSO_PASSWORD}")


STARTERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    store = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield store
    store.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    store = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield store
    store.stop()


@pytest.fixture(scope="session", params=sorted(STARTERS))
def sparql_server(request) -> RunningStore:
    """Each store in turn (a test using it runs once per store)."""
    return request.getfixturevalue(f"{request.param}_server")


ENGINES = ("embedded", *sorted(STARTERS))


def published(home, request, name: str) -> RunningStore:
    """The store `name`, with the build published into it once a session (a test that publishes another
    build ends by publishing this one again)."""
    from conftest import koryo_kg

    store = request.getfixturevalue(f"{name}_server")
    if not getattr(store, "published", False):
        result = koryo_kg(*publish_command(store), home=home)
        assert result.returncode == 0, result.stderr
        store.published = True
    return store


def store_front_end(home, store: RunningStore, *arguments: str):
    """A `koryo-kg serve --store` process on `store` (the credentials given, for updates)."""
    from conftest import Server

    credentials = ["--store-credentials", str(store.credentials_file())] if store.credentials else []
    return Server(home, "--store", store.query, *credentials, *arguments)


@pytest.fixture(scope="session")
def store_servers(home, request):
    """One `serve --store` process per store, started on first use and kept for the session."""
    servers = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session", params=ENGINES)
def engine_server(request, home, store_servers):
    """The server the endpoint, linked-data and update tests run against, once per engine: `embedded` is the
    `server` fixture (the build in memory, with tests/fixtures/added), `oxigraph` and `virtuoso` a front end
    on the store with the build published (no additions: `serve --store` takes none). `.engine` names it."""
    if request.param == "embedded":
        server = request.getfixturevalue("server")
    elif request.param not in store_servers:
        server = store_servers[request.param] = store_front_end(home, published(home, request, request.param))
    else:
        server = store_servers[request.param]
    server.engine = request.param
    return server


# Where a store's answer differs from SPARQL 1.1's: the rows are still all compared, and the tests fail once
# the store orders as the recommendation says (then remove the entry).
DEVIATIONS = {
    ("virtuoso", "05-spellings-of-decree-1428"): "ORDER BY does not compare strings by code point",
    ("virtuoso", "14-estimates"): "ORDER BY does not compare language-tagged strings by their text",
    ("virtuoso", "36-deaths"): "ORDER BY does not compare language-tagged strings by their text",
    ("virtuoso", "49-footnote-scope"): "ORDER BY does not compare strings by code point",
    ("virtuoso", "54-hedges"): "ORDER BY does not compare strings by code point",
}


def check_answer(engine: str, name: str, text: str, answer_csv: str, expected_csv: str) -> None:
    """A competency question's CSV answer against its expected one: rows in order when the query orders
    them, else in any order (SPARQL leaves it to the store); a DEVIATIONS entry is checked to still deviate."""
    answer, expected = answer_csv.replace("\r\n", "\n"), expected_csv.replace("\r\n", "\n")
    ordered = "ORDER BY" in text.upper()
    if (engine, name) in DEVIATIONS:
        assert _lines(answer, False) == _lines(expected, False)
        assert _lines(answer, True) != _lines(expected, True), "the store now orders as SPARQL says"
        return
    assert _lines(answer, ordered) == _lines(expected, ordered)


def _lines(text: str, ordered: bool) -> list[str]:
    lines = text.splitlines()
    return lines if ordered else lines[:1] + sorted(lines[1:])


def publish_command(server, *extra: str) -> list[str]:
    arguments = ["publish", "--store", server.query, "--store-update", server.update, "--store-graphs", server.graphs]
    if server.credentials:
        arguments += ["--store-credentials", str(server.credentials_file())]
    return arguments + list(extra)


def client_for(server, graphs: bool = True, deadline=None) -> StoreClient:
    credentials = Credentials(*server.credentials.split(":", 1)) if server.credentials else None
    return StoreClient(Endpoints(server.query, server.update, server.graphs if graphs else None), credentials,
                       deadline)
