"""The SPARQL 1.1 Protocol at /sparql: query by GET, by POST form and by POST sparql-query; the dataset
from default-graph-uri / named-graph-uri (overriding FROM / FROM NAMED); the format from `format` or Accept;
the service description when there is no query. Read-only unless the server has an update token: then
SPARQL Update by POST with that bearer token (see updates.py); otherwise updates are refused with 403.

Queries are the endpoint's hot path, so `SparqlProtocol` answers them in front of the Flask app with
werkzeug's Request alone, and hands results to the server as a header list and bytes: on a selective query
Flask's dispatch, contexts and extensions cost more than evaluating it (README, Measured). Flask gets the
rest of /sparql: the query page for browsers, CORS preflights, and methods other than GET, HEAD and POST.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl

from flask_cors.core import get_cors_headers
from werkzeug import Request, Response
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from koryo_kg.endpoint.service_description import describe
from koryo_kg.endpoint.updates import Updater
from koryo_kg.formats import HTML
from koryo_kg.http.errors import INTERNAL_ERROR, http_error
from koryo_kg.http.errors import plain_text as error
from koryo_kg.http.hosts import public_base
from koryo_kg.http.negotiation import choose_document, choose_for_header, document_media_types, offered
from koryo_kg.query.engine import Engine, QueryError
from koryo_kg.query.sparql_text import SparqlSyntaxError, outline
from koryo_kg.settings import ServerConfig

PATH = "/sparql"
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is switched off"
GZIP_FROM = 1024  # bytes: smaller results are sent as they are (streamed large ones too)
PRIVATE_NETWORK = "Access-Control-Request-Private-Network"
OUTLINED = 4096  # characters: the outlines of texts up to this long are remembered (a frozen Outline)
REMEMBERED = 64  # header combinations (Origin, Host) remembered; past this many, forgotten all at once

@dataclass
class Results:
    """A query's answer (200), headers and body as the WSGI server takes them."""
    headers: list[tuple[str, str]]
    body: bytes | Iterator[bytes]


