"""Errors as every client sees them: plain text with the status and the reason, never an HTML page or a
traceback."""

from __future__ import annotations

from werkzeug import Response
from werkzeug.exceptions import HTTPException

INTERNAL_ERROR = "500 Internal Server Error: the server failed on this request; it has been logged"


def plain_text(status: int, message: str, **headers) -> Response:
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers)
    return response


def http_error(error: HTTPException) -> Response:
    """werkzeug's HTTP exceptions (404, 405, 413, ...) as plain text with their reason."""
    message = f"{error.code} {error.name}: {error.description}" if error.description else f"{error.code} {error.name}"
    response = plain_text(error.code, message)
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response
