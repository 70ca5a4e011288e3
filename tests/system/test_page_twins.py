"""Pages have machine-readable twins (the timeline as JSON and CSV), and browsers get a real 404 page."""

import csv
import io

import requests

from conftest import root

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_the_timeline_as_json_and_csv_has_the_page_s_events(server):
    page = requests.get(root(server) + "/timeline", headers=BROWSER)
    data = requests.get(root(server) + "/timeline", headers={"Accept": "application/json"})
    assert page.headers["Content-Type"].startswith("text/html") and data.headers["Content-Type"] == "application/json"
    events = data.json()["events"]
    assert len(events) > 20 and all(e["iri"].startswith("https://w3id.org/koryo-kg/id/") for e in events)
    assert [e["begin"] for e in events] == sorted(e["begin"] for e in events)
    for event in events[:5]:
        assert event["label"] in page.text
    table = requests.get(root(server) + "/timeline", params={"format": "csv"})
    assert table.headers["Content-Type"] == "text/csv; charset=utf-8" and "\r\n" in table.text
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [r["iri"] for r in rows] == [e["iri"] for e in events]
    assert requests.get(root(server) + "/timeline", params={"format": "pdf"}).status_code == 400
    etag = table.headers["ETag"]
    assert requests.get(root(server) + "/timeline", params={"format": "csv"},
                        headers={"If-None-Match": etag}).status_code == 304


def test_a_browser_gets_a_404_page_with_the_suggestions_as_links(server):
    response = requests.get(root(server) + "/id/person/genrikh-lyushkof.html", headers=BROWSER)
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("text/html")
    assert 'href="' + root(server) + '/id/person/genrikh-lyushkov"' in response.text
    assert 'role="search"' in response.text and 'value="genrikh lyushkof"' in response.text
    plain = requests.get(root(server) + "/id/person/genrikh-lyushkof")
    assert plain.status_code == 404 and plain.headers["Content-Type"].startswith("text/plain")
    assert root(server) + "/id/person/genrikh-lyushkov" in plain.text
