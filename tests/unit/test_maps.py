"""The map's drawing: points where coordinates are, the rest listed, everything inside the picture."""

import math

from koryo_kg.pages.maps import draw, flows

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


ORIGIN = "https://w3id.org/koryo-kg/ontology#origin"
DESTINATION = "https://w3id.org/koryo-kg/ontology#destination"


def flow_rows():
    at = {"match": EXACT}
    return [
        {"role": ORIGIN, "end": "p:krai", "place": "p:krai", "label": "Krai"},  # a region: no entry
        {"role": ORIGIN, "end": "p:krai", "place": "p:khabarovsk", "within": "true", "label": "Khabarovsk", **at,
         "lat": "48.48", "long": "135.08"},
        {"role": ORIGIN, "end": "p:krai", "place": "p:raion", "within": "true", "label": "Raion"},
        {"role": DESTINATION, "end": "p:ushtobe", "place": "p:ushtobe", "label": "Ushtobe", **at, "lat": "45.25", "long": "77.98"},
        {"role": DESTINATION, "end": "p:tashkent", "place": "p:tashkent", "label": "Tashkent", **at, "lat": "41.26", "long": "69.22"},
        {"role": DESTINATION, "end": "p:asia", "place": "p:asia", "label": "Asia"},
        {"role": DESTINATION, "end": "p:asia", "place": "p:almaty", "within": "true", "label": "Almaty", **at,
         "lat": "43.25", "long": "76.91"},
    ]


def test_arrows_go_from_each_origin_drawn_to_each_destination_drawn():
    drawn = flows(flow_rows(), str)
    points = {p["label"]: p for p in drawn["points"]}
    assert {p: points[p]["role"] for p in points} == {"Khabarovsk": "origin", "Ushtobe": "destination", "Tashkent": "destination"}
    assert sorted((a["from"], a["to"]) for a in drawn["arrows"]) == [("Khabarovsk", "Tashkent"), ("Khabarovsk", "Ushtobe")]
    for a in drawn["arrows"]:
        start, end = points[a["from"]], points[a["to"]]
        assert a["x2"] < a["x1"] and 6 < math.dist((a["x1"], a["y1"]), (start["x"], start["y"])) < 12  # westward, off the dots
        assert 6 < math.dist((a["x2"], a["y2"]), (end["x"], end["y"])) < 12
    # a place within a destination is not one (the data says people went to the region, not to Almaty)
    assert "Almaty" not in points
    assert [p["label"] for p in drawn["origins_unseen"]] == ["Krai"]
    assert [p["label"] for p in drawn["destinations_unseen"]] == ["Asia"]


def test_a_movement_without_a_matched_origin_has_no_arrow_and_places_nothing_unmatched():
    rows = [r for r in flow_rows() if r["place"] != "p:khabarovsk"]
    drawn = flows(rows, str)
    assert drawn["arrows"] == [] and {p["label"] for p in drawn["points"]} == {"Ushtobe", "Tashkent"}
    nothing = flows([r for r in rows if "lat" not in r], str)
    assert nothing["points"] == [] and nothing["arrows"] == [] and len(nothing["origins_unseen"]) == 1
    assert flows([], str) is None
