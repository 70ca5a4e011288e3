"""Running SPARQL on the built store and writing the results as a table, CSV, TSV or JSON."""

from __future__ import annotations

import io

import pyoxigraph

from koryo_kg.problems import InputError, Problem
from koryo_kg.query.writers import SOLUTION_NATIVE_FORMATS as RESULT_FORMATS

GRAPH_FORMATS = {"turtle": pyoxigraph.RdfFormat.TURTLE, "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
                 "json": pyoxigraph.RdfFormat.JSON_LD, "xml": pyoxigraph.RdfFormat.RDF_XML}


def run(store: pyoxigraph.Store, query: str):
    """Evaluate a query over the union of all named graphs. A syntax error is an InputError."""
    try:
        return store.query(query, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise InputError([Problem(None, f"SPARQL syntax error: {error}")]) from None


def term_text(term) -> str:
    """A result term as a person reads it in a table."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    return term.value if hasattr(term, "value") else str(term)


def table(solutions: pyoxigraph.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[term_text(solution[name]) for name in names] for solution in solutions]
    widths = [max([len(name)] + [len(row[i]) for row in rows]) for i, name in enumerate(names)]
    line = lambda cells: " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()
    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(row) for row in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def render(results, output: str) -> str:
    """Results as text in the requested format: table|csv|tsv|json|xml for SELECT and ASK; turtle,
    ntriples, json (JSON-LD) or xml for CONSTRUCT and DESCRIBE (a table falls back to Turtle)."""
    if isinstance(results, pyoxigraph.QueryBoolean):
        if output == "table":
            return ("true" if bool(results) else "false") + "\n"
        return results.serialize(format=RESULT_FORMATS[output]).decode("utf-8")
    if isinstance(results, pyoxigraph.QueryTriples):
        rdf_format = GRAPH_FORMATS.get(output, pyoxigraph.RdfFormat.TURTLE)
        buffer = io.BytesIO()
        pyoxigraph.serialize(results, buffer, format=rdf_format)
        return buffer.getvalue().decode("utf-8")
    if output == "table":
        return table(results)
    return results.serialize(format=RESULT_FORMATS[output]).decode("utf-8")
