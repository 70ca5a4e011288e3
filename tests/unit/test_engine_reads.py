"""The engine's named reads (in-process, on a small store): rdflib terms out, the union of the graphs as the
default graph, bindings substituted and never spliced, every read under the deadline; and the application's
state, computed once per dataset version, with the number of queries a page costs."""

import threading

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef

from koryo_kg.app import create_app
from koryo_kg.http.dataset_state import DatasetState
from koryo_kg.query.embedded import Embedded
from koryo_kg.query.engine import Engine, QueryTimeout
from koryo_kg.settings import ServerConfig

ID = "https://w3id.org/koryo-kg/id/"
TRIG = """
@prefix kg: <https://w3id.org/koryo-kg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/koryo-kg/graph/ontology> {
  <https://w3id.org/koryo-kg/ontology> a owl:Ontology ; owl:versionInfo "1.2" .
  kg:Person a owl:Class ; rdfs:label "Person"@en ; rdfs:comment "someone"@en .
  kg:Place a owl:Class ; rdfs:label "Place"@en .
  kg:bornIn a owl:ObjectProperty ; rdfs:label "born in"@en .
  kg:name a owl:DatatypeProperty ; rdfs:label "name"@en .
}
<https://w3id.org/koryo-kg/graph/data> {
  <https://w3id.org/koryo-kg/id/person/kim> a kg:Person ; rdfs:label "Kim"@en, "Ким"@ru ;
      kg:bornIn <https://w3id.org/koryo-kg/id/place/vladivostok> .
  <https://w3id.org/koryo-kg/id/person/pak> a kg:Person ; rdfs:label "Pak"@en .
  <https://w3id.org/koryo-kg/id/place/vladivostok> a kg:Place ; rdfs:label "Vladivostok"@en .
}
"""
KIM = URIRef(ID + "person/kim")


def _store(trig: str = TRIG) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(trig.encode(), format=pyoxigraph.RdfFormat.TRIG)
    return store


class Counting:
    """A backend that counts the reads it is asked for."""

    def __init__(self, backend):
        self.backend, self.reads = backend, 0

    def __getattr__(self, name):
        method = getattr(self.backend, name)

        def counted(*args):
            self.reads += 1
            return method(*args)
        return counted


@pytest.fixture
def engine():
    return Engine(Embedded(_store()), timeout=5)


def test_named_reads_give_rdflib_terms_over_the_union_of_the_graphs(engine):
    rows = engine.select("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l")
    assert {str(r["l"]) for r in rows} >= {"Kim", "Ким", "Person", "Vladivostok"}  # two graphs, one default
    kim = next(r for r in rows if str(r["l"]) == "Ким")
    assert kim["s"] == KIM and kim["l"] == Literal("Ким", lang="ru")
    optional = engine.select("SELECT ?s ?x WHERE { ?s a ?c OPTIONAL { ?s <urn:none> ?x } }")
    assert optional and all(r["x"] is None for r in optional)
    assert engine.ask("ASK { ?this a ?c }", {"this": KIM})
    assert not engine.ask("ASK { ?this a ?c }", {"this": URIRef(ID + "person/nobody")})
    triples = engine.construct("CONSTRUCT { ?this ?p ?o } WHERE { ?this ?p ?o }", {"this": KIM})
    assert (KIM, URIRef("https://w3id.org/koryo-kg/ontology#bornIn"), URIRef(ID + "place/vladivostok")) in triples
    turtle = engine.construct("CONSTRUCT { ?this ?p ?o } WHERE { ?this ?p ?o }", {"this": KIM}, format="turtle")
    assert isinstance(turtle, bytes) and set(Graph().parse(data=turtle, format="turtle")) == set(triples)
    assert engine.graph_counts() == {"https://w3id.org/koryo-kg/graph/ontology": 11,
                                     "https://w3id.org/koryo-kg/graph/data": 8}


def test_a_binding_is_a_term_not_text(engine):
    hostile = Literal('x" } UNION { ?s ?p ?o } #')
    assert engine.select("SELECT ?s ?name WHERE { ?s ?p ?name }", {"name": hostile}) == []
    with pytest.raises(ValueError):  # not an IRI at all: refused, not spliced
        engine.ask("ASK { ?this ?p ?o }", {"this": URIRef(ID + "a> ?p ?o } #")})


