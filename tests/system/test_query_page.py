"""The query page, search, timeline and pictures in a real browser: Debian's chromium, headless, driven by
Playwright, against a `koryo-kg serve` process. What a historian does: type a query and run it, follow a
result, search by any spelling, load an example, open a permalink, walk the timeline; by keyboard alone, at
360 px, without JavaScript. A screenshot of the page is saved under the pytest temporary folder on failure."""

from __future__ import annotations

import gzip
import re
import urllib.parse

import pytest
import requests
from playwright.sync_api import expect

from conftest import opened, root


def test_type_a_query_run_it_and_follow_a_result(server, browser, tmp_path):
    with opened(browser, tmp_path, "run") as page:
        page.goto(root(server) + "/")
        editor = page.locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.type("PREFIX kg: <https://w3id.org/koryo-kg/ontology#>\n"
                           "SELECT ?person WHERE { <https://w3id.org/koryo-kg/id/document/decree-1428-326cc> kg:signatory ?person }")
        page.keyboard.press("Escape")  # close the completion list
        page.keyboard.press("Control+Enter")
        expect(page.locator("#status")).to_have_text(re.compile(r"^2 rows in [0-9.]+ s\."))
        cells = page.locator("table.results tbody td a")
        expect(cells).to_have_count(2)
        assert sorted(cells.all_inner_texts()) == ["Joseph Stalin", "Molotov"]  # labels, not IRIs
        assert "query=" in page.url  # the permalink follows the query
        cells.filter(has_text="Molotov").click()
        expect(page.locator("h1")).to_have_text("Molotov")


def test_completion_offers_our_terms(server, browser, tmp_path):
    with opened(browser, tmp_path, "complete") as page:
        page.goto(root(server) + "/")
        page.locator(".cm-content").click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\nkg:signat")
        option = page.locator(".cm-tooltip-autocomplete li", has_text="kg:signatory")
        expect(option.first).to_be_visible()


def test_an_error_shows_the_parsers_message(server, browser, tmp_path):
    query = urllib.parse.quote("SELECT ?x WHERE { ?x ?y }")
    with opened(browser, tmp_path, "error", expected_status=400) as page:
        page.goto(root(server) + "/?query=" + query)
        alert = page.get_by_role("alert")
        expect(alert).to_be_visible()
        expect(alert).to_contain_text("SPARQL syntax error")
        assert re.search(r"\d+:\d+", alert.inner_text()), alert.inner_text()  # line:column


def test_sort_and_download(server, browser, tmp_path):
    with opened(browser, tmp_path, "sort") as page:
        page.goto(root(server) + "/?example=20-timeline-1926-1992")
        page.locator("#views").get_by_role("tab", name="Table").click()  # dates are shown as a timeline first
        header = page.locator("table.results th", has_text="event")
        expect(header).to_be_visible()
        header.get_by_role("button").click()
        expect(header).to_have_attribute("aria-sort", "ascending")
        events = page.locator("table.results tbody tr td:nth-child(3)").all_inner_texts()
        assert events == sorted(events, key=str.lower)
        csv = page.get_by_role("link", name="CSV")
        response = page.request.get(csv.evaluate("(a) => a.href"))
        assert response.ok and response.headers["content-type"].startswith("text/csv")
        assert response.text().startswith("begin,when,event")


def test_examples_are_searchable_and_load(server, browser, tmp_path):
    with opened(browser, tmp_path, "examples") as page:
        page.goto(root(server) + "/")
        page.get_by_label("Filter the 57 example questions").fill("signed")
        visible = page.locator("#examples li:visible")
        expect(visible).to_have_count(1)
        visible.get_by_role("link").click()
        expect(page.locator("#status")).to_have_text(re.compile(r"^2 rows"))
        assert "kg%3Asignatory" in page.url  # the permalink of the query loaded
        assert "kg:signatory" in page.locator(".cm-content").inner_text()


