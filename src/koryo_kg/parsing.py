"""Reading RDF files: every syntax error of every file reported with file:line:col, nothing half-loaded.

pyoxigraph checks the syntax first because its errors carry line and column; rdflib then parses the file
(one parser per graph: mixing parsers in one rdflib graph changes literal identity, see DESIGN.md).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph

from .locations import LocationIndex
from .problems import InputError, Location, Problem, display_path

# suffix -> (rdflib format, pyoxigraph format)
FORMATS = {
    ".ttl": ("turtle", pyoxigraph.RdfFormat.TURTLE),
    ".nt": ("nt", pyoxigraph.RdfFormat.N_TRIPLES),
    ".nq": ("nquads", pyoxigraph.RdfFormat.N_QUADS),
    ".trig": ("trig", pyoxigraph.RdfFormat.TRIG),
    ".jsonld": ("json-ld", pyoxigraph.RdfFormat.JSON_LD),
    ".json": ("json-ld", pyoxigraph.RdfFormat.JSON_LD),
    ".rdf": ("xml", pyoxigraph.RdfFormat.RDF_XML),
    ".owl": ("xml", pyoxigraph.RdfFormat.RDF_XML),
    ".xml": ("xml", pyoxigraph.RdfFormat.RDF_XML),
}
_QUADS = {"nquads", "trig"}

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


def syntax_problem(path: Path, content: bytes, root: Path | None = None) -> Problem | None:
    """The first syntax error in the file, located, or None."""
    _, ox_format = FORMATS[path.suffix.lower()]
    try:
        for _ in pyoxigraph.parse(content, format=ox_format, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as error:
        message = str(error.args[0]) if error.args else str(error)
        if message.startswith("Parser error"):
            message = message.split(": ", 1)[-1]
        return Problem(Location(display_path(path, root), error.lineno or 1, error.offset or 1), message)
    except (ValueError, UnicodeDecodeError) as error:
        return Problem(Location(display_path(path, root), 1, 1), str(error))
    return None


def _parse(graph: Graph, path: Path, content: bytes) -> None:
    rdflib_format, _ = FORMATS[path.suffix.lower()]
    base = path.resolve().as_uri()
    if rdflib_format in _QUADS:
        dataset = Dataset()
        dataset.parse(data=content, format=rdflib_format, publicID=base)
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
    else:
        graph.parse(data=content, format=rdflib_format, publicID=base)


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
        problem = syntax_problem(path, content, root)
        if problem:
            problems.append(problem)
            continue
        try:
            _parse(graph, path, content)
        except Exception as error:  # rdflib raises many types; the file is what is wrong
            problems.append(Problem(Location(display_path(path, root), 1, 1), f"rdflib could not read it: {error}"))
            continue
        index.add_file(display_path(path, root), content.decode("utf-8", errors="replace"))
    if problems:
        raise InputError(problems)
    return graph, index