class SparqlProtocol:
    """WSGI middleware answering the SPARQL Protocol at PATH and passing everything else to `app`."""

    def __init__(self, app, config: ServerConfig, engine: Engine, cors_options: dict | None,
                 updater: Updater | None = None):
        self.app, self.config, self.engine, self.cors_options = app, config, engine, cors_options
        self.updater = updater
        # What a request's few headers decide, remembered: clients send the same ones again and again, and
        # working them out took a third of the time a point lookup takes to evaluate. Any text can be sent,
        # so few are kept.
        self._cors: dict[tuple, list[tuple[str, str]]] = {}
        self._endpoint_urls: dict[tuple, str] = {}

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") not in ("GET", "HEAD", "POST"):
            return self.app(environ, start_response)
        request = Request(environ)
        request.max_content_length = request.max_form_memory_size = self.config.max_body
        try:
            response = self.respond(request)
        except HTTPException as failure:  # the body limit (413), a malformed form
            response = http_error(failure)
        except Exception:
            logging.getLogger(__name__).exception("internal error")
            response = error(500, INTERNAL_ERROR)
        if response is None:
            return self.app(environ, start_response)
        cors = self.cors_headers(request) if self.cors_options else []
        if isinstance(response, Results):  # the hot path: straight to the server, no Response object
            start_response("200 OK", response.headers + cors)
            if request.method == "HEAD":
                return []
            return [response.body] if isinstance(response.body, bytes) else response.body
        for name, value in cors:
            response.headers.add(name, value)
        return response(environ, start_response)

    def cors_headers(self, request: Request) -> list[tuple[str, str]]:
        """flask-cors's headers for this request (never a preflight: those are Flask's), which depend on
        these two headers alone."""
        key = (request.headers.get("Origin"), request.headers.get(PRIVATE_NETWORK))
        headers = self._cors.get(key)
        if headers is None:
            headers = list(get_cors_headers(self.cors_options, request.headers, request.method).items())
            _remember(self._cors, key, headers)
        return headers

    def respond(self, request: Request) -> Results | Response | None:
        """The protocol's answer, or None for the query page (left to Flask)."""
        params, failure = _parameters(request)
        if failure is not None:
            return failure
        if "update" in params:
            return self.update(request, params)
        queries = params.getlist("query")
        if not queries:
            if request.method == "POST":
                return error(400, "no query: send a 'query' parameter or a body of type " + QUERY)
            return self.service_description(request, params)
        failure = _not_exactly_one(queries, "query")
        return failure or self.run_query(request, queries[0], params)

    def checked(self, text: str):
        """(outline, refusal) of `text`: the refusal is None, or 403 for a SERVICE target that is not an allowed
        absolute IRI and for any LOAD; (None, 400) for text the SPARQL terminals do not cover. What pyoxigraph
        then runs is the outline's text, so the check holds for what is executed."""
        try:
            seen = _outline(text) if len(text) <= OUTLINED else outline(text)
        except SparqlSyntaxError as failure:
            return None, error(400, str(failure))
        refused = seen.refused_service(self.config.service_allowlist)
        if refused:
            return seen, error(403, f"SERVICE {refused} is not allowed: this server calls no other endpoint "
                                    "unless its operator allows it (--allow-service)")
        if seen.loads:
            return seen, error(403, "LOAD is not allowed: this server fetches no URL; send the data in INSERT DATA")
        return seen, None

    def run_query(self, request: Request, query: str, params) -> Results | Response:
        seen, refused = self.checked(query)
        if seen is None:
            return refused
        if seen.form == "UPDATE":
            return error(400, "this is a SPARQL Update, not a query: send it as 'update'"
                              + ("" if self.updater and self.updater.accepts_updates else "; and the endpoint is read-only"))
        if refused:
            return refused
        kind = seen.form or "SELECT"
        chosen = choose_for_header(kind, _explicit_format(params), request.headers.get("Accept"))
        if chosen is None:
            return error(406, f"none of the requested formats can be produced for a {kind} query; available: "
                              + ", ".join(offered(kind)), Vary="Accept")
        default_graph = params.getlist("default-graph-uri")
        named_graphs = params.getlist("named-graph-uri")
        explicit_dataset = bool(default_graph or named_graphs)
        max_rows = self.config.max_rows
        try:
            answer = self.engine.query({
                "query": seen.text,
                "default_graph": default_graph if explicit_dataset else None,
                "named_graphs": named_graphs if explicit_dataset else None,
                "names_dataset": seen.names_dataset,
                "format": chosen.name,
                "max_rows": max_rows,
                "base_iri": self.endpoint_url(request),
            })
        except QueryError as failure:
            return _failure(failure, seen)
        headers = [("Content-Type", chosen.media_type + ("; charset=utf-8" if chosen.charset else "")),
                   ("Vary", "Accept, Accept-Encoding")]
        body = answer.body
        if isinstance(body, bytes):
            if len(body) >= GZIP_FROM and "gzip" in request.environ.get("HTTP_ACCEPT_ENCODING", "") \
                    and request.accept_encodings["gzip"]:
                body = gzip.compress(body, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
            headers.append(("Content-Length", str(len(body))))
        if answer.truncated:
            headers.append(("X-Result-Truncated", f"the result has more than {max_rows} rows; "
                                                  f"only the first {max_rows} are sent"))
        return Results(headers, body)

    def update(self, request: Request, params) -> Response:
        updater = self.updater
        if updater is None or not updater.accepts_updates:
            return error(403, READ_ONLY)
        if request.method != "POST":
            return error(400, f"send an update by POST: a form with 'update', or a body of type {UPDATE}")
        if "query" in params:
            return error(400, "the request has both a query and an update: send one")
        updates = params.getlist("update")
        failure = _not_exactly_one(updates, "update")
        if failure:
            return failure
        authorization = request.headers.get("Authorization")
        if not updater.authorized(authorization):
            challenge = 'Bearer realm="koryo-kg"' + (', error="invalid_token"' if authorization else "")
            return error(401, "updates need the server's bearer token (Authorization: Bearer ...)",
                         **{"WWW-Authenticate": challenge})
        seen, refused = self.checked(updates[0])
        if refused:
            return refused
        using, using_named = params.getlist("using-graph-uri"), params.getlist("using-named-graph-uri")
        text = seen.text
        if using or using_named:
            if seen.own_dataset:  # the Protocol, 2.2.3: the dataset is given once
                return error(400, "the update has USING, USING NAMED or WITH and the request has "
                                  "using-graph-uri or using-named-graph-uri: give the dataset once")
            try:
                text = seen.using(using, using_named)
            except SparqlSyntaxError as failure:
                return error(400, str(failure))
        try:
            outcome = self.engine.run(updater.apply, text, self.endpoint_url(request))
        except QueryError as failure:
            return _failure(failure, seen)
        return error(outcome.status, outcome.message)

    def endpoint_url(self, request: Request) -> str:
        """This endpoint's URL as clients know it: the service description's subject, and the base that
        relative IRIs in queries and updates resolve against."""
        if self.config.public_url:
            return public_base(self.config.public_url, "") + PATH
        environ = request.environ  # what werkzeug builds the host URL from
        key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
               environ.get("SERVER_PORT"))
        url = self._endpoint_urls.get(key)
        if url is None:
            url = public_base(None, request.host_url) + PATH
            _remember(self._endpoint_urls, key, url)
        return url

    def service_description(self, request: Request, params) -> Response | None:
        chosen = choose_document(request.accept_mimetypes, _explicit_format(params))
        if chosen is None:
            return error(406, "the service description is available as " + ", ".join(document_media_types()),
                         Vary="Accept")
        if chosen is HTML:
            return None
        try:
            counts = self.engine.graph_counts() if self.engine.revision else self.config.graph_counts
        except QueryError as failure:
            return error(failure.status, str(failure))
        body = describe(self.endpoint_url(request), self.config, counts).serialize(format=chosen.media_type)
        response = Response(body, mimetype=chosen.media_type)
        response.headers["Vary"] = "Accept"
        return response


