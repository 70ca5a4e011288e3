"""The HTML page about one resource, for historians: its names in every script, its types, every fact with
links, the statements about it with their footnotes, and what mentions it. Built from the same triples as
the RDF documents; Jinja escapes everything shown."""

from __future__ import annotations

import json
from collections import defaultdict

import pyoxigraph
from flask import current_app, render_template

from koryo_kg.http.links import local_url
from koryo_kg.pages.pictures import figures, neighbourhood
from koryo_kg.vocab import KG, compact

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ABOUT = str(KG) + "about"


def _property_labels() -> dict[str, str]:
    """English labels of the properties and classes of the ontology and its imports, read once."""
    cache = current_app.config.get("KORYO_TERM_LABELS")
    if cache is None:
        cache = {r["t"].value: r["l"].value for r in current_app.config["ENGINE"].store.query(
            'SELECT ?t ?l WHERE { GRAPH ?g { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?l } '
            'FILTER (?g IN (<https://w3id.org/koryo-kg/graph/ontology>, <https://w3id.org/koryo-kg/graph/imports>)) '
            'FILTER (lang(?l) = "en") }')}
        current_app.config["KORYO_TERM_LABELS"] = cache
    return cache


def _labels(triples) -> dict[str, str]:
    labels: dict[str, str] = {}
    for t in triples:
        if t.predicate.value in (LABEL, PREF_LABEL) and isinstance(t.object, pyoxigraph.Literal):
            if t.object.language == "en" or t.subject.value not in labels:
                labels[t.subject.value] = t.object.value
    return labels


def _value(term, labels: dict[str, str], spans: dict) -> dict:
    if isinstance(term, pyoxigraph.NamedNode):
        return {"href": local_url(term.value), "text": labels.get(term.value) or compact(term.value), "iri": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"text": spans.get(term.value, "(a structured value)")}
    suffix = f" @{term.language}" if term.language else ""
    return {"text": term.value, "note": suffix.strip() or None}


def entity_page(iri: str, triples: list, alternates: dict[str, str]) -> str:
    labels = _labels(triples)
    terms = _property_labels()
    blank = defaultdict(dict)
    for t in triples:
        if isinstance(t.subject, pyoxigraph.BlankNode):
            blank[t.subject.value][t.predicate.value] = t.object.value
    spans = {b: p.get(LABEL, "") for b, p in blank.items()}  # time-spans show the date as written

    names = sorted({(t.object.language or "", t.object.value, t.predicate.value == ALT_LABEL) for t in triples
                    if t.subject.value == iri and t.predicate.value in (LABEL, ALT_LABEL)})
    types = sorted({compact(t.object.value) for t in triples if t.subject.value == iri and t.predicate.value == TYPE})
    facts = defaultdict(list)
    statements = defaultdict(lambda: defaultdict(list))
    incoming = []
    statement_nodes = {t.subject.value for t in triples if t.predicate.value == ABOUT and t.object.value == iri}
    for t in triples:
        if t.subject.value == iri and t.predicate.value not in (LABEL, ALT_LABEL, TYPE):
            facts[terms.get(t.predicate.value) or compact(t.predicate.value)].append(_value(t.object, labels, spans))
        elif t.subject.value in statement_nodes and t.predicate.value != TYPE:
            statements[t.subject.value][terms.get(t.predicate.value) or compact(t.predicate.value)].append(
                _value(t.object, labels, spans))
        elif t.object.value == iri and t.subject.value != iri and t.subject.value not in statement_nodes:
            incoming.append({"subject": _value(t.subject, labels, spans),
                             "property": terms.get(t.predicate.value) or compact(t.predicate.value)})
    title = labels.get(iri) or compact(iri)
    structured = json.dumps({"@context": "https://schema.org", "@id": iri, "name": title,
                             "alternateName": [n[1] for n in names if n[1] != title],
                             "url": local_url(iri)}, ensure_ascii=False).replace("<", "\\u003c")
    return render_template(
        "entity.html", iri=iri, title=title, names=names, types=types,
        facts=sorted(facts.items()), incoming=sorted(incoming, key=lambda i: (i["property"], i["subject"]["text"])),
        statements=[(labels.get(s) or compact(s), local_url(s), sorted(p.items())) for s, p in sorted(statements.items())],
        alternates=alternates, structured=structured, diagram=neighbourhood(iri, triples, labels),
        charts=figures(current_app.config["ENGINE"].store, iri))
