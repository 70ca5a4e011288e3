"""The map's drawing: points where coordinates are, the rest listed, everything inside the picture."""

from koryo_kg.pages.maps import draw

EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
CLOSE = "http://www.w3.org/2004/02/skos/core#closeMatch"


def rows():
    return [
        {"place": "p:ushtobe", "label": "Ushtobe", "match": EXACT, "lat": "45.25258", "long": "77.98284"},
        {"place": "p:tashkent", "label": "Tashkent", "match": EXACT, "lat": "41.26465", "long": "69.21627"},
        {"place": "p:almaty", "label": "Almaty", "match": CLOSE, "lat": "43.25249", "long": "76.9115"},
        {"place": "p:kazakh-ssr", "label": "Kazakh SSR"},
        {"place": "p:ushtobe", "label": "Ushtobe", "match": EXACT, "lat": "45.25258", "long": "77.98284"},
    ]


def test_points_lie_inside_the_picture_in_their_true_order():
    drawn = draw(rows(), lambda iri: "/" + iri)
    points = {p["label"]: p for p in drawn["points"]}
    assert set(points) == {"Ushtobe", "Tashkent", "Almaty"}
    for p in drawn["points"]:
        assert 0 < p["x"] < drawn["width"] and 0 < p["y"] < drawn["height"]
    assert points["Tashkent"]["x"] < points["Almaty"]["x"] < points["Ushtobe"]["x"]  # west to east
    assert points["Ushtobe"]["y"] < points["Almaty"]["y"] < points["Tashkent"]["y"]  # north is up
    assert points["Ushtobe"]["exact"] and not points["Almaty"]["exact"]


def test_places_without_coordinates_are_listed_not_placed():
    drawn = draw(rows(), lambda iri: "/" + iri)
    assert [p["label"] for p in drawn["missing"]] == ["Kazakh SSR"]
    assert draw([{"place": "p:x", "label": "X"}], str) == {"points": [], "areas": [], "missing": [
        {"iri": "p:x", "label": "X", "url": "p:x", "lat": None, "long": None, "exact": False, "matched": False}]}
    country = draw(rows() + [{"place": "p:kz", "label": "Kazakhstan", "match": EXACT}], str)
    assert [p["label"] for p in country["areas"]] == ["Kazakhstan"] and len(country["points"]) == 3
    assert draw([], str) is None


def test_a_single_town_gets_a_readable_grid():
    drawn = draw(rows()[:1], str)
    assert len(drawn["meridians"]) >= 2 and len(drawn["parallels"]) >= 2
    assert drawn["width"] <= 640 and drawn["height"] <= 400


def test_places_around_the_world_get_a_grid_too():
    drawn = draw(rows() + [{"place": "p:honolulu", "label": "Honolulu", "match": EXACT, "lat": "21.3", "long": "-157.86"},
                           {"place": "p:ny", "label": "New York", "match": EXACT, "lat": "40.7", "long": "-74.0"}], str)
    assert 2 <= len(drawn["meridians"]) <= 12 and all(0 < p["x"] < drawn["width"] for p in drawn["points"])
