"""The VoID / DCAT description a harvester reads at /.well-known/void: the build's meta graph, plus what
only the server knows (its endpoint and download URLs, the dumps' byte sizes and checksums), plus class and
property partitions of the data."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from koryo_kg.query.engine import Engine
from koryo_kg.vocab import DATASET, DCAT, VOID, Graphs

SPDX = Namespace("http://spdx.org/rdf/terms#")


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def void_graph(engine: Engine, host: str, dumps: list[Path], media_types: dict[str, str]) -> Graph:
    graph = Graph()
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)
    graph.bind("spdx", SPDX)
    for triple in engine.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{Graphs.META}> {{ ?s ?p ?o }} }}"):
        graph.add(triple)
    graph.add((DATASET, VOID.sparqlEndpoint, URIRef(host + "/sparql")))
    graph.add((DATASET, VOID.rootResource, URIRef(host + "/id/event/deportation-1937")))
    for path in dumps:
        url = URIRef(f"{host}/dumps/{path.name}")
        plain = path.name[:-3] if path.name.endswith(".gz") else path.name
        media_type = media_types.get(Path(plain).suffix, "application/octet-stream")
        checksum = BNode()
        graph.add((DATASET, VOID.dataDump, url))
        graph.add((DATASET, DCAT.distribution, url))
        graph.add((url, RDF.type, DCAT.Distribution))
        graph.add((url, DCAT.downloadURL, url))
        graph.add((url, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")))
        graph.add((url, DCTERMS.format, Literal(media_type)))
        if path.name.endswith(".gz"):
            graph.add((url, DCAT.compressFormat, URIRef("https://www.iana.org/assignments/media-types/application/gzip")))
        graph.add((url, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
        graph.add((url, SPDX.checksum, checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(_checksum(path), datatype=XSD.hexBinary)))
    data = f"<{Graphs.DATA}>"
    for row in engine.select(f"SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {data} {{ ?s a ?class }} }} "
                             "GROUP BY ?class"):
        partition = BNode()
        graph.add((DATASET, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], row["class"]))
        graph.add((partition, VOID.entities, Literal(int(str(row["n"])))))
    for row in engine.select(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH {data} {{ ?s ?p ?o }} }} GROUP BY ?p"):
        partition = BNode()
        graph.add((DATASET, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, row["p"]))
        graph.add((partition, VOID.triples, Literal(int(str(row["n"])))))
    return graph
