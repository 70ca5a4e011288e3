"""SHACL validation of the asserted data together with the ontology (for the class hierarchy), each result
located at the file and line a person must edit.

The shapes run in pyshacl-turbo by default, a Rust SHACL engine with pySHACL's interface and results: on the
article's data pySHACL took 1.8–2.5 s (its core constraints, rdflib's triple lookups, four fifths of it), and a
register of 172,000 persons would take it most of an hour. pySHACL, the reference implementation (SHACL-AF, the
W3C test suite), runs them on request (`--shacl pyshacl`); tests prove both find the same on the article's data,
the shapes' fixtures and a small synthetic register. The data is handed over as N-Triples from a pyoxigraph
store, blank nodes keeping their names, so that a finding on a blank node is located through the store.

Beyond the shapes, two checks SHACL cannot make, as SPARQL over the store: a property or class no vocabulary
has (terms.py), and an IRI of ours that the data points at but describes nowhere: misspellings, mostly.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass

import pyoxigraph
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from koryo_kg.build.terms import Terms
from koryo_kg.problems import Location
from koryo_kg.sources.locations import LocationIndex
from koryo_kg.sources.parsing import oxigraph_term, rdflib_term
from koryo_kg.vocab import ID, compact

SH = Namespace("http://www.w3.org/ns/shacl#")
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
_SEVERITY_IRIS = {name: iri for iri, name in SEVERITIES.items()}
REASONER = "owlrl"  # in place of a shape, for findings that come from the OWL 2 RL reasoner
UNDEFINED_TERM = "https://w3id.org/koryo-kg/lint#undefined-term"  # in place of a shape, as in the lint
UNDESCRIBED = "https://w3id.org/koryo-kg/lint#undescribed-resource"
_CHECKS = {REASONER: "https://w3id.org/koryo-kg/lint#owlrl-contradiction"}  # the reasoner's, as an IRI


@dataclass(frozen=True)
class Finding:
    severity: str  # violation | warning | info
    message: str
    focus: str
    path: str | None
    value: str | None
    shape: str | None
    constraint: str | None
    location: Location | None

    def to_json(self) -> dict:
        data = asdict(self)
        data["location"] = None if self.location is None else {
            "file": self.location.path, "line": self.location.line, "column": self.location.col or None}
        return data


@dataclass
class Report:
    conforms: bool
    findings: list[Finding]
    results_graph: Graph

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def add(self, findings: list[Finding]) -> None:
        """Findings from outside SHACL (the reasoner's, names that no vocabulary or resource has): they join
        the findings and the sh:ValidationReport too, with their check as sh:sourceConstraintComponent, so
        that every format tells the same."""
        self.findings = sorted(self.findings + findings, key=_order)
        self.conforms = self.conforms and not any(f.severity == "violation" for f in findings)
        graph = self.results_graph
        report = graph.value(predicate=RDF.type, object=SH.ValidationReport)
        graph.set((report, SH.conforms, Literal(self.conforms)))
        for f in findings:
            result = BNode()
            graph.add((report, SH.result, result))
            graph.add((result, RDF.type, SH.ValidationResult))
            graph.add((result, SH.resultSeverity, _SEVERITY_IRIS[f.severity]))
            graph.add((result, SH.resultMessage, Literal(f.message)))
            graph.add((result, SH.sourceConstraintComponent, URIRef(_CHECKS.get(f.shape, f.shape))))
            for predicate, text in ((SH.focusNode, f.focus), (SH.resultPath, f.path), (SH.value, f.value)):
                if text:
                    graph.add((result, predicate, URIRef(text) if "://" in text else Literal(text)))


def _order(f: Finding):
    # every field, so that a report comes out the same from each run and engine (each lists its results in its
    # own order): two constraints of one property shape can share a line and a message
    return (f.location or Location("~", 0), f.severity, f.message,
            *(text or "" for text in (f.shape, f.constraint, f.path, f.focus, f.value)))


def _name(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _shape_name(shapes: Graph, shape: Node | None) -> str | None:
    """The named node shape a result comes from (a property shape is usually a blank node inside one)."""
    while isinstance(shape, BNode):
        shape = shapes.value(predicate=SH.property, object=shape)
    return _name(shape)


_OPTIONS = {"inference": "none", "advanced": True, "allow_warnings": True, "allow_infos": True}


def _pyshacl_turbo(data: str, shapes: Graph) -> Graph:
    """The report of the shapes over `data` (N-Triples, blank nodes keeping their names in the report)."""
    import pyshacl_turbo  # only when validating

    data_input = pyshacl_turbo.Input(data, "nt", None, {}, preserve_ids=True)
    return pyshacl_turbo.validate(data_input, shacl_graph=shapes, **_OPTIONS)[1]


def _pyshacl(data: str, shapes: Graph) -> Graph:
    """The same report from pySHACL. The data is read through pyoxigraph, since rdflib's N-Triples parser
    renames blank nodes and a finding on one could then not be located."""
    import pyshacl  # loads slowly, and only when asked for

    graph = Graph()
    graph.addN((*(rdflib_term(t) for t in (q.subject, q.predicate, q.object)), graph)
               for q in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES))
    return pyshacl.validate(graph, shacl_graph=shapes, **_OPTIONS)[1]


# the SHACL engines, by the name --shacl gives (settings.py SHACL): each the report of `shapes` over `data`
ENGINES = {"turbo": _pyshacl_turbo, "pyshacl": _pyshacl}


@dataclass(frozen=True)
class _Result:
    """One sh:ValidationResult as read from an engine's report, before it is located."""

    severity: str
    message: str
    focus: Node
    path: str | None
    value: Node | None
    shape: str | None
    constraint: str | None


def _message(report: Graph, result: Node, shapes: Graph) -> str:
    """The shape's sh:message; for a constraint without one, what it asks, from the shape itself (each engine
    words its own default differently)."""
    source = report.value(result, SH.sourceShape)
    if shapes.value(source, SH.message) is not None:
        return "; ".join(sorted(str(m) for m in report.objects(result, SH.resultMessage)))
    component = str(report.value(result, SH.sourceConstraintComponent) or "")
    stem = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    parameter = SH[stem[:1].lower() + stem[1:]]
    path, value = report.value(result, SH.resultPath), report.value(result, SH.value)
    wanted = shapes.value(source, parameter)
    asked = f"sh:{parameter[len(SH):]}" + (f" {_shown(wanted)}" if wanted is not None and not isinstance(wanted, BNode) else "")
    return (f"{compact(str(path))}: " if isinstance(path, URIRef) else "") + f"{asked} not met" + \
        (f" by {_shown(value)}" if value is not None and not isinstance(value, BNode) else "")


def _shown(term: Node) -> str:
    return compact(str(term)) if isinstance(term, URIRef) else repr(str(term)).replace("'", '"')


def _read(report: Graph, shapes: Graph) -> list[_Result]:
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        results.append(_Result(
            severity=SEVERITIES.get(report.value(result, SH.resultSeverity), "violation"),
            message=_message(report, result, shapes),
            focus=report.value(result, SH.focusNode),
            path=_name(report.value(result, SH.resultPath)),
            value=report.value(result, SH.value),
            shape=_shape_name(shapes, report.value(result, SH.sourceShape)),
            constraint=_name(report.value(result, SH.sourceConstraintComponent)),
        ))
    return results


def validate(data: Graph, ontology: Graph, shapes: Graph, index: LocationIndex | None = None,
             engine: str = "turbo") -> Report:
    """Validate rdflib graphs (a contribution with the project's data, an update's graphs)."""
    store = pyoxigraph.Store()
    graphs = [pyoxigraph.NamedNode("urn:koryo-kg:data"), pyoxigraph.NamedNode("urn:koryo-kg:vocabulary")]
    for name, graph in zip(graphs, (data, ontology), strict=True):
        store.bulk_extend(pyoxigraph.Quad(*(oxigraph_term(t) for t in triple), name) for triple in graph)
    return validate_in(store, graphs[:1], graphs[1:], ontology, shapes, index, engine)


def validate_in(store: pyoxigraph.Store, data: list[pyoxigraph.NamedNode], vocabulary: list[pyoxigraph.NamedNode],
                terms: Graph, shapes: Graph, index: LocationIndex | None = None, engine: str = "turbo") -> Report:
    """Validate the union of the `data` graphs of `store`, with the `vocabulary` graphs beside them for the
    class hierarchy, against `shapes`, in the SHACL `engine` (a name of ENGINES); `terms`: the vocabulary as
    rdflib reads it, for the undefined terms."""
    text = b"".join(store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=g) for g in data + vocabulary)
    report = ENGINES[engine](text.decode("utf-8"), shapes)
    results = _read(report, shapes)
    facts = Facts(store, data)
    findings = [Finding(r.severity, r.message, _name(r.focus), r.path, _name(r.value), r.shape, r.constraint,
                        facts.locate(index, r.focus, r.value if r.value != r.focus else None))
                for r in results]
    findings.sort(key=_order)
    checked = Report(all(f.severity != "violation" for f in findings), findings, report)
    checked.add(undefined_terms(facts, terms, index) + undescribed(facts, index))
    return checked


