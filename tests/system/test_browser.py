"""The HTML pages in a real browser: Debian's chromium, headless, driven by Playwright. Every same-origin
link on an entity page, the ontology page, the query page and the other pages resolves, and no page logs a
console error. A screenshot is saved under the pytest temporary folder when a check fails."""

from __future__ import annotations

import pytest

from conftest import root


@pytest.mark.parametrize("path, heading", [
    ("/id/person/genrikh-lyushkov", "Genrikh Lyushkov"),
    ("/id/document/decree-1428-326cc", "Joint decree No. 1428-326сс of 21 August 1937"),
    ("/id/statement/persons-deported-yezhov-report", "171,781 persons deported (Yezhov's report)"),
    ("/ontology", "koryo-kg ontology"),
    ("/sparql", "Query the knowledge graph"),
    ("/", "Query the knowledge graph"),
    ("/timeline", "Timeline"),
    ("/validation", "Validation of the published data"),
    ("/search?q=Kim", "Search"),
])
def test_page_renders_and_its_links_resolve(server, browser, tmp_path, path, heading):
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        response = page.goto(root(server) + path)
        assert response.ok
        assert page.locator("h1").inner_text() == heading
        links = set(page.evaluate("""Array.from(document.querySelectorAll('a[href]'))  // SVG links too
            .map(a => new URL(a.getAttribute('href'), location.href).href)"""))
        local = sorted(link.split("#")[0] for link in links if link.startswith(root(server)))
        assert local, "the page links somewhere on this server"
        for link in dict.fromkeys(local):
            assert page.request.get(link).ok, link
        assert errors == []
    except BaseException:
        page.screenshot(path=str(tmp_path / ((path.strip("/").replace("/", "_") or "home") + ".png")), full_page=True)
        raise
    finally:
        page.close()
