"""The map on a place's page, in Debian's chromium: the matched places drawn at their gazetteer
coordinates, the unmatched ones named beside it and never drawn, readable at 360 px."""

import pytest

from conftest import root


@pytest.mark.parametrize("width", [1280, 360])
def test_the_map_shows_the_matched_places_and_lists_the_unmatched(server, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(root(server) + "/id/place/central-asia.html")
    figure = page.locator("figure.map")
    drawn = {t.strip() for t in figure.locator("svg a text").all_text_contents()}
    assert {"Ushtobe", "Almaty"} <= drawn
    caption = figure.locator("figcaption").inner_text()
    for unmatched in ("Kazakh SSR", "Uzbek SSR", "Karakalpak ASSR", "Kzyl Orda"):
        assert unmatched in caption and unmatched not in drawn
    assert "Kazakhstan" in caption and "Kazakhstan" not in drawn  # a country: matched, but not a point
    box = figure.locator("svg").bounding_box()
    assert box["width"] <= width and box["height"] > 100
    ushtobe, almaty = (figure.locator("svg a", has_text=name).locator("circle").bounding_box()
                       for name in ("Ushtobe", "Almaty"))
    assert ushtobe["x"] > almaty["x"] and ushtobe["y"] < almaty["y"]  # Ushtobe lies north-east of Almaty
    figure.locator("svg a", has_text="Ushtobe").click()
    assert page.url.endswith("/id/place/ushtobe.html")  # the IRI, then its page by a 303
    assert not errors
    page.close()