class Facts:
    """The data graphs of a store, as the checks below read them."""

    def __init__(self, store: pyoxigraph.Store, graphs: list[pyoxigraph.NamedNode]):
        self.store, self.graphs = store, graphs
        self.values = "VALUES ?g { " + " ".join(f"<{g.value}>" for g in graphs) + " }"

    def select(self, query: str, **bindings) -> list[tuple]:
        """Rows of a SELECT over the data graphs (`GRAPH ?g` in it), as rdflib terms."""
        for name, term in bindings.items():  # an IRI of the store, written in N-Triples syntax
            query = query.replace(f"?{name}", str(oxigraph_term(term)))
        solutions = self.store.query(query.replace("VALUES ?g", self.values))
        names = [v.value for v in solutions.variables]
        return [tuple(rdflib_term(row[n]) if row[n] is not None else None for n in names) for row in solutions]

    def describes(self, node: Node) -> bool:
        return any(next(self.store.quads_for_pattern(oxigraph_term(node), None, None, g), None) for g in self.graphs)

    def parents(self, node: BNode):
        for graph in self.graphs:
            for quad in self.store.quads_for_pattern(None, None, oxigraph_term(node), graph):
                yield rdflib_term(quad.subject)

    def locate(self, index: LocationIndex | None, node: Node, value: Node | None = None):
        return index.locate(node, value=value, parents=self.parents) if index else None


