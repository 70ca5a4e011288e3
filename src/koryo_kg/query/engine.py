"""The query engine the web layer talks to: pyoxigraph in memory, every query evaluated by a query thread
(see _QueryThreads) under a deadline.

The built store is loaded into an in-memory pyoxigraph store when a server process starts (the koryo-kg
graph loads in milliseconds; the in-memory store answers aggregates about three times faster than the
on-disk one). pyoxigraph releases the GIL while it evaluates, so queries run in parallel with the web
threads. It cannot cancel a query, though: when one passes its deadline the caller gets QueryTimeout at
once and `on_runaway` is called, which in the server replaces the whole process (see server.py) while the
other processes go on serving. Query threads are daemons, so that a process told to stop does not wait for
its runaway.

This is the one interface between the endpoint and the store, so that a remote SPARQL store could take its
place when a deployment outgrows one machine.
"""

from __future__ import annotations

import io
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TypedDict

import pyoxigraph

from koryo_kg.query.writers import RDF_FORMATS, SOLUTION_NATIVE_FORMATS, write_boolean, write_solutions

CHUNK = 64 * 1024
SMALL = 1024 * 1024  # bytes: a result up to this size is serialized at once, in Rust
LONG = 1.0  # seconds: work running longer yields the CPU to the rest (nearly all queries take milliseconds)
YIELDING = 19  # the nice value of such work's thread: the lowest priority


class Request(TypedDict):
    query: str
    default_graph: list[str] | None  # None: the union of all graphs, or the query's own FROM
    named_graphs: list[str] | None
    names_dataset: bool  # the query has FROM or FROM NAMED (see sparql_text.outline)
    format: str  # a name of koryo_kg.formats: of a results format for SELECT and ASK, of a graph or dataset one else
    max_rows: int  # 0: no limit
    base_iri: str | None  # what relative IRIs in the query resolve against (the endpoint's URL)


class QueryError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class QueryTimeout(QueryError):
    def __init__(self, seconds: float):
        super().__init__(503, f"the request ran longer than the server's limit of {seconds:g} s and was stopped")


@dataclass
class Answer:
    kind: str  # boolean | solutions | graph
    truncated: bool
    body: bytes | Iterator[bytes]  # bytes when small (sent with a Content-Length), else streamed


def load_in_memory(path: str) -> pyoxigraph.Store:
    """An in-memory copy of the store at `path` (a pyoxigraph store folder)."""
    memory = pyoxigraph.Store()
    memory.bulk_extend(pyoxigraph.Store.read_only(path).quads_for_pattern(None, None, None, None))
    return memory


def _dataset(request: Request) -> dict:
    base = {"base_iri": request.get("base_iri")}
    if request["default_graph"] is None and request["named_graphs"] is None:
        return {**base, "use_default_graph_as_union": not request["names_dataset"]}
    return {**base, "default_graph": [pyoxigraph.NamedNode(g) for g in request["default_graph"] or []],
            "named_graphs": [pyoxigraph.NamedNode(g) for g in request["named_graphs"] or []]}


def _limited(items, limit: int):
    """With a limit, the first `limit` items and whether there were more (so that the response can say so
    before it starts); without one, the items themselves, to be streamed."""
    if not limit:
        return items, False
    head = list(islice(items, limit + 1))
    return head[:limit], len(head) > limit


