"""Writing query results: streaming writers for SELECT and ASK results, and pyoxigraph's serializer for each
format of koryo_kg.formats.

pyoxigraph serializes whole result sets only, which the endpoint does for small results; for large ones it
needs to stop at a row limit and to stream, so solutions are written here, row by row, following the W3C result formats (JSON, XML, CSV, TSV). Graph
results (CONSTRUCT, DESCRIBE) are streamed by pyoxigraph's own RDF serializers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph

from koryo_kg import formats
from koryo_kg.formats import RESULTS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


# pyoxigraph's serializer for each format of koryo_kg.formats, by its name
SOLUTION_NATIVE_FORMATS = {f.name: pyoxigraph.QueryResultsFormat.from_media_type(f.media_type)
                           for f in formats.of(RESULTS) if f.media_types}
RDF_FORMATS = {f.name: pyoxigraph.RdfFormat.from_media_type(f.media_type) for f in formats.of(*formats.RDF_KINDS)}


def _nt(term) -> str:
    """A term in N-Triples syntax (TSV results use it)."""
    if isinstance(term, pyoxigraph.Literal):
        value = json.dumps(term.value, ensure_ascii=False)
        if term.language:
            return f"{value}@{term.language}"
        if term.datatype.value != XSD_STRING:
            return f"{value}^^<{term.datatype.value}>"
        return value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<{term.value}>"
    return str(term)


def _json_term(term) -> dict:
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _text(value: str) -> str:
    """XML character data: escaped, and a carriage return as a reference, which an XML parser would otherwise
    read as a line feed (XML 1.0, 2.11)."""
    return escape(value).replace("\r", "&#13;")


def _xml_term(term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{_text(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{_text(term.value)}</bnode>"
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_text(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{_text(term.value)}</literal>"
        return f"<literal>{_text(term.value)}</literal>"
    return f"<literal>{_text(str(term))}</literal>"


def _csv_field(term) -> str:
    if term is None:
        return ""
    value = f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else term.value
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _batches(rows: Iterable[list], size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def write_solutions(variables: list[str], rows: Iterable[list], name: str, notes: list[str] = ()) -> Iterator[str]:
    """SELECT results as text chunks. `notes` become a `koryo-kg` link in JSON and an XML comment."""
    if name == "json":
        head = {"vars": variables}
        if notes:
            head["link"] = list(notes)
        yield '{"head":' + json.dumps(head) + ',"results":{"bindings":['
        separator = ""
        for batch in _batches(rows, 500):  # one json.dumps per batch: per-call overhead dominates small rows
            bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in batch]
            yield separator + json.dumps(bindings, ensure_ascii=False)[1:-1]
            separator = ","
        yield "]}}\n"
    elif name == "xml":
        yield '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
        yield "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        yield "".join(f"<link href={quoteattr(n)}/>" for n in notes)
        yield "</head>\n<results>\n"
        for row in rows:
            cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                            for v, t in zip(variables, row) if t is not None)
            yield f"<result>{cells}</result>\n"
        yield "</results>\n</sparql>\n"
    elif name == "csv":
        yield ",".join(variables) + "\r\n"
        for row in rows:
            yield ",".join(_csv_field(t) for t in row) + "\r\n"
    elif name == "tsv":
        yield "\t".join("?" + v for v in variables) + "\n"
        for row in rows:
            yield "\t".join("" if t is None else _nt(t) for t in row) + "\n"
    else:
        raise ValueError(name)


def write_boolean(value: bool, name: str) -> str:
    if name == "json":
        return json.dumps({"head": {}, "boolean": value}) + "\n"
    if name == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n")
    if name == "csv":
        return "_askResult\r\n" + ("true" if value else "false") + "\r\n"
    return "?_askResult\n" + ("true" if value else "false") + "\n"
