"""XSS and the browser's protections, in Debian's chromium (headless, Playwright) against `koryo-kg serve`:
a permalink that makes `javascript:` IRIs, and data planted with such IRIs and with markup in its names
(tests/fixtures/hostile), show as inert text on every page; every kind of page loads with no console error
and no Content-Security-Policy violation; every response carries the security headers."""

from __future__ import annotations

import contextlib
import re
import urllib.parse

import pytest
import requests
from playwright.sync_api import expect

from conftest import FIXTURES, Server, root

PLANTED = "/id/person/planted"
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) =>
    console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));"""
# every href on the page, as the browser resolves it
PROTOCOLS = """Array.from(document.querySelectorAll('a[href]'))  // SVG links too
    .map(a => new URL(a.getAttribute('href'), location.href).protocol)"""
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}


@pytest.fixture(scope="module")
def hostile(home):
    server = Server(home, "--add", str(FIXTURES / "hostile"))
    yield server
    server.stop()


@contextlib.contextmanager
def watched(browser, tmp_path, name, expected_status=None):
    """A page recording console errors (CSP violations among them, from Chromium's own message and from the
    securitypolicyviolation event) and dialogs (what alert() would open); a screenshot if anything failed."""
    page = browser.new_page()
    page.add_init_script(REPORT_VIOLATIONS)
    page.errors, page.dialogs = [], []
    expected = f"status of {expected_status} " if expected_status else None
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" and not (
        expected and expected in m.text) else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield page
    except BaseException:
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        raise
    finally:
        page.close()


def click_every_planted_text(page, pattern: str) -> None:
    for element in page.get_by_text(re.compile(pattern)).all():
        if element.is_visible():
            element.click()
    page.wait_for_timeout(300)  # a dialog, had one opened, would have been reported by now


def test_csp_violations_are_seen_and_inline_script_does_not_run(hostile, browser, tmp_path):
    """The detection the other tests rely on fires, and the policy blocks what an injection would add."""
    with watched(browser, tmp_path, "violation") as page:
        page.goto(root(hostile) + "/timeline")
        page.evaluate("""() => { const s = document.createElement('script');
            s.textContent = 'window.ran = true; alert(1)'; document.body.append(s);
            document.body.setAttribute('style', 'color: red'); }""")
        expect(page.locator("body")).to_have_attribute("style", "color: red")
        page.wait_for_timeout(300)
        assert page.evaluate("window.ran") is None and page.dialogs == []
        assert any("Content Security Policy" in e for e in page.errors), page.errors
        assert any(e.startswith("CSP violation: script-src") for e in page.errors), page.errors
        assert any(e.startswith("CSP violation: style-src") for e in page.errors), page.errors


def test_a_permalink_making_javascript_iris_shows_them_as_text(hostile, browser, tmp_path):
    query = ('SELECT ?link WHERE { { BIND (IRI("javascript:alert(1)") AS ?link) } UNION { VALUES ?link { '
             '<JaVaScRiPt:alert(2)> <data:text/html,%3Cscript%3Ealert(3)%3C/script%3E> <vbscript:msgbox(4)> '
             '<file:///etc/passwd> <urn:isbn:0451450523> <https://example.org/plain> } } }')
    with watched(browser, tmp_path, "permalink") as page:
        page.goto(root(hostile) + "/?query=" + urllib.parse.quote(query))
        expect(page.locator("#status")).to_have_text(re.compile(r"^7 rows"))
        cells = page.locator("table.results tbody td")
        assert "javascript:alert(1)" in cells.all_inner_texts()
        links = page.locator("table.results a")
        expect(links).to_have_count(1)
        assert links.get_attribute("href") == "https://example.org/plain"
        assert page.locator('a[href^="javascript:" i], a[href^="data:" i], a[href^="vbscript:" i]').count() == 0
        assert set(page.evaluate(PROTOCOLS)) <= {"http:", "https:"}
        click_every_planted_text(page, r"^(javascript|JaVaScRiPt|data|vbscript):")
        assert page.dialogs == [] and page.errors == []
        assert page.url.startswith(root(hostile))


def test_planted_data_is_inert_on_the_entity_page(hostile, browser, tmp_path):
    with watched(browser, tmp_path, "planted") as page:
        page.goto(root(hostile) + PLANTED)
        expect(page.locator("h1")).to_have_text("Planted <script>alert('label')</script> person")
        assert page.locator("main").get_by_text("onerror=alert('attribute')").count() == 1  # shown, as text
        assert page.locator("main img, main script:not([type='application/ld+json'])").count() == 0
        assert set(page.evaluate(PROTOCOLS)) <= {"http:", "https:"}
        assert page.locator("a", has_text="A mention from javascript:").count() == 0
        assert page.locator("a", has_text="A statement at javascript:").count() == 0
        expect(page.locator(".facts a[href='https://example.org/a-plain-link']")).to_have_count(1)
        for shown in ("javascript:alert('seeAlso')", "vbscript:msgbox('vb')", "file:///etc/passwd",
                      "A mention from javascript:", "A statement at javascript:"):
            expect(page.locator("main").get_by_text(shown, exact=False).first).to_be_visible()
        data = page.locator("script[type='application/ld+json']").text_content()
        assert "<" not in data and "alert('label')" in data  # the JSON-LD cannot end its own script element
        click_every_planted_text(page, r"javascript:|vbscript:|data:|A mention from|A statement at")
        assert page.dialogs == [] and page.errors == []


def test_planted_data_is_inert_on_the_timeline_and_in_search(hostile, browser, tmp_path):
    with watched(browser, tmp_path, "planted-lists") as page:
        page.goto(root(hostile) + "/timeline")
        item = page.locator("ol.events li", has_text="Planted event")
        expect(item).to_have_count(1)
        assert item.locator("a").count() == 0 and "onerror=alert('event')" in item.inner_text()
        assert len(page.locator("svg.timeline a").all()) == page.locator("ol.events a").count()
        assert set(page.evaluate(PROTOCOLS)) <= {"http:", "https:"}
        click_every_planted_text(page, "Planted event")
        page.goto(root(hostile) + "/search?q=planted")
        expect(page.locator("main li a", has_text="Planted <script>")).to_have_count(1)
        page.get_by_label("Find a person, place, act, event or source").fill("planted")
        expect(page.get_by_role("option", name=re.compile("^Planted <script>"))).to_be_visible()
        assert page.locator("img, script:not([src])").count() == 0
        assert page.dialogs == [] and page.errors == []


@pytest.mark.parametrize("path, expected_status", [
    ("/", None), ("/?example=20-timeline-1926-1992", None), ("/sparql", None), ("/id/event/deportation-1937", None),
    ("/id/person/genrikh-lyushkov", None), (PLANTED, None), ("/timeline", None), ("/search?q=Kim", None),
    ("/ontology", None), ("/validation", None), ("/id/person/nobody-at-all", 404),
])
def test_every_page_kind_loads_without_errors_or_violations(hostile, browser, tmp_path, path, expected_status):
    with watched(browser, tmp_path, "page-" + re.sub(r"\W+", "_", path), expected_status) as page:
        response = page.goto(root(hostile) + path)
        assert response.status == (expected_status or 200)
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        page.wait_for_load_state("networkidle")
        if page.locator("#site-search").count():  # the suggestions are built by script: no violation either
            page.locator("#site-search").fill("Lyu")
            expect(page.get_by_role("option").first).to_be_visible()
        if page.locator(".cm-content").count():  # the editor's styles and its completion tooltip
            page.locator(".cm-content").click()
            page.keyboard.press("Control+End")
            page.keyboard.type("\nkg:signat")
            expect(page.locator(".cm-tooltip-autocomplete").first).to_be_visible()
        assert page.errors == [] and page.dialogs == []


def _check_headers(response: requests.Response) -> None:
    """The headers, and a policy that allows no inline script (inline style only on the editor's page)."""
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name, response.headers)
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    editor = response.request.method == "GET" and urllib.parse.urlsplit(response.url).path in ("/", "/sparql") \
        and "text/html" in response.headers["Content-Type"]
    assert ("'unsafe-inline'" in policy) == editor, (response.url, policy)
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert policy.count("default-src") == 1  # sent once (requests joins repeated headers with commas)


