"""OWL 2 RL reasoning: the entailments worth publishing, in their own graph, and the contradictions.

Two reasoners give the same published graph (a test proves it on the article's data): `rules` (rules.py,
SPARQL updates on pyoxigraph to a fixpoint, the default of the build and of `validate --reason`) and `owlrl`
(the whole OWL 2 RL profile in pure Python, for the contradictions of constructs the rules leave out). Both reason in a pyoxigraph store over the union of the asserted graphs, copied into its default
graph; owlrl runs over an rdflib Dataset with `destination=` the inferred graph, so that it sees all graphs at
once (docs/modeling-notes.md, *Reasoning*). Most of what a reasoner derives is trivia (reflexive owl:sameAs,
axioms about the OWL and XSD vocabularies); TRIVIA takes it out, in the store, leaving what is worth a
harvester's time.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass

import pyoxigraph
from rdflib import Graph, Literal, URIRef

from koryo_kg.sources.parsing import oxigraph_term, rdflib_term
from koryo_kg.vocab import ERR, Graphs

REASONERS = ("rules", "owlrl")
_PREFIXES = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
_META = ("http://www.w3.org/2002/07/owl#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
         "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2001/XMLSchema#")
_IN_META = "STRSTARTS(STR(?{0}), \"http://www.w3.org/\") && (" + " || ".join(
    f"STRSTARTS(STR(?{{0}}), \"{ns}\")" for ns in _META) + ")"  # the first test is cheap and rules out most
# What a reasoner derives that is trivia, taken out of the inferred graph (`{graph}`) before it is published:
# reflexive statements, schema axioms, anything about the OWL/RDF(S)/XSD vocabularies or owl:Nothing, and about
# the blank nodes of the asserted RDF lists (in the graphs `{asserted}`). Each is a pattern the store answers
# from an index, but for the subjects in those vocabularies.
TRIVIA = [_PREFIXES + "WITH {graph}\n" + update for update in (
    "DELETE { ?s ?p ?s } WHERE { VALUES ?p { owl:sameAs rdfs:subClassOf rdfs:subPropertyOf owl:equivalentClass "
    "owl:equivalentProperty } ?s ?p ?s }",
    "DELETE { ?s ?p ?o } WHERE { VALUES ?p { rdfs:domain rdfs:range owl:equivalentClass owl:equivalentProperty } "
    "?s ?p ?o }",
    "DELETE { ?s ?p owl:Nothing } WHERE { ?s ?p owl:Nothing }",
    f"DELETE {{ ?s a ?o }} WHERE {{ ?s a ?o FILTER (isIRI(?o) && {_IN_META.format('o')}) }}",
    f"DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER (isIRI(?s) && {_IN_META.format('s')}) }}",
    "DELETE { ?s ?p ?o } WHERE { GRAPH ?asserted { ?s rdf:first ?first } VALUES ?asserted { {asserted} } "
    "FILTER isBlank(?s) ?s ?p ?o }",
)]


@dataclass
class Reasoned:
    inferred: Graph
    errors: list[tuple[str, list[URIRef]]]  # the reasoner's message, and the resources it names
    by: str = "owlrl"  # which reasoner


def reason_in(store: pyoxigraph.Store, graphs: list[pyoxigraph.NamedNode],
              reasoner: str = "rules") -> list[tuple[str, list[URIRef]]]:
    """Fill the inferred graph of `store` (emptied first) with what the OWL 2 RL closure of the union of `graphs`
    adds that is worth keeping; return the contradictions, sorted. The default graph is used as scratch and
    left empty."""
    values = " ".join(f"<{g.value}>" for g in graphs)
    inferred = f"<{Graphs.INFERRED}>"
    store.update(f"DROP SILENT GRAPH {inferred}")
    store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ {values} }} }}")
    if reasoner == "rules":
        from koryo_kg.build.rules import closure

        # most of what the rules derive (the superclasses of every individual) goes straight to the inferred
        # graph: inserting two million types in the default graph and moving them cost 6 s at 172,000 persons
        errors = closure(store, pyoxigraph.NamedNode(str(Graphs.INFERRED)))
    else:
        errors = _owlrl(store, graphs)
    # the rest of what was derived joins it; then out of it go the asserted triples a rule derived again (in
    # the inferred graph: types only) and the trivia. Clearing a graph is cheap, deleting triple by triple not.
    store.update(f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ {values} }} }}")
    store.update(f"ADD DEFAULT TO {inferred}")
    store.update("CLEAR DEFAULT")
    store.update(f"DELETE {{ GRAPH {inferred} {{ ?s a ?o }} }} WHERE {{ GRAPH ?g {{ ?s a ?o }} VALUES ?g {{ {values} }} }}")
    for update in TRIVIA:
        store.update(update.replace("{graph}", inferred).replace("{asserted}", values))
    return sorted(errors)


def _owlrl(store: pyoxigraph.Store, graphs: list[pyoxigraph.NamedNode]) -> list[tuple[str, list[URIRef]]]:
    """owlrl's closure of `graphs` added to the default graph (beside the asserted triples); its errors."""
    import owlrl  # loads slowly: only when asked for
    from rdflib import Dataset

    from koryo_kg.build.rules import ILL_TYPED, ill_typed, ill_typed_in

    dataset = Dataset()
    for graph in graphs:
        named = dataset.graph(URIRef(graph.value))
        named.addN((*(rdflib_term(t) for t in (q.subject, q.predicate, q.object)), named)
                   for q in store.quads_for_pattern(None, None, None, graph))
    try:
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(dataset, destination=Graphs.INFERRED)
    except decimal.InvalidOperation:  # owlrl's check of an xsd:decimal raises it for "1.2.3", not a ValueError
        return [ill_typed(store, row["o"]) for row in store.query(ILL_TYPED)]  # what stopped it, at least
    closure = dataset.graph(Graphs.INFERRED)
    error_nodes = set(closure.subjects(ERR.error, None))
    messages = [str(message) for node in error_nodes for message in closure.objects(node, ERR.error)]
    store.bulk_extend(pyoxigraph.Quad(*(oxigraph_term(t) for t in triple)) for triple in closure
                      if triple[0] not in error_nodes and not isinstance(triple[0], Literal))
    # an ill-typed literal named by the resources that hold it, as the rules name it (its message names none)
    return [ill_typed(store, literal) if (literal := ill_typed_in(message)) else
            (message, [URIRef(word) for word in message.split() if word.startswith(("http://", "https://"))])
            for message in messages]


def reason(*graphs: Graph, reasoner: str = "owlrl") -> Reasoned:
    """The OWL 2 RL closure of rdflib graphs: what it adds that is worth keeping, and the contradictions."""
    store = pyoxigraph.Store()
    names = [pyoxigraph.NamedNode(f"urn:koryo-kg:input:{number}") for number in range(len(graphs))]
    for name, graph in zip(names, graphs, strict=True):
        store.bulk_extend(pyoxigraph.Quad(*(oxigraph_term(t) for t in triple), name) for triple in graph)
    errors = reason_in(store, names, reasoner)
    inferred = Graph()
    inferred.addN((*(rdflib_term(t) for t in (q.subject, q.predicate, q.object)), inferred)
                  for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(str(Graphs.INFERRED))))
    return Reasoned(inferred, errors, by=reasoner)
