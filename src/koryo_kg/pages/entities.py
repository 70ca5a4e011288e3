"""The HTML page about one resource, written as a reference entry for historians: its description and
date first, its names in every script, the facts the data asserts (each source beside it as a numbered note
with the footnote's bibliographic text, own or inherited), the figures side by side, the statements about
it, what mentions it, a map and a diagram; what the reasoner adds is there but folded away. Built from the
same triples as the RDF documents, plus which of them are asserted, but bounded: past 50 values of one
property, 50 of them, how many there are and a SPARQL query for all (entity_read); Jinja escapes everything
shown."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from urllib.parse import urlencode

from flask import render_template
from rdflib import RDF, RDFS, SKOS, XSD, BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, VOID

from koryo_kg.http.dataset_state import dataset_state, engine, warmed
from koryo_kg.http.kept_values import AS_IS
from koryo_kg.http.links import local_url
from koryo_kg.pages.dates import human_day, human_span
from koryo_kg.pages.entity_read import ORDERED_BELOW, read
from koryo_kg.pages.maps import flow_map, place_map
from koryo_kg.pages.notes import page_notes
from koryo_kg.pages.pictures import figures, neighbourhood
from koryo_kg.vocab import KG, compact

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
# rdflib terms equal terms only (URIRef("x") != "x"): the triples are compared with these
LABEL, ALT_LABEL, PREF_LABEL, TYPE, ABOUT = RDFS.label, SKOS.altLabel, SKOS.prefLabel, RDF.type, KG.about
TIME_SPAN, BEGIN, END = URIRef(CRM + "P4_has_time-span"), URIRef(CRM + "P82a_begin_of_the_begin"), URIRef(
    CRM + "P82b_end_of_the_end")
DESCRIPTIONS = (DCTERMS.description, RDFS.comment)
# shown in the lead or the notes, not as facts
SHOWN_ELSEWHERE = {LABEL, ALT_LABEL, TYPE, *DESCRIPTIONS, PROV.wasDerivedFrom, KG.ownFootnote, KG.inheritedFootnote,
                   KG.citationStatus, TIME_SPAN, ABOUT}
# the dataset's description naming a sample of its things: about the dataset, not about the thing
NOT_A_MENTION = {ABOUT, VOID.exampleResource}

TERM_LABELS = """SELECT ?t ?l WHERE { GRAPH ?g { ?t <http://www.w3.org/2000/01/rdf-schema#label> ?l }
FILTER (?g IN (<https://w3id.org/koryo-kg/graph/ontology>, <https://w3id.org/koryo-kg/graph/imports>))
FILTER (lang(?l) = "en") }"""
@warmed(rank=0)
def _property_labels() -> dict[str, str]:
    """English labels of the properties and classes of the ontology and its imports."""
    return dataset_state().get("term labels", lambda: {str(r["t"]): str(r["l"]) for r in engine().select(TERM_LABELS)},
                               AS_IS)


def _spoken(name: str) -> str:
    """dcterms:title -> title, schema:isPartOf -> is part of: a common vocabulary's term without a label in
    our imports reads as words; a full IRI stays as it is."""
    prefix, _, local = name.partition(":")
    if not local or "/" in name:
        return name
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()


def _labels(triples: list[tuple]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for s, p, o in triples:
        if p in (LABEL, PREF_LABEL) and isinstance(o, Literal):
            if o.language == "en" or str(s) not in labels:
                labels[str(s)] = str(o)
    return labels


def _spans(triples: list[tuple]) -> dict:
    """Each blank time-span: its date as written and as a human date."""
    parts: dict = defaultdict(dict)
    for s, p, o in triples:
        if isinstance(s, BNode):
            parts[s][p] = str(o)
    spans = {}
    for node, values in parts.items():
        written, human = values.get(LABEL), human_span(values.get(BEGIN), values.get(END))
        spans[node] = human if not written else (written if not human or human == written else f"{human} ({written})")
    return spans


def _value(term, labels: dict[str, str], spans: dict) -> dict:
    if isinstance(term, URIRef):
        iri = str(term)
        return {"href": local_url(iri), "text": labels.get(iri) or compact(iri), "iri": iri}
    if isinstance(term, BNode):
        return {"text": spans.get(term) or "(a structured value)"}
    if term.datatype in (XSD.date, XSD.dateTime) and len(str(term)) >= 10:
        try:
            return {"text": human_day(str(term)), "note": str(term)}
        except ValueError:  # not a date after all: shown as written
            pass
    suffix = f" @{term.language}" if term.language else ""
    return {"text": str(term), "note": suffix.strip() or None}


def _sorted_values(values: list[dict]) -> list[dict]:
    return sorted({v["text"] + (v.get("href") or ""): v for v in values}.values(), key=lambda v: v["text"].lower())


def _all_values(iri: str, p, out: bool, count: int) -> str:
    """The query page's link to every value of `p` the page leaves out."""
    triple = f"<{iri}> <{p}> ?value" if out else f"?value <{p}> <{iri}>"
    order = "\nORDER BY ?label" if count <= ORDERED_BELOW else ""
    text = (f"SELECT ?value ?label WHERE {{\n  {triple}\n  OPTIONAL {{ ?value <{LABEL}> ?label "
            f"FILTER (lang(?label) = \"en\") }}\n}}{order}")
    return "/?" + urlencode({"query": text})


def entity_page(iri: str, alternates: dict[str, str]) -> str:
    """The page about `iri`: the triples of its document, bounded (see entity_read), in rdflib terms."""
    this = URIRef(iri)
    page = read(iri)
    triples, asserted = page.triples, page.asserted
    labels = _labels(triples)
    terms = _property_labels()
    name = lambda p: terms.get(str(p)) or _spoken(compact(str(p)))
    spans = _spans(triples)
    notes = page_notes(iri)

    own = [(p, o) for s, p, o in triples if s == this]
    names = sorted({(o.language or "", str(o), p == ALT_LABEL) for p, o in own
                    if p in (LABEL, ALT_LABEL) and isinstance(o, Literal)})
    description = next((str(o) for d in DESCRIPTIONS for p, o in own
                        if p == d and isinstance(o, Literal) and o.language in (None, "en")), None)
    when = next((spans.get(o) for p, o in own if p == TIME_SPAN), None)
    if when is None:
        when = next((human_day(str(o)) for p, o in own if p == KG.date), None)
    types = sorted({labels.get(str(o)) or terms.get(str(o)) or compact(str(o)) for p, o in own
                    if p == TYPE and (this, p, o) in asserted})
    facts, added = defaultdict(list), defaultdict(list)
    for p, o in own:
        if p in SHOWN_ELSEWHERE and not (p == TYPE and (this, p, o) not in asserted):
            continue
        (facts if (this, p, o) in asserted else added)[name(p)].append(_value(o, labels, spans))

    statement_nodes = {s for s, p, o in triples if p == ABOUT and o == this}
    statements = defaultdict(lambda: defaultdict(list))
    for s in statement_nodes:  # each statement is shown, if only by its name
        if (s, ABOUT, this) in asserted:
            statements[str(s)]
    for s, p, o in triples:
        if s in statement_nodes and p not in SHOWN_ELSEWHERE and (s, p, o) in asserted:
            statements[str(s)][name(p)].append(_value(o, labels, spans))
    mentions = defaultdict(set)  # one line a subject, its properties together
    for s, p, o in triples:
        if o == this and s != this and s not in statement_nodes and p not in NOT_A_MENTION and (s, p, o) in asserted:
            mentions[s].add(name(p))
    incoming = sorted(({"subject": _value(s, labels, spans), "properties": sorted(ps)} for s, ps in mentions.items()),
                      key=lambda i: i["subject"]["text"].lower())

    more = {"facts": {}, "added": {}, "mentions": []}  # what the page leaves out, and the query for it all
    for (out, p), (left_out, count) in page.more.items():
        listed = any(t in asserted for t in triples if t[1] == p and (t[0] == this if out else t[2] == this))
        link = {"property": name(p), "count": left_out, "total": count, "query": _all_values(iri, p, out, count)}
        if out and p not in SHOWN_ELSEWHERE:
            more["facts" if listed else "added"][name(p)] = link
        elif not out and listed and p not in NOT_A_MENTION:
            more["mentions"].append(link)

    title = labels.get(iri) or compact(iri)
    structured = json.dumps({"@context": "https://schema.org", "@id": iri, "name": title,
                             "alternateName": [n[1] for n in names if n[1] != title],
                             **({"description": description} if description else {}),
                             "url": local_url(iri)}, ensure_ascii=False).replace("<", "\\u003c")
    return render_template(
        "entity.html", iri=iri, title=title, names=names, types=types, description=description, when=when,
        facts=sorted((p, _sorted_values(v)) for p, v in facts.items()),
        added=sorted((p, _sorted_values(v)) for p, v in added.items()),
        incoming=incoming, more=more, notes=notes,
        statements=sorted(((labels.get(s) or compact(s), local_url(s), s, sorted((k, _sorted_values(v)) for k, v in p.items()))
                           for s, p in statements.items()), key=lambda st: st[0].lower()),
        alternates=alternates, structured=structured, diagram=neighbourhood(iri, triples, labels),
        charts=figures(engine(), iri, notes), map=place_map(iri),
        flows=flow_map(iri) if (TYPE, KG.PopulationTransfer) in own else None)  # a movement: one read more, there only
