"""Linked data as a harvester meets it, over real HTTP: VoID, dumps, every IRI dereferenced with rdflib's
own Graph.parse (following the 303), conditional requests, HEAD, gzip, robots.txt and the sitemap. The tests
on `engine_server` run once per engine (embedded, `serve --store` on Oxigraph engine_server and on Virtuoso); the
dumps stay with the build, so a front end on a store neither serves nor announces them (a test shows it)."""

from __future__ import annotations

import gzip
import hashlib

import pytest
import requests
from rdflib import Graph, Namespace, URIRef

from conftest import root

BASE = "https://w3id.org/koryo-kg/"
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
LYUSHKOV = "id/person/genrikh-lyushkov"


@pytest.fixture(scope="module")
def void(engine_server) -> Graph:
    response = requests.get(root(engine_server) + "/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


def test_void_lists_endpoint_dumps_and_partitions(engine_server, void):
    dataset = URIRef(BASE + "dataset")
    assert (dataset, VOID.sparqlEndpoint, URIRef(engine_server.url)) in void
    dumps = {str(d).rsplit("/", 1)[-1] for d in void.objects(dataset, VOID.dataDump)}
    if engine_server.engine == "embedded":
        assert {"koryo-kg.nq", "koryo-kg.trig", "koryo-kg.ttl", "koryo-kg.nt"} <= dumps
        assert {d + ".gz" for d in ("koryo-kg.nq", "koryo-kg.nt")} <= dumps
    else:  # the dumps stay with the build: none is announced that is not served
        assert not dumps and not list(void.objects(dataset, DCAT.distribution))
        assert requests.get(root(engine_server) + "/dumps/koryo-kg.nq").status_code == 404
    for dump in void.objects(dataset, DCAT.distribution):
        content = requests.get(str(dump)).content
        assert int(void.value(dump, DCAT.byteSize)) == len(content)
        # the build's checksum of each (written as it wrote the dumps, not read again by the server)
        assert str(void.value(void.value(dump, SPDX.checksum), SPDX.checksumValue)) == hashlib.sha256(content).hexdigest()
    if engine_server.engine == "embedded":  # and the same in sha256sum's format, which is no dump itself
        sums = requests.get(root(engine_server) + "/dumps/SHA256SUMS")
        assert sums.status_code == 200 and sums.headers["Content-Type"].startswith("text/plain")
        assert {line.split("  ")[1] for line in sums.text.splitlines()} == dumps and "SHA256SUMS" not in dumps
    assert len(list(void.objects(dataset, VOID.classPartition))) > 10
    # every IRI under the base that the description names resolves on this engine_server
    named = {str(t) for triple in void for t in triple if isinstance(t, URIRef) and str(t).startswith(BASE)}
    for iri in sorted(named):
        response = requests.get(root(engine_server) + "/" + iri[len(BASE):].split("#")[0], headers={"Accept": "text/turtle"})
        assert response.status_code == 200, iri


def test_gzip_dumps_are_the_plain_dumps(server):
    for name in ("koryo-kg.nq", "koryo-kg.trig", "koryo-kg.ttl", "koryo-kg.nt"):
        plain = requests.get(f"{root(server)}/dumps/{name}").content
        assert gzip.decompress(requests.get(f"{root(server)}/dumps/{name}.gz").content) == plain


def test_harvester_walk_every_subject_dereferences(engine_server, server):
    # the subjects of the build's dump, which the embedded server serves
    dump = Graph().parse(data=requests.get(root(server) + "/dumps/koryo-kg.nt").content, format="nt")
    subjects = sorted({s for s in dump.subjects() if isinstance(s, URIRef) and str(s).startswith(BASE)
                       and "#" not in str(s) and str(s) != BASE + "ontology"})
    assert len(subjects) > 400
    for subject in subjects:
        url = root(engine_server) + "/" + str(subject)[len(BASE):]
        graph = Graph()
        graph.parse(url)  # rdflib sends RDF Accept headers and follows the 303
        assert len(graph) > 0, url
        assert (subject, None, None) in graph or (None, None, subject) in graph, url


def test_documents_in_every_format_with_alternates(engine_server):
    for extension, rdflib_format in (("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")):
        response = requests.get(f"{root(engine_server)}/{LYUSHKOV}.{extension}")
        assert response.status_code == 200
        graph = Graph().parse(data=response.content, format=rdflib_format)
        assert (URIRef(BASE + LYUSHKOV), None, None) in graph
        assert 'rel="alternate"' in response.headers["Link"]
    page = requests.get(f"{root(engine_server)}/{LYUSHKOV}", headers={"Accept": "text/html"})
    assert page.url.endswith(".html") and "Генрих Люшков" in page.text and "Footnote 13" in page.text
    assert '<script type="application/ld+json">' in page.text


def test_unknown_iri_is_a_helpful_404(engine_server):
    response = requests.get(f"{root(engine_server)}/id/person/genrikh-lyushkv")
    assert response.status_code == 404
    assert root(engine_server) + "/" + LYUSHKOV in response.text
    for garbage in ("/id/person/a%20b", "/id/%3Cx%3E", "/id/person/" + "x" * 3000 + ".ttl", "/id/%FF%FE"):
        assert requests.get(root(engine_server) + garbage).status_code == 404, garbage


def test_conditional_requests_cost_a_304(engine_server):
    dumps = ["/dumps/koryo-kg.nq"] if engine_server.engine == "embedded" else []  # a store's front end has none
    for path in (f"/{LYUSHKOV}.ttl", "/.well-known/void", *dumps, "/sitemap.xml"):
        first = requests.get(root(engine_server) + path)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert not etag.startswith("W/") and "max-age" in first.headers["Cache-Control"]
        assert requests.get(root(engine_server) + path, headers={"If-None-Match": etag}).status_code == 304
        assert requests.get(root(engine_server) + path, headers={"If-Modified-Since": modified}).status_code == 304


def test_head_and_gzip(engine_server):
    head = requests.head(f"{root(engine_server)}/{LYUSHKOV}.ttl")
    assert head.status_code == 200 and head.text == "" and head.headers["ETag"]
    response = requests.get(f"{root(engine_server)}/{LYUSHKOV}.html", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip" and "Генрих Люшков" in response.text


def test_robots_and_sitemap(engine_server):
    assert "Sitemap:" in requests.get(root(engine_server) + "/robots.txt").text
    assert f"{root(engine_server)}/sitemap/1.xml" in requests.get(root(engine_server) + "/sitemap.xml").text  # the index
    assert f"{root(engine_server)}/{LYUSHKOV}.html" in requests.get(root(engine_server) + "/sitemap/1.xml").text


def test_hash_iris_resolve_to_their_documents(engine_server):
    for iri in (BASE + "ontology#signatory", BASE + "shapes#PersonShape"):
        document, term = iri.split("#")
        graph = Graph().parse(data=requests.get(root(engine_server) + "/" + document[len(BASE):],
                                                headers={"Accept": "text/turtle"}).content, format="turtle")
        assert (URIRef(iri), None, None) in graph


def test_home_is_the_query_page_for_browsers_and_leads_rdf_clients_to_void(engine_server):
    response = requests.get(root(engine_server) + "/", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.url == root(engine_server) + "/" and "<h1>Query the knowledge graph" in response.text
    assert "Accept" in response.headers["Vary"]
    response = requests.get(root(engine_server) + "/", headers={"Accept": "text/turtle"})
    assert response.url.endswith("/.well-known/void") and "void:Dataset" in response.text


def test_recrawling_an_iri_costs_only_304s(engine_server):
    session = requests.Session()
    first = session.get(f"{root(engine_server)}/{LYUSHKOV}", headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert first.status_code == 303
    again = session.get(f"{root(engine_server)}/{LYUSHKOV}", allow_redirects=False,
                        headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_ontology_iri_negotiates_documentation_and_rdf(engine_server):
    page = requests.get(root(engine_server) + "/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'id="signatory"' in page.text and "Subclass of" in page.text and "Example" in page.text
    for accept, rdflib_format in (("text/turtle", "turtle"), ("application/rdf+xml", "xml"),
                                  ("application/ld+json", "json-ld")):
        response = requests.get(root(engine_server) + "/ontology", headers={"Accept": accept})
        graph = Graph().parse(data=response.content, format=rdflib_format)
        assert (URIRef(BASE + "ontology"), None, None) in graph
    version = requests.get(root(engine_server) + "/ontology/0.1.0", headers={"Accept": "text/turtle"})
    assert version.status_code == 200
    assert requests.get(root(engine_server) + "/ontology/9.9.9").status_code == 404
