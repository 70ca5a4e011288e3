"""The IRIs the package itself needs: namespaces, the ontology IRI and the named graphs of the dataset.

BASE, PREFIXES and compact are plain text. The rdflib terms (KG, ONTOLOGY, ID, DATASET, CRM, ERR, VOID, DCAT,
Graphs) are made when first imported: importing rdflib takes about a third of a second, which `koryo-kg --help`
and a query on a cached build, whose settings and sources need only BASE, must not pay.
"""

from __future__ import annotations

from urllib.parse import quote

BASE = "https://w3id.org/koryo-kg/"
_KG = BASE + "ontology#"
_ID = BASE + "id/"
_CRM = "http://www.cidoc-crm.org/cidoc-crm/"


def _terms() -> dict[str, object]:
    from rdflib import Namespace, URIRef

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

    return {
        "KG": Namespace(_KG), "ONTOLOGY": URIRef(BASE + "ontology"), "ID": Namespace(_ID),
        "DATASET": URIRef(BASE + "dataset"), "CRM": Namespace(_CRM),
        "ERR": Namespace("http://www.daml.org/2002/03/agents/agent-ont#"),  # where owlrl writes its error messages
        "VOID": Namespace("http://rdfs.org/ns/void#"), "DCAT": Namespace("http://www.w3.org/ns/dcat#"),
        "Graphs": Graphs,
    }


_TERMS = ("KG", "ONTOLOGY", "ID", "DATASET", "CRM", "ERR", "VOID", "DCAT", "Graphs")


def __getattr__(name: str):
    if name not in _TERMS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals().update(_terms())  # all at once: later imports of any of them are plain attributes
    return globals()[name]


# Prefixes for showing IRIs to people (reports, tables); the data files declare the same ones.
PREFIXES = {
    "kg": _KG, "kgsh": BASE + "shapes#", "person": _ID + "person/", "group": _ID + "group/",
    "body": _ID + "organization/", "post": _ID + "post/", "place": _ID + "place/",
    "doc": _ID + "document/", "measure": _ID + "measure/", "event": _ID + "event/",
    "stmt": _ID + "statement/", "work": _ID + "work/", "fn": _ID + "citation/",
    "concept": _ID + "concept/", "testimony": _ID + "testimony/", "issue": _ID + "inconsistency/",
    "crm": _CRM, "prov": "http://www.w3.org/ns/prov#", "org": "http://www.w3.org/ns/org#",
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
