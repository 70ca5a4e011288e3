"""Ontology lint: the checkable FOOPS!/OOPS! criteria (docs/modeling-notes.md, *Ontology lint*), each finding
located at the file and line where the term is written, in the same report formats as `validate`.

Undefined terms (see terms.py): a term of PROV, ORG, schema.org, FOAF, SKOS, DCTERMS, VANN, OWL, RDF(S) or
XSD must exist in that vocabulary (rdflib ships their term lists); a CIDOC CRM term must be declared in
ontology/external/crm.ttl, the CRM 7.1.3 declarations restated for the reasoner; a kg: term in the ontology.
"""

from __future__ import annotations

import re

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, VANN

from koryo_kg.build.shacl import Finding, Report
from koryo_kg.build.terms import Terms
from koryo_kg.sources.files import Sources
from koryo_kg.sources.locations import LocationIndex
from koryo_kg.sources.parsing import load
from koryo_kg.vocab import KG, ONTOLOGY

RULES = "https://w3id.org/koryo-kg/lint#"
REQUIRED_METADATA = (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator, DCTERMS.created,
                     OWL.versionIRI, OWL.versionInfo, VANN.preferredNamespacePrefix, VANN.preferredNamespaceUri)


def _own_terms(graph: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted({s for k in kinds for s in graph.subjects(RDF.type, k) if str(s).startswith(str(KG))})


def _english(graph: Graph, term, predicate) -> list:
    return [v for v in graph.objects(term, predicate) if isinstance(v, Literal) and v.language == "en"]


def findings(ontology: Graph, terms: Terms) -> list[tuple[str, URIRef, str, object]]:
    """(rule, focus, message, value) for every problem in `ontology`."""
    found = []
    add = lambda rule, focus, message, value=None: found.append((rule, focus, message, value))
    ontologies = list(ontology.subjects(RDF.type, OWL.Ontology))
    if ontologies != [ONTOLOGY]:
        add("one-ontology", ONTOLOGY, f"exactly one owl:Ontology, {ONTOLOGY}, is expected; found {len(ontologies)}")
    for prop in REQUIRED_METADATA:
        if ontology.value(ONTOLOGY, prop) is None:
            add("ontology-metadata", ONTOLOGY, f"the ontology lacks {ontology.namespace_manager.normalizeUri(prop)}")
    if ontology.value(ONTOLOGY, OWL.versionIRI) == ONTOLOGY:
        add("version-iri", ONTOLOGY, "owl:versionIRI must differ from the ontology IRI")
    for term in _own_terms(ontology):
        name = str(term)[len(str(KG)):]
        is_class = (term, RDF.type, OWL.Class) in ontology
        if not _english(ontology, term, RDFS.label):
            add("label", term, "no rdfs:label in English")
        if not _english(ontology, term, RDFS.comment):
            add("definition", term, "no rdfs:comment (definition) in English")
        if ontology.value(term, RDFS.isDefinedBy) != ONTOLOGY:
            add("defined-by", term, f"rdfs:isDefinedBy must be <{ONTOLOGY}>")
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*" if is_class else r"[a-z][A-Za-z0-9]*", name):
            add("naming", term, f"{'classes are UpperCamelCase' if is_class else 'properties are lowerCamelCase'}")
        if not is_class:
            domains, ranges = list(ontology.objects(term, RDFS.domain)), list(ontology.objects(term, RDFS.range))
            if len(domains) > 1 or len(ranges) > 1:
                add("one-domain-range", term, "more than one rdfs:domain or rdfs:range (read as their intersection)")
            derived = ontology.value(term, OWL.propertyChainAxiom) or ontology.value(term, OWL.inverseOf)
            if not derived and not (domains and ranges):
                add("domain-range", term, "no rdfs:domain or no rdfs:range")
    for subject in set(ontology.subjects()):
        if isinstance(subject, URIRef) and not str(subject).startswith((str(KG), str(ONTOLOGY), "https://w3id.org/koryo-kg/id/")):
            add("external-axiom", subject, "an axiom about a term of another vocabulary")
    for term in ontology.subjects(RDF.type, OWL.FunctionalProperty):
        add("functional", term, "owl:FunctionalProperty on a value property silently merges conflicting values")
    for subject, _, other in ontology.triples((None, OWL.sameAs, None)):
        add("same-as", subject, "owl:sameAs: use skos:exactMatch or schema:sameAs", other)
    for s, p, o in ontology:
        for used in (p, o):
            reason = terms.undefined(used) if isinstance(used, URIRef) else None
            if reason:
                add("undefined-term", s, reason, used)
    return found


def lint(sources: Sources) -> Report:
    index = LocationIndex()
    ontology, _ = load(list(sources.ontology), index=index)
    imports, _ = load(list(sources.imports), index=index)
    results = []
    for rule, focus, message, value in findings(ontology, Terms(ontology + imports)):
        results.append(Finding(severity="violation", message=message, focus=str(focus), path=None,
                               value=None if value is None else str(value), shape=RULES + rule, constraint=None,
                               location=index.locate(focus, ontology, value)))
    results.sort(key=lambda f: (f.location.path if f.location else "~", f.location.line if f.location else 0))
    return Report(conforms=not results, findings=results, results_graph=Graph())