def test_named_reads_are_under_the_deadline_and_a_page_past_it_says_so():
    release, runaways = threading.Event(), []

    class Stuck:
        def select(self, text, bindings=None):
            release.wait(30)
            return []

    engine = Engine(Stuck(), timeout=0.2, on_runaway=lambda: runaways.append(1))
    try:
        with pytest.raises(QueryTimeout):
            engine.select("SELECT * WHERE { ?s ?p ?o }")
        assert runaways == [1]
        page = create_app(ServerConfig(store_path="unused"), engine=engine).test_client().get("/ontology")
        assert page.status_code == 503 and "limit of 0.2 s" in page.text and "Traceback" not in page.text
    finally:
        release.set()


def test_state_is_computed_once_per_version_even_by_threads_at_once(engine):
    state, computed, started, go = DatasetState(engine), [], threading.Event(), threading.Event()

    def compute():
        computed.append(engine.revision)
        started.set()
        go.wait(10)
        return len(computed)

    threads = [threading.Thread(target=state.get, args=("n", compute)) for _ in range(8)]
    for thread in threads:
        thread.start()
    started.wait(10)
    go.set()
    for thread in threads:
        thread.join(10)
    assert computed == [0] and state.get("n", compute) == 1
    engine.replace_backend(engine.backend, revision=7, changed=None)
    assert state.get("n", compute) == 2 and computed == [0, 7]
    assert state.get("n", compute) == 2


def _app(backend):
    engine = Engine(backend, timeout=5)
    return create_app(ServerConfig(store_path="unused", cors_origins=()), engine=engine), engine


def _count(client, backend, url, **headers):
    backend.reads = 0
    response = client.get(url, headers=headers)
    return response, backend.reads


def test_queries_per_page():
    backend = Counting(Embedded(_store()))
    app, _ = _app(backend)
    client = app.test_client()
    app.extensions["koryo_kg.dataset_state"].warming.join(10)  # the values computed when it starts
    assert {"search.index", "entities._property_labels", "documents._subjects"} <= {
        name.split(".", 2)[-1] for name in app.extensions["koryo_kg.dataset_state"].warm_seconds}

    response, first = _count(client, backend, "/ontology", Accept="text/html")
    assert response.status_code == 200 and "someone" in response.text and "born in" in response.text
    again, second = _count(client, backend, "/ontology", Accept="text/html")
    assert again.text == response.text
    assert (first, second) == (2, 0)  # the version and all the terms, once per version

    response, first = _count(client, backend, "/id/person/kim.html")
    assert response.status_code == 200 and "Ким" in response.text and "Vladivostok" in response.text
    _, second = _count(client, backend, "/id/person/kim.html")
    # exists, how many values each property has, the values with their graphs, its notes, its figures, its map
    # (the labels of terms were read when the app started)
    assert (first, second) == (6, 6)

    response, reads = _count(client, backend, "/id/person/kin")
    assert response.status_code == 404 and "/id/person/kim" in response.text
    assert reads == 1  # does it exist (the subjects for the suggestions were read when the app started)
    for url in ("/id/person/kin", "/sitemap.xml"):  # the subject list is kept (it was read on every 404)
        response, reads = _count(client, backend, url)
        assert reads == (1 if url.startswith("/id") else 0), url

    response, reads = _count(client, backend, "/id/person/kim.ttl")
    assert response.status_code == 200 and reads == 2
    assert (KIM, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Ким", lang="ru")) \
        in Graph().parse(data=response.data, format="turtle")


def test_an_update_that_changes_the_revision_is_seen_and_not_before():
    app, engine = _app(Embedded(_store()))
    client = app.test_client()
    found = lambda: [r["label"] for r in client.get("/search?q=li", headers={"Accept": "application/json"}).json["results"]]
    assert found() == []
    changed = _store(TRIG.replace('"Pak"@en', '"Li"@en'))
    engine.replace_backend(Embedded(changed), revision=engine.revision, changed=None)
    assert found() == []  # the same version: the index is kept
    engine.replace_backend(Embedded(changed), revision=engine.revision + 1, changed=None)
    assert found() == ["Li"]