_outline = lru_cache(maxsize=256)(outline)  # a failure is not remembered: it raises again


@lru_cache(maxsize=256)
def _url_arguments(query_string: str) -> ImmutableMultiDict:
    """request.args, as werkzeug decodes them, remembered by the URL's query string: percent-decoding a query's
    text in Python took a fifth of the time a point lookup takes to evaluate, and clients send the same again."""
    return ImmutableMultiDict(parse_qsl(query_string.encode("latin1").decode(), keep_blank_values=True,
                                        errors="werkzeug.url_quote"))


def _remember(memory: dict, key, value) -> None:
    if len(memory) >= REMEMBERED:
        memory.clear()
    memory[key] = value


def _failure(failure: QueryError, seen) -> Response:
    """The error for a request that failed in evaluation. A failed SERVICE call's message from pyoxigraph holds
    the remote body or whether the port was open: never sent on, only that the call failed."""
    if seen.services and failure.status == 400 and not str(failure).startswith("SPARQL syntax error"):
        return error(502, "the SERVICE call to " + " or ".join(seen.services) + " failed")
    return error(failure.status, str(failure))


def _not_exactly_one(texts: list[str], name: str) -> Response | None:
    """400 unless there is one `name` parameter and it says something."""
    if len(texts) > 1:
        return error(400, f"{len(texts)} '{name}' parameters: send exactly one")
    if not texts[0].strip():
        return error(400, f"the {name} is empty")
    return None


def _explicit_format(params) -> str | None:
    for name in ("format", "output", "results"):
        if name in params and params[name]:  # `in` first: werkzeug's get() raises and catches a KeyError
            return params[name]
    return None


def _parameters(request: Request):
    """The protocol parameters of this request, or an error Response."""
    if request.method in ("GET", "HEAD"):
        query_string = request.environ.get("QUERY_STRING", "")
        return (_url_arguments(query_string) if len(query_string) <= OUTLINED else request.args), None
    mimetype = request.mimetype
    if mimetype == FORM:
        if "query" in request.args:
            return None, error(400, "the query is given both in the URL and in the form body")
        merged = request.form.copy()
        for key, values in request.args.lists():
            merged.setlist(key, merged.getlist(key) + values)
        return merged, None
    if mimetype in (QUERY, UPDATE):  # the body is the query (or the update) itself
        name = "query" if mimetype == QUERY else "update"
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            return None, error(400, f"the {name} is not valid UTF-8")
        if name == "query" and "query" in request.args:
            return None, error(400, "the query is given both in the URL and in the body")
        params = request.args.copy()
        params.setlist(name, [text])
        return params, None
    return None, error(415, f"unsupported Content-Type {mimetype or '(none)'}: send {FORM} or {QUERY}")
