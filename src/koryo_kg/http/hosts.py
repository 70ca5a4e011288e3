"""Which Host names the server answers for, and the URL its links are built from.

Links in answers (entity pages, 404 suggestions, VoID's endpoint and dump URLs, the sitemap, the service
description) are cached by clients and proxies for an hour, so they must not come from a request's Host header,
which anyone can set: with `--public-url` they are built from it; without, from the Host, but only after the
Host has been checked against the names the server answers for (the address it listens on, loopback, and
`--allowed-host`). A request for any other Host gets 400.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from koryo_kg.http.errors import plain_text

LOOPBACK = ("127.0.0.1", "localhost", "::1")
EVERY_ADDRESS = ("0.0.0.0", "::", "")


def allowed_hosts(listen_host: str, public_url: str | None, extra: tuple[str, ...]) -> tuple[str, ...]:
    """The Host names to accept; raises ValueError when they cannot be told (listening on every address
    with neither a public URL nor an allowed host: every Host would be trusted)."""
    names = list(extra)
    if public_url:
        names.append(urlsplit(public_url).hostname or "")
    if listen_host in EVERY_ADDRESS:
        if not names:
            raise ValueError(f"listening on every address ({listen_host or 'all'}), the server cannot tell its own "
                             "name from a forged Host header: give --public-url URL (the address clients use) "
                             "or --allowed-host NAME")
    else:
        names.append(listen_host)
    return tuple(dict.fromkeys(n.strip("[]").lower() for n in [*names, *LOOPBACK] if n))


def host_name(host: str) -> str:
    """The name in a Host header, without its port ("[::1]:5000" -> "::1")."""
    name = host.partition("]")[0][1:] if host.startswith("[") else host.rpartition(":")[0] if ":" in host else host
    return name.lower().rstrip(".")


def answers_for(host: str, allowed: tuple[str, ...]) -> bool:
    name = host_name(host)
    return bool(name) and any(name == a or (a.startswith(".") and name.endswith(a)) for a in allowed)


def checking_host(app, allowed: tuple[str, ...]):
    """WSGI middleware: 400 for a request whose Host the server does not answer for."""
    def checked(environ, start_response):
        host = environ.get("HTTP_HOST") or ""
        if not answers_for(host, allowed):
            return plain_text(400, f"400 Bad Request: this server does not answer for the host {host[:200]!r}")(
                environ, start_response)
        return app(environ, start_response)
    return checked


def public_base(public_url: str | None, host_url: str) -> str:
    """The URL links start with, without a trailing slash: the configured public URL, else the (checked)
    host URL of the request."""
    return (public_url or host_url).rstrip("/")
