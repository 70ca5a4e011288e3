"""The embedded backend: the dataset in a pyoxigraph store, queried in this process.

A server process either opens the built store read-only on disk, shared by all of them through the OS page
cache and loaded by none, or copies it into its own memory, where aggregates run about three times faster;
a small store is copied (open_store). pyoxigraph releases the GIL while it evaluates, so queries run in parallel with the web threads; it cannot
cancel one, which is why the engine (engine.py) keeps the deadline. The named reads hand out rdflib terms,
so that nothing above the engine sees pyoxigraph.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator

import pyoxigraph
from rdflib import BNode, Literal, URIRef

from koryo_kg.query.bindings import with_bindings
from koryo_kg.query.engine import Answer, QueryError, Request, limited
from koryo_kg.query.writers import RDF_FORMATS, SOLUTION_NATIVE_FORMATS, write_boolean, write_solutions
from koryo_kg.sources.parsing import rdflib_term

CHUNK = 64 * 1024
COPY_BELOW = 8 * 1024 * 1024  # bytes on disk: about 30,000 quads, copied in a quarter of a second (13 µs a quad)
SMALL = 1024 * 1024  # bytes: a result up to this size is serialized at once, in Rust
# The fewest bytes pyoxigraph writes for one row (or triple): `{}` and a comma in JSON, `<result></result>` in XML,
# a line break in CSV, ` , 1` after the first triple of a subject in Turtle and TriG (3 to be safe); 1 elsewhere
ROW_BYTES = {"json": 3, "xml": 17, "csv": 2, "turtle": 3, "trig": 3}
GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def open_store(path: str, memory: str) -> pyoxigraph.Store:
    """The store a server process serves, from the built one at `path` (a pyoxigraph store folder): "shared"
    opens it read-only on disk, so that every process reads the one copy in the OS page cache and starts
    without loading anything; "copy" loads it into this process's memory; "auto" copies a store smaller
    than COPY_BELOW bytes on disk."""
    on_disk = pyoxigraph.Store.read_only(path)
    if memory == "shared" or (memory == "auto" and _size(path) >= COPY_BELOW):
        return on_disk
    memory_store = pyoxigraph.Store()
    memory_store.bulk_extend(on_disk.quads_for_pattern(None, None, None, None))
    return memory_store


def _size(folder: str) -> int:
    return sum(entry.stat().st_size for entry in os.scandir(folder) if entry.is_file())


def _dataset(request: Request) -> dict:
    base = {"base_iri": request.get("base_iri")}
    if request["default_graph"] is None and request["named_graphs"] is None:
        return {**base, "use_default_graph_as_union": not request["names_dataset"]}
    return {**base, "default_graph": [pyoxigraph.NamedNode(g) for g in request["default_graph"] or []],
            "named_graphs": [pyoxigraph.NamedNode(g) for g in request["named_graphs"] or []]}


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


def _serialized_if_small(results, kind: str, request: Request) -> bytes | None:
    """The whole result serialized by pyoxigraph (in Rust, several times faster than our writers), or None
    when it is larger than SMALL bytes or has more than `max_rows` rows (or triples)."""
    native = SOLUTION_NATIVE_FORMATS if kind == "solutions" else RDF_FORMATS
    sink = _CappedBuffer(SMALL)
    try:
        results.serialize(sink, format=native[request["format"]])
    except _Full:
        return None
    data = b"".join(sink.parts)
    limit = request["max_rows"]
    # every row and every triple takes at least ROW_BYTES in its format: a result no longer than that many
    # times the limit is within it in rows, and only a longer one is counted (which means reading it back)
    if limit and len(data) > limit * ROW_BYTES.get(request["format"], 1) \
            and _count(data, kind, request["format"]) > limit:
        return None
    return data


def _count(data: bytes, kind: str, name: str) -> int:
    """The rows (or triples) of a result pyoxigraph serialized, read back in Rust."""
    if name in ("tsv", "ntriples", "nquads"):  # one a line (after TSV's header): line breaks in terms are escaped
        return data.count(b"\n") - (name == "tsv")
    if name == "csv":  # lossy, so pyoxigraph does not read it back; a quoted value may hold line breaks
        return sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) - 1
    if kind == "graph":
        return sum(1 for _ in pyoxigraph.parse(data, format=RDF_FORMATS[name]))
    return sum(1 for _ in pyoxigraph.parse_query_results(data, format=SOLUTION_NATIVE_FORMATS[name]))


def _graph_bytes(triples, name: str) -> Iterator[bytes]:
    sink = io.BytesIO()
    pyoxigraph.serialize(triples, sink, format=RDF_FORMATS[name])
    yield sink.getvalue()


def _oxigraph_term(term):
    """The pyoxigraph term for an rdflib one; raises ValueError for what is not a valid term (an IRI with
    a space, say)."""
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(term)
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(term)
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype:
            return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(term.datatype))
        return pyoxigraph.Literal(str(term))
    raise ValueError(f"not an RDF term: {term!r}")


class Embedded:
    """A Backend (engine.py) over one pyoxigraph store. Updates (endpoint/updates.py) copy `store`, change
    the copy and hand the engine a new Embedded around it: a backend's store is never changed once served."""

    def __init__(self, store: pyoxigraph.Store):
        self.store = store

    def evaluate(self, request: Request) -> Answer:
        """Run the query: results up to SMALL bytes and max_rows rows are serialized here at once; others are
        evaluated again and streamed row by row up to max_rows. This is the part of the work that may run away."""
        try:
            results = self.store.query(request["query"], **_dataset(request))
            if isinstance(results, pyoxigraph.QueryBoolean):
                return Answer("boolean", False, write_boolean(bool(results), request["format"]).encode("utf-8"))
            kind = "solutions" if isinstance(results, pyoxigraph.QuerySolutions) else "graph"
            small = _serialized_if_small(results, kind, request)
            if small is not None:
                return Answer(kind, False, small)
            results = self.store.query(request["query"], **_dataset(request))
            limit = request["max_rows"]
            if kind == "graph":
                triples, truncated = limited(results, limit)
                return Answer(kind, truncated, _graph_bytes(triples, request["format"]))
            variables = [v.value for v in results.variables]
            rows, truncated = limited(([s[v] for v in variables] for s in results), limit)
            notes = [f"urn:koryo-kg:truncated:{limit}"] if truncated else []
            return Answer(kind, truncated, _chunks(write_solutions(variables, rows, request["format"], notes)))
        except SyntaxError as error:
            raise QueryError(400, f"SPARQL syntax error: {error}") from None
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryError(400, f"the query could not be evaluated: {error}") from None

    def _query(self, text: str, bindings: dict | None):
        if bindings and not any(isinstance(term, BNode) for term in bindings.values()):
            return self.store.query(with_bindings(text, bindings), use_default_graph_as_union=True)
        # a blank node of this store can only be bound by substitution (in text it would be a new one)
        substitutions = {pyoxigraph.Variable(name): _oxigraph_term(term) for name, term in (bindings or {}).items()}
        return self.store.query(text, use_default_graph_as_union=True, substitutions=substitutions)

    def select(self, text: str, bindings: dict | None = None) -> list[dict]:
        solutions = self._query(text, bindings)
        names = [v.value for v in solutions.variables]
        blank_nodes: dict = {}  # one blank node of the store is one rdflib blank node across the rows
        return [{name: None if s[name] is None else rdflib_term(s[name], blank_nodes) for name in names}
                for s in solutions]

    def construct(self, text: str, bindings: dict | None = None, format: str | None = None) -> list[tuple] | bytes:
        # each triple once: CONSTRUCT repeats a triple per solution
        triples = list(dict.fromkeys(self._query(text, bindings)))
        if format is not None:  # pyoxigraph's serializers, in Rust
            return pyoxigraph.serialize(triples, format=RDF_FORMATS[format])
        blank_nodes: dict = {}
        return [(rdflib_term(t.subject, blank_nodes), rdflib_term(t.predicate, blank_nodes),
                 rdflib_term(t.object, blank_nodes)) for t in triples]

    def ask(self, text: str, bindings: dict | None = None) -> bool:
        return bool(self._query(text, bindings))

    def graph_counts(self) -> dict[str, int]:
        return {s["g"].value: int(s["n"].value) for s in self.store.query(GRAPH_COUNTS)}
