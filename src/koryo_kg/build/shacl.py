"""SHACL validation with pyshacl, on rdflib in memory, of the asserted data together with the ontology (for
the class hierarchy); each result located at the file and line a person must edit.

pyshacl sends a SPARQL constraint's text to rdflib once per focus node, and rdflib parses it every time: 93
parses, about 60 % of the time for the project's data. The graph pyshacl validates here prepares each text
once (rdflib's prepared queries take the focus node as a binding), and it is our own merged copy of data and
ontology, so pyshacl may validate it in place instead of cloning it. From the command line the shapes are
shared out among forked processes, one per CPU (up to four).

Beyond the shapes, two checks SHACL cannot make: a property or class no vocabulary has (terms.py), and an IRI
of ours that the data points at but describes nowhere: misspellings, mostly.
"""

from __future__ import annotations

import difflib
import multiprocessing
import os
import threading
from dataclasses import asdict, dataclass

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from koryo_kg.build.terms import Terms, used_terms
from koryo_kg.problems import Location
from koryo_kg.sources.locations import LocationIndex
from koryo_kg.vocab import ID, compact

SH = Namespace("http://www.w3.org/ns/shacl#")
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
REASONER = "owlrl"  # in place of a shape, for findings that come from the OWL 2 RL reasoner
UNDEFINED_TERM = "https://w3id.org/koryo-kg/lint#undefined-term"  # in place of a shape, as in the lint
UNDESCRIBED = "https://w3id.org/koryo-kg/lint#undescribed-resource"
_CHECKS = {REASONER: "https://w3id.org/koryo-kg/lint#owlrl-contradiction"}  # the reasoner's, as an IRI
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
MAX_PROCESSES = 4


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
            graph.add((result, SH.resultSeverity, SH.Violation))
            graph.add((result, SH.resultMessage, Literal(f.message)))
            graph.add((result, SH.sourceConstraintComponent, URIRef(_CHECKS.get(f.shape, f.shape))))
            for predicate, text in ((SH.focusNode, f.focus), (SH.resultPath, f.path), (SH.value, f.value)):
                if text:
                    graph.add((result, predicate, URIRef(text) if "://" in text else Literal(text)))


def _order(f: Finding):
    return f.location or Location("~", 0), f.severity, f.message


def _name(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _shape_name(shapes: Graph, shape: Node | None) -> str | None:
    """The named node shape a result comes from (a property shape is usually a blank node inside one)."""
    while isinstance(shape, BNode):
        shape = shapes.value(predicate=SH.property, object=shape)
    return _name(shape)


class _PreparedQueries(Graph):
    """A graph that parses each SPARQL text sent to it once."""

    def __init__(self):
        super().__init__()
        self._prepared: dict[tuple, object] = {}  # rdflib Query objects

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,
              use_store_provided=True, **kwargs):
        if isinstance(query_object, str):
            from rdflib.plugins.sparql import prepareQuery  # the SPARQL parser loads in 0.2 s: only when used

            key = (query_object, tuple(sorted((initNs or {}).items())))
            if key not in self._prepared:
                self._prepared[key] = prepareQuery(query_object, initNs=initNs)
            query_object = self._prepared[key]
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def _pyshacl(graph: Graph, shapes: Graph, use_shapes: list[str] | None = None):
    import pyshacl  # loads in about 0.3 s: only when validating

    return pyshacl.validate(graph, shacl_graph=shapes, inference="none", inplace=True, advanced=True,
                            allow_warnings=True, allow_infos=True, use_shapes=use_shapes)


@dataclass(frozen=True)
class _Result:
    """One sh:ValidationResult as read from pyshacl's report, before it is located."""

    severity: str
    message: str
    focus: Node
    path: str | None
    value: Node | None
    shape: str | None
    constraint: str | None


def _read(report: Graph, shapes: Graph) -> list[_Result]:
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        results.append(_Result(
            severity=SEVERITIES.get(report.value(result, SH.resultSeverity), "violation"),
            message="; ".join(sorted(str(m) for m in report.objects(result, SH.resultMessage))) or "constraint not met",
            focus=report.value(result, SH.focusNode),
            path=_name(report.value(result, SH.resultPath)),
            value=report.value(result, SH.value),
            shape=_shape_name(shapes, report.value(result, SH.sourceShape)),
            constraint=_name(report.value(result, SH.sourceConstraintComponent)),
        ))
    return results


_FORKED: tuple[Graph, Graph, list[str]] | None = None  # what forked processes validate (they inherit it)


def _validate_shape(shape: str) -> tuple[list[_Result], str]:
    graph, shapes, helpers = _FORKED
    report = _pyshacl(graph, shapes, [shape, *helpers])[1]
    return _read(report, shapes), report.serialize(format="nt")


