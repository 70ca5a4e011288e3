"""The headers that tell browsers how far to trust what this server sends, on every response: the SPARQL
Protocol's fast path, Flask's pages and errors, static files, and the body limit's 413 alike, since the
middleware sits outside all of them.

The pages run only the scripts under /static and use only the stylesheet there (no inline script or style;
`<script type="application/json">` data blocks are not scripts and CSP leaves them alone), and fetch only
from this server: so a script planted in the data, or an injection a template missed, does not run.
Pages cannot be framed (no clickjacking), no response is sniffed into another type (a CSV result holding
`<script>` stays CSV), and other sites are sent no Referer: permalinks carry the query text in their URL, and
nothing here reads the header. CORS headers are left as the app set them.
"""

from __future__ import annotations

CSP = "Content-Security-Policy"
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
          "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# The query page's editor (CodeMirror 6) writes its theme into a <style> element and sets style attributes
# (tab-size), which a nonce cannot cover: that page allows inline style, and still no inline script.
EDITOR_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = [(CSP, POLICY), ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
           ("Referrer-Policy", "no-referrer")]


def protected(app):
    """WSGI middleware adding HEADERS to every response of `app` (a policy the app set itself is kept)."""

    def with_headers(environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            return start_response(status, headers + [h for h in HEADERS if h[0].lower() not in present], exc_info)

        return app(environ, start)

    return with_headers