def test_a_permalink_restores_the_query_and_runs_it(server, browser, tmp_path):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/koryo-kg/ontology#Person> }"
    with opened(browser, tmp_path, "permalink") as page:
        page.goto(root(server) + "/?query=" + urllib.parse.quote(query))
        expect(page.locator("#status")).to_have_text(re.compile(r"^1 row"))
        assert "COUNT(*)" in page.locator(".cm-content").inner_text()
        assert page.get_by_role("link", name="Permalink").get_attribute("href") == "/?query=" + urllib.parse.quote(query, safe="~()*!.'")


@pytest.mark.parametrize("typed", ["Лю", "Lyushkov"])
def test_search_lands_on_lyushkov(server, browser, tmp_path, typed):
    with opened(browser, tmp_path, f"search-{typed}") as page:
        page.goto(root(server) + "/")
        box = page.get_by_label("Find a person, place, act, event or source")
        box.fill(typed)
        suggestion = page.get_by_role("option", name=re.compile("Genrikh Lyushkov"))
        expect(suggestion).to_be_visible()
        suggestion.click()
        expect(page.locator("h1")).to_have_text("Genrikh Lyushkov")


def test_keyboard_alone_searches_and_runs(server, browser, tmp_path):
    with opened(browser, tmp_path, "keyboard") as page:
        page.goto(root(server) + "/")
        for _ in range(12):  # Tab from the top of the page to the search box
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "site-search":
                break
        assert page.evaluate("document.activeElement.id") == "site-search"
        page.keyboard.type("Ushtobe")
        expect(page.get_by_role("option").first).to_be_visible()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_contain_text("Ushtobe")


def test_the_timeline_links_every_event(server, browser, tmp_path):
    with opened(browser, tmp_path, "timeline") as page:
        page.goto(root(server) + "/timeline")
        items = page.locator("ol.events li")
        texts = items.all_inner_texts()
        for expected in ("1926", "1929", "1930", "August 21, 1937", "deadline: 1 January 1938", "1953", "1956",
                         "1991", "1992"):
            assert any(expected in t for t in texts), expected
        links = {a.get_attribute("href") for a in page.locator("ol.events a, svg.timeline a").all()}
        assert len(links) == items.count()
        for link in links:
            assert page.request.get(urllib.parse.urljoin(page.url, link)).ok, link
        page.locator("ol.events a", has_text="decree").first.click()
        expect(page.locator("h1")).to_be_visible()


def test_entity_pictures(server, browser, tmp_path):
    with opened(browser, tmp_path, "pictures") as page:
        page.goto(root(server) + "/id/event/deportation-1937")
        diagram = page.locator("svg.diagram")
        expect(diagram).to_be_visible()
        assert diagram.locator("a").count() >= 5
        chart = page.locator("h2", has_text="Figures: persons deported")
        expect(chart).to_be_visible()
        rows = page.locator("table:has(caption:has-text('persons deported')) tbody tr, "
                            "table:has(caption:has-text('persons deported')) tr:has(td)")
        texts = " ".join(rows.all_inner_texts())
        assert "171,781" in texts and "more than 172,000" in texts and "[16]" in texts  # a numbered note


