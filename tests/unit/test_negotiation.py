"""Choosing a response format: the explicit parameter first, then Accept with q-values and wildcards; None
(the caller's 406) only when nothing acceptable can be made."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from koryo_kg.http.negotiation import (
    choose,
    choose_document,
    choose_for_header,
    document_media_types,
    offered,
    prefers_html,
)


def accept(header: str | None) -> MIMEAccept:
    return parse_accept_header(header, MIMEAccept)


def media_type(kind: str, explicit: str | None, header: str | None) -> str | None:
    chosen = choose(kind, explicit, accept(header))
    return chosen and chosen.media_type


@pytest.mark.parametrize("kind, header, expected", [
    ("SELECT", None, "application/sparql-results+json"),
    ("SELECT", "*/*", "application/sparql-results+json"),
    ("SELECT", "text/*", "text/csv"),
    ("SELECT", "text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("SELECT", "application/json", "application/sparql-results+json"),
    ("SELECT", "text/xml", "application/sparql-results+xml"),
    ("SELECT", "text/tab-separated-values, */*;q=0.1", "text/tab-separated-values"),
    ("SELECT", "image/png", None),
    ("SELECT", "text/turtle", None),
    ("SELECT", "application/sparql-results+json;q=0", None),
    ("ASK", "text/csv", "text/csv"),
    ("CONSTRUCT", None, "text/turtle"),
    ("CONSTRUCT", "*/*", "text/turtle"),
    ("CONSTRUCT", "application/n-triples,text/turtle;q=0.9", "application/n-triples"),
    ("CONSTRUCT", "application/json", "application/ld+json"),
    ("CONSTRUCT", "text/plain", "application/n-triples"),
    ("DESCRIBE", "application/trig", "application/trig"),
    ("DESCRIBE", "text/csv", None),
])
def test_by_accept(kind, header, expected):
    assert media_type(kind, None, header) == expected


@pytest.mark.parametrize("kind, explicit, expected", [
    ("SELECT", "csv", "text/csv"),
    ("SELECT", " TSV ", "text/tab-separated-values"),
    ("SELECT", "srx", "application/sparql-results+xml"),
    ("SELECT", "application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    ("SELECT", "turtle", None),
    ("SELECT", "yaml", None),
    ("CONSTRUCT", "json", "application/ld+json"),
    ("CONSTRUCT", "nt", "application/n-triples"),
    ("CONSTRUCT", "rdf+xml", "application/rdf+xml"),
    ("CONSTRUCT", "csv", None),
])
def test_an_explicit_format_wins_over_accept(kind, explicit, expected):
    assert media_type(kind, explicit, "application/sparql-results+xml, text/turtle") == expected


def test_the_remembered_choice_is_the_same_and_long_headers_are_still_parsed():
    for header in ("text/csv", "text/csv;q=0.1, application/sparql-results+xml", None):
        assert choose_for_header("SELECT", None, header) == choose("SELECT", None, accept(header))
    long = ", ".join(f"application/x-{n}" for n in range(200)) + ", text/csv"
    assert choose_for_header("SELECT", None, long).media_type == "text/csv"


def test_offered_lists_what_a_406_names():
    assert offered("ASK") == ["application/sparql-results+json", "application/sparql-results+xml",
                              "text/csv", "text/tab-separated-values"]
    assert "text/turtle" in offered("DESCRIBE") and "text/csv" not in offered("DESCRIBE")


@pytest.mark.parametrize("header, explicit, html, expected", [
    (None, None, True, "text/turtle"),
    ("*/*", None, True, "text/turtle"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", None, True, "text/html"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", None, False, "text/turtle"),
    ("application/ld+json", None, True, "application/ld+json"),
    ("application/json", None, True, "application/ld+json"),
    ("text/plain", None, True, "application/n-triples"),
    ("image/png", None, True, None),
    ("text/html", None, False, None),
    ("text/html", "ttl", True, "text/turtle"),
    (None, "html", True, "text/html"),
    (None, "html", False, None),
    (None, "rdfxml", True, "application/rdf+xml"),
    (None, "trig", True, None),  # a document is one graph: no dataset formats
])
def test_documents(header, explicit, html, expected):
    chosen = choose_document(accept(header), explicit, html=html)
    assert (chosen and chosen.media_type) == expected


def test_document_media_types():
    assert document_media_types() == ["text/html", "text/turtle", "application/n-triples", "application/rdf+xml",
                                      "application/ld+json"]
    assert "text/html" not in document_media_types(html=False)


@pytest.mark.parametrize("header, expected", [
    ("text/html,application/xhtml+xml,*/*;q=0.8", True),
    ("application/json", False),
    ("*/*", False),
    ("application/json;q=0.5, text/html", True),
])
def test_prefers_html(header, expected):
    assert prefers_html(accept(header)) is expected
