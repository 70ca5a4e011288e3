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


def start_oxigraph(folder: Path, timeout: int = 30) -> RunningStore:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    return _start("oxigraph", ["oxigraph", "serve", "--location", str(folder / "data"),
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


def publish_command(server, *extra: str) -> list[str]:
    arguments = ["publish", "--store", server.query, "--store-update", server.update, "--store-graphs", server.graphs]
    if server.credentials:
        arguments += ["--store-credentials", str(server.credentials_file())]
    return arguments + list(extra)


def client_for(server, graphs: bool = True, deadline=None) -> StoreClient:
    credentials = Credentials(*server.credentials.split(":", 1)) if server.credentials else None
    return StoreClient(Endpoints(server.query, server.update, server.graphs if graphs else None), credentials,
                       deadline)
