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
    "prp-trp": "INSERT { ?x ?p ?z } WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z }",
    "prp-dom": "INSERT { ?x a ?c } WHERE { ?p rdfs:domain ?c . ?x ?p ?y }",
    "prp-rng": "INSERT { ?y a ?c } WHERE { ?p rdfs:range ?c . ?x ?p ?y FILTER (!isLiteral(?y)) }",
}
SUBCLASS = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
SUBPROPERTY = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
CHAINS = "SELECT ?p ?chain WHERE { ?p owl:propertyChainAxiom ?chain }"
TRANSITIVE = "SELECT ?p WHERE { ?p a owl:TransitiveProperty }"
# What a triple ?x ?p ?y of the data implies through subproperties, inverses and symmetry (prp-spo1, prp-inv1,
# prp-inv2, prp-symp): read from the schema, whose hierarchy is closed by then.
PROPERTY_AXIOMS = """SELECT ?p ?q ?how WHERE {
  { ?p rdfs:subPropertyOf ?q FILTER (?p != ?q) BIND ("sub" AS ?how) }
  UNION { ?p owl:inverseOf ?q BIND ("inverse" AS ?how) } UNION { ?q owl:inverseOf ?p BIND ("inverse" AS ?how) }
  UNION { ?p a owl:SymmetricProperty BIND (?p AS ?q) BIND ("inverse" AS ?how) }
}"""
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


def _chain_rules(store: pyoxigraph.Store) -> list[tuple[pyoxigraph.NamedNode, str]]:
    """prp-spo2 for each property chain of the ontology, written out for its length, and the property."""
    rules = []
    for row in store.query(PREFIXES + CHAINS):
        steps = _list(store, row["chain"])
        path = " . ".join(f"?x{i} {step} ?x{i + 1}" for i, step in enumerate(steps))
        rules.append((row["p"], f"INSERT {{ ?x0 {row['p']} ?x{len(steps)} }} WHERE {{ {path} }}"))
    return rules


def _property_rules(store: pyoxigraph.Store) -> list[str]:
    """prp-spo1, prp-inv1/2 and prp-symp to their fixpoint in one pass over the data: for each property p,
    every (q, reversed) that a triple ?x p ?y leads to by a path of those rules (?x q ?y, or ?y q ?x), found on
    the schema. As four rules run in rounds, they took three passes over the data (the last to see that
    nothing changed) and 5.6 of 33 s at 172,000 persons. A path through an inverse needs ?y not a literal."""
    edges: dict[str, set[tuple[str, bool]]] = {}  # property -> (property, reverses the triple)
    for row in store.query(PREFIXES + PROPERTY_AXIOMS):
        edges.setdefault(str(row["p"]), set()).add((str(row["q"]), row["how"].value == "inverse"))
    plain, through_inverse, reversed_ = set(), set(), set()
    for start in edges:
        seen, to_visit = {(start, False): False}, [(start, False)]  # state -> reached through an inverse
        while to_visit:
            state = to_visit.pop()
            for target, reverses in edges.get(state[0], ()):
                reached = (target, state[1] != reverses)
                inverse = seen[state] or reverses
                if reached not in seen or (seen[reached] and not inverse):
                    seen[reached] = inverse
                    to_visit.append(reached)
        for (target, reverse), inverse in seen.items():
            if reverse:
                reversed_.add((start, target))
            elif target != start:
                (through_inverse if inverse else plain).add((start, target))

    def rule(pairs: set, head: str, literals: bool) -> list[str]:
        values = " ".join(f"({p} {q})" for p, q in sorted(pairs))
        return [f"INSERT {{ {head} }} WHERE {{ VALUES (?p ?q) {{ {values} }} ?x ?p ?y "
                + ("" if literals else "FILTER (!isLiteral(?y)) ") + "}"] if pairs else []

    return (rule(plain, "?x ?q ?y", True) + rule(through_inverse, "?x ?q ?y", False)
            + rule(reversed_, "?y ?q ?x", False))


def closure(store: pyoxigraph.Store, inferred: pyoxigraph.NamedNode) -> list[tuple[str, list]]:
    """Add what the rules derive from the default graph of `store` (the asserted triples) to it, and the types
    of the class hierarchy to the graph `inferred`; return the contradictions as (message, resources) in
    owlrl's manner."""
    # In strata, each to its fixpoint: the schema; then the triples between individuals (types feed none of
    # them); then the types from domains and ranges, and from the class hierarchy, once each: the hierarchy is
    # closed already, so one pass of cax-sco over the types gives every superclass. At 100,000 asserted triples
    # this took 67 s as one fixpoint of all rules, which re-derived every type in every round. A fixpoint is a
    # round that adds nothing: measured by counting the triples of the properties the round concludes, since
    # counting the whole store costs a pass over it.
    def run(*updates: str) -> None:
        for update in updates:
            store.update(PREFIXES + update.replace("{inferred}", str(inferred)))

    def count(properties) -> int:
        return sum(1 for p in properties for _ in store.quads_for_pattern(None, p, None, pyoxigraph.DefaultGraph()))

    while True:
        size = count((SUBCLASS, SUBPROPERTY))
        run(*(rule for name, rule in RULES.items() if name.startswith("scm-")))
        if count((SUBCLASS, SUBPROPERTY)) == size:
            break
    # Subproperties, inverses and symmetry are closed in one pass (_property_rules); transitivity and chains
    # may add triples that need another.
    paths, chains = _property_rules(store), _chain_rules(store)
    closing = [row["p"] for row in store.query(PREFIXES + TRANSITIVE)] + [p for p, _ in chains]
    run(*paths)
    while True:
        size = count(closing)
        run(RULES["prp-trp"], *(rule for _, rule in chains))
        if count(closing) == size:
            break
        run(*paths)
    run(RULES["prp-dom"], RULES["prp-rng"], RULES["cax-sco"])
    errors = [(f"Disjoint classes {pair['c'].value} and {pair['d'].value} have a common individual {row['x'].value}",
               [rdflib_term(row["x"]), rdflib_term(pair["c"]), rdflib_term(pair["d"])])
              for pair in list(store.query(PREFIXES + DISJOINT))
              for row in store.query(IN_BOTH.replace("{inferred}", str(inferred)),
                                     substitutions={pyoxigraph.Variable("c"): pair["c"],
                                                    pyoxigraph.Variable("d"): pair["d"]})]
    errors += [(f"{row['x'].value} is of type owl:Nothing", [rdflib_term(row["x"])])
               for row in store.query(PREFIXES + NOTHING.replace("{inferred}", str(inferred)))]
    return errors
