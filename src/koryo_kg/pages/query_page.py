"""The query page historians work in, at `/` (the base IRI; RDF clients go on to the dataset description) and
at `/sparql` for browsers, and the timeline page.

The page is served complete: the examples (the competency questions, each with its question and what it
expects) and the editor's completions (our prefixes, the ontology's terms, the data's named things) are in
the HTML, so it reads and its form runs queries without JavaScript; static/query.js adds the editor,
results as a table, downloads and permalinks.
"""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from koryo_kg.formats import HTML
from koryo_kg.http.caching import conditional
from koryo_kg.http.dataset_state import dataset_state, engine, warmed
from koryo_kg.http.negotiation import choose_document
from koryo_kg.http.security_headers import CSP, EDITOR_POLICY
from koryo_kg.pages.pictures import timeline
from koryo_kg.pages.search import named_things
from koryo_kg.sources.files import queries_dir
from koryo_kg.vocab import PREFIXES, Graphs, compact

blueprint = Blueprint("query_page", __name__)

TERMS = """
SELECT ?term ?label ?kind WHERE {
  GRAPH <https://w3id.org/koryo-kg/graph/ontology> {
    ?term a ?kind ; <http://www.w3.org/2000/01/rdf-schema#label> ?label
    FILTER (lang(?label) = "en")
    VALUES ?kind { <http://www.w3.org/2002/07/owl#Class> <http://www.w3.org/2002/07/owl#ObjectProperty>
                   <http://www.w3.org/2002/07/owl#DatatypeProperty> }
  }
}"""
COMPLETED_THINGS = 5000
OWN_THINGS = f"SELECT DISTINCT ?thing WHERE {{ GRAPH <{Graphs.DATA}> {{ ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }} }}"
DEFAULT_QUERY = """PREFIX kg: <https://w3id.org/koryo-kg/ontology#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX prov: <http://www.w3.org/ns/prov#>

# Who was appointed to which post, on what legal basis, and which footnote says so?
# Change a line and run it again (Ctrl+Enter), or start from an example.
SELECT ?appointment ?person ?post ?basis ?footnote WHERE {
  ?appointment a kg:Appointment ; crm:P143_joined ?person ; crm:P144_joined_with ?post .
  OPTIONAL { ?appointment kg:legalBasis ?basis }
  OPTIONAL { ?appointment prov:wasDerivedFrom ?footnote }
}"""


def examples() -> list[dict]:
    """The competency questions: file name, question, expected answer, query text."""
    result = []
    for path in sorted(queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        comments = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
        result.append({"id": path.stem, "question": comments[0] if comments else path.stem,
                       "expected": " ".join(c.removeprefix("Expected:").strip() for c in comments[1:2]),
                       "query": text})
    return result


def completions() -> list[dict]:
    """What the editor offers: PREFIX lines, the ontology's classes and properties, the data's named things."""
    items = [{"label": f"PREFIX {p}: <{ns}>", "type": "keyword", "detail": "prefix"} for p, ns in PREFIXES.items()]
    for row in engine().select(TERMS):
        kind = "class" if str(row["kind"]).endswith("Class") else "property"
        items.append({"label": compact(str(row["term"])), "type": kind, "detail": str(row["label"])})
    items += [{"label": compact(e.iri), "type": "constant", "detail": e.label} for e in _completed_things()]
    return items


def _completed_things() -> list:
    """The named things the editor completes: all of them, or past COMPLETED_THINGS (a register's persons
    would make the page weigh 25 MB at 172,000) those of the article's own graph, which search still finds
    among the rest."""
    things = named_things()
    if len(things) <= COMPLETED_THINGS:
        return things
    own = {str(row["thing"]) for row in engine().select(OWN_THINGS)}
    return [thing for thing in things if thing.iri in own][:COMPLETED_THINGS]


@warmed(rank=2)
def _offered() -> str:
    """The completions as the page holds them (JSON a script element can hold)."""
    return dataset_state().get("query page completions", lambda: json.dumps(
        completions(), ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c"))


def render_query_page() -> Response:
    """The query page; a `query` parameter (a permalink) or an `example` (a competency question's name)
    fills the editor and runs it."""
    config = current_app.config["KORYO"]
    state = dataset_state()
    questions = state.get("query page examples", examples)
    offered = _offered()
    example = next((e for e in questions if e["id"] == request.args.get("example")), None)
    query = request.args.get("query") or (example["query"] if example else DEFAULT_QUERY)
    response = Response(render_template(
        "query.html", query=query, run=bool(request.args.get("query") or example), examples=questions,
        completions=offered, config=config,
        graphs=sorted(config.graph_counts.items())))
    response.headers[CSP] = EDITOR_POLICY
    return response


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql_page() -> Response:
    """What the SPARQL Protocol (endpoint/protocol.py) leaves to Flask at /sparql: a browser asking for a page."""
    response = render_query_page()
    response.headers["Vary"] = "Accept"
    return response


@blueprint.route("/", methods=["GET"])
def home() -> Response:
    """The base IRI: browsers get the query page, RDF clients a 303 to the dataset description."""
    if choose_document(request.accept_mimetypes) in (None, HTML):
        response = render_query_page()
        response.headers["Vary"] = "Accept"
        return response
    target = url_for("linked_data.void")
    return conditional(redirect(target, code=303), f"home->{target}")


TIMELINE_TYPES = {"html": "text/html", "json": "application/json", "csv": "text/csv"}
TIMELINE_COLUMNS = ("iri", "label", "begin", "when")


@blueprint.route("/timeline", methods=["GET"])
def timeline_page() -> Response:
    """The dated events: a page for browsers; its data as JSON or CSV (`format=` or Accept) for scripts."""
    data = dataset_state().get("timeline", lambda: timeline(engine()))
    name = request.args.get("format") or next(
        (n for n, t in TIMELINE_TYPES.items() if t == request.accept_mimetypes.best_match(TIMELINE_TYPES.values())),
        "html")
    if name not in TIMELINE_TYPES:
        return Response(f"400 Bad Request: format must be one of {', '.join(TIMELINE_TYPES)}\n", status=400,
                        mimetype="text/plain")
    if name == "json":
        events = [{k: e[k] for k in TIMELINE_COLUMNS} for e in data["events"]]
        response = Response(json.dumps({"events": events}, ensure_ascii=False), mimetype="application/json")
    elif name == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
        writer.writerow(TIMELINE_COLUMNS)
        writer.writerows([e[k] for k in TIMELINE_COLUMNS] for e in data["events"])
        response = Response(out.getvalue(), mimetype="text/csv")
        response.charset = "utf-8"
    else:
        response = Response(render_template("timeline.html", timeline=data))
    response.headers["Vary"] = "Accept"
    return conditional(response, f"timeline/{name}")
