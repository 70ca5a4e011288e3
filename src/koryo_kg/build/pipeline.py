"""The build: sources -> load -> reason -> validate -> store, cached by a hash of its inputs."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from koryo_kg import __version__
from koryo_kg.build.cache import VALIDATION, BuildCache
from koryo_kg.problems import BuildFailed, InputError, Problem
from koryo_kg.sources.files import Sources

if TYPE_CHECKING:  # rdflib loads slowly, and a cached build (the command line's query) needs none of it
    from rdflib import Graph, URIRef

    from koryo_kg.sources.locations import LocationIndex

FORMAT = "4"  # bump when the same sources would build a different store


@dataclass
class BuildResult:
    key: str
    counts: dict[str, int] = field(default_factory=dict)
    reused: bool = False
    seconds: float = 0.0


@dataclass
class Loaded:
    """The parsed sources, by role, with the location index of all of them."""

    ontology: Graph
    imports: Graph
    data: Graph
    shapes: Graph
    gazetteer: Graph
    index: LocationIndex
    includes: dict[URIRef, Graph] = field(default_factory=dict)  # --include folders, by graph

    @classmethod
    def from_sources(cls, sources: Sources) -> Loaded:
        from koryo_kg.sources.locations import LocationIndex
        from koryo_kg.sources.parsing import load

        index = LocationIndex()
        problems: list[Problem] = []
        graphs = []
        roles = (sources.ontology, sources.imports, sources.data, sources.shapes, sources.gazetteer)
        for files in (*roles, *(files for _, files in sources.includes)):
            try:
                graphs.append(load(list(files), index=index)[0])
            except InputError as error:  # collect every role's parse errors before giving up
                problems += error.problems
        if problems:
            raise InputError(problems)
        includes = dict(zip((iri for iri, _ in sources.includes), graphs[len(roles):], strict=True))
        return cls(*graphs[:len(roles)], index=index, includes=includes)

    def facts(self) -> Graph:
        """The asserted facts: the article's data and every included folder's, as one graph."""
        if not self.includes:
            return self.data
        from rdflib import Graph

        facts = Graph()
        for graph in (self.data, *self.includes.values()):
            for triple in graph:
                facts.add(triple)
        return facts

    def vocabulary(self) -> Graph:
        """The ontology with the external axioms it relies on: what SHACL needs for class hierarchy."""
        return self.ontology + self.imports


def input_key(sources: Sources) -> str:
    digest = hashlib.sha256(f"koryo-kg {__version__} format {FORMAT}\n".encode())
    for role, files in (("ontology", sources.ontology), ("imports", sources.imports),
                        ("data", sources.data), ("shapes", sources.shapes), ("gazetteer", sources.gazetteer),
                        *((f"include {iri}", files) for iri, files in sources.includes)):
        for path in files:
            digest.update(f"{role}/{path.name}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build(sources: Sources, cache: BuildCache, force: bool = False,
          progress: Callable[[str], None] = lambda message: None, reasoner: str = "rules") -> BuildResult:
    """Build the store for `sources` unless the cache has it. Raises InputError or BuildFailed, leaving the
    last good build current."""
    started_clock = time.monotonic()
    key = input_key(sources)
    if not force and cache.has(key):
        cache.set_current(key)
        return BuildResult(key, reused=True, seconds=time.monotonic() - started_clock)

    from rdflib import Dataset

    from koryo_kg.build.metadata import describe
    from koryo_kg.build.reasoning import reason  # the reasoners and pyshacl load slowly: only for a build
    from koryo_kg.build.reports import as_json
    from koryo_kg.build.shacl import contradictions, validate
    from koryo_kg.vocab import Graphs

    started = datetime.now(UTC)
    progress(f"parsing {len(sources.all_files())} files")
    loaded = Loaded.from_sources(sources)

    facts = loaded.facts()
    progress(f"reasoning with {reasoner} over {len(loaded.ontology) + len(loaded.imports) + len(facts)} triples")
    reasoned = reason(loaded.ontology, loaded.imports, facts, reasoner=reasoner)
    if reasoned.errors:
        lines = [str(Problem(f.location, f.message))
                 for f in contradictions(reasoned.errors, facts, loaded.index, reasoned.by)]
        raise BuildFailed("the reasoner found contradictions:\n" + "\n".join(lines))

    progress("validating the data against the shapes with pyshacl")
    report = validate(facts, loaded.vocabulary(), loaded.shapes, loaded.index)
    if not report.conforms and report.count("violation"):
        raise BuildFailed(f"the data does not conform to the shapes ({report.count('violation')} violations)", report)

    progress("storing")
    graphs = {Graphs.ONTOLOGY: loaded.ontology, Graphs.IMPORTS: loaded.imports, Graphs.DATA: loaded.data,
              Graphs.INFERRED: reasoned.inferred, Graphs.SHAPES: loaded.shapes, Graphs.GAZETTEER: loaded.gazetteer,
              **loaded.includes}
    counts = {iri: len(graph) for iri, graph in graphs.items()}
    graphs[Graphs.META] = describe(counts, key, started, datetime.now(UTC))
    dataset = Dataset()
    for iri, graph in graphs.items():
        named = dataset.graph(iri)
        for triple in graph:
            named.add(triple)
    cache.install(key, dataset.serialize(format="nquads", encoding="utf-8"),
                  {VALIDATION: as_json(report, version=key).encode("utf-8")})
    return BuildResult(key, {Graphs.short_name(iri): len(g) for iri, g in graphs.items()},
                       seconds=time.monotonic() - started_clock)
