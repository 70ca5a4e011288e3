"""Links in cached answers never come from a forged Host header: the server answers only for the names it
knows (its address, loopback, --public-url's host, --allowed-host), and with --public-url every link starts
with it."""

from __future__ import annotations

import http.client

import pytest

from conftest import Server, root


def get(server, path: str, host: str | None = None, accept: str = "text/turtle") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Accept": accept}
    if host is not None:
        headers["Host"] = host
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def public(home):
    server = Server(home, "--workers", "1", "--public-url", "https://kg.example.org", "--allowed-host", ".example.net")
    yield server
    server.stop()


@pytest.mark.parametrize("path", ["/robots.txt", "/sitemap.xml", "/.well-known/void", "/id/person/no-such-person",
                                  "/sparql", "/id/event/deportation-1937.html"])
def test_a_forged_host_is_refused_everywhere(server, path):
    status, body = get(server, path, host="evil.example.com")
    assert status == 400
    assert "does not answer for the host 'evil.example.com'" in body


def test_known_names_are_answered_with_their_own_links(server):
    status, body = get(server, "/robots.txt", host=f"localhost:{server.port}")
    assert status == 200 and f"Sitemap: http://localhost:{server.port}/sitemap.xml" in body
    status, body = get(server, "/robots.txt", host=f"[::1]:{server.port}")
    assert status == 200 and f"http://[::1]:{server.port}/sitemap.xml" in body


def test_links_start_with_the_public_url(public):
    for host in (None, "kg.example.org", "mirror.example.net", f"127.0.0.1:{public.port}"):
        status, void = get(public, "/.well-known/void", host=host)
        assert status == 200, host
        assert "<https://kg.example.org/sparql>" in void
        assert "<https://kg.example.org/dumps/koryo-kg.nq>" in void
        assert "127.0.0.1" not in void
    status, page = get(public, "/id/event/deportation-1937.html", accept="text/html")
    assert status == 200 and 'href="https://kg.example.org/id/' in page
    status, description = get(public, "/sparql")
    assert status == 200 and "<https://kg.example.org/sparql>" in description
    assert get(public, "/robots.txt", host="example.net.evil.com")[0] == 400


def test_every_address_needs_a_name(home):
    from conftest import koryo_kg

    result = koryo_kg("serve", "--host", "0.0.0.0", "--port", "1", home=home)
    assert result.returncode == 2
    assert "--public-url" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["a" * 300, "..%2fstores", "koryo-kg.nq%00", "%2e%2e", "%ff"])
def test_odd_dump_names_are_404(server, name):
    status, body = get(server, f"/dumps/{name}")
    assert status == 404
    assert "/tmp" not in body  # never where the dumps are kept


def test_dumps_still_download(server):
    status, body = get(server, "/dumps/koryo-kg.nt")
    assert status == 200 and body.count("\n") > 1000
    assert root(server)
