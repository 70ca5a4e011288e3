"""The ontology IRI: HTML documentation generated from the ontology itself for browsers, the ontology in RDF
for everyone else (content negotiation); the version IRI answers the same for the version served."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Response, abort, render_template, request
from rdflib import Literal, URIRef

from koryo_kg import formats
from koryo_kg.formats import GRAPH, HTML
from koryo_kg.http.caching import conditional
from koryo_kg.http.dataset_state import dataset_state, engine
from koryo_kg.http.links import local_url
from koryo_kg.http.negotiation import choose_document, document_media_types
from koryo_kg.vocab import KG, ONTOLOGY, Graphs, compact

blueprint = Blueprint("ontology", __name__)


# Every statement about every term, with the term's first use in the data (the first subject in SPARQL's
# order, so a blank node before any IRI: then no example is shown), in one query.
TERMS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?term ?kind ?p ?o ?example WHERE {{
  GRAPH <{Graphs.ONTOLOGY}> {{
    ?term a ?kind . FILTER (?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty))
    FILTER STRSTARTS(STR(?term), "{KG}")
    ?term ?p ?o }}
  OPTIONAL {{ SELECT ?term (MIN(?s) AS ?example) WHERE {{
    GRAPH <{Graphs.DATA}> {{ {{ ?s a ?term }} UNION {{ ?s ?term ?any }} }} }} GROUP BY ?term }}
}}
"""
VERSION = f"""SELECT ?v WHERE {{ GRAPH <{Graphs.ONTOLOGY}> {{ <{ONTOLOGY}> <http://www.w3.org/2002/07/owl#versionInfo> ?v }} }}"""


def _version() -> str:
    def read() -> str:
        rows = engine().select(VERSION)
        return str(rows[0]["v"]) if rows else ""
    return dataset_state().get("ontology version", read)


def _terms() -> list[dict]:
    terms: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for row in engine().select(TERMS):
        term = terms[str(row["term"])]
        term["iri"] = str(row["term"])
        term["kind"] = str(row["kind"]).rsplit("#", 1)[-1]
        value, example = row["o"], row["example"]
        term[compact(str(row["p"]))].append(
            str(value) if isinstance(value, Literal) else
            {"text": compact(str(value)) if isinstance(value, URIRef) else "(expression)",
             "href": _anchor(str(value)) if isinstance(value, URIRef) else None})
        term["example"] = ({"text": compact(str(example)), "href": local_url(str(example))}
                           if isinstance(example, URIRef) else None)
    return sorted(terms.values(), key=lambda t: (t["kind"] != "Class", t["iri"].lower()))


def hierarchy(terms: list[dict]) -> list[dict]:
    """The ontology's classes as a tree by rdfs:subClassOf among its own classes (a class with two of them
    stands under both), each with the classes of other vocabularies it is aligned to."""
    classes = {"#" + t["iri"][len(str(KG)):]: t for t in terms if t["kind"] == "Class"}
    parents = {anchor: [v["href"] for v in t.get("rdfs:subClassOf", []) if v["href"] in classes]
               for anchor, t in classes.items()}

    def node(anchor: str, above: frozenset) -> dict:
        term = classes[anchor]
        children = sorted((a for a, ps in parents.items() if anchor in ps and a not in above),
                          key=lambda a: classes[a]["rdfs:label"][0].lower() if classes[a]["rdfs:label"] else a)
        return {"anchor": anchor, "label": term["rdfs:label"][0] if term["rdfs:label"] else anchor[1:],
                "aligned": sorted(v["text"] for v in term.get("rdfs:subClassOf", []) + term.get("owl:equivalentClass", [])
                                  if isinstance(v, dict) and v["href"] not in classes and v["text"] != "(expression)"),
                "children": [node(a, above | {anchor}) for a in children]}

    return [node(a, frozenset()) for a in sorted(classes, key=str.lower) if not parents[a]]


def _graph(name: URIRef, format: str) -> bytes:
    return engine().construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}", format=format)


def _anchor(iri: str) -> str | None:
    return "#" + iri[len(str(KG)):] if iri.startswith(str(KG)) else local_url(iri)


@blueprint.route("/ontology", methods=["GET"])
@blueprint.route("/ontology/<version>", methods=["GET"])
def ontology(version: str | None = None) -> Response:
    current = _version()
    if version is not None and version != current:
        abort(404, description=f"this server serves version {current} of the ontology (/ontology/{current})")
    chosen = choose_document(request.accept_mimetypes, request.args.get("format"))
    if chosen is None:
        return Response("406 Not Acceptable: the ontology is available as " + ", ".join(document_media_types())
                        + "\n", status=406, mimetype="text/plain")
    if chosen is HTML:
        terms = dataset_state().get("ontology terms", _terms)
        tree = dataset_state().get("ontology classes", lambda: hierarchy(terms))
        response = Response(render_template("ontology.html", terms=terms, version=current, iri=str(ONTOLOGY),
                                            tree=tree), mimetype="text/html")
    else:
        response = Response(_graph(Graphs.ONTOLOGY, chosen.name), mimetype=chosen.media_type)
    response.charset = "utf-8"
    response.headers["Link"] = ", ".join(f'<{request.path}>; rel="alternate"; type="{t}"' for t in document_media_types())
    return conditional(response, f"{request.path}/{chosen.name}")


@blueprint.route("/shapes", methods=["GET"])
def shapes() -> Response:
    """The SHACL shapes (IRIs https://w3id.org/koryo-kg/shapes#Shape), in RDF by content negotiation."""
    chosen = choose_document(request.accept_mimetypes, html=False) or formats.get("turtle", GRAPH)
    response = Response(_graph(Graphs.SHAPES, chosen.name), mimetype=chosen.media_type)
    response.charset = "utf-8"
    return conditional(response, f"shapes/{chosen.name}")