def _focus_estimate(graph: Graph, shapes: Graph, shape: Node) -> int:
    """About how many focus nodes a shape has (direct instances only): the bigger shapes go first."""
    count = sum(len(set(graph.subjects(RDF.type, c))) for c in shapes.objects(shape, SH.targetClass))
    count += sum(len(set(graph.subjects(p))) for p in shapes.objects(shape, SH.targetSubjectsOf))
    count += sum(len(set(graph.objects(None, p))) for p in shapes.objects(shape, SH.targetObjectsOf))
    return count + len(list(shapes.objects(shape, SH.targetNode)))


def _in_parallel(graph: Graph, shapes: Graph, processes: int) -> tuple[list[_Result], Graph]:
    """pyshacl in forked processes, one targeted shape at a time, the biggest first, so that the processes
    finish together; one report of all of them."""
    global _FORKED
    named = [s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)]
    targeted = [s for s in named if any((s, t, None) in shapes for t in TARGETS)]
    order = sorted(targeted, key=lambda s: (-_focus_estimate(graph, shapes, s), str(s)))
    # pyshacl knows only the shapes it is given: the untargeted ones that sh:node refers to come along
    _FORKED = (graph, shapes, [str(s) for s in named if s not in targeted])
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            parts = list(pool.imap_unordered(_validate_shape, [str(s) for s in order]))
    finally:
        _FORKED = None
    results = [result for part, _ in parts for result in part]
    report, node = Graph(), BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    report.add((node, SH.conforms, Literal(all(r.severity != "violation" for r in results))))
    for _, triples in parts:
        share = Graph().parse(data=triples, format="nt")
        for s, p, o in share:
            if (s, RDF.type, SH.ValidationReport) not in share:
                report.add((s, p, o))
            elif p == SH.result:
                report.add((node, SH.result, o))
    return results, report


def validate(data: Graph, ontology: Graph, shapes: Graph, index: LocationIndex | None = None) -> Report:
    merged = _PreparedQueries()
    for graph in (data, ontology):
        merged.addN((*triple, merged) for triple in graph)
    # Forking is safe only in a process with one thread: the command line, not the server.
    processes = min(os.cpu_count() or 1, MAX_PROCESSES) if threading.active_count() == 1 else 1
    if processes > 1:
        results, report = _in_parallel(merged, shapes, processes)
    else:
        report = _pyshacl(merged, shapes)[1]
        results = _read(report, shapes)
    findings = [Finding(r.severity, r.message, _name(r.focus), r.path, _name(r.value), r.shape, r.constraint,
                        index.locate(r.focus, data, r.value if r.value != r.focus else None) if index else None)
                for r in results]
    findings.sort(key=_order)
    checked = Report(all(f.severity != "violation" for f in findings), findings, report)
    checked.add(undefined_terms(data, ontology, index) + undescribed(data, index))
    return checked


def undefined_terms(data: Graph, vocabulary: Graph, index: LocationIndex | None = None) -> list[Finding]:
    """A property or class the data uses that its vocabulary does not have (a misspelling, mostly), at the
    line where it is written."""
    terms, found, seen = Terms(vocabulary), [], set()
    for subject, predicate, term in used_terms(data):
        reason = terms.undefined(term)
        if reason and (subject, term) not in seen:
            seen.add((subject, term))
            found.append(Finding("violation", reason, _name(subject), _name(predicate), _name(term), UNDEFINED_TERM,
                                 None, index.locate(subject, data, term) if index else None))
    return found


def undescribed(data: Graph, index: LocationIndex | None = None) -> list[Finding]:
    """An IRI of ours (under /id/) that the data points at but describes nowhere: a misspelt reference, mostly,
    which a shape without sh:class on that property would not see."""
    described = {s for s in data.subjects() if isinstance(s, URIRef)}
    ours = sorted(str(s) for s in described if str(s).startswith(str(ID)))
    found = []
    for subject, predicate, target in data:
        if isinstance(target, URIRef) and str(target).startswith(str(ID)) and target not in described:
            close = difflib.get_close_matches(str(target), ours, n=1, cutoff=0.8)
            found.append(Finding("violation", f"{compact(str(target))} is described nowhere in the data"
                                 + (f" (did you mean {compact(close[0])}?)" if close else ""), _name(subject),
                                 _name(predicate), _name(target), UNDESCRIBED, None,
                                 index.locate(subject, data, target) if index else None))
    return found


def contradictions(errors: list[tuple[str, list]], data: Graph, index: LocationIndex,
                   by: str = REASONER) -> list[Finding]:
    """The reasoner's errors (a disjointness clash, say) as violations, each where the files write one of the
    resources it names."""
    findings = []
    for message, resources in errors:
        # the data's own subjects first: an individual in two disjoint classes is fixed where it is written
        resources = sorted(resources, key=lambda r: (r, None, None) not in data)
        where = next((loc for loc in (index.locate(r, data) for r in resources) if loc), None)
        findings.append(Finding("violation", f"{by}: {message}", _name(resources[0]) if resources else "",
                                None, None, REASONER, None, where))
    return findings
