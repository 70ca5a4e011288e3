"""Conditional requests and caching headers for every answer that depends on the data: a re-crawl of an
unchanged resource costs a 304."""

from __future__ import annotations

import hashlib

from flask import Response, current_app, request


def conditional(response: Response, representation: str) -> Response:
    """A strong ETag tied to the dataset version, its updates and the representation; Last-Modified from the
    build or the last update; Cache-Control; answers If-None-Match / If-Modified-Since with 304."""
    config, engine = current_app.config["KORYO"], current_app.config["ENGINE"]
    tag = hashlib.sha256(f"{config.version}/{engine.revision}/{representation}".encode()).hexdigest()[:32]
    response.set_etag(tag)
    if engine.changed or config.modified:
        response.last_modified = engine.changed or config.modified
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.vary.add("Accept")
    return response.make_conditional(request)