@pytest.mark.parametrize("path", ["/", "/id/event/deportation-1937", "/timeline", "/search?q=Kim"])
def test_usable_at_360_px(server, browser, tmp_path, path):
    with opened(browser, tmp_path, "narrow", viewport={"width": 360, "height": 740}) as page:
        page.goto(root(server) + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_controls_are_labelled(server, browser, tmp_path):
    with opened(browser, tmp_path, "labels") as page:
        page.goto(root(server) + "/")
        unlabelled = page.evaluate("""Array.from(document.querySelectorAll('input, select, textarea, button'))
            .filter(e => e.offsetParent !== null || e.type === 'search')
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
            .map(e => e.outerHTML)""")
        assert unlabelled == []
        assert page.locator(".cm-content").get_attribute("aria-label") == "SPARQL query"


def test_pages_read_without_javascript(server, browser, tmp_path):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(root(server) + "/")
        assert page.locator("#examples li").count() == 57
        page.locator("#run").click()  # the plain form runs the query at /sparql
        assert "results" in page.content()
        page.goto(root(server) + "/id/event/deportation-1937")
        assert "171,781" in page.content() and page.locator("svg.diagram a").count() >= 5
        page.goto(root(server) + "/timeline")
        assert page.locator("ol.events li").count() > 20
    except BaseException:
        page.screenshot(path=str(tmp_path / "no-js.png"), full_page=True)
        raise
    finally:
        context.close()


def test_light(server):
    """The query page with all its scripts and styles, as sent (gzip) and as bytes."""
    page = requests.get(root(server) + "/", headers={"Accept": "text/html"})
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert {"/static/editor.js", "/static/query.js", "/static/site.js", "/static/site.css"} <= set(assets)
    total = len(page.content) + sum(len(requests.get(root(server) + a).content) for a in set(assets))
    assert total < 500_000, total


def test_scripts_and_styles_travel_compressed(server):
    for asset in ("/static/editor.js", "/static/site.css"):
        plain = requests.get(root(server) + asset, headers={"Accept-Encoding": "identity"})
        zipped = requests.get(root(server) + asset, headers={"Accept-Encoding": "gzip"}, stream=True)
        raw = zipped.raw.read(decode_content=False)
        assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
        assert gzip.decompress(raw) == plain.content and len(raw) < len(plain.content) / 2
        assert zipped.headers["ETag"] != plain.headers["ETag"]
        again = requests.get(root(server) + asset, headers={"Accept-Encoding": "gzip",
                                                             "If-None-Match": zipped.headers["ETag"]})
        assert again.status_code == 304
    assert requests.get(root(server) + "/static/missing.js", headers={"Accept-Encoding": "gzip"}).status_code == 404


def test_lyushkovs_appointment_and_its_source_in_three_clicks(server, browser, tmp_path):
    """The issue's historian: no SPARQL, from the home page to the footnote behind the appointment."""
    with opened(browser, tmp_path, "three-clicks") as page:
        page.goto(root(server) + "/")
        page.get_by_label("Find a person, place, act, event or source").fill("Lyushkov")
        page.get_by_role("option", name=re.compile("^Genrikh Lyushkov")).click()  # 1
        expect(page.locator("h1")).to_have_text("Genrikh Lyushkov")
        page.locator("main a", has_text="assigned chief of the Far Eastern Krai NKVD").first.click()  # 2
        expect(page.locator("h1")).to_contain_text("Lyushkov transferred from Rostov")
        expect(page.locator("main")).to_contain_text("Kim 1989")  # the source beside the facts
        page.locator("ol.notes a", has_text="Footnote 13").first.click()  # 3
        expect(page.locator("h1")).to_have_text("Footnote 13")
        expect(page.locator("main")).to_contain_text("Korean diaspora in Kazakhstan")


def test_keyboard_alone_writes_runs_and_follows_a_result(server, browser, tmp_path):
    def tab_to(page, selector: str) -> None:
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    with opened(browser, tmp_path, "keyboard-run") as page:
        page.goto(root(server) + "/")
        tab_to(page, ".cm-content")
        page.keyboard.press("Control+a")
        page.keyboard.type("SELECT ?place WHERE { ?place a <https://w3id.org/koryo-kg/ontology#Place> ; "
                           "<http://www.w3.org/2000/01/rdf-schema#label> \"Ushtobe\"@en }")
        page.keyboard.press("Escape")
        page.keyboard.press("Control+Enter")
        expect(page.locator("#status")).to_have_text(re.compile(r"^1 row"))
        tab_to(page, "table.results a")
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text("Ushtobe")
