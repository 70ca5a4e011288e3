"""The SPARQL 1.1 Protocol at /sparql: query by GET, by POST form and by POST sparql-query; the dataset
from default-graph-uri / named-graph-uri (overriding FROM / FROM NAMED); the format from `format` or Accept;
the service description when there is no query. Read-only: updates are refused with 403.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from .engine import QueryError
from .query_page import render_query_page
from .negotiation import choose, choose_document, document_media_types, offered
from .results import HTML, RDFLIB_NAMES
from .service_description import describe
from .sparql_text import query_form, service_endpoints

blueprint = Blueprint("protocol", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is switched off"


def error(status: int, message: str, **headers) -> Response:
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers)
    return response


def _explicit_format(params) -> str | None:
    for name in ("format", "output", "results"):
        if params.get(name):
            return params.get(name)
    return None


def _parameters():
    """The protocol parameters of this request, or an error Response."""
    if request.method in ("GET", "HEAD"):
        return request.args, None
    mimetype = request.mimetype
    if mimetype == FORM:
        if "query" in request.args:
            return None, error(400, "the query is given both in the URL and in the form body")
        merged = request.form.copy()
        for key, values in request.args.lists():
            merged.setlist(key, merged.getlist(key) + values)
        return merged, None
    if mimetype == QUERY:
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            return None, error(400, "the query is not valid UTF-8")
        if "query" in request.args:
            return None, error(400, "the query is given both in the URL and in the body")
        params = request.args.copy()
        params.setlist("query", [text])
        return params, None
    if mimetype == UPDATE:
        return None, error(403, READ_ONLY)
    return None, error(415, f"unsupported Content-Type {mimetype or '(none)'}: send {FORM} or {QUERY}")


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    params, failure = _parameters()
    if failure is not None:
        return failure
    if "update" in params:
        return error(403, READ_ONLY)
    queries = params.getlist("query")
    if not queries:
        if request.method == "POST":
            return error(400, "no query: send a 'query' parameter or a body of type " + QUERY)
        return service_description(params)
    if len(queries) > 1:
        return error(400, f"{len(queries)} 'query' parameters: send exactly one")
    query = queries[0]
    if not query.strip():
        return error(400, "the query is empty")
    return run_query(query, params)


def run_query(query: str, params) -> Response:
    config = current_app.config["KORYO"]
    form = query_form(query)
    if form == "UPDATE":
        return error(400, "this is a SPARQL Update, not a query; and the endpoint is read-only")
    refused = [s for s in service_endpoints(query) if s not in config.service_allowlist]
    if refused:
        return error(403, f"SERVICE {refused[0]} is not allowed: this server calls no other endpoint "
                          "unless its operator allows it (--allow-service)")
    kind = form or "SELECT"
    chosen = choose(kind, _explicit_format(params), request.accept_mimetypes)
    if chosen is None:
        return error(406, f"none of the requested formats can be produced for a {kind} query; available: "
                          + ", ".join(offered(kind)), Vary="Accept")
    default_graph = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    explicit_dataset = bool(default_graph or named_graphs)
    try:
        answer = current_app.config["ENGINE"].query({
            "query": query,
            "default_graph": default_graph if explicit_dataset else None,
            "named_graphs": named_graphs if explicit_dataset else None,
            "format": chosen.name,
            "max_rows": config.max_rows,
        })
    except QueryError as failure:
        return error(failure.status, str(failure))
    response = Response(answer.body, mimetype=chosen.media_type)
    if chosen.media_type.startswith("text/") or chosen.name in ("json", "xml", "jsonld", "rdfxml"):
        response.charset = "utf-8"
    response.headers["Vary"] = "Accept"
    if answer.truncated:
        response.headers["X-Result-Truncated"] = (f"the result has more than {config.max_rows} rows; "
                                                  f"only the first {config.max_rows} are sent")
    return response


def service_description(params) -> Response:
    config = current_app.config["KORYO"]
    endpoint = request.base_url
    chosen = choose_document(request.accept_mimetypes, _explicit_format(params))
    if chosen is None:
        return error(406, "the service description is available as " + ", ".join(document_media_types()),
                     Vary="Accept")
    if chosen is HTML:
        response = render_query_page()
    else:
        body = describe(endpoint, config).serialize(format=RDFLIB_NAMES[chosen.name])
        response = Response(body, mimetype=chosen.media_type)
    response.headers["Vary"] = "Accept"
    return response
