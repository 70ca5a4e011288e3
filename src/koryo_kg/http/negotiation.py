"""Choosing the response format: an explicit `format` (or SPARQLWrapper's `output`/`results`) parameter
first, then the Accept header with its q-values and wildcards (werkzeug parses it). The formats, their
media types and names are koryo_kg.formats'."""

from __future__ import annotations

from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from koryo_kg import formats
from koryo_kg.formats import GRAPH, HTML, QUERY_KINDS, REPORT, Format


def _produced(chosen: Format | None) -> Format | None:
    """Only formats that have a media type are answered over HTTP (the command line's table is not)."""
    return chosen if chosen and chosen.media_types else None


def choose(kind: str, explicit: str | None, accept: MIMEAccept) -> Format | None:
    """The format for a query of `kind` (SELECT, ASK, CONSTRUCT, DESCRIBE), or None when nothing the
    client accepts can be produced."""
    kinds = QUERY_KINDS[kind]
    if explicit:
        return _produced(formats.named(explicit, *kinds))
    offers = formats.offers(*kinds)
    if not accept:
        return next(iter(offers.values()))
    best = accept.best_match(list(offers))
    return offers[best] if best else None


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
    return sorted({f.media_type for f in formats.of(*QUERY_KINDS[kind]) if f.media_types})


# What a document about a resource (or the ontology, VoID, the service description) can be: a graph format,
# or HTML for browsers. Turtle first: what */* gets. Generic XML is not taken for RDF/XML (browsers and feed
# readers ask for it and want a page), nor N3 for Turtle (N3 is more than Turtle).
DOCUMENT_OFFERS = {m: f for m, f in formats.offers(GRAPH).items() if m not in ("text/n3", "application/xml", "text/xml")}


def choose_document(accept: MIMEAccept, explicit: str | None = None, html: bool = True) -> Format | None:
    """The document format by an explicit `format` value or by Accept; None when nothing fits."""
    if explicit:
        value = explicit.strip().lower()
        if html and (value == HTML.name or value in HTML.media_types):
            return HTML
        chosen = next((f for f in formats.of(GRAPH) if value == f.name or value in f.names), None)
        return chosen or DOCUMENT_OFFERS.get(value)
    first, *others = DOCUMENT_OFFERS  # Turtle, before HTML: */* gets Turtle
    offers = [first, *(HTML.media_types if html else ()), *others]
    if not accept:
        return DOCUMENT_OFFERS[first]
    best = accept.best_match(offers)
    if best is None:
        return None
    return HTML if best in HTML.media_types else DOCUMENT_OFFERS[best]


def document_media_types(html: bool = True) -> list[str]:
    return [*([HTML.media_type] if html else []), *(f.media_type for f in formats.of(GRAPH))]


def prefers_html(accept: MIMEAccept) -> bool:
    """Whether a client asking for either JSON or a page (search, the validation report) wants the page."""
    return accept.best_match(["application/json", *HTML.media_types]) in HTML.media_types


def choose_report(accept: MIMEAccept, explicit: str | None) -> Format | None:
    """The validation report's format: `format=` by its exact name, else by Accept (JSON when there is none)."""
    if explicit:
        return formats.get(explicit, REPORT)
    offers = formats.offers(REPORT)
    if not accept:
        return formats.get("json", REPORT)
    best = accept.best_match(list(offers))
    return offers[best] if best else None
