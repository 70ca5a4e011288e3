"""The SPARQL 1.1 Service Description of the endpoint: what it speaks, returns and limits, and the dataset
it serves with the triple count of every named graph."""

from __future__ import annotations

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef

from koryo_kg import formats
from koryo_kg.formats import RDF_KINDS, RESULTS
from koryo_kg.settings import ServerConfig
from koryo_kg.vocab import KG, VOID

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
FORMAT_IRIS = {
    "json": FORMATS.SPARQL_Results_JSON, "xml": FORMATS.SPARQL_Results_XML, "csv": FORMATS.SPARQL_Results_CSV,
    "tsv": FORMATS.SPARQL_Results_TSV, "turtle": FORMATS.Turtle, "ntriples": FORMATS["N-Triples"],
    "rdfxml": FORMATS.RDF_XML, "jsonld": FORMATS["JSON-LD"], "nquads": FORMATS["N-Quads"], "trig": FORMATS.TriG,
}


def describe(endpoint: str, config: ServerConfig, graph_counts: dict[str, int]) -> Graph:
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("kg", KG)
    service, dataset, default = URIRef(endpoint + "#service"), BNode("dataset"), BNode("default")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if config.update_token:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if config.service_allowlist:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    for f in formats.of(RESULTS, *RDF_KINDS):
        if f.media_types:
            g.add((service, SD.resultFormat, FORMAT_IRIS[f.name]))
    g.add((service, KG.queryTimeout, Literal(str(config.query_timeout), datatype=XSD.decimal)))
    g.add((service, KG.resultRowLimit, Literal(config.max_rows)))
    g.add((service, KG.requestBodyLimit, Literal(config.max_body)))
    if config.max_memory:
        g.add((service, KG.memoryLimit, Literal(config.max_memory)))  # MB per server process
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(sum(graph_counts.values()))))
    for iri, count in sorted(graph_counts.items()):
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(count)))
    return g
