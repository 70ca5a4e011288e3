"""Reading RDF files: every syntax error of every file reported with file:line:col, nothing half-loaded.

pyoxigraph parses every file (its errors carry line and column, and it reads twice as fast as rdflib's
parsers); its terms become rdflib terms exactly as rdflib's parsers would make them, so that graphs stay
comparable with anything rdflib parses (see DESIGN.md on literal identity).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef

from .locations import LocationIndex
from .problems import InputError, Location, Problem, display_path

# the syntax of a file, by its suffix
FORMATS = {
    ".ttl": pyoxigraph.RdfFormat.TURTLE, ".nt": pyoxigraph.RdfFormat.N_TRIPLES,
    ".nq": pyoxigraph.RdfFormat.N_QUADS, ".trig": pyoxigraph.RdfFormat.TRIG,
    ".jsonld": pyoxigraph.RdfFormat.JSON_LD, ".json": pyoxigraph.RdfFormat.JSON_LD,
    ".rdf": pyoxigraph.RdfFormat.RDF_XML, ".owl": pyoxigraph.RdfFormat.RDF_XML, ".xml": pyoxigraph.RdfFormat.RDF_XML,
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# rdflib logs a warning for every ill-typed literal; SHACL reports those, with a location.
logging.getLogger("rdflib").setLevel(logging.ERROR)


def rdf_files(paths: list[Path]) -> list[Path]:
    """The RDF files named, directories searched recursively; an unknown file is an input error."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in FORMATS and p.is_file())
        elif not path.exists():
            problems.append(Problem(None, f"{path}: no such file or directory"))
        elif path.suffix.lower() not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            problems.append(Problem(None, f"{path}: unknown RDF format (known extensions: {known})"))
        else:
            files.append(path)
    if problems:
        raise InputError(problems)
    return files


def parse(path: Path, content: bytes, root: Path | None = None) -> tuple[list, Problem | None]:
    """Every triple or quad of the file as pyoxigraph reads it, or the first syntax error, located."""
    try:
        statements = pyoxigraph.parse(content, format=FORMATS[path.suffix.lower()], base_iri=path.resolve().as_uri())
        return list(statements), None
    except SyntaxError as error:
        message = str(error.args[0]) if error.args else str(error)
        if message.startswith("Parser error"):
            message = message.split(": ", 1)[-1]
        return [], Problem(Location(display_path(path, root), error.lineno or 1, error.offset or 1), message)
    except (ValueError, UnicodeDecodeError) as error:
        return [], Problem(Location(display_path(path, root), 1, 1), str(error))


def syntax_problem(path: Path, content: bytes, root: Path | None = None) -> Problem | None:
    """The first syntax error in the file, located, or None."""
    return parse(path, content, root)[1]


def rdflib_term(term, blank_nodes: dict[str, BNode]):
    """The rdflib term for a pyoxigraph one, as rdflib's own parsers make it: a plain string literal has no
    datatype (rdflib tells "M" from "M"^^xsd:string; see DESIGN.md)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return blank_nodes.setdefault(term.value, BNode())
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise ValueError("RDF-star quoted triples are not supported")


def load(paths: list[Path], graph: Graph | None = None, index: LocationIndex | None = None,
         root: Path | None = None) -> tuple[Graph, LocationIndex]:
    """Parse the files into one graph, indexing where each subject is written; files are named relative to
    `root` (default: the current directory). Raises InputError listing every file that does not parse."""
    graph = Graph() if graph is None else graph
    index = LocationIndex() if index is None else index
    problems: list[Problem] = []
    for path in paths:
        try:
            content = path.read_bytes()
        except OSError as error:
            problems.append(Problem(None, f"{display_path(path, root)}: {error.strerror or error}"))
            continue
        statements, problem = parse(path, content, root)
        if problem:
            problems.append(problem)
            continue
        blank_nodes: dict[str, BNode] = {}  # one file's blank nodes are its own
        try:
            triples = [tuple(rdflib_term(t, blank_nodes) for t in (s.subject, s.predicate, s.object))
                       for s in statements]
        except ValueError as error:
            problems.append(Problem(Location(display_path(path, root), 1, 1), str(error)))
            continue
        graph.addN((*triple, graph) for triple in triples)
        index.add_file(display_path(path, root), content.decode("utf-8", errors="replace"))
    if problems:
        raise InputError(problems)
    return graph, index
