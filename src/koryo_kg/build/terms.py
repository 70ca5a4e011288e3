"""Which terms exist: the koryo-kg ontology's own, the CIDOC CRM terms restated in ontology/external, and the
terms of the vocabularies whose lists rdflib ships (PROV, ORG, schema.org, FOAF, SKOS, DCTERMS, VANN, OWL,
RDF(S), XSD). A misspelt property or class is a term of none of them: SHACL cannot see it (no shape targets
`kg:Persn`, and an unknown property is simply not constrained), so the lint and the validation ask here."""

from __future__ import annotations

import difflib

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, SDO, SKOS, VANN, XSD

from koryo_kg.vocab import CRM, KG, compact

CLOSED = (PROV, ORG, SDO, FOAF, SKOS, DCTERMS, VANN, OWL, RDF, RDFS, XSD)


class Terms:
    def __init__(self, vocabulary: Graph):
        """`vocabulary`: the ontology and the external declarations it imports."""
        self.own = {s for s in vocabulary.subjects() if isinstance(s, URIRef) and str(s).startswith(str(KG))}
        self.crm = {s for s in vocabulary.subjects() if isinstance(s, URIRef) and str(s).startswith(str(CRM))}

    def undefined(self, term: URIRef) -> str | None:
        """Why `term` is not a term of the vocabulary its IRI belongs to; None when it is, or when the
        vocabulary is not one we know the terms of."""
        iri = str(term)
        if iri.startswith(str(KG)):
            return None if term in self.own else f"{compact(iri)} is not a term of the koryo-kg ontology" + \
                self._suggestion(term, self.own)
        if iri.startswith(str(CRM)):
            return None if term in self.crm else \
                f"{iri} is not a CIDOC CRM 7.1.3 term declared in ontology/external" + self._suggestion(term, self.crm)
        for vocabulary in CLOSED:
            if iri.startswith(str(vocabulary)) and term not in vocabulary:
                known = {t for t in dir(vocabulary) if isinstance(t, URIRef)}  # dir() lists an rdflib vocabulary
                return f"{compact(iri)} is not a term of {vocabulary}" + self._suggestion(term, known)
        return None

    @staticmethod
    def _suggestion(term: URIRef, known: set[URIRef]) -> str:
        close = difflib.get_close_matches(str(term), [str(k) for k in known], n=1, cutoff=0.8)
        return f" (did you mean {compact(close[0])}?)" if close else ""

