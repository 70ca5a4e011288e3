"""Running SPARQL on the built store and writing the results as the command line's --format asks: a table, or
any format of koryo_kg.formats for the query's kind."""

from __future__ import annotations

import io

import pyoxigraph

from koryo_kg import formats
from koryo_kg.formats import RDF_KINDS, RESULTS
from koryo_kg.problems import InputError, Problem
from koryo_kg.settings import QUERY_FORMATS

CHOICES = list(QUERY_FORMATS)  # what --format may name


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
    """Results as text in the --format `output`: for SELECT and ASK, a table or a results format; for CONSTRUCT
    and DESCRIBE, a graph or dataset format, where `json` and `xml` mean JSON-LD and RDF/XML as in `format=`
    (a table, CSV or TSV falls back to Turtle). A graph format for SELECT or ASK is an InputError."""
    if output == "table" and isinstance(results, pyoxigraph.QueryBoolean):
        return ("true" if bool(results) else "false") + "\n"
    if output == "table" and isinstance(results, pyoxigraph.QuerySolutions):
        return table(results)
    # the writers need xml.sax.saxutils, which loads urllib and ssl: not for a table (the default)
    from koryo_kg.query.writers import RDF_FORMATS, SOLUTION_NATIVE_FORMATS

    if isinstance(results, pyoxigraph.QueryTriples):
        chosen = formats.named(output, *RDF_KINDS) or formats.get("turtle", *RDF_KINDS)
        buffer = io.BytesIO()
        pyoxigraph.serialize(results, buffer, format=RDF_FORMATS[chosen.name])
        return buffer.getvalue().decode("utf-8")
    if output not in SOLUTION_NATIVE_FORMATS:
        raise InputError([Problem(None, f"--format {output} is for CONSTRUCT and DESCRIBE results; for SELECT and "
                                        "ASK give " + ", ".join(f.name for f in formats.of(RESULTS)))])
    return results.serialize(format=SOLUTION_NATIVE_FORMATS[output]).decode("utf-8")
