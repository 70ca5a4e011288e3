"""The HTML page about one resource, for historians: its names in every script, its types, every fact with
links, the statements about it with their footnotes, and what mentions it. Built from the same triples as
the RDF documents; Jinja escapes everything shown."""

from __future__ import annotations

import json
from collections import defaultdict

from flask import render_template
from rdflib import RDF, RDFS, SKOS, BNode, Literal, URIRef

from koryo_kg.http.dataset_state import dataset_state, engine
from koryo_kg.http.links import local_url
from koryo_kg.pages.maps import place_map
from koryo_kg.pages.pictures import figures, neighbourhood
from koryo_kg.vocab import KG, compact

# rdflib terms equal terms only (URIRef("x") != "x"): the triples are compared with these
LABEL, ALT_LABEL, PREF_LABEL, TYPE, ABOUT = RDFS.label, SKOS.altLabel, SKOS.prefLabel, RDF.type, KG.about


TERM_LABELS = """SELECT ?t ?l WHERE { GRAPH ?g { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?l }
FILTER (?g IN (<https://w3id.org/koryo-kg/graph/ontology>, <https://w3id.org/koryo-kg/graph/imports>))
FILTER (lang(?l) = "en") }"""


def _property_labels() -> dict[str, str]:
    """English labels of the properties and classes of the ontology and its imports."""
    return dataset_state().get("term labels", lambda: {str(r["t"]): str(r["l"]) for r in engine().select(TERM_LABELS)})


def _labels(triples: list[tuple]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for s, p, o in triples:
        if p in (LABEL, PREF_LABEL) and isinstance(o, Literal):
            if o.language == "en" or str(s) not in labels:
                labels[str(s)] = str(o)
    return labels


def _value(term, labels: dict[str, str], spans: dict) -> dict:
    if isinstance(term, URIRef):
        iri = str(term)
        return {"href": local_url(iri), "text": labels.get(iri) or compact(iri), "iri": iri}
    if isinstance(term, BNode):
        return {"text": spans.get(term, "(a structured value)")}
    suffix = f" @{term.language}" if term.language else ""
    return {"text": str(term), "note": suffix.strip() or None}


def entity_page(iri: str, triples: list[tuple], alternates: dict[str, str]) -> str:
    """The page about `iri` from its document's triples (rdflib terms; see linked_data.documents)."""
    this = URIRef(iri)
    labels = _labels(triples)
    terms = _property_labels()
    name = lambda p: terms.get(str(p)) or compact(str(p))
    blank = defaultdict(dict)
    for s, p, o in triples:
        if isinstance(s, BNode):
            blank[s][p] = str(o)
    spans = {b: p.get(LABEL, "") for b, p in blank.items()}  # time-spans show the date as written

    names = sorted({(o.language or "", str(o), p == ALT_LABEL) for s, p, o in triples
                    if s == this and p in (LABEL, ALT_LABEL) and isinstance(o, Literal)})
    types = sorted({compact(str(o)) for s, p, o in triples if s == this and p == TYPE})
    facts = defaultdict(list)
    statements = defaultdict(lambda: defaultdict(list))
    incoming = []
    statement_nodes = {s for s, p, o in triples if p == ABOUT and o == this}
    for s, p, o in triples:
        if s == this and p not in (LABEL, ALT_LABEL, TYPE):
            facts[name(p)].append(_value(o, labels, spans))
        elif s in statement_nodes and p != TYPE:
            statements[str(s)][name(p)].append(_value(o, labels, spans))
        elif o == this and s != this and s not in statement_nodes:
            incoming.append({"subject": _value(s, labels, spans), "property": name(p)})
    title = labels.get(iri) or compact(iri)
    structured = json.dumps({"@context": "https://schema.org", "@id": iri, "name": title,
                             "alternateName": [n[1] for n in names if n[1] != title],
                             "url": local_url(iri)}, ensure_ascii=False).replace("<", "\\u003c")
    return render_template(
        "entity.html", iri=iri, title=title, names=names, types=types,
        facts=sorted(facts.items()), incoming=sorted(incoming, key=lambda i: (i["property"], i["subject"]["text"])),
        statements=[(labels.get(s) or compact(s), local_url(s), sorted(p.items())) for s, p in sorted(statements.items())],
        alternates=alternates, structured=structured, diagram=neighbourhood(iri, triples, labels),
        charts=figures(engine(), iri), map=place_map(iri))