_TERMS_USED = """SELECT DISTINCT ?term WHERE { { GRAPH ?g { ?s ?term ?o } } UNION
  { GRAPH ?g { ?s a ?term } FILTER isIRI(?term) } VALUES ?g }"""
_USES = """SELECT DISTINCT ?s ?p WHERE { { GRAPH ?g { ?s ?term ?o } BIND (?term AS ?p) } UNION
  { GRAPH ?g { ?s a ?term } BIND (rdf:type AS ?p) } VALUES ?g }"""
_UNDESCRIBED = """SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?g
  FILTER (isIRI(?o) && STRSTARTS(STR(?o), "{ID}"))
  FILTER NOT EXISTS { GRAPH ?h { ?o ?q ?r } VALUES ?h } }"""
_OURS = """SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?g FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }"""


def undefined_terms(facts: Facts, vocabulary: Graph, index: LocationIndex | None = None) -> list[Finding]:
    """A property or class the data uses that its vocabulary does not have (a misspelling, mostly), at the
    line where it is written."""
    terms, found = Terms(vocabulary), []
    for (term,) in facts.select(_TERMS_USED):
        reason = terms.undefined(term)
        for subject, predicate in facts.select("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n" + _USES,
                                               term=term) if reason else ():
            found.append(Finding("violation", reason, _name(subject), _name(predicate), _name(term), UNDEFINED_TERM,
                                 None, facts.locate(index, subject, term)))
    return found


def undescribed(facts: Facts, index: LocationIndex | None = None) -> list[Finding]:
    """An IRI of ours (under /id/) that the data points at but describes nowhere: a misspelt reference, mostly,
    which a shape without sh:class on that property would not see."""
    missing = facts.select(_UNDESCRIBED.replace("{ID}", str(ID)).replace("VALUES ?h", facts.values.replace("?g", "?h")))
    ours = sorted(str(s) for (s,) in facts.select(_OURS.replace("{ID}", str(ID)))) if missing else []
    found = []
    for subject, predicate, target in missing:
        close = difflib.get_close_matches(str(target), ours, n=1, cutoff=0.8)
        found.append(Finding("violation", f"{compact(str(target))} is described nowhere in the data"
                             + (f" (did you mean {compact(close[0])}?)" if close else ""), _name(subject),
                             _name(predicate), _name(target), UNDESCRIBED, None, facts.locate(index, subject, target)))
    return found


def contradictions(errors: list[tuple[str, list]], data: Graph | Facts, index: LocationIndex,
                   by: str = REASONER, severity: str = "violation") -> list[Finding]:
    """The reasoner's errors (a disjointness clash, say) as violations (or of `severity`), each where the files
    write one of the resources it names."""
    if isinstance(data, Facts):
        written, where = data.describes, lambda r: data.locate(index, r)
    else:
        written, where = (lambda r: (r, None, None) in data), (lambda r: index.locate(r, data))
    findings = []
    for message, resources in errors:
        # the data's own subjects first: an individual in two disjoint classes is fixed where it is written
        resources = sorted(resources, key=lambda r: not written(r))
        located = next((loc for loc in map(where, resources) if loc), None)
        findings.append(Finding(severity, f"{by}: {message}", _name(resources[0]) if resources else "",
                                None, None, REASONER, None, located))
    return findings
