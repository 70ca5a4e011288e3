"""Where links point: this server's own URL for the dataset's IRIs (see hosts.py for why it never comes
from a request's Host header), and nothing a browser would run."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

from koryo_kg.http.hosts import public_base
from koryo_kg.vocab import BASE


def site_url() -> str:
    """This server's URL as links give it (see hosts.py), without a trailing slash."""
    return public_base(current_app.config["KORYO"].public_url, request.host_url)


def local_url(iri: str) -> str | None:
    """Where a page may link for an IRI: on this server for the dataset's own, the IRI itself when it is
    http(s), None for anything else. Data comes from anyone with an update token (and from --add files), and
    an href of `javascript:`, `data:` or `vbscript:` runs when clicked: Jinja's escaping does not stop that.
    The scheme is read as a browser reads it, which drops tabs and newlines and leading controls or spaces
    (so `java\tscript:` is javascript:): such characters are never in a valid IRI, and refused here."""
    if iri.startswith(BASE):
        return site_url() + "/" + iri[len(BASE):]
    if any(c <= " " or c == "\x7f" for c in iri) or urlsplit(iri).scheme.lower() not in ("http", "https"):
        return None
    return iri
