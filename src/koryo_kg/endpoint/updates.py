"""SPARQL Update, off by default; on when the server is given a bearer token.

An update is tried on a copy of the served dataset; the graphs it changes are validated against the
project's shapes; only then is it committed: appended to the update log and swapped in, all at once (a
concurrent query sees the dataset before or after it, never half of it). The log is an RDF Patch file
(https://afs.github.io/rdf-delta/rdf-patch.html): one transaction per update, with the quads it deleted and
added, so that replaying it is exact (blank nodes, NOW() and UUID() included). Every server process serves
its own dataset (the built store, shared on disk or copied, with the updates in an in-memory copy once there
are any): each one replays the log's new transactions before it answers a request, and a server that
starts replays the whole log, so updates persist across restarts.

Served from a SPARQL store (`serve --store`, StoreUpdater), the update is tried on an in-memory copy of the
graphs it names, fetched from the store; what it would change is validated, written to the log, and then sent
to the store as DELETE DATA and INSERT DATA of exactly those quads, so that what lands is what was validated
and logged. The front ends of one store share the log: its lock puts their commits in one order, and each
one follows it for the graphs updates created and for the revision its caches and ETags depend on.

The build owns the ontology, imports, shapes, inferred and meta graphs; an update may not change them.
"""

from __future__ import annotations

import fcntl
import hmac
import logging
import os
import threading
import urllib.parse
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import pyoxigraph
from rdflib import Graph

from koryo_kg.build.publish import SKOLEM
from koryo_kg.build.reports import text as report_text
from koryo_kg.build.shacl import validate
from koryo_kg.problems import InputError, Location, Problem
from koryo_kg.query.embedded import Embedded
from koryo_kg.query.engine import Engine, QueryError
from koryo_kg.query.remote import RemoteStore, UpdateRefused
from koryo_kg.query.sparql_text import outline
from koryo_kg.sources.parsing import rdflib_term
from koryo_kg.vocab import Graphs

BUILT_GRAPHS = frozenset(str(g) for g in (Graphs.ONTOLOGY, Graphs.IMPORTS, Graphs.SHAPES, Graphs.INFERRED, Graphs.META,
                                         Graphs.GAZETTEER))


@dataclass
class Outcome:
    status: int
    message: str


def bearer_token_matches(authorization: str | None, token: str) -> bool:
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _line(change: str, quad: pyoxigraph.Quad) -> bytes:
    # pyoxigraph writes terms in N-Quads syntax, which escapes "\n" and "\r" but not U+2028, U+2029 or U+0085:
    # the log is split on b"\n" alone
    return f"{change} {quad} .\n".encode()


def _quad(line: bytes) -> pyoxigraph.Quad:
    """The one quad of a D or A line (N-Quads allows one statement a line); raises ValueError or SyntaxError."""
    quads = list(pyoxigraph.parse(line[2:].decode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS))
    if len(quads) != 1:
        raise ValueError("no quad")
    return quads[0]


