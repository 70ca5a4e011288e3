"""The remote backend: the dataset in a SPARQL 1.1 store (Oxigraph server, Virtuoso, Fuseki, GraphDB, …)
that `koryo-kg publish` filled, read over the SPARQL 1.1 Protocol, so that front ends hold no copy of the data.

It is the engine's Backend (engine.py) for such a store: `evaluate` answers the endpoint's requests in the
same bytes as the embedded backend (the store's answer is parsed and written again by the same writers, so
formats, truncation and its notes do not depend on the store), and the named reads hand out rdflib terms.

Every read names its dataset: the published graphs as the default graph and as the named graphs
(`default-graph-uri`, `named-graph-uri`), because a store's own default graph is not the union of the graphs
everywhere (it is a graph of its own in Oxigraph; in Virtuoso, every graph of the store, its system graphs
included) and a shared store holds other datasets. Bindings are sent as a VALUES block at the start of the
query's WHERE clause, each term validated and serialized by pyoxigraph, never spliced in as text.

A deadline is passed to the store (see stores/client.py) and enforced on the answer as it is read; a store
that does not answer in time is a 504 with the reason, one that cannot be reached a 503.

Where a store departs from SPARQL 1.1, what is sent or read is made to mean the same on every store: ASK
answered as a table, blank-node labels that are no labels (`nodeID://…`), and `GRAPH ?g {}` (which Virtuoso 7
answers with nothing) sent as the VALUES of the named graphs. Updates (endpoint/updates.py) reach the store
as DELETE DATA and INSERT DATA of quads computed and validated here (`apply`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator

import pyoxigraph

from koryo_kg.query.bindings import with_bindings
from koryo_kg.query.engine import Answer, QueryError, Request, limited
from koryo_kg.query.sparql_text import SparqlSyntaxError, iri_token, joined, outline
from koryo_kg.query.writers import RDF_FORMATS, write_boolean, write_solutions
from koryo_kg.sources.parsing import rdflib_term
from koryo_kg.stores.client import Deadline, StoreClient, StoreError, StoreRefused, StoreRejected, StoreTimeout
from koryo_kg.vocab import Graphs

# SPARQL XML rather than JSON: Virtuoso writes xsd:boolean values as "1" in JSON, as "true" in XML
SOLUTIONS = "application/sparql-results+xml"
TRIPLES = "application/n-triples"
CHUNK = 64 * 1024
SMALL_ROWS = 2000  # rows or triples up to which an answer is sent whole, with a Content-Length
# Virtuoso cuts a result at its ResultSetMaxRows and says so only in this header
STORE_TRUNCATED_HEADER = "X-SPARQL-MaxRows"


EMPTY_GRAPH = re.compile(r"\bGRAPH [?$]\S+ \{ \}", re.IGNORECASE)


def with_named_graphs(text: str, named: Iterable[str]) -> str:
    """The canonical query with each `GRAPH ?g { }` written `VALUES ?g { <g1> … }`, the named graphs of the
    dataset it is sent with: the same solutions, one per named graph, which Virtuoso 7 answers with none."""
    if not EMPTY_GRAPH.search(text):  # the usual case: no such pattern (or only inside a string)
        return text
    tokens = list(outline(text).tokens)
    values = ["{", *(iri_token(g) for g in named), "}"]
    for at in reversed(range(len(tokens) - 3)):
        if tokens[at].upper() == "GRAPH" and tokens[at + 1][0] in "?$" and tokens[at + 2:at + 4] == ["{", "}"]:
            tokens[at:at + 4] = ["VALUES", tokens[at + 1], *values]
    return joined(tokens)


def _tabled_boolean(solutions: pyoxigraph.QuerySolutions) -> bool:
    """Virtuoso 7 answers ASK with a table in every result format: one row of 1 (variable __ASK_RETVAL) for
    true, one of 0 or none for false."""
    rows = [[s[v] for v in solutions.variables] for s in solutions]
    if not rows:
        return False
    if len(rows) != 1 or len(rows[0]) != 1 or rows[0][0] is None or rows[0][0].value not in ("0", "1"):
        raise QueryError(502, "the store answered ASK with a table that is no boolean")
    return rows[0][0].value == "1"


BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")


class _BlankNodeLabels(io.RawIOBase):
    """SPARQL XML results with each blank node's label written as a valid one (b + its hex): the format lets a
    store use any text (Virtuoso writes `nodeID://b10007`), which pyoxigraph's parser refuses."""

    def __init__(self, raw):
        super().__init__()
        self._raw, self._pending, self._ready = raw, b"", b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._ready:
            data = self._raw.read(CHUNK)
            text, self._pending = self._pending + data, b""
            cut = text.rfind(b"<bnode>")
            if cut < 0 or b"</bnode>" in text[cut:]:
                cut = text.rfind(b"<")
                cut = cut if b">" not in text[cut:] else -1
            if data and cut >= 0:
                text, self._pending = text[:cut], text[cut:]  # a label or a tag not read whole yet
            self._ready = BNODE.sub(lambda m: b"<bnode>b" + m.group(1).hex().encode() + b"</bnode>", text)
            if not data:
                break
        size = min(len(buffer), len(self._ready))
        buffer[:size], self._ready = self._ready[:size], self._ready[size:]
        return size


