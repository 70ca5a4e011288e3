"""No page kind is wider than a 360 px phone's viewport, and none at 1280 px is wider than its window."""

import pytest

from conftest import root

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
