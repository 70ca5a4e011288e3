"""Publishing a build into a SPARQL 1.1 store (`koryo-kg publish`), so that front ends can serve from it.

Every named graph of the build is first loaded into a staging graph of its own, next to the published ones,
and its triple count checked; then one SPARQL Update of MOVE operations puts all of them in place at once,
and the counts are checked again. A store that runs one update request as one transaction (Oxigraph does;
Virtuoso's /sparql endpoint does too, see the README's *Scaling out*) shows its readers the old dataset or
the new one, never a mix; whatever fails before the MOVE leaves the published dataset as it was and its
staging graphs dropped.

Before the MOVE, every triple without a blank node is read back and compared: a store that changes a literal
it cannot represent fails the publish as one that refuses it does.

The graph of an --include folder that an earlier publish put in the store and this build does not have is
dropped by the same update: `serve --store` serves every graph of ours it finds, and a register left behind
would be served with a build that no longer has it.

A graph is loaded with the Graph Store HTTP Protocol when the store has it (a PUT of its first CHUNK triples
as N-Triples, a POST of each further CHUNK), else with SPARQL Update in batches. A blank node is scoped to the document or request it comes in, so one that two
graphs share (the inferred graph says more about the data graph's time-spans) could not stay one node across
two PUTs; nor in one update that inserts into both graphs, which Virtuoso 7 answers with an internal error
(after inserting). Such blank nodes are published skolemized (RDF 1.1 Concepts, 3.5): as IRIs under
`SKOLEM`, the same in every graph.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph

from koryo_kg.stores.client import StoreClient, StoreError
from koryo_kg.vocab import BASE, Graphs

STAGING = "urn:koryo-kg:staging:"  # + the build's key, short, + the graph's short name
SKOLEM = BASE + ".well-known/genid/"
LOAD_TIMEOUT = 600.0  # seconds one load request may take
# triples per Graph Store document: Virtuoso 7 took a 290,000-triple register in six documents of 50,000 in
# 4.6 s, and sat idle on it as one PUT for ten minutes ("Locks are held for a long time")
CHUNK = 50_000
BATCH = 2000  # triples per INSERT DATA when the store has no Graph Store endpoint
BLANK_BATCH = 200  # triples with blank nodes per INSERT … WHERE {} (Virtuoso compiles each to SQL, up to a limit)


class PublishFailed(Exception):
    """The store did not take the build; the dataset it published before is still the current one."""


@dataclass
class Published:
    key: str
    counts: dict[str, int]  # short graph name -> triples, as counted by the store
    seconds: float
    method: str  # "graph store" or "update"
    removed: tuple[str, ...] = ()  # short names of the graphs of earlier --include folders dropped


def _documents(store: pyoxigraph.Store, graphs: list[str]) -> dict[str, list[pyoxigraph.Triple]]:
    """Each graph's triples, the blank nodes it shares with another graph skolemized."""
    triples = {g: [q.triple for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(g))]
               for g in graphs}
    seen: dict[pyoxigraph.BlankNode, str] = {}
    shared = set()
    for graph, items in triples.items():
        for triple in items:
            for term in (triple.subject, triple.object):
                if isinstance(term, pyoxigraph.BlankNode) and seen.setdefault(term, graph) != graph:
                    shared.add(term)
    if not shared:
        return triples
    skolem = lambda t: pyoxigraph.NamedNode(SKOLEM + t.value) if t in shared else t
    return {g: [pyoxigraph.Triple(skolem(t.subject), t.predicate, skolem(t.object)) for t in items]
            for g, items in triples.items()}


def _ntriples(triples) -> str:
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")


def _chunks(triples: list[pyoxigraph.Triple]) -> Iterator[list[pyoxigraph.Triple]]:
    """The triples in documents of about CHUNK, the first one always (an empty graph is one empty PUT), with
    each blank node's triples in one document: a blank node is scoped to the document it comes in."""
    blank = lambda t: isinstance(t.subject, pyoxigraph.BlankNode) or isinstance(t.object, pyoxigraph.BlankNode)
    chunk = [t for t in triples if not blank(t)]
    for component in _components([t for t in triples if blank(t)]):
        chunk += component
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    while len(chunk) > CHUNK:  # plain triples only: any cut will do
        yield chunk[:CHUNK]
        chunk = chunk[CHUNK:]
    yield chunk


