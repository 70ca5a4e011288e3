"""Validating files a contributor brings, together with the project's data (they may refer to its IRIs) or
alone, against the project's shapes.

The files are parsed straight into one pyoxigraph store and validated there, as a build does
(sources/parsing.py `load_into`, build/shacl.py `validate_in`): making rdflib graphs of the data took more than
half of a register's validation. Only the vocabulary and the shapes, which are small, are read back into
rdflib: the undefined-term check and the SHACL engines take them as rdflib graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from rdflib import Graph

from koryo_kg.build.beside import beside
from koryo_kg.build.shacl import Facts, Report, contradictions, validate_in
from koryo_kg.problems import InputError
from koryo_kg.sources.files import Sources, rdf_files
from koryo_kg.sources.locations import LocationIndex
from koryo_kg.sources.parsing import load_into, rdflib_term

# one graph for all the data, so that a triple the contribution shares with the project's data is one triple
DATA = pyoxigraph.NamedNode("urn:koryo-kg:data")
VOCABULARY = pyoxigraph.NamedNode("urn:koryo-kg:vocabulary")
SHAPES = pyoxigraph.NamedNode("urn:koryo-kg:shapes")


def check(paths: list[Path], sources: Sources, standalone: bool = False, reason: bool = False,
          root: Path | None = None, base: str | None = None, engine: str = "turbo", reasoner: str = "rules") -> Report:
    """Validate the RDF files under `paths` (the project's data when empty), naming them relative to `root`
    (their relative IRIs resolve against `base` + that name, by default against their file: IRIs);
    with `reason`, also report the contradictions of the OWL 2 RL `reasoner` (a name of build/reasoning.py
    REASONERS), and, with the rules, a warning where the files use what the rules do not reason with; the
    shapes run in the SHACL `engine` (a name of build/shacl.py ENGINES). Raises InputError when any file does
    not parse, naming every one."""
    store, index = pyoxigraph.Store(), LocationIndex()
    # Contributed files are indexed first, so that a finding points at the contributor's line.
    groups = [(rdf_files(paths), DATA, root, base)] if paths else []
    if not paths or not standalone:
        groups.append(([*sources.data, *(path for _, files in sources.includes for path in files)], DATA, None, None))
    groups += [([*sources.ontology, *sources.imports], VOCABULARY, None, None), (list(sources.shapes), SHAPES, None, None)]
    problems = [problem for files, graph, named_from, based_on in groups
                for problem in load_into(store, files, graph, index, root=named_from, base=based_on)]
    if problems:
        raise InputError(problems)
    vocabulary, shapes = _rdflib(store, VOCABULARY), _rdflib(store, SHAPES)
    if not reason:
        return validate_in(store, [DATA], [VOCABULARY], vocabulary, shapes, index, engine)
    from koryo_kg.build.reasoning import reason_in  # owlrl loads slowly: only when asked
    from koryo_kg.build.rules import unreasoned

    # As in the build, the shapes run in a thread beside the reasoning: they read the data and vocabulary
    # graphs, which reasoning leaves as they are, and both are mostly Rust that releases the GIL.
    validating = beside(validate_in, store, [DATA], [VOCABULARY], vocabulary, shapes, index, engine)
    left_out = [(f"{construct} is not reasoned with by the rules: the contradictions it may entail are not "
                 "looked for (--reasoner owlrl looks for them)", users)
                for construct, users in unreasoned(store, [VOCABULARY, DATA])] if reasoner == "rules" else []
    errors = reason_in(store, [VOCABULARY, DATA], reasoner)
    report, facts = validating.result(), Facts(store, [DATA])
    report.add(contradictions(errors, facts, index, reasoner) + contradictions(left_out, facts, index, reasoner, "warning"))
    return report


def _rdflib(store: pyoxigraph.Store, name: pyoxigraph.NamedNode) -> Graph:
    graph = Graph()
    graph.addN((*map(rdflib_term, (q.subject, q.predicate, q.object)), graph)
               for q in store.quads_for_pattern(None, None, None, name))
    return graph
