"""The OWL 2 RL entailments this ontology uses, computed by SPARQL updates on pyoxigraph run to a fixpoint:
the fast reasoner of the build (owlrl, pure Python, grows about linearly and took 15.7 s of a 19.5 s build;
it stays available as `--reasoner owlrl`).

Only the rules whose vocabulary the ontology and its imports use, and whose conclusions survive the filter of
trivia (reasoning.keep), are run (OWL 2 RL, tables 4–9 of the profile): class and property hierarchies
(scm-sco, scm-spo, scm-eqc1, scm-eqp1, scm-cls; the reflexive ones and scm-dom/scm-rng conclude only what
is filtered or what prp-spo1 and cax-sco conclude anyway), instance typing (cax-sco), subproperties (prp-spo1), inverses (prp-inv1/2), symmetric and transitive properties
(prp-symp, prp-trp), property chains of any length (prp-spo2), domains and ranges (prp-dom, prp-rng), and
the contradictions of disjoint classes (cax-dw, cax-adc) and of owl:Nothing (cls-nothing2). A test proves
the published result equal to owlrl's on the article's data; an ontology that starts using another OWL
construct fails that test until its rule is added here.
"""

from __future__ import annotations

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

PREFIXES = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# Each rule is one INSERT over the default graph, which holds the asserted triples and what was inferred.
RULES = {
    "scm-cls": "INSERT { ?c rdfs:subClassOf owl:Thing } WHERE { ?c a owl:Class }",
    "scm-sco": "INSERT { ?c rdfs:subClassOf ?e } WHERE { ?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?e }",
    "scm-spo": "INSERT { ?p rdfs:subPropertyOf ?r } WHERE { ?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?r }",
    "scm-eqc1": "INSERT { ?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?c } WHERE { ?c owl:equivalentClass ?d }",
    "scm-eqp1": "INSERT { ?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?p } WHERE { ?p owl:equivalentProperty ?q }",
    "cax-sco": "INSERT { ?x a ?d } WHERE { ?c rdfs:subClassOf ?d . ?x a ?c }",
    "prp-spo1": "INSERT { ?x ?q ?y } WHERE { ?p rdfs:subPropertyOf ?q . FILTER (?p != ?q) ?x ?p ?y }",
    "prp-inv1": "INSERT { ?y ?q ?x } WHERE { ?p owl:inverseOf ?q . ?x ?p ?y FILTER (!isLiteral(?y)) }",
    "prp-inv2": "INSERT { ?y ?p ?x } WHERE { ?p owl:inverseOf ?q . ?x ?q ?y FILTER (!isLiteral(?y)) }",
    "prp-symp": "INSERT { ?y ?p ?x } WHERE { ?p a owl:SymmetricProperty . ?x ?p ?y FILTER (!isLiteral(?y)) }",
    "prp-trp": "INSERT { ?x ?p ?z } WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z }",
    "prp-dom": "INSERT { ?x a ?c } WHERE { ?p rdfs:domain ?c . ?x ?p ?y }",
    "prp-rng": "INSERT { ?y a ?c } WHERE { ?p rdfs:range ?c . ?x ?p ?y FILTER (!isLiteral(?y)) }",
}
CHAINS = "SELECT ?p ?chain WHERE { ?p owl:propertyChainAxiom ?chain }"
# The pairs of disjoint classes (a few), then the members of both of each pair: one query joining the two
# took 37 s at 100,000 asserted triples, pairing every type of every individual first.
DISJOINT = """
SELECT DISTINCT ?c ?d WHERE {
  { ?c owl:disjointWith ?d }
  UNION { ?all a owl:AllDisjointClasses ; owl:members ?list .
          ?list rdf:rest* ?a . ?a rdf:first ?c ; rdf:rest+ ?b . ?b rdf:first ?d }
}"""
IN_BOTH = "SELECT ?x ?c ?d WHERE { ?x a ?c . ?x a ?d }"
NOTHING = "SELECT ?x WHERE { ?x a owl:Nothing }"


def _oxigraph(term):
    """The pyoxigraph term for an rdflib one; blank nodes keep their names, so that they come back as the same."""
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(term)
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(term)
    if term.language:
        return pyoxigraph.Literal(term, language=term.language)
    return pyoxigraph.Literal(term, datatype=pyoxigraph.NamedNode(term.datatype) if term.datatype else None)


def _rdflib(term):
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:  # as rdflib's parsers make it (docs/modeling-notes.md)
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _list(store: pyoxigraph.Store, head) -> list:
    items = []
    while head.value != "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil":
        items.append(next(store.quads_for_pattern(head, pyoxigraph.NamedNode(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"), None)).object)
        head = next(store.quads_for_pattern(head, pyoxigraph.NamedNode(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"), None)).object
    return items


def _chain_rules(store: pyoxigraph.Store) -> list[str]:
    """prp-spo2 for each property chain of the ontology, written out for its length."""
    rules = []
    for row in store.query(PREFIXES + CHAINS):
        steps = _list(store, row["chain"])
        path = " . ".join(f"?x{i} {step} ?x{i + 1}" for i, step in enumerate(steps))
        rules.append(f"INSERT {{ ?x0 {row['p']} ?x{len(steps)} }} WHERE {{ {path} }}")
    return rules


def closure(*graphs: Graph) -> tuple[list[tuple], list[tuple[str, list]]]:
    """What the rules derive from `graphs` that they do not assert (as rdflib triples), and the contradictions
    as (message, resources) in owlrl's manner."""
    store = pyoxigraph.Store()
    asserted = [pyoxigraph.Quad(_oxigraph(s), _oxigraph(p), _oxigraph(o)) for graph in graphs for s, p, o in graph]
    store.bulk_extend(asserted)
    # In strata, each run to its fixpoint: the schema; then the triples between individuals (subproperties,
    # inverses, symmetry, transitivity, chains: types feed none of them); then the types from domains and
    # ranges, and from the class hierarchy, once each: the hierarchy is closed already, so one pass of cax-sco
    # over the types gives every superclass. At 100,000 asserted triples this took 67 s as one fixpoint of all
    # rules, which re-derived every type in every round.
    def rules(*names: str) -> list[str]:
        return [PREFIXES + RULES[name] for name in names]

    strata = [rules(*(name for name in RULES if name.startswith("scm-"))),
              rules("prp-spo1", "prp-inv1", "prp-inv2", "prp-symp", "prp-trp")
              + [PREFIXES + text for text in _chain_rules(store)],
              rules("prp-dom", "prp-rng"), rules("cax-sco")]
    for stratum in strata:
        size = -1
        while size != len(store):  # a fixpoint: a round that adds nothing
            size = len(store)
            for rule in stratum:
                store.update(rule)
    errors = [(f"Disjoint classes {pair['c'].value} and {pair['d'].value} have a common individual {row['x'].value}",
               [_rdflib(row["x"]), _rdflib(pair["c"]), _rdflib(pair["d"])])
              for pair in list(store.query(PREFIXES + DISJOINT))
              for row in store.query(IN_BOTH, substitutions={pyoxigraph.Variable("c"): pair["c"],
                                                             pyoxigraph.Variable("d"): pair["d"]})]
    errors += [(f"{row['x'].value} is of type owl:Nothing", [_rdflib(row["x"])])
               for row in store.query(PREFIXES + NOTHING)]
    for quad in asserted:  # only what was derived is converted back (the conversion is most of the cost)
        store.remove(quad)
    derived = [(_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object))
               for q in store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())]
    return derived, errors
