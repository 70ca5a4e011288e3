"""The OWL 2 RL entailments this ontology uses, computed by SPARQL updates on pyoxigraph run to a fixpoint:
the fast reasoner of the build (owlrl, pure Python, grows about linearly and took 15.7 s of a 19.5 s build;
it stays available as `--reasoner owlrl`).

Only the rules whose vocabulary the ontology and its imports use, and whose conclusions survive the filter of
trivia (reasoning.keep), are run (OWL 2 RL, tables 4–9 of the profile): class and property hierarchies
(scm-sco, scm-spo, scm-eqc1, scm-eqp1, scm-cls; the reflexive ones and scm-dom/scm-rng conclude only what
is filtered or what prp-spo1 and cax-sco conclude anyway), instance typing (cax-sco), subproperties (prp-spo1), inverses (prp-inv1/2), symmetric and transitive properties
(prp-symp, prp-trp), property chains of any length (prp-spo2), domains and ranges (prp-dom, prp-rng), and
the contradictions of disjoint classes (cax-dw, cax-adc) and of owl:Nothing (cls-nothing2), and ill-typed
literals (dt-not-type), which any data can hold. A test proves the published result equal to owlrl's on the
article's data; an ontology that starts using another OWL construct fails that test until its rule is added
here.

owlrl's other contradictions (prp-irp, prp-asyp, prp-pdw, prp-adp, prp-npa, cls-com, cls-maxc, cls-maxqc,
eq-diff) need axioms our ontology does not have, or owl:sameAs, which the rules do not reason with at all:
`unreasoned` names the constructs of OWL 2 RL the rules leave out that a contributor's files use, so that
validation says so instead of passing them in silence.
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
    # the other half of scm-cls: a member of owl:Nothing is a member of every class, of disjoint ones too
    "scm-cls-nothing": "INSERT { owl:Nothing rdfs:subClassOf ?c } WHERE { ?c a owl:Class }",
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
# dt-not-type, for the datatypes of OWL 2 RL whose values pyoxigraph parses: it keeps a literal it cannot parse
# as written, a typed literal of no value, which casts to nothing (a valid xsd:int or xsd:byte is kept as the
# xsd:integer of its value, a valid xsd:dateTimeStamp as an xsd:dateTime). The string-like datatypes
# (xsd:token, xsd:language, xsd:anyURI, rdf:XMLLiteral…) it does not parse: only owlrl checks those. pyoxigraph
# follows XSD's lexical spaces where owlrl's Python conversions stray from them: owlrl accepts "TRUE" and
# " 12" and rejects "0"^^xsd:double, the rules the other way round. One pass over the literals, in the store.
XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = " ".join(f"<{XSD}{name}>" for name in (
    "integer", "decimal", "float", "double", "nonNegativeInteger", "nonPositiveInteger", "negativeInteger",
    "positiveInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte"))
_CASTS = {"boolean": "boolean", "date": "date", "dateTime": "dateTime", "dateTimeStamp": "dateTime", "time": "time"}
# The first tests are cheap, and leave of the 210,000 literals of 172,000 persons a few hundred (2.6 -> 0.4 s).
ILL_TYPED = ("SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER (isLiteral(?o) && !isNumeric(?o) && lang(?o) = \"\" && "
             f"datatype(?o) != <{XSD}string> && (") + " || ".join(
    [f"datatype(?o) IN ({_NUMERIC.replace('> <', '>, <')}) && !isNumeric(?o)"]
    + [f"datatype(?o) = <{XSD}{name}> && !COALESCE(isLiteral(<{XSD}{cast}>(?o)), false)"
       for name, cast in _CASTS.items()]) + ")) }"
_ILL_TYPED_WORDS = "Lexical value of the literal '{0}' does not match its datatype ({1})"  # owlrl's
# What OWL 2 RL reasons with that the rules do not (owlrl does): equality, the property and class axioms our
# ontology does not use, and class expressions. Each is a predicate or, after "a ", a class.
UNREASONED = ("owl:sameAs", "owl:differentFrom", "a owl:AllDifferent", "a owl:FunctionalProperty",
              "a owl:InverseFunctionalProperty", "a owl:IrreflexiveProperty", "a owl:AsymmetricProperty",
              "a owl:AllDisjointProperties", "owl:propertyDisjointWith", "owl:hasKey", "owl:sourceIndividual",
              "owl:intersectionOf", "owl:unionOf", "owl:complementOf", "owl:oneOf", "owl:someValuesFrom",
              "owl:allValuesFrom", "owl:hasValue", "owl:maxCardinality", "owl:maxQualifiedCardinality")


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

    # the rules make no literal, they copy them: the asserted triples have every ill-typed one, in a third of
    # the triples there are once reasoned (a register of 172,000 persons: 0.83 M, 0.4 s)
    ill_typed_literals = [row["o"] for row in store.query(ILL_TYPED)]
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
               [rdflib_term(pair["c"]), rdflib_term(pair["d"]), rdflib_term(row["x"])])  # as owlrl names them
              for pair in list(store.query(PREFIXES + DISJOINT))
              for row in store.query(IN_BOTH.replace("{inferred}", str(inferred)),
                                     substitutions={pyoxigraph.Variable("c"): pair["c"],
                                                    pyoxigraph.Variable("d"): pair["d"]})]
    errors += [(f"{row['x'].value} is defined of type 'Nothing'", [rdflib_term(row["x"])])  # owlrl's words
               for row in store.query(PREFIXES + NOTHING.replace("{inferred}", str(inferred)))]
    errors += [ill_typed(store, literal) for literal in ill_typed_literals]
    return errors


def ill_typed(store: pyoxigraph.Store, literal: pyoxigraph.Literal) -> tuple[str, list]:
    """The contradiction of an ill-typed literal, in owlrl's words, naming the resources that hold it (owlrl
    names none), so that a finding points at where it is written."""
    holders = {rdflib_term(quad.subject)
               for quad in store.quads_for_pattern(None, None, literal, pyoxigraph.DefaultGraph())}
    return _ILL_TYPED_WORDS.format(literal.value, literal.datatype.value), sorted(holders, key=str)


def ill_typed_in(message: str) -> pyoxigraph.Literal | None:
    """The literal of owlrl's message about an ill-typed literal; None for its other messages."""
    head, tail = _ILL_TYPED_WORDS.split("{0}")
    middle, end = tail.split("{1}")
    if not (message.startswith(head) and message.endswith(end) and middle in message):
        return None
    lexical, datatype = message[len(head):-len(end)].rsplit(middle, 1)
    return pyoxigraph.Literal(lexical, datatype=pyoxigraph.NamedNode(datatype))


def unreasoned(store: pyoxigraph.Store, graphs: list[pyoxigraph.NamedNode]) -> list[tuple[str, list]]:
    """Each construct of UNREASONED that `graphs` use, with the resources that use it (a few)."""
    values = " ".join(f"<{g.value}>" for g in graphs)
    found = []
    for construct in UNREASONED:
        pattern = f"?s a {construct[2:]}" if construct.startswith("a ") else f"?s {construct} ?o"
        rows = store.query(f"{PREFIXES}SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ {pattern} }} VALUES ?g {{ {values} }} }} "
                           "LIMIT 3")
        users = [rdflib_term(row["s"]) for row in rows]
        if users:
            found.append((construct.removeprefix("a "), users))
    return found
