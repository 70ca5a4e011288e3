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

from koryo_kg.sources.parsing import rdflib_term

PREFIXES = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# Each rule is one INSERT over the default graph, which holds the asserted triples and what was inferred; but
# cax-sco, the last and largest, which inserts into the inferred graph (`{inferred}`): nothing reads its
# conclusions but the contradiction checks. owl:Thing, a superclass of every class, would be trivia.
RULES = {
    "scm-cls": "INSERT { ?c rdfs:subClassOf owl:Thing } WHERE { ?c a owl:Class }",
    "scm-sco": "INSERT { ?c rdfs:subClassOf ?e } WHERE { ?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?e }",
    "scm-spo": "INSERT { ?p rdfs:subPropertyOf ?r } WHERE { ?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?r }",
    "scm-eqc1": "INSERT { ?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?c } WHERE { ?c owl:equivalentClass ?d }",
    "scm-eqp1": "INSERT { ?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?p } WHERE { ?p owl:equivalentProperty ?q }",
    "cax-sco": "INSERT { GRAPH {inferred} { ?x a ?d } } WHERE { ?c rdfs:subClassOf ?d FILTER (?d != owl:Thing) ?x a ?c }",
    "prp-spo1": "INSERT { ?x ?q ?y } WHERE { ?p rdfs:subPropertyOf ?q . FILTER (?p != ?q) ?x ?p ?y }",
    "prp-inv1": "INSERT { ?y ?q ?x } WHERE { ?p owl:inverseOf ?q . ?x ?p ?y FILTER (!isLiteral(?y)) }",
    "prp-inv2": "INSERT { ?y ?p ?x } WHERE { ?p owl:inverseOf ?q . ?x ?q ?y FILTER (!isLiteral(?y)) }",
    "prp-symp": "INSERT { ?y ?p ?x } WHERE { ?p a owl:SymmetricProperty . ?x ?p ?y FILTER (!isLiteral(?y)) }",
    "prp-trp": "INSERT { ?x ?p ?z } WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z }",
    "prp-dom": "INSERT { ?x a ?c } WHERE { ?p rdfs:domain ?c . ?x ?p ?y }",
    "prp-rng": "INSERT { ?y a ?c } WHERE { ?p rdfs:range ?c . ?x ?p ?y FILTER (!isLiteral(?y)) }",
}
SUBCLASS = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
SUBPROPERTY = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
CHAINS = "SELECT ?p ?chain WHERE { ?p owl:propertyChainAxiom ?chain }"
# The pairs of disjoint classes (a few), then the members of both of each pair: one query joining the two
# took 37 s at 100,000 asserted triples, pairing every type of every individual first.
DISJOINT = """
SELECT DISTINCT ?c ?d WHERE {
  { ?c owl:disjointWith ?d }
  UNION { ?all a owl:AllDisjointClasses ; owl:members ?list .
          ?list rdf:rest* ?a . ?a rdf:first ?c ; rdf:rest+ ?b . ?b rdf:first ?d }
}"""
# the types are in the default graph and, those of cax-sco, in the inferred graph
IN_BOTH = "SELECT DISTINCT ?x ?c ?d WHERE { { ?x a ?c } UNION { GRAPH {inferred} { ?x a ?c } } { ?x a ?d } UNION { GRAPH {inferred} { ?x a ?d } } }"
NOTHING = "SELECT DISTINCT ?x WHERE { { ?x a owl:Nothing } UNION { GRAPH {inferred} { ?x a owl:Nothing } } }"


def _list(store: pyoxigraph.Store, head) -> list:
    items = []
    while head.value != "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil":
        items.append(next(store.quads_for_pattern(head, pyoxigraph.NamedNode(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"), None, pyoxigraph.DefaultGraph())).object)
        head = next(store.quads_for_pattern(head, pyoxigraph.NamedNode(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"), None, pyoxigraph.DefaultGraph())).object
    return items


def _chain_rules(store: pyoxigraph.Store) -> list[str]:
    """prp-spo2 for each property chain of the ontology, written out for its length."""
    rules = []
    for row in store.query(PREFIXES + CHAINS):
        steps = _list(store, row["chain"])
        path = " . ".join(f"?x{i} {step} ?x{i + 1}" for i, step in enumerate(steps))
        rules.append(f"INSERT {{ ?x0 {row['p']} ?x{len(steps)} }} WHERE {{ {path} }}")
    return rules


def closure(store: pyoxigraph.Store, inferred: pyoxigraph.NamedNode) -> list[tuple[str, list]]:
    """Add what the rules derive from the default graph of `store` (the asserted triples) to it, and the types
    of the class hierarchy to the graph `inferred`; return the contradictions as (message, resources) in
    owlrl's manner."""
    # In strata: the schema, to its fixpoint; then the triples between individuals (subproperties, inverses,
    # symmetry, transitivity, chains: types feed none of them), to theirs; then the types from domains and
    # ranges, and from the class hierarchy, once each: the hierarchy is closed already, so one pass of cax-sco
    # over the types gives every superclass. At 100,000 asserted triples this took 67 s as one fixpoint of all
    # rules, which re-derived every type in every round. A fixpoint is a round that adds nothing: measured for
    # the schema by its own two properties, since counting the whole store costs a pass over it.
    def rules(*names: str) -> list[str]:
        return [PREFIXES + RULES[name].replace("{inferred}", str(inferred)) for name in names]

    def schema_size() -> int:
        return sum(1 for p in (SUBCLASS, SUBPROPERTY)
                   for _ in store.quads_for_pattern(None, p, None, pyoxigraph.DefaultGraph()))

    strata = [(rules(*(name for name in RULES if name.startswith("scm-"))), schema_size),
              (rules("prp-spo1", "prp-inv1", "prp-inv2", "prp-symp", "prp-trp")
               + [PREFIXES + text for text in _chain_rules(store)], store.__len__),
              (rules("prp-dom", "prp-rng"), None), (rules("cax-sco"), None)]
    for stratum, size_of in strata:
        size = size_of() if size_of else None
        while True:
            for rule in stratum:
                store.update(rule)
            if size_of is None or size == (size := size_of()):
                break
    errors = [(f"Disjoint classes {pair['c'].value} and {pair['d'].value} have a common individual {row['x'].value}",
               [rdflib_term(row["x"]), rdflib_term(pair["c"]), rdflib_term(pair["d"])])
              for pair in list(store.query(PREFIXES + DISJOINT))
              for row in store.query(IN_BOTH.replace("{inferred}", str(inferred)),
                                     substitutions={pyoxigraph.Variable("c"): pair["c"],
                                                    pyoxigraph.Variable("d"): pair["d"]})]
    errors += [(f"{row['x'].value} is of type owl:Nothing", [rdflib_term(row["x"])])
               for row in store.query(PREFIXES + NOTHING.replace("{inferred}", str(inferred)))]
    return errors
