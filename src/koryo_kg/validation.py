"""SHACL validation with pyshacl, on rdflib in memory, of the asserted data together with the ontology (for
the class hierarchy); each result located at the file and line a person must edit.

pyshacl sends a SPARQL constraint's text to rdflib once per focus node, and rdflib parses it every time: 93
parses, about 60 % of the time for the project's data. The graph pyshacl validates here prepares each text
once (rdflib's prepared queries take the focus node as a binding), and it is our own merged copy of data and
ontology, so pyshacl may validate it in place instead of cloning it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rdflib import RDF, BNode, Graph, Namespace
from rdflib.term import Node

from .locations import LocationIndex
from .problems import Location

SH = Namespace("http://www.w3.org/ns/shacl#")
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
REASONER = "owlrl"  # in place of a shape, for findings that come from the OWL 2 RL reasoner


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
        """Findings from outside SHACL (the reasoner's): they count as violations of the report."""
        self.findings = sorted(self.findings + findings, key=_order)
        self.conforms = self.conforms and not findings


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


def validate(data: Graph, ontology: Graph, shapes: Graph, index: LocationIndex | None = None) -> Report:
    import pyshacl  # loads in about 0.3 s: only when validating

    merged = _PreparedQueries()
    for graph in (data, ontology):
        for triple in graph:
            merged.add(triple)
    conforms, results, _ = pyshacl.validate(
        merged, shacl_graph=shapes, inference="none", inplace=True,
        advanced=True, allow_warnings=True, allow_infos=True,
    )
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        value = results.value(result, SH.value)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        findings.append(Finding(
            severity=SEVERITIES.get(results.value(result, SH.resultSeverity), "violation"),
            message="; ".join(messages) or "constraint not met",
            focus=_name(focus),
            path=_name(results.value(result, SH.resultPath)),
            value=None if value is None else _name(value),
            shape=_shape_name(shapes, results.value(result, SH.sourceShape)),
            constraint=_name(results.value(result, SH.sourceConstraintComponent)),
            location=index.locate(focus, data, value if value != focus else None) if index else None,
        ))
    findings.sort(key=_order)
    return Report(bool(conforms), findings, results)


def contradictions(errors: list[tuple[str, list]], data: Graph, index: LocationIndex) -> list[Finding]:
    """The reasoner's errors (a disjointness clash, say) as violations, each where the files write one of the
    resources it names."""
    findings = []
    for message, resources in errors:
        # the data's own subjects first: an individual in two disjoint classes is fixed where it is written
        resources = sorted(resources, key=lambda r: (r, None, None) not in data)
        where = next((loc for loc in (index.locate(r, data) for r in resources) if loc), None)
        findings.append(Finding("violation", f"owlrl: {message}", _name(resources[0]) if resources else "",
                                None, None, REASONER, None, where))
    return findings
