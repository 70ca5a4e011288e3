"""What an entity page reads: the triples it shows, bounded however many things link to the entity (a train
of 283 families, the register cited by 208,000 persons), with which of them are asserted. The RDF documents
(linked_data.documents) hold every triple; the page lists every value of a property that has at most SHOWN,
and past that SHOWN of them with the count and a SPARQL query for them all.

Three reads: how many values each property has, each way (counted by the store, nothing handed over); the
values of the properties that have few, the statements about the entity, the labels and blank time-spans
they lead to, each with its graph (asserted: any graph but the inferred one); and for each property with
many, SHOWN of its values in the store's order (an ORDER BY over 208,000 values took seconds), whose labels
are read with them."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from koryo_kg.http.dataset_state import engine
from koryo_kg.vocab import Graphs

SHOWN = 50  # values of one property (each way) a page lists
ORDERED_BELOW = 5000  # the query for all values orders them by label up to this many (ordering is slow in the store)

PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kg: <https://w3id.org/koryo-kg/ontology#>
"""
# ?out: true for the entity's own triples, false for those that point at it
COUNTS = """SELECT ?out ?p (COUNT(*) AS ?n) WHERE {
  { ?this ?p ?o BIND (true AS ?out) } UNION { ?s ?p ?this BIND (false AS ?out) }
} GROUP BY ?out ?p"""
# ?other: the end of the triple that is not the entity, whose labels are read; its blank time-span's parts too
ROWS = PREFIXES + """SELECT ?s ?p ?o ?g ?other ?lp ?l ?bp ?bo WHERE {
  { VALUES ?p { %(out)s } GRAPH ?g { ?this ?p ?o } BIND (?this AS ?s) BIND (?o AS ?other) }
  UNION { VALUES ?p { %(in)s } GRAPH ?g { ?s ?p ?this } BIND (?this AS ?o) BIND (?s AS ?other) }
  UNION { ?s kg:about ?this . GRAPH ?g { ?s ?p ?o } BIND (?o AS ?other) }
  OPTIONAL { FILTER isBlank(?o) ?o ?bp ?bo }
  OPTIONAL { FILTER isIRI(?other) ?other ?lp ?l FILTER (?lp IN (rdfs:label, skos:prefLabel)) }
}"""
SAMPLE = {True: "SELECT ?v ?g WHERE { GRAPH ?g { ?this ?p ?v } } LIMIT %d",
          False: "SELECT ?v ?g WHERE { GRAPH ?g { ?v ?p ?this } } LIMIT %d"}
# a FILTER rather than a VALUES of ?lp, which the store joined with every label of the data (350 ms)
LABELS = PREFIXES + "SELECT ?v ?lp ?l WHERE { VALUES ?v { %s } ?v ?lp ?l FILTER (?lp IN (rdfs:label, skos:prefLabel)) }"
INFERRED = URIRef(Graphs.INFERRED)
NOT_IN_IRIS = frozenset('<>" {}|\\^`')


@dataclass
class Read:
    triples: list[tuple]  # rdflib terms, each once
    asserted: set[tuple]  # those of them in a graph other than the inferred one
    more: dict[tuple[bool, URIRef], tuple[int, int]]  # (own, property) -> (values left out, values)


def sparql_iri(term) -> str:
    """An IRI the store gave, as SPARQL text (it was checked when it entered the store; checked again)."""
    text = str(term)
    if any(c in NOT_IN_IRIS or c < " " for c in text):
        raise ValueError(f"not an IRI: {text!r}")
    return f"<{text}>"


def read(iri: str) -> Read:
    this = URIRef(iri)
    counts = {(r["out"].toPython(), r["p"]): int(r["n"]) for r in engine().select(COUNTS, {"this": this})}
    few = {out: " ".join(sparql_iri(p) for (o, p), n in counts.items() if o == out and n <= SHOWN) for out in (True, False)}
    triples: dict[tuple, None] = {}
    asserted: set[tuple] = set()
    for r in engine().select(ROWS % {"out": few[True], "in": few[False]}, {"this": this}):
        triple = (r["s"], r["p"], r["o"])
        triples[triple] = None
        if r["g"] != INFERRED:
            asserted.add(triple)
        if r["l"] is not None:
            triples[(r["other"], r["lp"], r["l"])] = None
        if r["bp"] is not None:
            triples[(r["o"], r["bp"], r["bo"])] = None
    more, sampled = {}, set()
    for (out, p), n in counts.items():
        if n <= SHOWN:
            continue
        values = set()
        for r in engine().select(SAMPLE[out] % SHOWN, {"this": this, "p": p}):
            values.add(r["v"])
            triple = (this, p, r["v"]) if out else (r["v"], p, this)
            triples[triple] = None
            if r["g"] != INFERRED:
                asserted.add(triple)
            if isinstance(r["v"], URIRef):
                sampled.add(r["v"])
        more[(out, p)] = (n - len(values), n)
    if sampled:
        for r in engine().select(LABELS % " ".join(sparql_iri(v) for v in sorted(sampled))):
            triples[(r["v"], r["lp"], r["l"])] = None
    return Read(list(triples), asserted, more)