def _transactions(data: bytes, where) -> tuple[list[tuple[list[pyoxigraph.Quad], list[pyoxigraph.Quad]]], int]:
    """(deleted, added) of each complete transaction at the start of `data`, and the bytes they take: the rest
    is a transaction still being written (or torn). A transaction closed by `TA .` was aborted and is
    skipped. Every complete line is parsed strictly: one that is not `TX .`, `TC .`, `TA .`, `D <quad> .` or
    `A <quad> .` in its place raises InputError, with `where(offset)` (its place in the file) in the message."""
    done, deleted, added, opened, used, offset = [], [], [], False, 0, 0
    while (newline := data.find(b"\n", offset)) >= 0:  # a line without its "\n" is not trusted yet
        line, at, offset = data[offset:newline + 1], offset, newline + 1
        try:
            if line == b"TX .\n" and not opened:
                opened, deleted, added = True, [], []
            elif line == b"TC .\n" and opened:
                done.append((deleted, added))
                opened, used = False, offset
            elif line == b"TA .\n" and opened:
                opened, used = False, offset
            elif line[:2] in (b"D ", b"A ") and opened:
                (deleted if line[:1] == b"D" else added).append(_quad(line))
            else:
                raise ValueError
        except (ValueError, SyntaxError):  # UnicodeDecodeError is a ValueError
            location, byte = where(at)
            raise InputError([Problem(location, f"(byte {byte}) not a line of an RDF Patch log written by koryo-kg: "
                                                f"{line[:80]!r}; the log is damaged: restore it from a backup or "
                                                "remove this transaction and those after it by hand")]) from None
    return done, used


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
    """The RDF Patch file, read from where this process stopped, written under an exclusive lock.

    A transaction counts once its `TC .` line is whole. A writer appends one under the lock and fsyncs it
    before its update is answered 200, so bytes after the last whole transaction, found while holding the
    lock, are a torn tail: a writer died before its fsync returned, so before it acknowledged anything. They
    are copied to a side file and cut off, and the next transaction is written where they began. Without the
    lock, such bytes are only a transaction still being written, left for later."""

    def __init__(self, path: Path):
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            _fsync_directory(path.parent)  # or a crash could lose the file with the updates it will hold
        except FileExistsError:
            pass
        self.read_to = 0  # bytes of the log already applied by this process
        self.lines_read = 0

    def grew(self) -> bool:
        return self.path.stat().st_size > self.read_to

    def new_transactions(self) -> list[tuple[list, list]]:
        """The whole transactions after those this process has read; raises InputError for a damaged log."""
        with self.path.open("rb") as log:
            log.seek(self.read_to)
            data = log.read()
        done, used = _transactions(data, self._where(data))
        self.read_to += used
        self.lines_read += data.count(b"\n", 0, used)
        return done

    def _where(self, data: bytes):
        def where(offset: int) -> tuple[Location, int]:
            line = self.lines_read + data.count(b"\n", 0, offset) + 1
            return Location(str(self.path), line), self.read_to + offset
        return where

    def set_aside_torn_tail(self) -> None:
        """Under the lock, once every whole transaction has been read: move what follows them to a side file."""
        with self.path.open("r+b") as log:
            log.seek(self.read_to)
            tail = log.read()
            if not tail:
                return
            side = self.path.with_name(f"{self.path.name}.torn-{self.read_to}")
            with side.open("ab") as copy:  # a second tear at the same place keeps the first
                copy.write(tail)
                copy.flush()
                os.fsync(copy.fileno())
            log.truncate(self.read_to)
            os.fsync(log.fileno())
        _fsync_directory(self.path.parent)
        logging.getLogger("_granian").warning(
            "%s: at byte %d, %d bytes of a transaction that was never acknowledged (its writer died before "
            "committing it) were set aside in %s", self.path, self.read_to, len(tail), side)

    def recover(self) -> None:
        """At start, before any process serves: read the whole log (InputError if it is damaged) and set aside
        a torn tail."""
        with self.lock():
            self.new_transactions()
            self.set_aside_torn_tail()

    def append(self, deleted: list, added: list) -> None:
        """Under the lock, once every whole transaction has been read; returns once the transaction is on disk."""
        self.begin(deleted, added, closed=True)
        self.end(committed=True)

    def begin(self, deleted: list, added: list, closed: bool = False) -> None:
        """Under the lock, once every whole transaction has been read: the transaction's quads on disk, not yet
        closed unless `closed` (readers wait for `end`; if this process dies first, the next writer sets them
        aside as a torn tail)."""
        self.set_aside_torn_tail()
        self._open = b"TX .\n" + b"".join(_line("D", q) for q in deleted) + b"".join(_line("A", q) for q in added)
        self._write(self._open + (b"TC .\n" if closed else b""))
        self._closed = closed

    def end(self, committed: bool) -> None:
        """Close the transaction `begin` wrote: committed (TC), or aborted (TA), which readers skip."""
        close = b"TC .\n" if committed else b"TA .\n"
        if not self._closed:
            self._write(close)
        self.read_to += len(self._open) + len(close)
        self.lines_read += self._open.count(b"\n") + 1

    def _write(self, data: bytes) -> None:
        with self.path.open("ab") as log:
            log.write(data)
            log.flush()
            os.fsync(log.fileno())

    @contextmanager
    def lock(self):
        """Held by the one process that is committing (the lock goes with the process if it dies)."""
        with self.path.open("rb") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Updater:
    """Applies updates to the engine's store and keeps this process up to date with the log. The engine's
    backend is the embedded one (query/embedded.py): an update is tried on a copy of its pyoxigraph store,
    which a new backend then serves."""

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
            except InputError as damaged:  # changed by hand since the start: every process stops at the same line
                logging.getLogger("_granian").error("%s; serving the updates before it", damaged)
            finally:
                self._mutex.release()

    def _replay(self) -> None:
        transactions = self.log.new_transactions()
        if transactions:
            self._follow(transactions)

    def _follow(self, transactions: list[tuple[list, list]]) -> None:
        """Serve the dataset with the transactions that other processes committed."""
        store = _copy(self.engine.backend.store)
        for deleted, added in transactions:
            for quad in deleted:
                store.remove(quad)
            store.extend(added)
        self._serve(Embedded(store))

    def _serve(self, backend) -> None:
        committed = datetime.fromtimestamp(self.log.path.stat().st_mtime, UTC).replace(microsecond=0)
        self.engine.replace_backend(backend, revision=self.log.read_to, changed=committed)

    def apply(self, update: str, base_iri: str | None = None) -> Outcome:
        """Try, validate and commit one update; raises QueryError for one that does not parse or run, or
        cannot be applied."""
        with self._mutex, self.log.lock():
            try:
                self._replay()
            except InputError as damaged:
                logging.getLogger("_granian").error("%s", damaged)
                raise QueryError(503, "updates are stopped: the update log is damaged (the server's log says "
                                      "where)") from None
            current, candidate = self._tried(update, base_iri)
            deleted, added = _difference(current, candidate)
            if not deleted and not added:
                return Outcome(200, "the update changed nothing")
            graphs = sorted({q.graph_name.value for q in deleted + added if isinstance(q.graph_name, pyoxigraph.NamedNode)})
            built = [g for g in graphs if g in BUILT_GRAPHS]
            if built:
                return Outcome(403, f"the update changes {built[0]}, which the build makes from the project's "
                                    "sources: change the sources instead")
            if any(isinstance(q.graph_name, pyoxigraph.DefaultGraph) for q in added + deleted):
                graphs.append("")  # pyoxigraph's default graph
            candidate, added = self._landing(current, candidate, graphs, deleted, added)
            report = self._validation(candidate, graphs)
            if report is not None:
                return Outcome(422, report)
            self._commit(candidate, graphs, deleted, added)
            return Outcome(200, f"update applied: {len(deleted)} quads deleted, {len(added)} added")

    def _tried(self, update: str, base_iri: str | None) -> tuple[pyoxigraph.Store, pyoxigraph.Store]:
        """The dataset before the update and a copy with the update applied."""
        current = self.engine.backend.store
        return current, _run(_copy(current), update, base_iri)

    def _landing(self, current, candidate, graphs, deleted, added):
        """What will be committed: the candidate store and the quads it adds."""
        return candidate, added

    def _commit(self, candidate: pyoxigraph.Store, graphs: list[str], deleted: list, added: list) -> None:
        self.log.append(deleted, added)
        self._serve(Embedded(candidate))

    def _read(self, names: list[str]) -> pyoxigraph.Store:
        """A store holding (at least) these graphs of the served dataset."""
        return self.engine.backend.store

    @cached_property
    def _schema(self) -> tuple[Graph, Graph]:
        """The vocabulary and the shapes, read once: updates may not change them."""
        vocabulary, shapes = [str(Graphs.ONTOLOGY), str(Graphs.IMPORTS)], [str(Graphs.SHAPES)]
        store = self._read(vocabulary + shapes)
        return _graph(store, *vocabulary), _graph(store, *shapes)

    def _validation(self, candidate: pyoxigraph.Store, graphs: list[str]) -> str | None:
        """The changed graphs' violations of the shapes, as text; None when there are none."""
        report = validate(_graph(candidate, *graphs), *self._schema)
        if not report.count("violation"):
            return None
        return "the update was not applied: the graphs it changes would violate the shapes\n\n" + report_text(report)


