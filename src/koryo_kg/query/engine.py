"""The query engine every read of the data goes through: a backend (the store) evaluates, a query thread
(see _QueryThreads) runs the work, and the engine holds the deadline.

The engine knows no store: a Backend answers the SPARQL Protocol's requests in bytes (`evaluate`, the
endpoint's hot path) and the pages' named reads in rdflib terms (`select`, `construct`, `ask`,
`graph_counts`), with the union of all graphs as the default graph. The embedded backend (embedded.py) is
pyoxigraph in memory; a remote SPARQL store can take its place behind the same methods.

A backend cannot be assumed to cancel a query: when one passes its deadline the caller gets QueryTimeout at
once and `on_runaway` is called, which in the server replaces the whole process (see server.py) while the
other processes go on serving. Query threads are daemons, so that a process told to stop does not wait for
its runaway.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Protocol, TypedDict

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


class Backend(Protocol):
    """A store the engine reads, without deadlines (the engine keeps them). Terms are rdflib's; `bindings`
    maps variable names to terms, substituted in the query (never spliced into its text; a SELECT projects
    the variables it binds); a binding that is not a valid term (an IRI with a space) raises ValueError."""

    def evaluate(self, request: Request) -> Answer:
        """A SPARQL Protocol request, answered in bytes; raises QueryError (400) for a bad query."""

    def select(self, text: str, bindings: dict | None = None) -> list[dict]:
        """The solutions, as variable name -> term (None when unbound)."""

    def construct(self, text: str, bindings: dict | None = None, format: str | None = None) -> list[tuple] | bytes:
        """The triples, each once, as (subject, predicate, object); or, with `format` (a key of
        writers.RDF_FORMATS), serialized."""

    def ask(self, text: str, bindings: dict | None = None) -> bool: ...

    def graph_counts(self) -> dict[str, int]:
        """The number of triples of every named graph."""


def limited(items, limit: int):
    """For every backend's answers: with a limit, the first `limit` items and whether there were more (so that the response can say so
    before it starts); without one, the items themselves, to be streamed."""
    if not limit:
        return items, False
    head = list(islice(items, limit + 1))
    return head[:limit], len(head) > limit


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
    def __init__(self, backend: Backend, timeout: float, on_runaway: Callable[[], None] = lambda: None):
        self.backend, self.timeout, self.on_runaway = backend, timeout, on_runaway
        self.revision = 0  # which updates the store holds: the same number in every process for the same data
        self.changed: datetime | None = None  # when the last of them was committed
        self._running: set[_Job] = set()
        self._threads = _QueryThreads()
        self._refusing: QueryError | None = None  # set by stop_all: this process ends soon

    def replace_backend(self, backend: Backend, revision: int, changed: datetime) -> None:
        """Serve `backend` from now on: reads already running finish on the old one."""
        # the backend first: whoever sees the new revision reads the new data (http/dataset_state.py)
        self.backend = backend
        self.revision, self.changed = revision, changed

    def query(self, request: Request) -> Answer:
        """Evaluate; raises QueryError (400 for a bad query) or QueryTimeout (503)."""
        return self.run(self.backend.evaluate, request)

    def select(self, text: str, bindings: dict | None = None) -> list[dict]:
        return self.run(self.backend.select, text, bindings)

    def construct(self, text: str, bindings: dict | None = None, format: str | None = None) -> list[tuple] | bytes:
        return self.run(self.backend.construct, text, bindings, format)

    def ask(self, text: str, bindings: dict | None = None) -> bool:
        return self.run(self.backend.ask, text, bindings)

    def graph_counts(self) -> dict[str, int]:
        return self.run(self.backend.graph_counts)

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