def test_every_response_carries_the_security_headers(hostile):
    base = root(hostile)
    html = {"Accept": "text/html"}
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    responses = [
        requests.get(base + "/", headers=html), requests.get(base + PLANTED + ".html"),
        requests.get(base + "/sparql", params={"query": query}),  # the Protocol's fast path
        requests.post(base + "/sparql", data={"query": query}, headers={"Accept": "text/csv"}),
        requests.post(base + "/sparql", data=query, headers={"Content-Type": "application/sparql-query"}),
        requests.get(base + "/sparql", params={"query": "SELECT"}),  # 400 from the fast path
        requests.get(base + "/sparql"),  # service description
        requests.get(base + "/static/site.css"), requests.get(base + "/static/query.js", headers={"Accept-Encoding": "gzip"}),
        requests.get(base + "/id/person/nobody-at-all"), requests.get(base + "/search", params={"q": "Kim"}),
        requests.post(base + "/sparql", data="x" * 2_000_000, headers={"Content-Type": "application/sparql-query"}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 400, 200, 200, 200, 404, 200, 413]
    for response in responses:
        _check_headers(response)
    head = requests.head(base + "/sparql", params={"query": query})
    _check_headers(head)


def test_cors_is_unaffected(hostile):
    query = "ASK {}"
    origin = {"Origin": "https://elsewhere.example"}
    fast = requests.get(root(hostile) + "/sparql", params={"query": query}, headers=origin)
    assert fast.headers["Access-Control-Allow-Origin"] == "*" and "X-Result-Truncated" in fast.headers[
        "Access-Control-Expose-Headers"]
    preflight = requests.options(root(hostile) + "/sparql", headers={
        **origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.ok and preflight.headers["Access-Control-Allow-Origin"] == "*"
    _check_headers(fast)
    _check_headers(preflight)


@pytest.mark.parametrize("iri", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                                 "java\tscript:alert(1)", "\x01javascript:alert(1)", "java\nscript:alert(1)",
                                 "data:text/html,x", "vbscript:msgbox(1)", "file:///etc/passwd",
                                 "mailto:a@example.org", "urn:isbn:0451450523", "https://example.org/a b",
                                 "//example.org/no-scheme", "http\t://example.org/"])
def test_only_http_iris_become_links(iri):
    from koryo_kg.linked_data.documents import local_url

    assert local_url(iri) is None


@pytest.mark.parametrize("iri", ["https://example.org/x?y#z", "HTTP://example.org/", "http://[::1]/x"])
def test_http_iris_link_as_they_are(iri):
    from koryo_kg.linked_data.documents import local_url

    assert local_url(iri) == iri