def _run(store: pyoxigraph.Store, update: str, base_iri: str | None) -> pyoxigraph.Store:
    try:
        store.update(update, base_iri=base_iri)
    except SyntaxError as error:
        raise QueryError(400, f"SPARQL syntax error: {error}") from None
    except (OSError, RuntimeError, ValueError) as error:
        raise QueryError(400, f"the update could not be applied: {error}") from None
    return store


def _difference(current: pyoxigraph.Store, candidate: pyoxigraph.Store) -> tuple[list, list]:
    before, after = set(current), set(candidate)
    return sorted(before - after, key=str), sorted(after - before, key=str)


def _blank_nodes(quads) -> set[pyoxigraph.BlankNode]:
    return {t for q in quads for t in (q.subject, q.object) if isinstance(t, pyoxigraph.BlankNode)}


def _named_iris(update: str, base_iri: str | None) -> set[str] | None:
    """Every IRI the update's text names, resolved (the graphs it reads and changes are among them); None when
    it names graphs by a variable (GRAPH ?g) or all at once (CLEAR ALL, DROP NAMED)."""
    tokens = outline(update).tokens
    base, prefixes, iris = base_iri or "", {}, set()
    for at, token in enumerate(tokens):
        before = tokens[at - 1].upper() if at else ""
        if before == "GRAPH" and token[0] in "?$":
            return None
        if token.upper() in ("ALL", "NAMED") and before in ("CLEAR", "DROP", "SILENT"):
            return None
        if token[0] == "<":
            iri = urllib.parse.urljoin(base, token[1:-1])
            if before == "BASE":
                base = iri
            elif at > 1 and tokens[at - 2].upper() == "PREFIX":
                prefixes[tokens[at - 1]] = iri
            iris.add(iri)
        elif ":" in token and token[0] not in "\"?$@_" and before != "PREFIX":
            prefix, _, local = token.partition(":")
            if prefix + ":" in prefixes:
                iris.add(prefixes[prefix + ":"] + local)
    return iris


