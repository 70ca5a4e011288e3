"""The VoID / DCAT description a harvester reads at /.well-known/void: the build's meta graph, plus what
only the server knows (its endpoint and download URLs, the dumps' byte sizes and checksums), plus class and
property partitions of the data. What needs all the data or the dumps read is read once per
dataset version (`facts`); the rest is added for each request's host."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Facts:
    """What the description says that costs reading all the data or the dumps: read once per dataset version."""
    meta: list[tuple]  # the build's meta graph
    dumps: list[tuple[str, int, str]]  # (file name, bytes, SHA-256)
    classes: list[tuple[URIRef, int]]  # (class, entities)
    properties: list[tuple[URIRef, int]]  # (property, triples)


def facts(engine: Engine, dumps: list[Path], checksums: dict[str, str]) -> Facts:
    """`checksums`: the dumps' SHA-256 as the build wrote them; a dump without one (an older build's) is read."""
    data = f"<{Graphs.DATA}>"
    return Facts(
        meta=list(engine.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{Graphs.META}> {{ ?s ?p ?o }} }}")),
        dumps=[(path.name, path.stat().st_size, checksums.get(path.name) or _checksum(path)) for path in dumps],
        classes=[(row["class"], int(str(row["n"]))) for row in engine.select(
            f"SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {data} {{ ?s a ?class }} }} GROUP BY ?class")],
        properties=[(row["p"], int(str(row["n"]))) for row in engine.select(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH {data} {{ ?s ?p ?o }} }} GROUP BY ?p")])


def void_graph(facts: Facts, host: str, media_types: dict[str, str]) -> Graph:
    """The description as this server gives it at `host`."""
    graph = Graph()
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)
    graph.bind("spdx", SPDX)
    for triple in facts.meta:
        graph.add(triple)
    graph.add((DATASET, VOID.sparqlEndpoint, URIRef(host + "/sparql")))
    graph.add((DATASET, VOID.rootResource, URIRef(host + "/id/event/deportation-1937")))
    for name, size, sha256 in facts.dumps:
        url = URIRef(f"{host}/dumps/{name}")
        plain = name[:-3] if name.endswith(".gz") else name
        media_type = media_types.get(Path(plain).suffix, "application/octet-stream")
        checksum = BNode()
        graph.add((DATASET, VOID.dataDump, url))
        graph.add((DATASET, DCAT.distribution, url))
        graph.add((url, RDF.type, DCAT.Distribution))
        graph.add((url, DCAT.downloadURL, url))
        graph.add((url, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")))
        graph.add((url, DCTERMS.format, Literal(media_type)))
        if name.endswith(".gz"):
            graph.add((url, DCAT.compressFormat, URIRef("https://www.iana.org/assignments/media-types/application/gzip")))
        graph.add((url, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        graph.add((url, SPDX.checksum, checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))
    for kind, entities in facts.classes:
        partition = BNode()
        graph.add((DATASET, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], kind))
        graph.add((partition, VOID.entities, Literal(entities)))
    for predicate, triples in facts.properties:
        partition = BNode()
        graph.add((DATASET, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, predicate))
        graph.add((partition, VOID.triples, Literal(triples)))
    return graph
