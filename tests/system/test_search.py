"""GET /search: names in every script the data has, insensitive to case, diacritics and punctuation; JSON
for scripts, an HTML list for browsers, straight to the page when only one thing has the name."""

from __future__ import annotations

import pytest
import requests

from koryo_kg.pages import pictures
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


TRAIN = """syn:train-extra-{n} a kg:PopulationTransfer ; rdfs:label "Synthetic extra train {n}"@en ;
    kg:partOf event:deportation-1937-batch-1 ; kg:origin syn:raion-1 ; kg:destination place:ushtobe ;
    kg:affectedGroup syn:family-1 ;
    crm:P4_has_time-span [ rdfs:label "{day:%d %B %Y}"@en ;
        crm:P82a_begin_of_the_begin "{day:%Y-%m-%d}T00:00:00"^^xsd:dateTime ;
        crm:P82b_end_of_the_end "{day:%Y-%m-%d}T23:59:59"^^xsd:dateTime ] ;
    prov:wasDerivedFrom syn:citation-register .
"""


@pytest.fixture(scope="module")
def register_server(tmp_path_factory):
    """A server on the article's data with a synthetic register included: 300 persons in families, and
    trains on more days than the timeline's strip has dots for."""
    from datetime import date, timedelta

    from conftest import Server, koryo_kg, synthetic_register

    register, home = tmp_path_factory.mktemp("register"), tmp_path_factory.mktemp("home")
    generator = synthetic_register(300, register, violations=0)
    trains = [TRAIN.format(n=n, day=date(1937, 9, 1) + timedelta(days=n)) for n in range(pictures.DOTS + 10)]
    (register / "more-trains.ttl").write_text(generator.PREFIXES + "".join(trains), encoding="utf-8")
    built = koryo_kg("build", "--include", str(register), home=home)
    assert built.returncode == 0, built.stdout + built.stderr
    server = Server(home, "--include", str(register))
    yield server
    server.stop()


def test_a_register_s_persons_are_found_and_in_the_sitemap(register_server):
    root = register_server.url.removesuffix("/sparql")
    person = search(register_server, "Synthetic person 123")
    assert person[0]["iri"].endswith("/id/synthetic/person-123") and person[0]["exact"] is True
    assert person[0]["label"] == "Synthetic person 123" and "kg:Person" in person[0]["types"]
    many = requests.get(root + "/search", params={"q": "synthetic person", "limit": 50}).json()
    assert many["total"] == 300 and len(many["results"]) == 50  # the true number, one page of it
    assert [r["label"] for r in many["results"][:3]] == [f"Synthetic person {n}" for n in range(1, 4)]  # shortest first
    inside = requests.get(root + "/search", params={"q": "erson 29"}).json()  # inside a word, on to the next
    assert inside["total"] == 11 and {r["label"] for r in inside["results"]} >= {"Synthetic person 29"}
    index = requests.get(root + "/sitemap.xml").text
    assert "<sitemapindex" in index and f"{root}/sitemap/1.xml" in index
    assert f"{root}/id/synthetic/person-123.html" in requests.get(root + "/sitemap/1.xml").text


def test_a_register_s_trains_are_counted_by_period_on_the_timeline_and_each_in_its_twins(register_server):
    root = register_server.url.removesuffix("/sparql")
    page = requests.get(root + "/timeline", headers={"Accept": "text/html"}).text
    events = requests.get(root + "/timeline", params={"format": "json"}).json()["events"]
    extra = [e for e in events if e["label"].startswith("Synthetic extra train")]
    assert len(extra) == pictures.DOTS + 10 and len(events) > pictures.DOTS
    assert 0 < page.count("<circle") <= pictures.DOTS and "<h2 id=\"period-1937-" in page
    assert all(f"{e['label']}</a>" in page for e in extra)  # fewer than LISTED: each listed, under its period
