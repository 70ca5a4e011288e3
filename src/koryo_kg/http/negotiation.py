"""Choosing the response format: an explicit `format` (or SPARQLWrapper's `output`/`results`) parameter
first, then the Accept header with its q-values and wildcards (werkzeug parses it)."""

from __future__ import annotations

from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from koryo_kg.query.writers import GRAPH_FORMATS, HTML, SOLUTION_FORMATS, Format

# media types offered, most preferred first (an Accept of */* gets the first)
SOLUTION_OFFERS = {
    "application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
    "application/json": "json", "application/xml": "xml", "text/xml": "xml",
}
GRAPH_OFFERS = {
    "text/turtle": "turtle", "application/n-triples": "ntriples", "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml", "application/n-quads": "nquads", "application/trig": "trig",
    "application/x-turtle": "turtle", "text/n3": "turtle", "text/plain": "ntriples",
    "application/json": "jsonld", "application/xml": "rdfxml", "text/xml": "rdfxml",
}
SOLUTION_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "srj": "json", "srx": "xml"}
GRAPH_NAMES = {
    "turtle": "turtle", "ttl": "turtle", "n3": "turtle", "ntriples": "ntriples", "nt": "ntriples",
    "n-triples": "ntriples", "rdfxml": "rdfxml", "rdf": "rdfxml", "xml": "rdfxml", "rdf+xml": "rdfxml",
    "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld", "nquads": "nquads", "nq": "nquads",
    "n-quads": "nquads", "trig": "trig",
}


def choose(kind: str, explicit: str | None, accept: MIMEAccept) -> Format | None:
    """The format for a query of `kind` (SELECT, ASK, CONSTRUCT, DESCRIBE), or None when nothing the
    client accepts can be produced."""
    graph = kind in ("CONSTRUCT", "DESCRIBE")
    offers, names, formats = (GRAPH_OFFERS, GRAPH_NAMES, GRAPH_FORMATS) if graph else (
        SOLUTION_OFFERS, SOLUTION_NAMES, SOLUTION_FORMATS)
    if explicit:
        value = explicit.strip().lower()
        name = names.get(value) or offers.get(value.split(";")[0].strip())
        return formats[name] if name else None
    if not accept:
        return formats[next(iter(offers.values()))]
    best = accept.best_match(list(offers))
    return formats[offers[best]] if best else None


def choose_for_header(kind: str, explicit: str | None, accept_header: str | None) -> Format | None:
    """choose() by the Accept header's text, remembered: a client sends the same header again and again, and
    parsing and matching it takes a tenth of the time of a selective query. Absurdly long ones are not kept."""
    if len(accept_header or "") + len(explicit or "") > 1024:
        return _choose_parsed(kind, explicit, accept_header)
    return _choose_remembered(kind, explicit, accept_header)


def _choose_parsed(kind: str, explicit: str | None, accept_header: str | None) -> Format | None:
    return choose(kind, explicit, parse_accept_header(accept_header, MIMEAccept))


_choose_remembered = lru_cache(maxsize=256)(_choose_parsed)


def offered(kind: str) -> list[str]:
    graph = kind in ("CONSTRUCT", "DESCRIBE")
    return sorted({f.media_type for f in (GRAPH_FORMATS if graph else SOLUTION_FORMATS).values()})


# What a document about a resource (or the ontology, VoID, the service description) can be: RDF in one of
# four serializations, or HTML for browsers. Turtle first: what */* gets.
DOCUMENT_OFFERS = {
    "text/turtle": "turtle", "application/n-triples": "ntriples", "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld", "application/x-turtle": "turtle", "text/plain": "ntriples",
    "application/json": "jsonld",
}
HTML_TYPES = ("text/html", "application/xhtml+xml")


def choose_document(accept: MIMEAccept, explicit: str | None = None, html: bool = True) -> Format | None:
    """The document format by an explicit `format` value or by Accept; None when nothing fits."""
    if explicit:
        value = explicit.strip().lower()
        if html and value in ("html", *HTML_TYPES):
            return HTML
        name = GRAPH_NAMES.get(value) or DOCUMENT_OFFERS.get(value)
        return GRAPH_FORMATS[name] if name in DOCUMENT_OFFERS.values() else None
    offers = ["text/turtle", *(HTML_TYPES if html else ()), *list(DOCUMENT_OFFERS)[1:]]
    if not accept:
        return GRAPH_FORMATS["turtle"]
    best = accept.best_match(offers)
    if best is None:
        return None
    return HTML if best in HTML_TYPES else GRAPH_FORMATS[DOCUMENT_OFFERS[best]]


def document_media_types(html: bool = True) -> list[str]:
    return [*(["text/html"] if html else []), *dict.fromkeys(GRAPH_FORMATS[n].media_type for n in DOCUMENT_OFFERS.values())]


def prefers_html(accept: MIMEAccept) -> bool:
    """Whether a client asking for either JSON or a page (search, the validation report) wants the page."""
    return accept.best_match(["application/json", *HTML_TYPES]) in HTML_TYPES
