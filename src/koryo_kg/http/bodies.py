"""Every request body has a limit, whether or not it says its length, and slow bodies cannot take every
request thread.

werkzeug refuses a Content-Length over the limit, but reads a chunked body (one without Content-Length,
which granian passes on with `wsgi.input_terminated`) whole, however long: this middleware reads at most one
byte more than the limit first, and answers 413 when there is more.

Reading a body holds a request thread until the last byte is in (granian has no body read timeout), so a few
dozen clients sending a byte a second would hold them all. Bodies are therefore read here, up front, by at
most `readers` threads at a time; a body that finds them all busy is answered 503 at once with Retry-After,
and requests without a body (every GET, the lookups a page or a harvester makes) always find a thread.
"""

from __future__ import annotations

import io
import threading

from werkzeug.exceptions import RequestEntityTooLarge

from koryo_kg.http.errors import http_error, plain_text

BUSY = ("503 Service Unavailable: too many request bodies are being received at once; retry in a moment "
        "(or send the query by GET)")


def bounded(app, max_body: int, readers: int):
    slots = threading.BoundedSemaphore(readers)

    def limited(environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("POST", "PUT", "PATCH"):
            return app(environ, start_response)
        length = environ.get("CONTENT_LENGTH") or ""
        if length and (not length.isdigit() or int(length) > max_body or int(length) == 0):
            return app(environ, start_response)  # werkzeug answers: 400, 413, or an empty body
        if not slots.acquire(blocking=False):
            return plain_text(503, BUSY, **{"Retry-After": "1"})(environ, start_response)
        try:
            body = environ["wsgi.input"].read(int(length) if length else max_body + 1)
        finally:
            slots.release()
        if len(body) > max_body:
            return http_error(RequestEntityTooLarge())(environ, start_response)
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return app(environ, start_response)
    return limited
