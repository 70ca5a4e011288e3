"""No page kind is wider than a 360 px phone's viewport, and none at 1280 px is wider than its window."""

import pytest

from conftest import opened, root

PAGES = ["/", "/timeline", "/ontology", "/search?q=Kim", "/validation", "/id/document/decree-1428-326cc.html",
         "/id/event/deportation-1937.html", "/id/person/genrikh-lyushkov.html", "/id/place/ushtobe.html",
         "/id/statement/persons-deported-yezhov-report.html"]


@pytest.mark.parametrize("width", [360, 1280])
def test_no_page_is_wider_than_the_viewport(server, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    wider = {}
    for path in PAGES:
        page.goto(root(server) + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wider[path] = (scroll_width, page.evaluate(
                """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right
                   > window.innerWidth + 1).slice(0, 3).map(e => e.tagName + '.' + e.className)"""))
    page.close()
    assert not wider


def test_the_ontology_page_has_an_index_of_every_term(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(root(server) + "/ontology")
    terms = page.locator("section.term").count()
    links = page.locator("nav.terms a")
    assert terms > 100 and links.count() == terms
    target = links.nth(terms // 2).get_attribute("href")
    assert page.locator(f"section.term[id='{target[1:]}']").count() == 1
    page.close()


def test_the_ontology_page_draws_its_class_tree(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(root(server) + "/ontology")
    tree = page.locator("figure.class-tree")
    troika = tree.locator("li", has=page.locator("> a", has_text="NKVD troika"))
    assert troika.count() == 1
    # an NKVD troika is a security service's kind, which is an organization's: it stands under both, in order
    ancestors = troika.first.evaluate("e => { const names = []; for (let li = e.parentElement.closest('li'); li;"
                                      " li = li.parentElement.closest('li')) names.push(li.querySelector('a').textContent);"
                                      " return names; }")
    assert ancestors == ["Security service", "Organization"]
    assert "schema:Person" in tree.locator("li", has=page.locator("> a", has_text="Person")).first.inner_text()
    page.close()


# pages whose diagrams have long names on both sides: a person, an event, a legal act, a place, a figure
DIAGRAMS = ["/id/person/genrikh-lyushkov.html", "/id/event/deportation-1937.html", "/id/document/decree-1428-326cc.html",
            "/id/place/ushtobe.html", "/id/place/central-asia.html", "/id/statement/persons-deported-yezhov-report.html"]


@pytest.mark.parametrize("width", [1280, 360])
def test_no_diagram_label_is_clipped_by_its_box(server, browser, tmp_path, width):
    """An SVG clips what lies outside its box: every name must lie inside, whole."""
    with opened(browser, tmp_path, f"diagram-{width}", viewport={"width": width, "height": 800}) as page:
        clipped = {}
        for path in DIAGRAMS:
            page.goto(root(server) + path)
            assert page.locator("svg.diagram a text").count() > 1, path
            clipped[path] = page.locator("svg.diagram").evaluate("""svg => {
                const box = svg.getBoundingClientRect();
                return [...svg.querySelectorAll('text')].filter(t => { const r = t.getBoundingClientRect();
                    return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5
                           || r.bottom > box.bottom + 0.5; }).map(t => t.textContent); }""")
            sizes = page.locator("svg.diagram a text").evaluate_all("ts => ts.map(t => t.getBoundingClientRect().height)")
            assert min(sizes) >= 9, (path, "a name is too small to read")
        assert not {path: names for path, names in clipped.items() if names}
