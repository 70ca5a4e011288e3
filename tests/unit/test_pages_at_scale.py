"""Pages that stay bounded however large the register (in-process, on small stores with the limits made
small): the sitemap as an index of sitemap files, the timeline's strip and list by period past their limits
with the JSON and CSV twins complete, and the search index giving what a scan of every name gives."""

import csv
import io
import random
import re
import xml.etree.ElementTree as ET

import pyoxigraph
import pytest
from flask import Flask
from rdflib import Graph, URIRef

from koryo_kg.app import create_app
from koryo_kg.linked_data import documents
from koryo_kg.pages import pictures
from koryo_kg.pages.search import Index, normalized
from koryo_kg.query.embedded import Embedded
from koryo_kg.query.engine import Engine
from koryo_kg.settings import ServerConfig

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ID = "https://w3id.org/koryo-kg/id/"
PREFIXES = """@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _client(turtle: str):
    store = pyoxigraph.Store()
    store.load((PREFIXES + turtle).encode(), format=pyoxigraph.RdfFormat.TURTLE,
               to_graph=pyoxigraph.NamedNode("https://w3id.org/koryo-kg/graph/data"))
    return create_app(ServerConfig(store_path="unused"), engine=Engine(Embedded(store), timeout=10)).test_client()


def _trains(days: dict[str, int]) -> str:
    """`n` synthetic trains on each day."""
    lines, train = [], 0
    for day, n in days.items():
        for _ in range(n):
            train += 1
            lines.append(f'<{ID}synthetic/train-{train}> rdfs:label "Synthetic train {train}"@en ; crm:P4_has_time-span '
                         f'[ rdfs:label "{day}"@en ; crm:P82a_begin_of_the_begin "{day}T00:00:00"^^xsd:dateTime ] .')
    return "\n".join(lines) + "\n"


def test_the_sitemap_is_an_index_of_files_that_list_every_entity_page_once(monkeypatch):
    monkeypatch.setattr(documents, "SITEMAP_URLS", 7)
    client = _client("".join(f'<{ID}synthetic/person-{n}> rdfs:label "Synthetic person {n}"@en .\n' for n in range(30)))
    index = client.get("/sitemap.xml")
    assert index.status_code == 200 and index.mimetype == "application/xml"
    files = [e.text for e in ET.fromstring(index.data).iter(SITEMAP + "loc")]
    assert ET.fromstring(index.data).tag == SITEMAP + "sitemapindex"
    assert [f.rsplit("/", 1)[-1] for f in files] == [f"{n}.xml" for n in range(1, 6)]  # 30 pages, 7 a file
    listed = []
    for url in files:
        page = client.get(url.removeprefix("http://localhost"))
        root = ET.fromstring(page.data)
        assert page.status_code == 200 and root.tag == SITEMAP + "urlset"
        urls = [e.text for e in root.iter(SITEMAP + "loc")]
        assert 0 < len(urls) <= 7
        listed += urls
    assert sorted(listed) == sorted(f"http://localhost/id/synthetic/person-{n}.html" for n in range(30))
    for beyond in ("/sitemap/0.xml", "/sitemap/6.xml", "/sitemap/99999999999999999999.xml", "/sitemap/-1.xml"):
        assert client.get(beyond).status_code == 404, beyond


def test_a_few_events_are_each_a_dot_and_listed():
    page = _client(_trains({"1937-09-01": 2, "1937-09-03": 1})).get("/timeline", headers={"Accept": "text/html"}).text
    assert page.count("<circle") == 3 and page.count("Synthetic train") >= 3 and "<h2" not in page


def test_past_its_limits_the_timeline_draws_and_lists_periods_and_its_twins_have_every_event(monkeypatch):
    monkeypatch.setattr(pictures, "DOTS", 4)
    monkeypatch.setattr(pictures, "LISTED", 20)
    days = {f"1937-09-{d:02d}": 3 for d in range(1, 4)} | {f"1937-10-{d:02d}": 10 for d in range(1, 3)}
    client = _client(_trains(days))  # 29 events on 5 days of 2 months
    page = client.get("/timeline", headers={"Accept": "text/html"}).text
    assert page.count("<circle") == 2  # 5 days are more than 4 dots: by month
    headings = re.findall(r'<h2 id="(period-[\d-]+)">([^<]+) <span class="note">(\d+) events</span>', page)
    assert [(h[1].strip(), int(h[2])) for h in headings] == [("September 1937", 9), ("October 1937", 20)]
    for anchor, *_ in headings:
        assert f'href="#{anchor}"' in page  # each dot leads to its period in the list
    assert page.count("<li><time") == 2 * pictures.PER_PERIOD and "and 4 more" in page and "and 15 more" in page
    events = client.get("/timeline?format=json").json["events"]
    assert len(events) == 29 and len({e["iri"] for e in events}) == 29
    rows = list(csv.DictReader(io.StringIO(client.get("/timeline?format=csv").text)))
    assert [r["iri"] for r in rows] == [e["iri"] for e in events]


def test_more_days_than_dots_and_fewer_events_than_listed_lists_them_all_by_day(monkeypatch):
    monkeypatch.setattr(pictures, "DOTS", 4)
    page = _client(_trains({"1937-09-01": 2, "1937-09-02": 3, "1937-09-05": 1})).get(
        "/timeline", headers={"Accept": "text/html"}).text
    assert page.count("<circle") == 3 and page.count("<li><time") == 6 and "more:" not in page
    assert '<h2 id="period-1937-09-02">2 September 1937' in page


def _scan(rows: list[tuple], text: str) -> tuple[int, list[tuple[str, bool]]]:
    """What the search gave before it had an index: every name of every thing ranked, in Python."""
    query, things = normalized(text), {}
    for iri, name, english in rows:
        thing = things.setdefault(iri, {"names": {}, "label": None})
        thing["names"].setdefault(normalized(name), name)
        thing["label"] = thing["label"] or (name if english else None)
    ranked = []
    for place, (iri, thing) in enumerate(things.items()):
        best = None
        for name, written in thing["names"].items():
            if not query or not name or query not in name:
                continue
            score = 0 if name == query else 1 if name.startswith(query) else 2 if f" {query}" in f" {name}" else 3
            best = min(best or (score, len(name), written), (score, len(name), written))
        if best:
            ranked.append((best, thing["label"] or next(iter(thing["names"].values())), place, iri))
    ranked.sort()
    return len(ranked), [(iri, rank[0] == 0) for rank, _, _, iri in ranked]


@pytest.mark.parametrize("inside_words", [64, 1])  # the query inside words found by the words, or by every name
def test_the_index_finds_what_a_scan_of_every_name_finds(monkeypatch, inside_words):
    monkeypatch.setattr("koryo_kg.pages.search.INSIDE_WORDS", inside_words)
    rng = random.Random(1937)
    letters = "aabkimsu  -ёе"
    rows = [(f"{ID}thing/{t}", "".join(rng.choice(letters) for _ in range(rng.randint(1, 9))), rng.random() < .3)
            for t in range(400) for _ in range(rng.randint(1, 3))]
    app = Flask(__name__)
    app.config["KORYO"] = ServerConfig(store_path="unused")
    with app.test_request_context():
        index = Index(rows)
        queries = ["a", "aa", "k", "ki", "a b", "b a", "im", "m s", "su", "ab a", "ё", "kim", "u", "s k", "", "-"]
        for text in queries + ["".join(rng.choice(letters) for _ in range(rng.randint(1, 4))) for _ in range(200)]:
            total, ranked = _scan(rows, text)
            for offset, limit in ((0, 10), (0, 50), (7, 5), (40, 50)):
                found, results = index.find(text, limit, offset)
                assert (found, [(r["iri"], r["exact"]) for r in results]) == (total, ranked[offset:offset + limit]), text


def test_past_its_bound_the_editor_completes_only_the_article_s_own_things(monkeypatch):
    from koryo_kg.pages import query_page

    monkeypatch.setattr(query_page, "COMPLETED_THINGS", 5)
    store = pyoxigraph.Store()
    store.load((PREFIXES + f'<{ID}person/lyushkov> rdfs:label "Genrikh Lyushkov"@en .\n').encode(),
               format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode("https://w3id.org/koryo-kg/graph/data"))
    register = "".join(f'<{ID}synthetic/person-{n}> rdfs:label "Synthetic person {n}"@en .\n' for n in range(20))
    store.load((PREFIXES + register).encode(), format=pyoxigraph.RdfFormat.TURTLE,
               to_graph=pyoxigraph.NamedNode("https://w3id.org/koryo-kg/graph/include/register"))
    client = create_app(ServerConfig(store_path="unused"), engine=Engine(Embedded(store), timeout=10)).test_client()
    page = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Genrikh Lyushkov" in page and "Synthetic person" not in page
    assert client.get("/search", query_string={"q": "Synthetic person 7"}).get_json()["total"] >= 1  # still found
    monkeypatch.setattr(query_page, "COMPLETED_THINGS", 50)
    client = create_app(ServerConfig(store_path="unused"), engine=Engine(Embedded(store), timeout=10)).test_client()
    assert "Synthetic person 7" in client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)


def test_a_thing_with_many_links_lists_a_bounded_number_with_the_count_and_its_rdf_documents_hold_them_all(monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    from koryo_kg.pages import entity_read

    monkeypatch.setattr(entity_read, "SHOWN", 5)
    kg = "https://w3id.org/koryo-kg/ontology#"
    train = f"<{ID}synthetic/train-1>"
    turtle = f'{train} rdfs:label "Synthetic train 1"@en ; <{kg}origin> <{ID}place/a>, <{ID}place/b>, <{ID}place/c>, <{ID}place/d>, <{ID}place/e> .\n'
    for n in range(12):
        turtle += (f'{train} <{kg}affectedGroup> <{ID}synthetic/family-{n}> .\n<{ID}synthetic/family-{n}> rdfs:label "Family {n}"@en .\n'
                   f'<{ID}synthetic/person-{n}> <{kg}partOf> {train} ; rdfs:label "Person {n}"@en .\n')
    client = _client(turtle)
    page = client.get("/id/synthetic/train-1.html").text
    assert len(set(re.findall(r">Family \d+<", page))) == 5 and len(set(re.findall(r">Person \d+<", page))) == 5
    assert page.count("12 in all, 5 shown") == 2  # the facts' row and the mentions
    assert "place/e" in page and "in all, 5 shown" not in page.split("place/e")[1].split("</tr>")[0]  # five: all of them
    queries = [parse_qs(urlsplit(href.replace("&amp;", "&")).query)["query"][0]
               for href in re.findall(r'href="(/\?query=[^"]+)">all of them in SPARQL', page)]
    assert len(queries) == 2 and any(f"<{kg}affectedGroup>" in q for q in queries) and any(f"<{kg}partOf>" in q for q in queries)
    for query in queries:
        answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
        assert len(answer.json["results"]["bindings"]) == 12
    document = Graph().parse(data=client.get("/id/synthetic/train-1.ttl").text, format="turtle")
    assert len(set(document.objects(URIRef(train[1:-1]), URIRef(kg + "affectedGroup")))) == 12
    assert len(set(document.subjects(URIRef(kg + "partOf"), URIRef(train[1:-1])))) == 12
