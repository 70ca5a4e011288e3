"""A query executor: a child process that evaluates SPARQL on the store and streams serialized results
back through a pipe. Queries run here, not in the web server, so that a runaway query can be stopped by
ending its process (pyoxigraph has no way to cancel a running query).

Messages to the child: a dict (see `Request`). From the child: ("start", info) or ("error", status,
message), then ("chunk", bytes)* and ("end", None).
"""

from __future__ import annotations

import io
from itertools import islice
from typing import TypedDict

import pyoxigraph

from .results import RDF_FORMATS, write_boolean, write_solutions

CHUNK = 64 * 1024


class Request(TypedDict):
    query: str
    default_graph: list[str] | None  # None: the union of all graphs (or the query's FROM)
    named_graphs: list[str] | None
    format: str  # a key of SOLUTION_FORMATS or GRAPH_FORMATS
    max_rows: int  # 0: no limit


class _Pipe(io.RawIOBase):
    """A writable file that sends what is written to the parent in chunks."""

    def __init__(self, conn):
        self.conn, self.buffer = conn, bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self):
        if self.buffer:
            self.conn.send(("chunk", bytes(self.buffer)))
            self.buffer.clear()


def _dataset(request: Request) -> dict:
    if request["default_graph"] is None and request["named_graphs"] is None:
        return {"use_default_graph_as_union": not _has_from(request["query"])}
    named = [pyoxigraph.NamedNode(g) for g in request["named_graphs"] or []]
    default = [pyoxigraph.NamedNode(g) for g in request["default_graph"] or []]
    return {"default_graph": default, "named_graphs": named}


def _has_from(query: str) -> bool:
    from .sparql_text import tokens

    return any(t.upper() == "FROM" for t in tokens(query))


def _limited(items, limit: int | None):
    """With a limit, the first `limit` items and whether there were more (so that the response can say so
    before it starts); without one, the items themselves, streamed."""
    if not limit:
        return items, False
    head = list(islice(items, limit + 1))
    return head[:limit], len(head) > limit


def evaluate(store: pyoxigraph.Store, request: Request, conn) -> None:
    try:
        results = store.query(request["query"], **_dataset(request))
    except SyntaxError as error:
        conn.send(("error", 400, f"SPARQL syntax error: {error}"))
        return
    except OSError as error:
        conn.send(("error", 500, f"the store could not be read: {error}"))
        return
    limit = request["max_rows"] or None
    out = _Pipe(conn)
    try:
        if isinstance(results, pyoxigraph.QueryBoolean):
            conn.send(("start", {"kind": "boolean", "truncated": False}))
            out.write(write_boolean(bool(results), request["format"]).encode())
        elif isinstance(results, pyoxigraph.QuerySolutions):
            variables = [v.value for v in results.variables]
            rows, truncated = _limited(([s[v] for v in variables] for s in results), limit)
            conn.send(("start", {"kind": "solutions", "truncated": truncated}))
            notes = [f"urn:koryo-kg:truncated:{limit}"] if truncated else []
            for text in write_solutions(variables, rows, request["format"], notes):
                out.write(text.encode("utf-8"))
        else:
            triples, truncated = _limited(results, limit)
            conn.send(("start", {"kind": "graph", "truncated": truncated}))
            pyoxigraph.serialize(triples, out, format=RDF_FORMATS[request["format"]])
    except (RuntimeError, OSError, ValueError) as error:  # an evaluation error after parsing
        conn.send(("error", 400, f"query evaluation failed: {error}"))
        return
    out.flush()
    conn.send(("end", None))


def serve(conn, store_path: str) -> None:
    """The child's loop: open the store read-only, answer requests until the pipe closes."""
    store = pyoxigraph.Store.read_only(store_path)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        evaluate(store, request, conn)
