"""Reading RDF files: every syntax error of every file reported with file:line:col, nothing half-loaded.

pyoxigraph parses every file (its errors carry line and column, and it reads twice as fast as rdflib's
parsers); its terms become rdflib terms exactly as rdflib's parsers would make them, so that graphs stay
comparable with anything rdflib parses (docs/modeling-notes.md, *Validation*).

RDF/XML is first read by expat, which expands nothing: pyoxigraph expands the entities of a DTD (nested ones
grow without bound: 600 bytes become gigabytes) and reads entity declarations even inside the DTD's comments,
so any DTD but a bare `<!DOCTYPE name>` is refused, as is any encoding but UTF-8 (so that expat and pyoxigraph
read the same characters). pyoxigraph's RDF/XML errors carry no position: the file is read again, a tag at a
time, to find where it stopped.
"""

from __future__ import annotations

import io
import logging
import xml.parsers.expat
from pathlib import Path
from urllib.parse import quote

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef

from koryo_kg import formats
from koryo_kg.problems import InputError, Location, Problem, display_path
from koryo_kg.sources.locations import LocationIndex

# the syntax of a file, by its suffix (the extensions of koryo_kg.formats)
FORMATS = {extension: pyoxigraph.RdfFormat.from_media_type(f.media_type)
           for extension, f in formats.by_extension(*formats.RDF_KINDS).items()}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_CHECKED_FIRST = {pyoxigraph.RdfFormat.RDF_XML, pyoxigraph.RdfFormat.N_QUADS, pyoxigraph.RdfFormat.TRIG}

# rdflib logs a warning for every ill-typed literal; SHACL reports those, with a location.
logging.getLogger("rdflib").setLevel(logging.ERROR)


