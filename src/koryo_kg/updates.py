"""SPARQL Update, off by default; on when the server is given a bearer token.

An update is tried on a copy of the served dataset; the graphs it changes are validated against the
project's shapes; only then is it committed: appended to the update log and swapped in, all at once (a
concurrent query sees the dataset before or after it, never half of it). The log is an RDF Patch file
(https://afs.github.io/rdf-delta/rdf-patch.html): one transaction per update, with the quads it deleted and
added, so that replaying it is exact (blank nodes, NOW() and UUID() included). Every server process holds the
dataset in memory: each one replays the log's new transactions before it answers a request, and a server that
starts replays the whole log, so updates persist across restarts.

The build owns the ontology, imports, shapes, inferred and meta graphs; an update may not change them.
"""

from __future__ import annotations

import fcntl
import hmac
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph
from rdflib import Graph

from .engine import Engine, QueryError
from .parsing import rdflib_term
from .reports import text as report_text
from .validation import validate
from .vocab import Graphs

BUILT_GRAPHS = frozenset(str(g) for g in (Graphs.ONTOLOGY, Graphs.IMPORTS, Graphs.SHAPES, Graphs.INFERRED, Graphs.META))


@dataclass
class Outcome:
    status: int
    message: str


def bearer_token_matches(authorization: str | None, token: str) -> bool:
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _line(change: str, quad: pyoxigraph.Quad) -> str:
    return f"{change} {quad} .\n"  # pyoxigraph writes terms in N-Quads syntax


def _transactions(text: str) -> list[tuple[list[pyoxigraph.Quad], list[pyoxigraph.Quad]]]:
    """(deleted, added) of each complete transaction in `text` (which ends after a TC line)."""
    done, deleted, added = [], [], []
    for line in text.splitlines():
        change = line[:2]
        if change in ("D ", "A "):
            quad = next(iter(pyoxigraph.parse(line[2:], format=pyoxigraph.RdfFormat.N_QUADS)))
            (deleted if change == "D " else added).append(quad)
        elif line.startswith("TC"):
            done.append((deleted, added))
            deleted, added = [], []
        elif line.startswith("TX"):
            deleted, added = [], []
    return done


def _copy(store: pyoxigraph.Store) -> pyoxigraph.Store:
    copy = pyoxigraph.Store()
    copy.bulk_extend(store)
    return copy


def _graph(store: pyoxigraph.Store, *names: str) -> Graph:
    """The named graphs (or, for "", the default graph) as one rdflib graph."""
    graph, blank_nodes = Graph(), {}
    for name in names:
        context = pyoxigraph.NamedNode(name) if name else pyoxigraph.DefaultGraph()
        for quad in store.quads_for_pattern(None, None, None, context):
            graph.add(tuple(rdflib_term(t, blank_nodes) for t in (quad.subject, quad.predicate, quad.object)))
    return graph


class UpdateLog:
    """The RDF Patch file, read from where this process stopped, written under an exclusive lock."""

    def __init__(self, path: Path):
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch(exist_ok=True)
        self.read_to = 0  # bytes of the log already applied by this process

    def grew(self) -> bool:
        return self.path.stat().st_size > self.read_to

    def new_transactions(self) -> list[tuple[list, list]]:
        with self.path.open("rb") as log:
            log.seek(self.read_to)
            text = log.read().decode("utf-8")
        end = text.rfind("TC .\n")  # a transaction being written is left for later
        if end < 0:
            return []
        self.read_to += len(text[: end + 5].encode("utf-8"))
        return _transactions(text[: end + 5])

    def append(self, deleted: list, added: list) -> None:
        text = "TX .\n" + "".join(_line("D", q) for q in deleted) + "".join(_line("A", q) for q in added) + "TC .\n"
        with self.path.open("ab") as log:
            log.write(text.encode("utf-8"))
            log.flush()
            os.fsync(log.fileno())
        self.read_to += len(text.encode("utf-8"))

    @contextmanager
    def lock(self):
        """Held by the one process that is committing (the lock goes with the process if it dies)."""
        with self.path.open("rb") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)