def _update_batches(graph: str, triples: list[pyoxigraph.Triple]) -> Iterator[str]:
    """INSERT DATA for the triples without blank nodes; the others with each blank node's triples in one
    INSERT … WHERE {} (INSERT DATA with blank nodes is SPARQL 1.1, but Virtuoso 7 refuses it)."""
    blank = lambda t: isinstance(t.subject, pyoxigraph.BlankNode) or isinstance(t.object, pyoxigraph.BlankNode)
    plain = [t for t in triples if not blank(t)]
    for at in range(0, len(plain), BATCH):
        yield f"INSERT DATA {{ GRAPH <{graph}> {{\n{_ntriples(plain[at:at + BATCH])}}} }}"
    batch: list[pyoxigraph.Triple] = []
    for component in _components([t for t in triples if blank(t)]):
        if batch and len(batch) + len(component) > BLANK_BATCH:
            yield f"INSERT {{ GRAPH <{graph}> {{\n{_ntriples(batch)}}} }} WHERE {{}}"
            batch = []
        batch += component
    if batch:
        yield f"INSERT {{ GRAPH <{graph}> {{\n{_ntriples(batch)}}} }} WHERE {{}}"


def _components(triples: list[pyoxigraph.Triple]) -> list[list[pyoxigraph.Triple]]:
    """The triples in groups that share no blank node with another group (union-find over blank nodes)."""
    parent: dict = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for t in triples:
        if isinstance(t.subject, pyoxigraph.BlankNode) and isinstance(t.object, pyoxigraph.BlankNode):
            parent[root(t.subject)] = root(t.object)
    groups: dict = {}
    for t in triples:
        groups.setdefault(root(t.subject if isinstance(t.subject, pyoxigraph.BlankNode) else t.object), []).append(t)
    return list(groups.values())


def _count(client: StoreClient, graph: str, timeout: float) -> int:
    response = client.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                            "application/sparql-results+json", timeout)
    with response:
        solutions = pyoxigraph.parse_query_results(response.content, pyoxigraph.QueryResultsFormat.JSON)
        return int(next(iter(solutions))["n"].value)


def publish(store: pyoxigraph.Store, key: str, client: StoreClient, progress: Callable[[str], None] = print,
            timeout: float = LOAD_TIMEOUT) -> Published:
    """Put every named graph of the build `store` (of input hash `key`) into the store behind `client`."""
    start = time.monotonic()
    graphs = sorted(g.value for g in store.named_graphs())
    if not {str(g) for g in Graphs.ALL} <= set(graphs):  # and any --include folders' graphs
        raise PublishFailed(f"the build {key[:12]} does not have the dataset's named graphs")
    staging = {g: f"{STAGING}{key[:16]}:{Graphs.short_name(g)}" for g in graphs}
    documents = _documents(store, graphs)
    expected = {g: len(documents[g]) for g in graphs}
    method = "graph store" if client.endpoints.graphs else "update"
    try:
        client.update(" ; ".join(f"DROP SILENT GRAPH <{s}>" for s in staging.values()), timeout)
        for graph in graphs:
            progress(f"loading {Graphs.short_name(graph)} ({expected[graph]} triples) with "
                     + ("the Graph Store Protocol" if client.endpoints.graphs else "SPARQL Update"))
            if client.endpoints.graphs:
                for number, chunk in enumerate(_chunks(documents[graph])):
                    send = client.put_graph if number == 0 else client.post_graph
                    send(staging[graph], _ntriples(chunk).encode("utf-8"), "application/n-triples", timeout)
            else:
                for update in _update_batches(staging[graph], documents[graph]):
                    client.update(update, timeout)
        _check(client, {staging[g]: (g, n) for g, n in expected.items()}, timeout, "after loading")
        for graph in graphs:
            _check_content(client, staging[graph], graph, documents[graph], timeout)
        stale = _stale_includes(client, graphs, timeout)
        before = {g: _count(client, g, timeout) for g in graphs + stale}
        progress("replacing the published graphs in one update" + "".join(
            f"; removing {Graphs.short_name(g)}, which this build does not have" for g in stale))
        _swap(client, staging, stale, before, timeout)
    except BaseException as failure:
        _drop_quietly(client, staging.values(), timeout)
        if isinstance(failure, StoreError | PublishFailed) and not isinstance(failure, _HalfSwapped):
            raise PublishFailed(f"{failure}; the dataset published before is unchanged") from None
        raise
    try:
        counts = _check(client, {g: (g, n) for g, n in expected.items()} | {g: (g, 0) for g in stale}, timeout,
                        "after publishing")
    except StoreError as failure:
        raise PublishFailed(f"the build was published, but checking it failed: {failure}") from None
    removed = tuple(Graphs.short_name(g) for g in stale)
    return Published(key, {name: n for name, n in counts.items() if name not in removed}, time.monotonic() - start,
                     method, removed)


