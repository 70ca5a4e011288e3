"""Every request body has a limit, whether or not it says its length.

werkzeug refuses a Content-Length over the limit, but reads a chunked body (one without Content-Length,
which granian passes on with `wsgi.input_terminated`) whole, however long. This middleware reads at most one
byte more than the limit first, and answers 413 when there is more.
"""

from __future__ import annotations

import io

from werkzeug.exceptions import RequestEntityTooLarge

from .errors import http_error


def bounded(app, max_body: int):
    def limited(environ, start_response):
        if not environ.get("CONTENT_LENGTH") and environ.get("REQUEST_METHOD") in ("POST", "PUT", "PATCH"):
            body = environ["wsgi.input"].read(max_body + 1)
            if len(body) > max_body:
                return http_error(RequestEntityTooLarge())(environ, start_response)
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return app(environ, start_response)
    return limited
