"""GET /search: names in every script the data has, insensitive to case, diacritics and punctuation; JSON
for scripts, an HTML list for browsers, straight to the page when only one thing has the name."""

from __future__ import annotations

import pytest
import requests

from koryo_kg.pages.search import normalized

LYUSHKOV = "https://w3id.org/koryo-kg/id/person/genrikh-lyushkov"


def search(server, text, **params):
    response = requests.get(server.url.replace("/sparql", "/search"), params={"q": text, **params},
                            headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    return response.json()["results"]


@pytest.mark.parametrize("text", ["Lyushkov", "lyushkov", "LYÚSHKOV", "Люшков", "Лю", "люшк", "Genrikh Lyush"])
def test_lyushkov_by_any_spelling(server, text):
    assert search(server, text)[0]["iri"] == LYUSHKOV


@pytest.mark.parametrize("text, iri", [
    ("고려 사람", "https://w3id.org/koryo-kg/id/group/koryo-saram"),
    ("Коре сарам", "https://w3id.org/koryo-kg/id/group/koryo-saram"),  # е for ё
    ("kim il sung", "https://w3id.org/koryo-kg/id/person/kim-il-sung"),
    ("Kim Yen Un", "https://w3id.org/koryo-kg/id/person/kim-young-woong"),  # a variant transliteration
    ("1428-326", "https://w3id.org/koryo-kg/id/document/decree-1428-326cc"),
])
def test_scripts_variants_and_punctuation(server, text, iri):
    assert iri in [r["iri"] for r in search(server, text)]


def test_results_say_what_matched_and_where_to_go(server):
    [first, *_] = search(server, "Люшков")
    assert first["label"] == "Genrikh Lyushkov" and first["matched"] == "Люшков" and first["exact"] is True
    assert first["url"].endswith("/id/person/genrikh-lyushkov") and "kg:Person" in first["types"]


def test_limits_and_nothing(server):
    assert len(search(server, "e", limit=3)) == 3
    assert search(server, "zzzqqq") == [] and search(server, "  ") == []
    bad = requests.get(server.url.replace("/sparql", "/search"), params={"q": "x", "limit": "many"})
    assert bad.status_code == 400


def test_browsers_get_a_list_or_the_one_page(server):
    url = server.url.replace("/sparql", "/search")
    listing = requests.get(url, params={"q": "Лю"}, headers={"Accept": "text/html"})
    assert listing.status_code == 200 and "Genrikh Lyushkov" in listing.text
    exact = requests.get(url, params={"q": "Lyushkov"}, headers={"Accept": "text/html"}, allow_redirects=False)
    assert exact.status_code == 303 and exact.headers["Location"].endswith("/id/person/genrikh-lyushkov")


def test_normalized():
    assert normalized("Il-Sung") == normalized("il sung") == "il sung"
    assert normalized("Ушто́бе") == normalized("УШТОБЕ")


@pytest.mark.parametrize("path, params, headers", [
    ("/search", {"q": "\x00\uffff" * 500}, {"Accept": "application/json"}),
    ("/search", {"q": "x", "limit": "-5"}, {"Accept": "text/html"}),
    ("/search", {"q": "<script>alert(1)</script>"}, {"Accept": "text/html"}),
    ("/", {"query": "SELECT" * 2000}, {"Accept": "text/html"}),
    ("/", {"example": "../../etc/passwd"}, {"Accept": "text/html"}),
    ("/timeline", {"x": "\ud800".encode("utf-8", "surrogatepass")}, {"Accept": "*/*"}),
    ("/validation", {}, {"Accept": "image/png"}),
])
def test_odd_requests_to_the_pages_are_never_5xx(server, path, params, headers):
    response = requests.get(server.url.replace("/sparql", path), params=params, headers=headers)
    assert response.status_code < 500, response.text
    assert "<script>alert(1)</script>" not in response.text  # Jinja escapes what it shows


def test_the_true_number_of_matches_and_pages_through_them(server):
    url = server.url.replace("/sparql", "/search")
    first = requests.get(url, params={"q": "Kim", "limit": 5}).json()
    assert first["total"] > 5 and len(first["results"]) == 5 and first["offset"] == 0
    seen = [r["iri"] for r in first["results"]]
    offset = 5
    while offset < first["total"]:
        page = requests.get(url, params={"q": "Kim", "limit": 5, "offset": offset}).json()
        assert page["total"] == first["total"]
        seen += [r["iri"] for r in page["results"]]
        offset += 5
    assert len(seen) == len(set(seen)) == first["total"]  # every match once, none lost between pages
    html = requests.get(url, params={"q": "Kim", "limit": 5}, headers={"Accept": "text/html"}).text
    assert f"{first['total']} matches for “Kim”; 1–5 shown" in html and 'rel="next"' in html
    last = requests.get(url, params={"q": "Kim", "limit": 5, "offset": first["total"] - 1},
                        headers={"Accept": "text/html"}).text
    assert 'rel="prev"' in last and 'rel="next"' not in last