def _stale_includes(client: StoreClient, graphs: list[str], timeout: float) -> list[str]:
    """The --include folders' graphs in the store that are not among the build's `graphs`."""
    prefix = str(Graphs.included(""))
    response = client.query(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER STRSTARTS(STR(?g), "{prefix}") }}',
                            "application/sparql-results+json", timeout)
    with response:
        solutions = pyoxigraph.parse_query_results(response.content, pyoxigraph.QueryResultsFormat.JSON)
        return sorted({row["g"].value for row in solutions} - set(graphs))


class _HalfSwapped(PublishFailed):
    pass


def _swap(client: StoreClient, staging: dict[str, str], stale: list[str], before: dict[str, int],
          timeout: float) -> None:
    try:
        client.update(" ; ".join([f"MOVE <{staging[g]}> TO <{g}>" for g in staging]
                                 + [f"DROP SILENT GRAPH <{g}>" for g in stale]), timeout)
    except StoreError as failure:
        try:
            unchanged = all(_count(client, g, timeout) == n for g, n in before.items())
        except StoreError:
            unchanged = False
        if unchanged:
            raise
        raise _HalfSwapped(f"{failure}; the store may have applied part of the swap (it does not run an update "
                           "as one transaction): run publish again to make the dataset whole") from None


def _check(client: StoreClient, graphs: dict[str, tuple[str, int]], timeout: float, when: str) -> dict[str, int]:
    counts = {}
    for graph, (name, expected) in graphs.items():
        found = _count(client, graph, timeout)
        if found != expected:
            raise PublishFailed(f"the store holds {found} triples of graph {Graphs.short_name(name)} {when}, "
                                f"not the build's {expected}")
        counts[Graphs.short_name(name)] = found
    return counts


def _check_content(client: StoreClient, graph: str, name: str, triples: list[pyoxigraph.Triple],
                   timeout: float) -> None:
    """Every triple without a blank node must come back as it went: a store may keep a literal it cannot
    represent in another form (Virtuoso stores "abc"^^xsd:integer as 0) rather than refuse it."""
    response = client.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                            "application/n-triples", timeout)
    with response:
        stored = {q.triple for q in pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_TRIPLES)}
    blank = lambda t: isinstance(t.subject, pyoxigraph.BlankNode) or isinstance(t.object, pyoxigraph.BlankNode)
    changed = [t for t in triples if not blank(t) and t not in stored]
    if changed:
        example = changed[0]
        became = [t.object for t in stored if t.subject == example.subject and t.predicate == example.predicate]
        raise PublishFailed(f"the store did not keep {len(changed)} triple(s) of graph {Graphs.short_name(name)} "
                            f"as they are: {example.subject} {example.predicate} {example.object} came back as "
                            + (", ".join(map(str, became[:3])) if became else "nothing"))


def _drop_quietly(client: StoreClient, graphs, timeout: float) -> None:
    """Drop the staging graphs after a failure; a store that cannot be reached keeps them until the next try,
    which replaces them."""
    try:
        client.update(" ; ".join(f"DROP SILENT GRAPH <{g}>" for g in graphs), timeout)
    except StoreError:
        pass