class Updater:
    """Applies updates to the engine's store and keeps this process up to date with the log."""

    def __init__(self, engine: Engine, log: UpdateLog, token: str | None):
        self.engine, self.log, self.token = engine, log, token
        self._mutex = threading.Lock()  # one process thread at a time reads or writes the log
        self.catch_up()

    @property
    def accepts_updates(self) -> bool:
        return bool(self.token)

    def authorized(self, authorization: str | None) -> bool:
        return bool(self.token) and bearer_token_matches(authorization, self.token)

    def replaying(self, app):
        """WSGI middleware: every request is answered from the latest committed dataset."""
        def replayed(environ, start_response):
            self.catch_up()
            return app(environ, start_response)
        return replayed

    def catch_up(self) -> None:
        """Apply the transactions other processes committed since this one last looked (a stat when none).
        While this process is applying an update itself, readers go on with the store they have."""
        if self.log.grew() and self._mutex.acquire(blocking=False):
            try:
                self._replay()
            finally:
                self._mutex.release()

    def _replay(self) -> None:
        transactions = self.log.new_transactions()
        if transactions:
            store = _copy(self.engine.store)
            for deleted, added in transactions:
                for quad in deleted:
                    store.remove(quad)
                store.extend(added)
            self._serve(store)

    def _serve(self, store: pyoxigraph.Store) -> None:
        committed = datetime.fromtimestamp(self.log.path.stat().st_mtime, timezone.utc).replace(microsecond=0)
        self.engine.replace_store(store, revision=self.log.read_to, changed=committed)

    def apply(self, update: str, base_iri: str | None = None) -> Outcome:
        """Try, validate and commit one update; raises QueryError for one that does not parse or run."""
        with self._mutex, self.log.lock():
            self._replay()
            current = self.engine.store
            candidate = _copy(current)
            try:
                candidate.update(update, base_iri=base_iri)
            except SyntaxError as error:
                raise QueryError(400, f"SPARQL syntax error: {error}") from None
            except (OSError, RuntimeError, ValueError) as error:
                raise QueryError(400, f"the update could not be applied: {error}") from None
            before, after = set(current), set(candidate)
            deleted, added = sorted(before - after, key=str), sorted(after - before, key=str)
            if not deleted and not added:
                return Outcome(200, "the update changed nothing")
            graphs = sorted({q.graph_name.value for q in deleted + added if isinstance(q.graph_name, pyoxigraph.NamedNode)})
            built = [g for g in graphs if g in BUILT_GRAPHS]
            if built:
                return Outcome(403, f"the update changes {built[0]}, which the build makes from the project's "
                                    "sources: change the sources instead")
            if any(isinstance(q.graph_name, pyoxigraph.DefaultGraph) for q in added + deleted):
                graphs.append("")  # pyoxigraph's default graph
            report = self._validation(candidate, graphs)
            if report is not None:
                return Outcome(422, report)
            self.log.append(deleted, added)
            self._serve(candidate)
            return Outcome(200, f"update applied: {len(deleted)} quads deleted, {len(added)} added")

    @cached_property
    def _schema(self) -> tuple[Graph, Graph]:
        """The vocabulary and the shapes, read once: updates may not change them."""
        store = self.engine.store
        return _graph(store, str(Graphs.ONTOLOGY), str(Graphs.IMPORTS)), _graph(store, str(Graphs.SHAPES))

    def _validation(self, candidate: pyoxigraph.Store, graphs: list[str]) -> str | None:
        """The changed graphs' violations of the shapes, as text; None when there are none."""
        report = validate(_graph(candidate, *graphs), *self._schema)
        if not report.count("violation"):
            return None
        return "the update was not applied: the graphs it changes would violate the shapes\n\n" + report_text(report)