class StoreUpdater(Updater):
    """Updates through a front end on a SPARQL store (query/remote.py): the graphs the update names are
    fetched into memory, the update is tried there, and what it changes, once validated and written to the
    log, is sent to the store as DELETE DATA and INSERT DATA, with the transaction's id as the store's marker
    of the last update applied. The store's blank nodes have no name an update could use: an update that
    would delete them or add to them is refused; the blank nodes it makes are sent as IRIs under SKOLEM."""

    @property
    def _store(self) -> RemoteStore:
        return self.engine.backend

    def _follow(self, transactions: list[tuple[list, list]]) -> None:
        """Another front end committed these: the store holds them; the dataset takes the graphs they made."""
        made = [q.graph_name.value for _, added in transactions for q in added
                if isinstance(q.graph_name, pyoxigraph.NamedNode)]
        self._serve(self._store.with_graphs(made))

    def _read(self, names: list[str]) -> pyoxigraph.Store:
        return self._store.local_copy(names)

    def _tried(self, update: str, base_iri: str | None) -> tuple[pyoxigraph.Store, pyoxigraph.Store]:
        names = _named_iris(update, base_iri)
        if names is None:
            raise QueryError(400, "through a store, an update names the graphs it reads and changes (GRAPH <…>, "
                                  "WITH or USING; not GRAPH ?g, ALL or NAMED): they are fetched from the store "
                                  "to try it first")
        working = {g for g in self._store.graphs if g in names}
        while True:  # a graph named in a way the scan above did not resolve is fetched, and the update tried again
            current = self._read(sorted(working))
            candidate = _run(_copy(current), update, base_iri)
            changed = {q.graph_name.value for q in set(current) ^ set(candidate)
                       if isinstance(q.graph_name, pyoxigraph.NamedNode)}
            missed = (changed & set(self._store.graphs)) - working
            if not missed:
                return current, candidate
            working |= missed

    def _landing(self, current, candidate, graphs, deleted, added):
        if "" in graphs:
            raise QueryError(400, "through a store, an update changes named graphs only (GRAPH <…>): a store's "
                                  "default graph is its own (Virtuoso's is every graph of the store)")
        for graph in graphs:
            if graph not in self._store.graphs and self._store.holds(graph):
                raise QueryError(403, f"the store's graph {graph} is not part of the dataset this server serves")
        if _blank_nodes(deleted):
            raise QueryError(400, "the update deletes triples with blank nodes: a store's blank nodes have no "
                                  "name that an update sent to it could use")
        new = _blank_nodes(added)
        if not new:
            return candidate, added
        if new & _blank_nodes(current):
            raise QueryError(400, "the update adds triples to blank nodes of the store: a store's blank nodes "
                                  "have no name that an update sent to it could use")
        skolem = {b: pyoxigraph.NamedNode(SKOLEM + uuid.uuid4().hex) for b in new}
        named = lambda t: skolem.get(t, t)
        added = sorted((pyoxigraph.Quad(named(q.subject), q.predicate, named(q.object), q.graph_name) for q in added),
                       key=str)
        landing = _copy(current)
        for quad in deleted:
            landing.remove(quad)
        landing.extend(added)
        return landing, added

    def _commit(self, candidate: pyoxigraph.Store, graphs: list[str], deleted: list, added: list) -> None:
        """Logged first (TX and the quads, on disk), then sent to the store, then committed in the log. A
        store that refuses the request (4xx) applied none of it; one that fails otherwise is asked whether it
        holds the update (its marker), and what it may hold of it is undone, before the transaction is aborted
        in the log."""
        transaction = uuid.uuid4().hex
        self.log.begin(deleted, added)
        try:
            self._store.apply(deleted, added, transaction)
        except QueryError as failure:
            if isinstance(failure, UpdateRefused) or not self._held_after_all(deleted, added, transaction):
                self.log.end(committed=False)
                raise failure from None
        self.log.end(committed=True)
        self._serve(self._store.with_graphs(graphs))

    def _held_after_all(self, deleted: list, added: list, transaction: str) -> bool:
        try:
            if self._store.applied(transaction):
                return True
            # Virtuoso runs an update request operation by operation: part of it may have been applied
            self._store.apply(added, deleted, None)
            return False
        except QueryError:
            logging.getLogger("_granian").error(
                "%s: the store failed during an update and then did not answer: it may hold part of the "
                "transaction at byte %d, which was not acknowledged and will be set aside", self.log.path,
                self.log.read_to)
            raise QueryError(503, "the store failed during the update and cannot say whether it holds it: the "
                                  "update was not acknowledged (the server's log says more)") from None
