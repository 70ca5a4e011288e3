"""The IRIs the package itself needs: namespaces, the ontology IRI and the named graphs of the dataset."""

from urllib.parse import quote

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/koryo-kg/"

KG = Namespace(BASE + "ontology#")
ONTOLOGY = URIRef(BASE + "ontology")
ID = Namespace(BASE + "id/")
DATASET = URIRef(BASE + "dataset")

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # where owlrl writes its error messages
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")


class Graphs:
    """The named graphs of the dataset, one role each (docs/architecture.md, *Named graphs*)."""

    ONTOLOGY = URIRef(BASE + "graph/ontology")
    IMPORTS = URIRef(BASE + "graph/imports")
    DATA = URIRef(BASE + "graph/data")
    INFERRED = URIRef(BASE + "graph/inferred")
    SHAPES = URIRef(BASE + "graph/shapes")
    META = URIRef(BASE + "graph/meta")
    GAZETTEER = URIRef(BASE + "graph/gazetteer")

    ALL = (ONTOLOGY, IMPORTS, DATA, INFERRED, SHAPES, META, GAZETTEER)

    @staticmethod
    def included(name: str) -> URIRef:
        """The graph of a folder given with --include (a register, say)."""
        return URIRef(BASE + "graph/include/" + quote(name, safe=""))

    @staticmethod
    def short_name(iri: str) -> str:
        return str(iri)[len(BASE + "graph/"):] if str(iri).startswith(BASE + "graph/") else str(iri).rsplit("/", 1)[-1]


# Prefixes for showing IRIs to people (reports, tables); the data files declare the same ones.
PREFIXES = {
    "kg": str(KG), "kgsh": BASE + "shapes#", "person": str(ID) + "person/", "group": str(ID) + "group/",
    "body": str(ID) + "organization/", "post": str(ID) + "post/", "place": str(ID) + "place/",
    "doc": str(ID) + "document/", "measure": str(ID) + "measure/", "event": str(ID) + "event/",
    "stmt": str(ID) + "statement/", "work": str(ID) + "work/", "fn": str(ID) + "citation/",
    "concept": str(ID) + "concept/", "testimony": str(ID) + "testimony/", "issue": str(ID) + "inconsistency/",
    "crm": str(CRM), "prov": "http://www.w3.org/ns/prov#", "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/", "dcterms": "http://purl.org/dc/terms/", "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/", "bibo": "http://purl.org/ontology/bibo/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "sh": "http://www.w3.org/ns/shacl#",
}


def compact(iri: str | None) -> str:
    """`person:joseph-stalin` for a known namespace, `<iri>` otherwise."""
    if iri is None:
        return ""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None or not iri.startswith(("http://", "https://")):
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"
