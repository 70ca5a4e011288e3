"""The WSGI application: `create_app(config)` wires the SPARQL Protocol, the Flask blueprints, the query
engine and the limits."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, Response
from flask_compress import Compress
from flask_cors import CORS
from flask_cors.core import get_cors_options
from werkzeug.exceptions import HTTPException

from koryo_kg import formats
from koryo_kg.endpoint.protocol import SparqlProtocol
from koryo_kg.endpoint.updates import StoreUpdater, UpdateLog, Updater
from koryo_kg.http.bodies import bounded
from koryo_kg.http.dataset_state import DatasetState
from koryo_kg.http.errors import INTERNAL_ERROR, http_error, plain_text
from koryo_kg.http.hosts import checking_host
from koryo_kg.http.security_headers import protected
from koryo_kg.http.static_files import compress_static_files
from koryo_kg.linked_data.documents import blueprint as linked_data
from koryo_kg.pages.citation import blueprint as citation
from koryo_kg.pages.ontology_docs import blueprint as ontology_docs
from koryo_kg.pages.query_page import blueprint as query_page
from koryo_kg.pages.search import blueprint as search
from koryo_kg.query.embedded import Embedded, open_store
from koryo_kg.query.engine import Engine, QueryError
from koryo_kg.settings import ServerConfig
from koryo_kg.validation.service import blueprint as validation_service

if TYPE_CHECKING:
    from koryo_kg.query.remote import RemoteStore


def remote_store(config: ServerConfig) -> RemoteStore:
    """The backend over config.store; made in each worker process, since a connection pool must not cross a fork."""
    # imported here: an embedded server's processes start faster and smaller without requests
    from koryo_kg.query.remote import RemoteStore
    from koryo_kg.stores.client import Endpoints, StoreClient, deadline_parameter, read_credentials

    client = StoreClient(Endpoints.of(config.store), read_credentials(config.store_credentials and Path(config.store_credentials)),
                         deadline=deadline_parameter(config.store_deadline))
    return RemoteStore(client, config.query_timeout, config.store_graphs)


def create_app(config: ServerConfig, engine: Engine | None = None, on_runaway=lambda: None) -> Flask:
    """The endpoint for `config`; `on_runaway` is called when a query passes its deadline (the server
    replaces its process then, see server.py)."""
    app = Flask(__name__, template_folder="pages/templates", static_folder="pages/static")
    app.config["KORYO"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_body
    app.config["MAX_FORM_MEMORY_SIZE"] = config.max_body
    if engine is None and config.store:
        # The store stops its queries at the deadline (or koryo-kg stops waiting): no process to replace. Our
        # own deadline is a second longer, so that the store's 504 with its reason is what the client hears.
        engine = Engine(remote_store(config), config.query_timeout + 1, lambda: None)
    elif engine is None:
        engine = Engine(Embedded(open_store(config.store_path, config.memory)), config.query_timeout, on_runaway)
    app.config["ENGINE"] = engine
    app.extensions["koryo_kg.dataset_state"] = DatasetState(engine, None if config.store else config.warmed_dir)
    cors_options = None
    if config.cors_origins:
        cors_options = {"origins": list(config.cors_origins), "methods": ["GET", "POST", "OPTIONS"],
                        "send_wildcard": config.cors_origins == ("*",),
                        "expose_headers": ["X-Result-Truncated", "Content-Type"]}
        CORS(app, **cors_options)
    app.register_blueprint(validation_service)
    app.register_blueprint(query_page)
    app.register_blueprint(search)
    app.register_blueprint(linked_data)
    app.register_blueprint(ontology_docs)
    app.register_blueprint(citation)
    # gzip when the client asks (Accept-Encoding); dumps have their own .gz files
    app.config.update(COMPRESS_ALGORITHM=["gzip"], COMPRESS_STREAMS=False, COMPRESS_MIN_SIZE=1024,
                      COMPRESS_MIMETYPES=formats.compressed_media_types())
    app.jinja_env.globals["formats"] = formats  # the templates' menus and alternate links
    Compress(app)
    compress_static_files(app)

    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(QueryError)
    def read_failed(error: QueryError) -> Response:
        """A page's read of the data that passed the deadline (503), like a query's."""
        return plain_text(error.status, str(error))

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> Response:
        app.logger.exception("internal error")
        return plain_text(500, INTERNAL_ERROR)

    updater = None
    if config.update_log:
        updater = (StoreUpdater if config.store else Updater)(engine, UpdateLog(Path(config.update_log)),
                                                              config.update_token)

    # A request meets, in order: the Host check, the body limit, the latest committed updates, the SPARQL Protocol, Flask.
    app.wsgi_app = SparqlProtocol(app.wsgi_app, config, engine, cors_options and get_cors_options(app, cors_options),
                                  updater)
    if updater:
        app.wsgi_app = updater.replaying(app.wsgi_app)
    app.wsgi_app = bounded(app.wsgi_app, config.max_body, readers=max(1, config.threads // 2))
    if config.allowed_hosts:
        app.wsgi_app = checking_host(app.wsgi_app, config.allowed_hosts)
    app.wsgi_app = protected(app.wsgi_app)  # outermost: every response, the Host check's 400 too
    app.extensions["koryo_kg.dataset_state"].warm(app)  # the search index and the rest, before a visitor asks
    return app