class UpdateRefused(QueryError):
    """The store refused an update request as a whole (it answered 4xx): none of it was applied."""


def _encoded(texts: Iterable[str]) -> Iterator[bytes]:
    for text in texts:
        yield text.encode("utf-8")


class RemoteStore:
    """A Backend over the store behind `client`, whose dataset is `graphs` (the published graphs, and any
    graph that updates created). `timeout` is each read's deadline, passed to the store and enforced here:
    give the engine a slightly longer one, so that a slow store is answered 504 with its reason."""

    def __init__(self, client: StoreClient, timeout: float, graphs: Iterable[str] = Graphs.ALL):
        self.client, self.timeout = client, timeout
        self.graphs = tuple(dict.fromkeys(str(g) for g in graphs))

    def _ask_store(self, text: str, default_graphs=None, named_graphs=None, graph: bool = False):
        """The store's answer parsed as it is read: QuerySolutions, a bool, or an iterator of triples; and
        whether the store cut it."""
        try:
            response = self.client.query(text, TRIPLES if graph else SOLUTIONS, self.timeout,
                                         self.graphs if default_graphs is None else default_graphs,
                                         self.graphs if named_graphs is None else named_graphs)
        except StoreRejected as error:
            status = 400 if 400 <= error.store_status < 500 else 502
            raise QueryError(status, f"the store could not evaluate the query: {error}") from None
        except StoreError as error:
            raise QueryError(error.status, str(error)) from None
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        cut = STORE_TRUNCATED_HEADER in response.headers
        body = Deadline(response, self.timeout)
        if media_type in (TRIPLES, "text/plain"):
            return (q.triple for q in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.N_TRIPLES)), cut
        if media_type == SOLUTIONS:
            results = pyoxigraph.parse_query_results(_BlankNodeLabels(body), format=pyoxigraph.QueryResultsFormat.XML)
            if isinstance(results, pyoxigraph.QueryBoolean):
                return bool(results), cut
            if outline(text).form == "ASK":
                return _tabled_boolean(results), cut
            return results, cut
        response.close()
        raise QueryError(502, f"the store answered in {media_type or 'no media type'}, not the one asked for")

    def _read(self, results):
        """Consume the store's answer within the deadline, its errors as the engine's."""
        try:
            return results()
        except StoreTimeout as error:
            raise QueryError(504, str(error)) from None
        except StoreError as error:
            raise QueryError(error.status, str(error)) from None
        except SyntaxError as error:
            raise QueryError(502, f"the store's answer could not be read: {error}") from None

    def evaluate(self, request: Request) -> Answer:
        text = request["query"]
        if request.get("base_iri"):  # relative IRIs resolve against our endpoint, not the store's
            text = f"BASE <{request['base_iri']}> {text}"
        if request["default_graph"] is not None or request["named_graphs"] is not None:
            dataset = (request["default_graph"] or [], request["named_graphs"] or [])
        else:
            dataset = ((), ()) if request["names_dataset"] else (None, None)
        if not request["names_dataset"] and (dataset[1] is not None or self.graphs):  # else the store's own
            text = with_named_graphs(text, self.graphs if dataset[1] is None else dataset[1])
        results, cut = self._ask_store(text, *dataset, graph=request["format"] in RDF_FORMATS)
        return self._read(lambda: self._answer(results, cut, request))

    def _answer(self, results, cut: bool, request: Request) -> Answer:
        limit, name = request["max_rows"], request["format"]
        if isinstance(results, bool):
            return Answer("boolean", False, write_boolean(results, name).encode("utf-8"))
        if isinstance(results, pyoxigraph.QuerySolutions):
            if name in RDF_FORMATS:
                raise QueryError(502, "the store answered a graph query with solutions")
            variables = [v.value for v in results.variables]
            rows, truncated = limited(([s[v] for v in variables] for s in results), limit)
            truncated |= cut
            notes = [f"urn:koryo-kg:truncated:{limit or len(rows)}"] if truncated else []
            texts = write_solutions(variables, rows, name, notes)
            small = limit and len(rows) <= SMALL_ROWS
            return Answer("solutions", truncated, "".join(texts).encode("utf-8") if small else _encoded(texts))
        if name not in RDF_FORMATS:
            raise QueryError(502, "the store answered a query for solutions with a graph")
        triples, truncated = limited(results, limit)
        return Answer("graph", truncated or cut, pyoxigraph.serialize(triples, format=RDF_FORMATS[name]))

    def _query(self, text: str, bindings: dict | None, graph: bool = False):
        try:
            text = with_bindings(text, bindings)
            text = with_named_graphs(text, self.graphs) if self.graphs else text  # none: the store's own dataset
        except SparqlSyntaxError as error:
            raise ValueError(str(error)) from None
        return self._ask_store(text, graph=graph)[0]

    def select(self, text: str, bindings: dict | None = None) -> list[dict]:
        def rows():
            solutions = self._query(text, bindings)
            names = [v.value for v in solutions.variables]
            blank_nodes: dict = {}
            return [{n: None if s[n] is None else rdflib_term(s[n], blank_nodes) for n in names} for s in solutions]

        return self._read(rows)

    def construct(self, text: str, bindings: dict | None = None, format: str | None = None) -> list[tuple] | bytes:
        def triples():
            unique = list(dict.fromkeys(self._query(text, bindings, graph=True)))
            if format is not None:
                return pyoxigraph.serialize(unique, format=RDF_FORMATS[format])
            blank_nodes: dict = {}
            return [(rdflib_term(t.subject, blank_nodes), rdflib_term(t.predicate, blank_nodes),
                     rdflib_term(t.object, blank_nodes)) for t in unique]

        return self._read(triples)

    def ask(self, text: str, bindings: dict | None = None) -> bool:
        return self._read(lambda: bool(self._query(text, bindings)))

    def graph_counts(self) -> dict[str, int]:
        text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        return self._read(lambda: {s["g"].value: int(s["n"].value) for s in self._ask_store(text)[0]})

    def with_graphs(self, graphs: Iterable[str]) -> RemoteStore:
        """This store's backend with these graphs in its dataset too (the graphs that updates made)."""
        return RemoteStore(self.client, self.timeout, (*self.graphs, *graphs))

    def local_copy(self, graphs: Iterable[str]) -> pyoxigraph.Store:
        """These graphs of the store in an in-memory store (an update is tried on it)."""
        copy = pyoxigraph.Store()

        def fetch():
            for graph in graphs:
                name = pyoxigraph.NamedNode(graph)
                text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}"
                triples, cut = self._ask_store(text, (), (graph,), graph=True)
                if cut:
                    raise QueryError(503, f"the store cut graph {graph} at its row limit (Virtuoso's ResultSetMaxRows)")
                copy.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, name) for t in triples)
            return copy

        return self._read(fetch)

    def holds(self, graph: str) -> bool:
        """Whether the store has this graph, in the dataset or not."""
        text = f"ASK {{ GRAPH {pyoxigraph.NamedNode(graph)} {{ ?s ?p ?o }} }}"
        return self._read(lambda: self._ask_store(text, (), ())[0])

    def apply(self, deleted: list[pyoxigraph.Quad], added: list[pyoxigraph.Quad], transaction: str | None) -> None:
        """Delete and add these quads (without blank nodes) in one update request, which records `transaction`
        as the last one applied (see `applied`). Oxigraph runs the request as one transaction; Virtuoso
        operation by operation, so that a failure may leave part of it applied."""
        operations = _data("DELETE", deleted) + _data("INSERT", added)
        if transaction is not None:
            operations += [f"DELETE WHERE {{ GRAPH <{UPDATES}> {{ <{UPDATES}> <{APPLIED}> ?t }} }}",
                           f'INSERT DATA {{ GRAPH <{UPDATES}> {{ <{UPDATES}> <{APPLIED}> "{transaction}" }} }}']
        try:
            self.client.update(" ; ".join(operations), self.timeout)
        except StoreRejected as error:
            refused = UpdateRefused if error.store_status < 500 else QueryError
            raise refused(502, f"the store refused the update: {error}") from None
        except StoreRefused as error:
            raise UpdateRefused(502, str(error)) from None
        except StoreError as error:
            raise QueryError(error.status, str(error)) from None

    def applied(self, transaction: str) -> bool:
        """Whether `transaction` is the last update `apply` recorded in the store."""
        text = f'ASK {{ GRAPH <{UPDATES}> {{ <{UPDATES}> <{APPLIED}> "{transaction}" }} }}'
        return self._read(lambda: self._ask_store(text, (), ())[0])


# The front ends' record in the store, outside the dataset: the id of the last transaction they applied
UPDATES = "urn:koryo-kg:updates"
APPLIED = UPDATES + ":applied"
BATCH = 1000  # quads per DELETE DATA or INSERT DATA operation (Virtuoso compiles each to one SQL statement)


def _data(operation: str, quads: list[pyoxigraph.Quad]) -> list[str]:
    """DELETE DATA or INSERT DATA operations for the quads, in batches."""
    operations = []
    for at in range(0, len(quads), BATCH):
        graphs: dict[str, list[str]] = {}
        for quad in quads[at:at + BATCH]:
            graphs.setdefault(str(quad.graph_name), []).append(f"{quad.triple} .")
        body = " ".join(f"GRAPH {graph} {{ {' '.join(triples)} }}" for graph, triples in graphs.items())
        operations.append(f"{operation} DATA {{ {body} }}")
    return operations
