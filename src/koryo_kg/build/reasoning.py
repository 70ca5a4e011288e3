"""OWL 2 RL reasoning: the entailments worth publishing, in their own graph, and the contradictions.

Two reasoners give the same published graph (a test proves it on the article's data): `rules` (rules.py,
SPARQL updates on pyoxigraph to a fixpoint, the build's default: the build takes 4.2 s instead of 14.4 s) and `owlrl` (the
whole OWL 2 RL profile in pure Python, used by `validate --reason` to find contradictions the rules do not
look for, such as ill-typed literals). owlrl runs over a Dataset with `destination=` the inferred graph, so that it sees all graphs at once
(docs/modeling-notes.md, *Reasoning*). Its output is mostly trivia (reflexive owl:sameAs, literal subjects, axioms about the
OWL and XSD vocabularies); `keep` decides what of it is worth a harvester's time.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, URIRef

from koryo_kg.vocab import ERR, Graphs

_REFLEXIVE_NOISE = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}
_SCHEMA_NOISE = {RDFS.domain, RDFS.range, OWL.equivalentClass, OWL.equivalentProperty}
_META_NAMESPACES = tuple(str(ns) for ns in (OWL, RDF, RDFS, XSD))


REASONERS = ("rules", "owlrl")


@dataclass
class Reasoned:
    inferred: Graph
    errors: list[tuple[str, list[URIRef]]]  # the reasoner's message, and the resources it names
    by: str = "owlrl"  # which reasoner


def keep(triple, asserted: Graph, derived_only: bool = False) -> bool:
    """Whether an inferred triple is a useful entailment rather than trivia or a restatement (`derived_only`:
    the triple is known not to be asserted)."""
    s, p, o = triple
    if isinstance(s, Literal) or (not derived_only and triple in asserted):
        return False
    if p in _REFLEXIVE_NOISE and s == o:
        return False
    if p in _SCHEMA_NOISE:
        return False
    if str(s).startswith(_META_NAMESPACES) or o == OWL.Nothing:
        return False
    if p == RDF.type and (str(o).startswith(_META_NAMESPACES)):
        return False
    return not (isinstance(s, BNode) and (s, RDF.first, None) in asserted)


def reason(*graphs: Graph, reasoner: str = "owlrl") -> Reasoned:
    """Materialise the OWL 2 RL closure of the given graphs; return what it adds that is worth keeping."""
    asserted = Graph()
    for graph in graphs:
        for triple in graph:
            asserted.add(triple)
    if reasoner == "rules":
        from koryo_kg.build.rules import closure

        derived, errors = closure(asserted)
        inferred = Graph()
        inferred.addN((*triple, inferred) for triple in derived if keep(triple, asserted, derived_only=True))
        return Reasoned(inferred, sorted(errors), by="rules")
    return _owlrl(graphs, asserted)


def _owlrl(graphs: tuple[Graph, ...], asserted: Graph) -> Reasoned:
    import owlrl  # loads slowly: only when asked for

    dataset = Dataset()
    for number, graph in enumerate(graphs):
        named = dataset.graph(URIRef(f"urn:koryo-kg:input:{number}"))
        for triple in graph:
            named.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(dataset, destination=Graphs.INFERRED)
    closure = dataset.graph(Graphs.INFERRED)

    error_nodes = set(closure.subjects(ERR.error, None))
    errors = []
    for node in error_nodes:
        for message in closure.objects(node, ERR.error):
            text = str(message)
            errors.append((text, [URIRef(word) for word in text.split() if word.startswith(("http://", "https://"))]))

    inferred = Graph()
    for triple in closure:
        if triple[0] not in error_nodes and keep(triple, asserted):
            inferred.add(triple)
    return Reasoned(inferred, sorted(errors))
