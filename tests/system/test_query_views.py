"""The query page's result views, tabs, history, share links and code snippets in a real browser (Debian's
chromium, headless, Playwright) against a `koryo-kg serve` process: each view drawn for a query that suits it
and chosen by itself, IRIs read by label or prefixed name, the common vocabularies completed, what the browser
keeps surviving a reload, a short link opened by someone else, the snippets run for real, by keyboard alone,
at 360 px, and a page no longer than its content."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import urllib.parse

import pytest
from playwright.sync_api import expect

from conftest import opened, root

GAZETTEER = """PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?place ?lat ?long WHERE {
  GRAPH <https://w3id.org/koryo-kg/graph/gazetteer> { ?place skos:exactMatch|skos:closeMatch ?f . ?f geo:lat ?lat ; geo:long ?long }
}"""
DECREE = "https://w3id.org/koryo-kg/id/document/decree-1428-326cc"
DESCRIBE = f"DESCRIBE <{DECREE}>"
# a comment with every character a snippet's quoting must carry: quotes of both kinds, a backslash, ${ and `
AWKWARD = """# it's "Ushtobe" \\ ${not} `code`
SELECT ?place WHERE { ?place <http://www.w3.org/2000/01/rdf-schema#label> "Ushtobe"@en }"""
# each view: a query page address whose results it suits, and the tab it is chosen by
SUITS = {"chart": ("/?example=18-figures-by-place", "Bar chart"), "timeline": ("/?example=20-timeline-1926-1992", "Timeline"),
         "map": ("/?query=" + urllib.parse.quote(GAZETTEER), "Map"), "graph": ("/?query=" + urllib.parse.quote(DESCRIBE), "Graph")}


def status_rows(page) -> int:
    expect(page.locator("#status")).to_have_text(re.compile(r"^(\d+ rows?|A graph of \d+ triples?)"))
    return int(re.search(r"\d+", page.locator("#status").inner_text()).group())


def view_tab(page, name: str):
    return page.locator("#views").get_by_role("tab", name=name)


def opened_view(page, server, address: str, tab: str = "Table") -> int:
    """Open the query page at `address` (its query runs by itself), wait for the answer and check that the view
    chosen by itself is `tab`; the rows (or triples) it says it has."""
    page.goto(root(server) + address)
    count = status_rows(page)
    expect(view_tab(page, tab)).to_have_attribute("aria-selected", "true")
    return count


def type_query(page, text: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def test_numbers_are_drawn_as_a_bar_chart(server, browser, tmp_path):
    with opened(browser, tmp_path, "chart") as page:
        assert opened_view(page, server, *SUITS["chart"]) == 3
        rows = page.locator(".chart-view tbody tr")
        expect(rows).to_have_count(3)
        assert "Kazakhstan" in rows.first.inner_text() and "100,000" in rows.first.inner_text()
        widths = [float(w) for w in page.locator(".chart-view rect.value").evaluate_all("rs => rs.map(r => r.getAttribute('width'))")]
        assert widths[0] == 1000 and widths[1] == pytest.approx(740, abs=1) and widths[2] == pytest.approx(340, abs=1)
        view_tab(page, "Table").click()  # the table is always there
        expect(page.locator("table.results tbody tr")).to_have_count(3)


def test_dates_are_drawn_as_a_timeline(server, browser, tmp_path):
    with opened(browser, tmp_path, "timeline") as page:
        count = opened_view(page, server, *SUITS["timeline"])
        expect(page.locator(".timeline-strip circle")).to_have_count(count)
        dates = page.locator(".timeline-view td.date").all_inner_texts()
        assert len(dates) == count and dates == sorted(dates) and dates[0] == "1926-12-06"
        assert "Secret resettlement plan adopted" in page.locator(".timeline-view tbody tr").first.inner_text()
        xs = [float(x) for x in page.locator(".timeline-strip circle").evaluate_all("cs => cs.map(c => c.getAttribute('cx'))")]
        assert xs == sorted(xs) and xs[0] == 0 and xs[-1] == 990  # 1926 at the left, 1992 at the right


def test_latitudes_and_longitudes_are_drawn_as_a_map(server, browser, tmp_path):
    with opened(browser, tmp_path, "map") as page:
        count = opened_view(page, server, *SUITS["map"])
        points = page.locator("svg.map-view circle.point")
        expect(points).to_have_count(count)
        place = {}
        for a in page.locator("svg.map-view a").all():
            circle = a.locator("circle")
            place[a.locator("text").text_content()] = (float(circle.get_attribute("cx")), float(circle.get_attribute("cy")))
        assert place["Moscow"][1] < place["Tashkent"][1]  # north is up
        assert place["Tashkent"][0] < place["Khabarovsk"][0]  # east is right
        assert page.locator("svg.map-view a[href*='/id/place/']").count() == count
        page.locator("svg.map-view a", has_text="Tashkent").focus()  # labels close together may overlap
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_contain_text("Tashkent")


def test_a_graph_is_drawn_and_written_as_turtle(server, browser, tmp_path):
    with opened(browser, tmp_path, "graph") as page:
        triples = opened_view(page, server, *SUITS["graph"])
        expect(page.locator("svg.graph-view g.edge")).to_have_count(triples)
        edges = page.locator("svg.graph-view g.edge text").all_text_contents()
        assert "dcterms:date" in edges and "rdf:type" in edges  # prefixed names, not full IRIs
        assert page.locator("svg.graph-view a", has_text="Joseph Stalin").count() == 1
        view_tab(page, "Turtle").click()
        text = page.locator("pre.turtle").inner_text()
        assert "@prefix dcterms: <http://purl.org/dc/terms/> ." in text and text.count("\n") > triples / 2
        assert f"<{DECREE}>" not in text and "doc:decree-1428-326cc\n" in text
        view_tab(page, "Table").click()
        expect(page.locator("table.results tbody tr")).to_have_count(triples)
        page.locator("#views [aria-selected=true]").focus()
        page.keyboard.press("ArrowLeft")  # arrows go round the views
        expect(view_tab(page, "Turtle")).to_have_attribute("aria-selected", "true")


def test_iris_read_by_label_or_prefixed_name(server, browser, tmp_path):
    query = """PREFIX kg: <https://w3id.org/koryo-kg/ontology#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
SELECT ?property ?class WHERE {
  VALUES ?property { <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2003/01/geo/wgs84_pos#lat> }
  VALUES ?class { kg:Person crm:E21_Person <http://www.w3.org/ns/prov#Person> kg:Place } }"""
    with opened(browser, tmp_path, "names") as page:
        assert opened_view(page, server, "/?query=" + urllib.parse.quote(query)) == 8
        properties = set(page.locator("table.results tbody td:nth-child(1)").all_inner_texts())
        assert properties == {"rdf:type", "geo:lat"}
        classes = set(page.locator("table.results tbody td:nth-child(2)").all_inner_texts())
        # the labels that collide carry the prefixed name; the one that does not stays a label
        assert {"Person kg:Person", "Person crm:E21_Person", "Person prov:Person"} <= classes
        assert "Place" in classes


@pytest.mark.parametrize("typed, offered", [("skos:exactM", "skos:exactMatch"), ("dcterms:crea", "dcterms:created"),
                                            ("crm:P14_", "crm:P14_carried_out_by"), ("geo:la", "geo:lat"),
                                            ("prov:wasAttr", "prov:wasAttributedTo"), ("schema:birthD", "schema:birthDate")])
def test_completion_offers_common_vocabularies(server, browser, tmp_path, typed, offered):
    with opened(browser, tmp_path, "complete-" + typed.split(":")[0]) as page:
        page.goto(root(server) + "/")
        page.wait_for_load_state("networkidle")
        page.locator(".cm-content").click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\n" + typed)
        expect(page.locator(".cm-tooltip-autocomplete li", has_text=offered).first).to_be_visible()


def test_history_and_tabs_survive_a_reload(server, browser, tmp_path):
    first = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/koryo-kg/ontology#Person> }"
    second = "ASK { ?s a <https://w3id.org/koryo-kg/ontology#Place> }"
    with opened(browser, tmp_path, "history") as page:
        page.goto(root(server) + "/")
        type_query(page, first)
        page.keyboard.press("Control+Enter")
        assert status_rows(page) == 1
        page.get_by_role("button", name="New tab").click()
        expect(page.get_by_role("tab", name="Query 2")).to_have_attribute("aria-selected", "true")
        type_query(page, second)
        page.keyboard.press("Control+Enter")
        expect(page.locator("#status")).to_have_text(re.compile("^Answered"))
        page.reload()
        expect(page.get_by_role("tab", name="Query 2")).to_have_attribute("aria-selected", "true")
        expect(page.locator(".cm-content")).to_have_text(second)
        page.get_by_role("tab", name="Query 1").click()
        expect(page.locator(".cm-content")).to_have_text(first)
        page.locator("#history summary").click()
        entries = page.locator("#history-list li")
        expect(entries).to_have_count(2)
        assert entries.nth(0).inner_text().startswith("ASK") and "true" in entries.nth(0).inner_text()
        assert "1 row" in entries.nth(1).inner_text()
        entries.nth(0).get_by_role("button").click()  # a past query opens in the tab that has it
        expect(page.get_by_role("tab", name="Query 2")).to_have_attribute("aria-selected", "true")
        page.get_by_role("button", name="Close tab").click()
        expect(page.locator("#editor-tabs [role=tab]")).to_have_count(1)
        expect(page.locator(".cm-content")).to_have_text(first)
        page.get_by_role("button", name="Clear the history").click()
        expect(entries).to_have_count(0)
        page.goto(root(server) + "/")
        expect(page.locator("#editor-tabs [role=tab]")).to_have_count(1)
        assert json.loads(page.evaluate("localStorage.getItem('koryo-kg.history')")) == []


def test_each_editor_tab_shows_its_own_results(server, browser, tmp_path):
    """Switching tabs once left the previous tab's rows under the other tab's query."""
    persons = "SELECT ?p WHERE { ?p a <https://w3id.org/koryo-kg/ontology#Person> } LIMIT 3"
    with opened(browser, tmp_path, "tab-results", expected_status=400) as page:
        assert opened_view(page, server, *SUITS["chart"]) == 3
        page.get_by_role("button", name="New tab").click()
        expect(page.locator("#results")).to_be_empty()  # a tab never run shows nothing
        expect(page.locator("#status")).to_have_text("")
        expect(page.locator("#views")).to_be_hidden()
        expect(page.locator("#downloads")).to_be_hidden()
        type_query(page, persons)
        page.keyboard.press("Control+Enter")
        expect(page.locator("#status")).to_have_text(re.compile("^3 rows"))
        expect(view_tab(page, "Table")).to_have_attribute("aria-selected", "true")
        page.get_by_role("tab", name="Query 1").click()
        expect(view_tab(page, "Bar chart")).to_have_attribute("aria-selected", "true")
        expect(page.locator(".chart-view tbody tr").first).to_contain_text("Kazakhstan")
        view_tab(page, "Table").click()  # the restored views still switch
        expect(page.locator("table.results tbody tr")).to_have_count(3)
        expect(page.locator("table.results")).to_contain_text("persons deported")
        page.get_by_role("tab", name="Query 2").click()
        expect(page.locator("table.results")).not_to_contain_text("Kazakhstan")
        expect(page.locator("table.results a[href*='/id/person/']")).to_have_count(3)
        type_query(page, "SELECT ?x WHERE { ?x }")  # an error stays with its tab too
        page.keyboard.press("Control+Enter")
        expect(page.locator("#error")).to_be_visible()
        page.get_by_role("tab", name="Query 1").click()
        expect(page.locator("#error")).to_be_hidden()
        expect(page.locator("table.results tbody tr")).to_have_count(3)
        page.get_by_role("tab", name="Query 2").click()
        expect(page.locator("#error")).to_be_visible()
        expect(page.locator("#results")).to_be_empty()
        page.get_by_role("button", name="Close tab").click()
        expect(page.locator("table.results tbody tr")).to_have_count(3)
        expect(page.locator("#error")).to_be_hidden()


def test_a_short_link_opens_the_query_for_someone_else(server, browser, tmp_path):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        rows = opened_view(page, server, *SUITS["timeline"])
        query = page.locator("#query").input_value()
        page.get_by_role("button", name="Copy a short link").click()
        expect(page.locator("#share")).to_have_text("Copied")
        link = page.locator("#share-link").input_value()
        assert page.evaluate("navigator.clipboard.readText()") == link
        permalink = page.get_by_role("link", name="Permalink").evaluate("(a) => a.href")
        assert link.startswith(root(server) + "/#q=") and len(link) < len(permalink) / 2, (len(link), len(permalink))
    finally:
        context.close()
    with opened(browser, tmp_path, "shared") as other:  # another browser: nothing kept, nothing on the server
        other.goto(link)
        assert status_rows(other) == rows
        assert other.locator("#query").input_value() == query
        other.reload()  # the address is now the permalink: a reload keeps the query and its one tab
        assert status_rows(other) == rows
        expect(other.locator("#editor-tabs [role=tab]")).to_have_count(2)  # the default query's tab, and this one


def test_a_damaged_short_link_says_so(server, browser, tmp_path):
    with opened(browser, tmp_path, "damaged") as page:
        page.goto(root(server) + "/#q=bm90IGRlZmxhdGVk")
        expect(page.get_by_role("alert")).to_contain_text("This share link is damaged")
        expect(page.locator(".cm-content")).to_contain_text("SELECT")  # the page still works


def run_snippet(command: list[str], code: str) -> str:
    result = subprocess.run([*command, code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_code_snippets_run_and_give_the_same_rows(server, browser, tmp_path):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        assert opened_view(page, server, "/?query=" + urllib.parse.quote(AWKWARD)) == 1
        place = page.locator("table.results a").get_attribute("title")
        page.locator("#snippets summary").click()
        code = {language: page.locator(f"#snippet-{language}").inner_text() for language in ("curl", "python", "r", "javascript")}
        page.get_by_role("button", name="Copy the curl code").click()
        # the copy is asynchronous: wait for the clipboard to hold something (up to the default timeout)
        page.wait_for_function("async () => (await navigator.clipboard.readText()) !== ''")
        assert page.evaluate("navigator.clipboard.readText()") == code["curl"]
    finally:
        context.close()
    if shutil.which("curl"):
        answer = list(csv.DictReader(io.StringIO(run_snippet(["bash", "-c"], code["curl"]))))
        assert answer == [{"place": place}]
    printed = run_snippet([sys.executable, "-c"], code["python"])
    assert printed.strip() == str({"place": place})
    if shutil.which("node"):
        printed = run_snippet(["node", "--input-type=module", "-e"], code["javascript"])
        assert place in printed and printed.count("│") > 3  # a console.table of one row
    assert code["r"].startswith("# install.packages(\"httr\")") and AWKWARD in code["r"]
    if shutil.which("Rscript") and subprocess.run(["Rscript", "-e", "library(httr)"], capture_output=True).returncode == 0:
        assert place in run_snippet(["Rscript", "-e"], code["r"])


def test_snippets_of_a_graph_ask_for_turtle(server, browser, tmp_path):
    with opened(browser, tmp_path, "graph-snippet") as page:
        opened_view(page, server, *SUITS["graph"])
        page.locator("#snippets summary").click()
        expect(page.locator("#snippet-curl")).to_contain_text("Accept: text/turtle")  # written once the answer is in
        printed = run_snippet([sys.executable, "-c"], page.locator("#snippet-python").inner_text())
        assert "decree-1428-326cc" in printed and "purl.org/dc/terms/" in printed
        if shutil.which("curl"):
            printed = run_snippet(["bash", "-c"], page.locator("#snippet-curl").inner_text())
            assert printed.startswith("@prefix") or f"<{DECREE}>" in printed


def test_keyboard_alone_changes_view_and_tab(server, browser, tmp_path):
    with opened(browser, tmp_path, "keyboard-views") as page:
        opened_view(page, server, *SUITS["chart"])
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.closest('#views') !== null"):
                break
        assert page.evaluate("document.activeElement.textContent") == "Bar chart"
        page.keyboard.press("ArrowLeft")
        expect(view_tab(page, "Table")).to_have_attribute("aria-selected", "true")
        expect(view_tab(page, "Table")).to_be_focused()
        expect(page.locator("table.results")).to_be_visible()
        page.keyboard.press("Shift+Tab")  # back up to the editor's tabs: a new one, and back with the arrows
        for _ in range(30):
            if page.evaluate("document.activeElement.id") == "new-tab":
                break
            page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        expect(page.get_by_role("tab", name="Query 2")).to_be_focused()
        page.keyboard.press("Home")
        expect(page.get_by_role("tab", name="Query 1")).to_have_attribute("aria-selected", "true")
        expect(page.locator(".cm-content")).to_contain_text("How many Koreans were deported")


@pytest.mark.parametrize("view", sorted(SUITS))
def test_each_view_fits_360_px(server, browser, tmp_path, view):
    with opened(browser, tmp_path, f"narrow-{view}", viewport={"width": 360, "height": 740}) as page:
        opened_view(page, server, *SUITS[view])
        page.locator("#snippets summary").click()
        page.locator("#history summary").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        view_tab(page, "Table").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("width", [1280, 360])
def test_the_page_ends_where_its_content_does(server, browser, tmp_path, width):
    """The examples' visually hidden link texts once hung 6,000 px of blank page below the footer."""
    with opened(browser, tmp_path, f"height-{width}", viewport={"width": width, "height": 800}) as page:
        page.goto(root(server) + "/")
        page.wait_for_load_state("networkidle")
        end = page.evaluate("document.querySelector('footer.site').getBoundingClientRect().bottom + scrollY")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= end + 64, (height, end)  # the body's bottom padding, and no more


@pytest.mark.parametrize("example", ["08-lyushkov-appointment", "36-deaths", "02-date-of-decree-1428"])
def test_numbers_and_dates_that_make_no_picture_stay_a_table(server, browser, tmp_path, example):
    """Footnote numbers, one label twice, one date twice: the table first, the other views a tab away."""
    with opened(browser, tmp_path, "table-" + example) as page:
        opened_view(page, server, "/?example=" + example)
        expect(page.locator("table.results")).to_be_visible()
        assert page.locator("#views [role=tab]").count() == 2
