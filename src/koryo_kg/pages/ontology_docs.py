"""The ontology IRI: HTML documentation generated from the ontology itself for browsers, the ontology in RDF
for everyone else (content negotiation); the version IRI answers the same for the version served."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph
from flask import Blueprint, Response, abort, current_app, render_template, request

from koryo_kg import formats
from koryo_kg.formats import GRAPH, HTML
from koryo_kg.http.caching import conditional
from koryo_kg.http.links import local_url
from koryo_kg.http.negotiation import choose_document, document_media_types
from koryo_kg.query.writers import RDF_FORMATS
from koryo_kg.vocab import KG, ONTOLOGY, Graphs, compact

blueprint = Blueprint("ontology", __name__)


TERMS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?term ?kind ?p ?o WHERE {{ GRAPH <{Graphs.ONTOLOGY}> {{
  ?term a ?kind . FILTER (?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty))
  FILTER STRSTARTS(STR(?term), "{KG}")
  ?term ?p ?o }} }}
"""
EXAMPLE = f"""
SELECT ?s ?term WHERE {{ GRAPH <{Graphs.DATA}> {{ {{ ?s a ?term }} UNION {{ ?s ?term ?o }} }} }} ORDER BY ?s LIMIT 1
"""


def _version() -> str:
    store = current_app.config["ENGINE"].store
    rows = list(store.query(f"SELECT ?v WHERE {{ GRAPH <{Graphs.ONTOLOGY}> {{ <{ONTOLOGY}> "
                            f"<http://www.w3.org/2002/07/owl#versionInfo> ?v }} }}"))
    return rows[0]["v"].value if rows else ""


def _terms() -> list[dict]:
    store = current_app.config["ENGINE"].store
    terms: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for row in store.query(TERMS):
        term = terms[row["term"].value]
        term["iri"] = row["term"].value
        term["kind"] = row["kind"].value.rsplit("#", 1)[-1]
        value = row["o"]
        predicate = compact(row["p"].value)
        term[predicate].append(value.value if isinstance(value, pyoxigraph.Literal) else
                               {"text": compact(value.value) if isinstance(value, pyoxigraph.NamedNode) else "(expression)",
                                "href": _anchor(value.value) if isinstance(value, pyoxigraph.NamedNode) else None})
    for iri, term in terms.items():
        example = list(store.query(EXAMPLE, substitutions={pyoxigraph.Variable("term"): pyoxigraph.NamedNode(iri)}))
        term["example"] = ({"text": compact(example[0]["s"].value), "href": local_url(example[0]["s"].value)}
                           if example and isinstance(example[0]["s"], pyoxigraph.NamedNode) else None)
    return sorted(terms.values(), key=lambda t: (t["kind"] != "Class", t["iri"].lower()))


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
        response = Response(render_template("ontology.html", terms=_terms(), version=current, iri=str(ONTOLOGY)),
                            mimetype="text/html")
    else:
        triples = current_app.config["ENGINE"].store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{Graphs.ONTOLOGY}> {{ ?s ?p ?o }} }}")
        response = Response(triples.serialize(format=RDF_FORMATS[chosen.name]), mimetype=chosen.media_type)
    response.charset = "utf-8"
    response.headers["Link"] = ", ".join(f'<{request.path}>; rel="alternate"; type="{t}"' for t in document_media_types())
    return conditional(response, f"{request.path}/{chosen.name}")


@blueprint.route("/shapes", methods=["GET"])
def shapes() -> Response:
    """The SHACL shapes (IRIs https://w3id.org/koryo-kg/shapes#Shape), in RDF by content negotiation."""
    chosen = choose_document(request.accept_mimetypes, html=False) or formats.get("turtle", GRAPH)
    triples = current_app.config["ENGINE"].store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{Graphs.SHAPES}> {{ ?s ?p ?o }} }}")
    response = Response(triples.serialize(format=RDF_FORMATS[chosen.name]), mimetype=chosen.media_type)
    response.charset = "utf-8"
    return conditional(response, f"shapes/{chosen.name}")