def _chunks(texts: Iterator[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for text in texts:
        buffer.append(text)
        size += len(text)
        if size >= CHUNK:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


class _Full(Exception):
    """The result is larger than a small one."""


class _CappedBuffer(io.RawIOBase):
    def __init__(self, cap: int):
        super().__init__()
        self.parts: list[bytes] = []
        self.size, self.cap = 0, cap

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise _Full
        self.parts.append(bytes(data))
        return len(data)


def _serialized_if_small(results, request: Request) -> bytes | None:
    """The whole result serialized by pyoxigraph (in Rust, several times faster than our writers), or None
    when it is larger than SMALL bytes or than `max_rows` bytes. Every row and every triple takes at least
    one byte in every format, so a result that fits holds at most max_rows rows and needs no truncation."""
    cap = min(SMALL, request["max_rows"] or SMALL)
    native = SOLUTION_NATIVE_FORMATS if isinstance(results, pyoxigraph.QuerySolutions) else RDF_FORMATS
    sink = _CappedBuffer(cap)
    try:
        results.serialize(sink, format=native[request["format"]])
    except _Full:
        return None
    return b"".join(sink.parts)


def _graph_bytes(triples, name: str) -> Iterator[bytes]:
    sink = io.BytesIO()
    pyoxigraph.serialize(triples, sink, format=RDF_FORMATS[name])
    yield sink.getvalue()


def evaluate(store: pyoxigraph.Store, request: Request) -> Answer:
    """Run the query: small results are serialized here at once; large ones are evaluated again and streamed
    row by row up to max_rows. This is the part of the work that may run away."""
    try:
        results = store.query(request["query"], **_dataset(request))
        if isinstance(results, pyoxigraph.QueryBoolean):
            return Answer("boolean", False, write_boolean(bool(results), request["format"]).encode("utf-8"))
        kind = "solutions" if isinstance(results, pyoxigraph.QuerySolutions) else "graph"
        small = _serialized_if_small(results, request)
        if small is not None:
            return Answer(kind, False, small)
        results = store.query(request["query"], **_dataset(request))
        limit = request["max_rows"]
        if kind == "graph":
            triples, truncated = _limited(results, limit)
            return Answer(kind, truncated, _graph_bytes(triples, request["format"]))
        variables = [v.value for v in results.variables]
        rows, truncated = _limited(([s[v] for v in variables] for s in results), limit)
        notes = [f"urn:koryo-kg:truncated:{limit}"] if truncated else []
        return Answer(kind, truncated, _chunks(write_solutions(variables, rows, request["format"], notes)))
    except SyntaxError as error:
        raise QueryError(400, f"SPARQL syntax error: {error}") from None
    except (OSError, RuntimeError, ValueError) as error:
        raise QueryError(400, f"the query could not be evaluated: {error}") from None


class _Job:
    """One piece of work for a query thread (see _QueryThreads), with what the waiting request needs."""

    def __init__(self, work: Callable, args: tuple):
        self.work, self.args = work, args
        self.done = threading.Event()
        self.result = self.error = self.stopped = None
        self.thread_id: int | None = None  # the native id of the thread running it, once it runs
        self.yielded = False
        self._lock = threading.Lock()  # between yield_cpu and the end of the work

    def run(self) -> bool:
        """Do the work in this thread; True when the thread was made to yield and must end with it."""
        self.thread_id = threading.get_native_id()
        try:
            self.result = self.work(*self.args)
        except BaseException as error:  # handed to the waiting request
            self.error = error
        with self._lock:
            self.thread_id = None
            self.done.set()
            return self.yielded

    def yield_cpu(self) -> None:
        with self._lock:
            if self.thread_id is None:  # not started, or already done: no thread of it to lower
                return
            try:
                os.setpriority(os.PRIO_PROCESS, self.thread_id, YIELDING)
                self.yielded = True
            except OSError:
                pass

    def stop(self, error: QueryError) -> None:
        self.yield_cpu()  # to the threads that answer
        self.stopped = error
        self.done.set()


class _QueryThreads:
    """Threads that run the engine's work, kept for the next piece (starting a thread per query cost about a
    third of the throughput at concurrency 8), except a thread made to yield: an unprivileged process cannot
    raise a thread's priority again, so that thread ends with its work and no later query inherits it."""

    def __init__(self):
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._idle = 0
        self._lock = threading.Lock()

    def submit(self, job: _Job) -> None:
        with self._lock:
            start = not self._idle
            if not start:
                self._idle -= 1
        self._jobs.put(job)
        if start:
            threading.Thread(target=self._serve, name="query", daemon=True).start()

    def _serve(self) -> None:
        while not self._jobs.get().run():
            with self._lock:
                self._idle += 1


class Engine:
    def __init__(self, store: pyoxigraph.Store, timeout: float, on_runaway: Callable[[], None] = lambda: None):
        self.store, self.timeout, self.on_runaway = store, timeout, on_runaway
        self.revision = 0  # which updates the store holds: the same number in every process for the same data
        self.changed: datetime | None = None  # when the last of them was committed
        self._running: set[_Job] = set()
        self._threads = _QueryThreads()
        self._refusing: QueryError | None = None  # set by stop_all: this process ends soon

    def replace_store(self, store: pyoxigraph.Store, revision: int, changed: datetime) -> None:
        """Serve `store` from now on: queries already running finish on the old one."""
        self.store, self.revision, self.changed = store, revision, changed

    def query(self, request: Request) -> Answer:
        """Evaluate; raises QueryError (400 for a bad query) or QueryTimeout (503)."""
        return self.run(evaluate, self.store, request)

    def run(self, work: Callable, *args):
        """work(*args) under the deadline (queries, and validations sent to the server); raises QueryTimeout,
        or the error given to stop_all. Work still running after LONG seconds yields the CPU to the others:
        a runaway then slows down nobody but itself."""
        if self._refusing:
            raise self._refusing
        job = _Job(work, args)
        self._running.add(job)
        self._threads.submit(job)
        try:
            first = min(LONG, self.timeout)
            if not job.done.wait(first):
                job.yield_cpu()
                if not job.done.wait(self.timeout - first):
                    self.on_runaway()
                    raise QueryTimeout(self.timeout)
        finally:
            self._running.discard(job)
        if job.stopped:
            raise job.stopped
        if job.error:
            raise job.error
        return job.result

    def stop_all(self, error: QueryError, within: float) -> None:
        """Answer every request waiting for its work, and every later one, with `error` now (the work itself
        cannot be stopped); return when the waiting ones have all taken it, or after `within` seconds."""
        self._refusing = error
        for job in list(self._running):
            job.stop(error)
        deadline = time.monotonic() + within
        while self._running and time.monotonic() < deadline:
            time.sleep(0.005)
