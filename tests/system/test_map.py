"""The maps in Debian's chromium: on a place's page the matched places drawn at their gazetteer coordinates and
the unmatched named beside it, never drawn; on the deportation's page (and any movement's) the arrows from its
origins to its destinations, only between matched places; readable at 360 px."""

import pytest
from playwright.sync_api import expect

from conftest import Server, opened, root

KG = "https://w3id.org/koryo-kg/"
# A movement made up for the test, added with `serve --add` beside the article's data: from Khabarovsk (matched)
# and, by a part, from the Posyet raion (not matched) to Tashkent and Ushtobe (matched) and the Kazakh SSR (not).
MOVEMENT = f"""@prefix kg: <{KG}ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix place: <{KG}id/place/> .
<{KG}id/event/test-movement> a kg:PopulationTransfer ; rdfs:label "A test movement"@en ;
    kg:origin place:khabarovsk ; kg:destination place:tashkent , place:kazakh-ssr .
<{KG}id/event/test-movement-part> a kg:PopulationTransfer ; rdfs:label "A part of the test movement"@en ;
    kg:partOf <{KG}id/event/test-movement> ; kg:origin place:posyet-raion ; kg:destination place:ushtobe .
"""


def drawn(figure) -> set[str]:
    return {t.strip() for t in figure.locator("svg a text").all_text_contents()}


def readable(figure, width: int) -> None:
    box = figure.locator("svg").bounding_box()
    assert box["width"] <= width and box["height"] > 60
    assert figure.evaluate("f => f.ownerDocument.documentElement.scrollWidth") <= width
    for label in figure.locator("svg a text").all():
        assert label.bounding_box()["height"] >= 9, "a place's name is too small to read"


@pytest.mark.parametrize("width", [1280, 360])
def test_the_map_shows_the_matched_places_and_lists_the_unmatched(server, browser, tmp_path, width):
    with opened(browser, tmp_path, f"place-map-{width}", viewport={"width": width, "height": 800}) as page:
        page.goto(root(server) + "/id/place/central-asia.html")
        figure = page.locator("figure.map").first
        names = drawn(figure)
        assert {"Ushtobe", "Almaty"} <= names
        caption = figure.locator("figcaption").inner_text()
        for unmatched in ("Kazakh SSR", "Uzbek SSR", "Karakalpak ASSR", "Kzyl Orda"):
            assert unmatched in caption and unmatched not in names
        assert "Kazakhstan" in caption and "Kazakhstan" not in names  # a country: matched, but not a point
        readable(figure, width)
        ushtobe, almaty = (figure.locator("svg a", has_text=name).locator("circle").bounding_box()
                           for name in ("Ushtobe", "Almaty"))
        assert ushtobe["x"] > almaty["x"] and ushtobe["y"] < almaty["y"]  # Ushtobe lies north-east of Almaty
        figure.locator("svg a", has_text="Ushtobe").click()
        expect(page).to_have_url(root(server) + "/id/place/ushtobe.html")  # the IRI, then its page by a 303


@pytest.mark.parametrize("width", [1280, 360])
def test_the_deportation_map_draws_only_matched_ends_and_names_the_regions(server, browser, tmp_path, width):
    """The article's origins are all regions without a gazetteer entry, and no matched place lies within one:
    Ushtobe (where a part of the deportation placed 34,000) is drawn, and no arrow is guessed."""
    with opened(browser, tmp_path, f"flows-{width}", viewport={"width": width, "height": 800}) as page:
        page.goto(root(server) + "/id/event/deportation-1937.html")
        figure = page.locator("figure.map", has=page.locator("#flow-caption"))
        expect(figure.get_by_role("heading", name="From where to where")).to_be_visible()
        assert drawn(figure) == {"Ushtobe"}
        assert figure.locator("svg a.destination").count() == 1 and figure.locator("svg a.origin").count() == 0
        assert figure.locator("line.flow").count() == 0
        caption = figure.locator("figcaption").inner_text()
        origins, destinations = caption.split("Origins not drawn")[1].split("Destinations not drawn")
        for region in ("Far Eastern Krai", "Russian Far East", "Posyet raion", "Raions adjacent to Grodekovo", "Kamchatka"):
            assert region in origins
        for region in ("Kazakh SSR", "Uzbek SSR", "Karakalpak ASSR", "Central Asia"):
            assert region in destinations
        assert "No arrow is drawn" in caption
        readable(figure, width)


@pytest.fixture(scope="module")
def moved(home, tmp_path_factory):
    folder = tmp_path_factory.mktemp("movement")
    (folder / "movement.ttl").write_text(MOVEMENT, encoding="utf-8")
    server = Server(home, "--add", str(folder / "movement.ttl"), "--workers", "1")
    yield server
    server.stop()


@pytest.mark.parametrize("width", [1280, 360])
def test_arrows_go_from_matched_origins_to_matched_destinations(moved, browser, tmp_path, width):
    with opened(browser, tmp_path, f"arrows-{width}", viewport={"width": width, "height": 800}) as page:
        page.goto(root(moved) + "/id/event/test-movement.html")
        figure = page.locator("figure.map", has=page.locator("#flow-caption"))
        assert drawn(figure) == {"Khabarovsk", "Tashkent", "Ushtobe"}
        assert figure.locator("svg a.origin text").all_text_contents() == ["Khabarovsk"]
        arrows = figure.locator("line.flow")
        expect(arrows).to_have_count(2)
        assert sorted(arrows.locator("title").all_text_contents()) == ["Khabarovsk → Tashkent", "Khabarovsk → Ushtobe"]
        khabarovsk = figure.locator("svg a.origin circle").bounding_box()
        for arrow in arrows.all():
            box = arrow.bounding_box()
            assert box["x"] + box["width"] <= khabarovsk["x"] + khabarovsk["width"]  # from the east, westward
        caption = figure.locator("figcaption").inner_text()
        assert "Posyet raion" in caption.split("Origins not drawn")[1] and "Kazakh SSR" in caption.split("Destinations not drawn")[1]
        assert not {"Posyet raion", "Kazakh SSR"} & drawn(figure)
        readable(figure, width)
