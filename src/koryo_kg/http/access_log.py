"""One line per request on standard output: client, request line, status, milliseconds, user agent.

Each line is one os.write. granian's own access log goes through the logging module (a LogRecord, a
formatter, the handler's lock, a flush), which cost 150–300 µs of CPU per request on this project's
machine: as much as all of the SPARQL Protocol's own work (README, Measured).
"""

from __future__ import annotations

import os
import time


def logging_requests(app, fd: int = 1):
    """WSGI middleware writing the line when the app has answered (its status known, its body not yet sent)."""

    def logged(environ, start_response):
        started = time.perf_counter()
        status = "-"

        def start(line, headers, exc_info=None):
            nonlocal status
            status = line[:3]
            return start_response(line, headers, exc_info)

        try:
            return app(environ, start)
        finally:
            query = environ.get("QUERY_STRING")
            target = environ.get("PATH_INFO", "") + ("?" + query if query else "")
            line = (f'{environ.get("REMOTE_ADDR", "-")} "{environ.get("REQUEST_METHOD")} {target} '
                    f'{environ.get("SERVER_PROTOCOL")}" {status} {(time.perf_counter() - started) * 1000:.1f} ms '
                    f'"{environ.get("HTTP_USER_AGENT", "-")}"\n')
            os.write(fd, line.encode("utf-8", "backslashreplace"))

    return logged
