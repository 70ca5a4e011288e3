"""The build: sources -> load -> reason and validate (side by side) -> store, cached by a hash of its inputs."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyoxigraph

from koryo_kg import __version__, vocab  # vocab's rdflib terms are made on first use: a cached build needs none
from koryo_kg.build.beside import beside
from koryo_kg.build.cache import VALIDATION, BuildCache
from koryo_kg.problems import BuildFailed, InputError, Problem
from koryo_kg.sources.files import Sources

if TYPE_CHECKING:  # rdflib loads slowly, and a cached build (the command line's query) needs none of it
    from rdflib import Graph, URIRef

    from koryo_kg.sources.locations import LocationIndex

FORMAT = "5"  # bump when the same sources would build a different store


@dataclass
class BuildResult:
    key: str
    counts: dict[str, int] = field(default_factory=dict)
    reused: bool = False
    seconds: float = 0.0


@dataclass
class Loaded:
    """The parsed sources in one in-memory pyoxigraph store, each role in the named graph it is published in;
    the small ones as rdflib graphs too (what Terms and the SHACL engine read); the location index of all."""

    store: pyoxigraph.Store
    vocabulary: Graph  # the ontology with the external axioms it relies on
    shapes: Graph
    index: LocationIndex
    includes: tuple[pyoxigraph.NamedNode, ...] = ()  # --include folders' graphs

    @classmethod
    def from_sources(cls, sources: Sources) -> Loaded:
        from koryo_kg.sources.locations import LocationIndex
        from koryo_kg.sources.parsing import load_into

        store, index, problems = pyoxigraph.Store(), LocationIndex(), []
        roles = ((vocab.Graphs.ONTOLOGY, sources.ontology), (vocab.Graphs.IMPORTS, sources.imports), (vocab.Graphs.DATA, sources.data),
                 (vocab.Graphs.SHAPES, sources.shapes), (vocab.Graphs.GAZETTEER, sources.gazetteer), *sources.includes)
        for iri, files in roles:  # every role's parse errors before giving up
            problems += load_into(store, list(files), pyoxigraph.NamedNode(str(iri)), index)
        if problems:
            raise InputError(problems)
        vocabulary, shapes = (_rdflib(store, vocab.Graphs.ONTOLOGY, vocab.Graphs.IMPORTS), _rdflib(store, vocab.Graphs.SHAPES))
        return cls(store, vocabulary, shapes, index, tuple(pyoxigraph.NamedNode(str(iri)) for iri, _ in sources.includes))

    @property
    def facts(self) -> list[pyoxigraph.NamedNode]:
        """The graphs of the asserted facts: the article's data and every included folder's."""
        return [pyoxigraph.NamedNode(str(vocab.Graphs.DATA)), *self.includes]

    @property
    def schema(self) -> list[pyoxigraph.NamedNode]:
        return [pyoxigraph.NamedNode(str(vocab.Graphs.ONTOLOGY)), pyoxigraph.NamedNode(str(vocab.Graphs.IMPORTS))]


def _rdflib(store: pyoxigraph.Store, *graphs: URIRef) -> Graph:
    from rdflib import Graph

    from koryo_kg.sources.parsing import rdflib_term

    graph = Graph()
    for iri in graphs:
        graph.addN((*(rdflib_term(t) for t in (q.subject, q.predicate, q.object)), graph)
                   for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(str(iri))))
    return graph


def input_key(sources: Sources) -> str:
    # Neither the reasoner nor the SHACL engine is an input: each choice gives the same store and findings (tested).
    digest = hashlib.sha256(f"koryo-kg {__version__} format {FORMAT}\n".encode())
    for role, files in (("ontology", sources.ontology), ("imports", sources.imports),
                        ("data", sources.data), ("shapes", sources.shapes), ("gazetteer", sources.gazetteer),
                        *((f"include {iri}", files) for iri, files in sources.includes)):
        for path in files:
            digest.update(f"{role}/{path.name}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build(sources: Sources, cache: BuildCache, force: bool = False,
          progress: Callable[[str], None] = lambda message: None, reasoner: str = "rules",
          shacl: str = "turbo") -> BuildResult:
    """Build the store for `sources` unless the cache has it, validating in the SHACL engine `shacl` (a name of
    build/shacl.py ENGINES). Raises InputError or BuildFailed, leaving the last good build current."""
    started_clock = time.monotonic()
    key = input_key(sources)
    if not force and cache.has(key):
        if cache.current_key() != key:  # a read, not a write, for every `koryo-kg query` on a cached build
            cache.set_current(key)
        return BuildResult(key, reused=True, seconds=time.monotonic() - started_clock)

    from rdflib import URIRef

    from koryo_kg.build.additions import graph_counts
    from koryo_kg.build.metadata import describe
    from koryo_kg.build.reasoning import reason_in  # the reasoners and SHACL load slowly: only for a build
    from koryo_kg.build.reports import as_json
    from koryo_kg.build.shacl import Facts, contradictions, validate_in
    from koryo_kg.sources.parsing import oxigraph_term

    started = datetime.now(UTC)
    progress(f"parsing {len(sources.all_files())} files")
    loaded = Loaded.from_sources(sources)
    store = loaded.store

    progress(f"reasoning with {reasoner} over {len(store)} triples, and validating the data against the shapes "
             f"(--shacl {shacl}) meanwhile")
    # The shapes read the asserted graphs, which reasoning leaves as they are (it works in the default graph
    # and the inferred graph), and the SHACL engine releases the GIL: the two take
    # the machine's two cores, and the build waits for the longer, not for both.
    validating = beside(validate_in, store, loaded.facts, loaded.schema, loaded.vocabulary, loaded.shapes,
                        loaded.index, shacl)
    errors = reason_in(store, loaded.schema + loaded.facts, reasoner)
    progress("validating: the reasoning is done")  # said even when the validation was first, the same each time
    report = validating.result()
    if errors:
        lines = [str(Problem(f.location, f.message))
                 for f in contradictions(errors, Facts(store, loaded.facts), loaded.index, reasoner)]
        raise BuildFailed("the reasoner found contradictions:\n" + "\n".join(lines))
    if not report.conforms and report.count("violation"):
        raise BuildFailed(f"the data does not conform to the shapes ({report.count('violation')} violations)", report)

    progress("storing")
    counts = {URIRef(iri): count for iri, count in graph_counts(store).items()}
    counts = {iri: counts.get(iri, 0) for iri in (*vocab.Graphs.ALL, *(URIRef(g.value) for g in loaded.includes))
              if iri != vocab.Graphs.META}
    meta = describe(counts, key, started, datetime.now(UTC))
    meta_graph = pyoxigraph.NamedNode(str(vocab.Graphs.META))
    store.bulk_extend(pyoxigraph.Quad(*(oxigraph_term(t) for t in triple), meta_graph) for triple in meta)
    cache.install(key, store, {VALIDATION: as_json(report, version=key).encode("utf-8")})
    return BuildResult(key, {vocab.Graphs.short_name(iri): n for iri, n in {**counts, vocab.Graphs.META: len(meta)}.items()},
                       seconds=time.monotonic() - started_clock)