def line_col(content: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of a byte offset."""
    line_start = content.rfind(b"\n", 0, offset) + 1
    return content.count(b"\n", 0, offset) + 1, len(content[line_start:offset].decode("utf-8", "replace")) + 1


class _Refused(Exception):
    pass


def xml_problem(content: bytes) -> tuple[int, int, str] | None:
    """Why an RDF/XML document is refused before pyoxigraph reads it, at which line and column; or None."""
    if not content.strip():
        return 1, 1, "not RDF/XML: the file is empty"
    parser = xml.parsers.expat.ParserCreate()
    declared: dict[str, str | None] = {}

    def refuse(message: str):
        raise _Refused(parser.CurrentLineNumber, parser.CurrentColumnNumber + 1, message)

    def doctype(name, system_id, public_id, has_internal_subset):
        if system_id or public_id:
            refuse("RDF/XML with an external DTD is refused (entity expansion can exhaust memory, and the DTD "
                   f"would be fetched): {system_id or public_id}; remove the DOCTYPE")
        declared["subset"] = name if has_internal_subset else None

    def entity(name, is_parameter_entity, *_):
        refuse("RDF/XML with entity declarations is refused (entity expansion can exhaust memory): "
               f"{'%' if is_parameter_entity else ''}{name}; write the IRIs in full instead of entity references")

    def end_doctype():
        if declared.get("subset"):  # entity declarations hidden where expat does not see them (comments)
            refuse("RDF/XML with a DTD internal subset is refused (entity expansion can exhaust memory): "
                   f"{declared['subset']}; remove the DOCTYPE's [...] and write the IRIs in full")

    parser.StartDoctypeDeclHandler, parser.EntityDeclHandler = doctype, entity
    parser.EndDoctypeDeclHandler = end_doctype
    parser.XmlDeclHandler = lambda version, encoding, standalone: declared.update(encoding=encoding)
    try:
        parser.Parse(content, True)
    except _Refused as refusal:
        return refusal.args
    except xml.parsers.expat.ExpatError as error:
        return error.lineno, error.offset + 1, f"not well-formed XML: {xml.parsers.expat.ErrorString(error.code)}"
    encoding = declared.get("encoding")
    # expat took a document with NUL bytes (or a UTF-16 byte-order mark) as UTF-16 or UTF-32
    if (encoding and encoding.lower() not in ("utf-8", "utf8")) or b"\0" in content or content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return 1, 1, f"RDF/XML is read as UTF-8 only, this file is {encoding or 'UTF-16 or UTF-32'}: convert it to UTF-8"
    return None


class _TagByTag(io.RawIOBase):
    """The content handed out up to the next `>` or line end at a time, so that the reader's position tells
    which tag a parser stopped at."""

    def __init__(self, content: bytes):
        self.content, self.position = content, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        ends = [i for i in (self.content.find(b">", self.position), self.content.find(b"\n", self.position)) if i >= 0]
        end = min(min(ends, default=len(self.content) - 1) + 1, self.position + len(buffer))
        size = end - self.position
        buffer[:size] = self.content[self.position:end]
        self.position = end
        return size


def _rdfxml_error_position(content: bytes, base_iri: str) -> tuple[int, int]:
    reader = _TagByTag(content)
    try:
        for _ in pyoxigraph.parse(reader, format=pyoxigraph.RdfFormat.RDF_XML, base_iri=base_iri):
            pass
    except (SyntaxError, ValueError):
        pass
    tag = content.rfind(b"<", 0, reader.position)
    return line_col(content, tag if tag >= 0 else reader.position)


def parse(path: Path, content: bytes, root: Path | None = None, base_iri: str | None = None) -> tuple[list, Problem | None]:
    """Every triple or quad of the file as pyoxigraph reads it, or the first syntax error, located. Relative
    IRIs resolve against `base_iri` (default: the file's file: IRI)."""
    name = display_path(path, root)
    rdf_format = FORMATS[path.suffix.lower()]
    base_iri = base_iri or path.resolve().as_uri()
    if rdf_format == pyoxigraph.RdfFormat.RDF_XML:
        refusal = xml_problem(content)
        if refusal:
            line, col, message = refusal
            return [], Problem(Location(name, line, col), message)
    try:
        return list(pyoxigraph.parse(content, format=rdf_format, base_iri=base_iri)), None
    except SyntaxError as error:
        message = str(error.args[0]) if error.args else str(error)
        if message.startswith("Parser error"):
            message = message.split(": ", 1)[-1]
        line, col = error.lineno or 1, error.offset or 1
        if rdf_format == pyoxigraph.RdfFormat.RDF_XML:
            line, col = _rdfxml_error_position(content, base_iri)
        return [], Problem(Location(name, line, col), message)
    except (ValueError, UnicodeDecodeError) as error:
        return [], Problem(Location(name, 1, 1), str(error))


def rdflib_term(term, blank_nodes: dict[str, BNode] | None = None):
    """The rdflib term for a pyoxigraph one, as rdflib's own parsers make it: a plain string literal has no
    datatype (rdflib tells "M" from "M"^^xsd:string; docs/modeling-notes.md). A blank node gets a new name
    per `blank_nodes` (one file's are its own), or keeps its name without it."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value) if blank_nodes is None else blank_nodes.setdefault(term.value, BNode())
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise ValueError("RDF-star quoted triples are not supported")


def oxigraph_term(term):
    """The pyoxigraph term for an rdflib one; a blank node keeps its name."""
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(term)
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(term)
    if term.language:
        return pyoxigraph.Literal(term, language=term.language)
    return pyoxigraph.Literal(term, datatype=pyoxigraph.NamedNode(term.datatype) if term.datatype else None)


def _in_graph(statements: list, graph_name: pyoxigraph.NamedNode):
    """The statements as quads of `graph_name`, with blank nodes of their own (one file's are its own)."""
    blank_nodes: dict[str, pyoxigraph.BlankNode] = {}

    def own(term):
        if isinstance(term, pyoxigraph.BlankNode):
            return blank_nodes.setdefault(term.value, pyoxigraph.BlankNode())
        return term
    return (pyoxigraph.Quad(own(s.subject), s.predicate, own(s.object), graph_name) for s in statements)


def load_into(store: pyoxigraph.Store, paths: list[Path], graph_name: pyoxigraph.NamedNode,
              index: LocationIndex, root: Path | None = None, base: str | None = None) -> list[Problem]:
    """Parse the files straight into `graph_name` of `store` (each file's blank nodes its own, the named graphs
    of TriG and N-Quads flattened into it), indexing their text for locating findings later; return the
    problems of the files that do not parse (whose triples may be partly in the store). Files are named
    relative to `root`, and relative IRIs resolve against `base` + that name (default: the file's file: IRI)."""
    problems: list[Problem] = []
    for path in paths:
        name = display_path(path, root)
        try:
            content = path.read_bytes()
        except OSError as error:
            problems.append(Problem(None, f"{name}: {error.strerror or error}"))
            continue
        rdf_format = FORMATS[path.suffix.lower()]
        base_iri = base + quote(name) if base else path.resolve().as_uri()
        if rdf_format in _CHECKED_FIRST or b"<<" in content:  # expat's refusals; quads to flatten; RDF-star
            statements, problem = parse(path, content, root, base_iri)
            if not problem and any(isinstance(s.object, pyoxigraph.Triple) for s in statements):
                problem = Problem(Location(name, 1, 1), "RDF-star quoted triples are not supported")
            if not problem:
                store.bulk_extend(_in_graph(statements, graph_name))
        else:
            try:  # Rust all the way (blank nodes renamed per load); on an error, parse() says where
                store.bulk_load(content, format=rdf_format, base_iri=base_iri, to_graph=graph_name)
                problem = None
            except (SyntaxError, ValueError, UnicodeDecodeError):
                problem = parse(path, content, root, base_iri)[1] or Problem(Location(name, 1, 1), "does not parse")
        if problem:
            problems.append(problem)
            continue
        index.add_file(name, content.decode("utf-8", errors="replace"), base=base_iri)
    return problems


def load(paths: list[Path], graph: Graph | None = None, index: LocationIndex | None = None,
         root: Path | None = None, base: str | None = None) -> tuple[Graph, LocationIndex]:
    """Parse the files into one graph, indexing where each subject is written; files are named relative to
    `root` (default: the current directory), and relative IRIs resolve against `base` + that name (default:
    the file's file: IRI). Raises InputError listing every file that does not parse."""
    graph = Graph() if graph is None else graph
    index = LocationIndex() if index is None else index
    problems: list[Problem] = []
    for path in paths:
        try:
            content = path.read_bytes()
        except OSError as error:
            problems.append(Problem(None, f"{display_path(path, root)}: {error.strerror or error}"))
            continue
        base_iri = base + quote(display_path(path, root)) if base else path.resolve().as_uri()
        statements, problem = parse(path, content, root, base_iri)
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
        index.add_file(display_path(path, root), content.decode("utf-8", errors="replace"), base=base_iri)
    if problems:
        raise InputError(problems)
    return graph, index
