"""Maps drawn on the server without a tile server (none is reachable, and a page must read offline): the
places a page is about, at the coordinates of the gazetteer entries they were matched to by hand (see
sources/gazetteer.py), on a grid of latitude and longitude; for a movement of people (the deportation), the
arrows from its origins to its destinations. The article gives no coordinates: every point comes from the
gazetteer graph, and the places without a match are listed beside the map, never placed.
"""

from __future__ import annotations

import math

from rdflib import URIRef

from koryo_kg.http.dataset_state import engine
from koryo_kg.http.links import local_url
from koryo_kg.vocab import Graphs

# The places of a page: the entity itself, the places it links to, and the places the article puts within
# any of those (kg:withinPlace is transitive, so the reasoner has closed it). ?this is bound by a VALUES opening
# the WHERE clause (query/bindings.py), which a group inside sees only through its triple patterns: never a
# BIND or a FILTER of ?this alone (`kg:withinPlace?` gives the place itself: a FILTER on ?place = ?this over all
# places cost 20 ms at 172,000 persons).
PLACES = f"""PREFIX kg: <https://w3id.org/koryo-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
SELECT DISTINCT ?this ?place ?label ?match ?lat ?long WHERE {{
  {{ ?this a kg:Place . ?place kg:withinPlace? ?this }}
  UNION {{ ?this ?link ?region . ?region a kg:Place . ?place kg:withinPlace? ?region }}
  ?place rdfs:label ?label . FILTER (lang(?label) = "en")
  OPTIONAL {{ GRAPH <{Graphs.GAZETTEER}> {{ ?place ?match ?feature FILTER (?match IN (skos:exactMatch, skos:closeMatch))
                                             OPTIONAL {{ ?feature geo:lat ?lat ; geo:long ?long }} }} }}
}}"""
# The origins and destinations of a movement and of its parts (batches, trains, a placement), each with the
# place itself (?within unbound) and every place the article puts within it.
FLOWS = f"""PREFIX kg: <https://w3id.org/koryo-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
SELECT DISTINCT ?this ?role ?end ?place ?within ?label ?match ?lat ?long WHERE {{
  {{ ?this ?role ?end }} UNION {{ ?part kg:partOf ?this ; ?role ?end }}
  VALUES ?role {{ kg:origin kg:destination }}
  {{ ?end a kg:Place . BIND (?end AS ?place) }} UNION {{ ?place kg:withinPlace ?end . BIND (true AS ?within) }}
  ?place rdfs:label ?label . FILTER (lang(?label) = "en")
  OPTIONAL {{ GRAPH <{Graphs.GAZETTEER}> {{ ?place ?match ?feature FILTER (?match IN (skos:exactMatch, skos:closeMatch))
                                             OPTIONAL {{ ?feature geo:lat ?lat ; geo:long ?long }} }} }}
}}"""
ORIGIN = "https://w3id.org/koryo-kg/ontology#origin"
WIDTH, HEIGHT = 640, 400
MARGIN = 3.0  # degrees of padding around the points
MIN_SPAN = 12.0  # degrees: a single town is shown with its surroundings


def _grid_step(span: float) -> int:
    return next((step for step in (1, 2, 5, 10, 20, 30) if span / step <= 8), 60)


def draw(rows: list[dict], url_of) -> dict | None:
    """What the template draws for `rows` (PLACES' solutions as plain strings, a missing value absent):
    points in SVG coordinates, the grid, the places matched to an area (a country: no point) and the places
    without a match. None when no place is involved."""
    places: dict[str, dict] = {}
    for row in rows:
        place = places.setdefault(row["place"], {"iri": row["place"], "label": row["label"], "url": url_of(row["place"]),
                                                 "lat": None, "long": None, "exact": False, "matched": False})
        if row.get("match"):
            place["matched"], place["exact"] = True, row["match"].endswith("exactMatch")
        if row.get("lat") is not None:
            place["lat"], place["long"] = float(row["lat"]), float(row["long"])
    if not places:
        return None
    located = sorted((p for p in places.values() if p["lat"] is not None), key=lambda p: (p["long"], p["lat"]))
    missing = sorted((p for p in places.values() if p["lat"] is None and not p["matched"]), key=lambda p: p["label"])
    areas = sorted((p for p in places.values() if p["lat"] is None and p["matched"]), key=lambda p: p["label"])
    if not located:
        return {"points": [], "missing": missing, "areas": areas}
    south, north = min(p["lat"] for p in located), max(p["lat"] for p in located)
    west, east = min(p["long"] for p in located), max(p["long"] for p in located)
    middle = (south + north) / 2
    stretch = math.cos(math.radians(middle))  # an equirectangular map true to scale at its middle latitude
    lat_span = max(north - south + 2 * MARGIN, MIN_SPAN)
    long_span = max(east - west + 2 * MARGIN, MIN_SPAN / stretch)
    scale = min(WIDTH / (long_span * stretch), HEIGHT / lat_span)
    width, height = round(long_span * stretch * scale), round(lat_span * scale)
    left, top = (west + east) / 2 - long_span / 2, middle + lat_span / 2

    def x(long: float) -> float:
        return round((long - left) * stretch * scale, 1)

    def y(lat: float) -> float:
        return round((top - lat) * scale, 1)

    step = _grid_step(max(lat_span, long_span))
    meridians = [{"x": x(m), "label": f"{abs(m)}°{'E' if m >= 0 else 'W'}"}
                 for m in range(math.ceil(left / step) * step, math.floor(left + long_span) + 1, step)
                 if x(m) <= width - 40]  # room for the label inside the picture
    parallels = [{"y": y(p), "label": f"{abs(p)}°{'N' if p >= 0 else 'S'}"}
                 for p in range(math.ceil((top - lat_span) / step) * step, math.floor(top) + 1, step) if y(p) >= 20]
    points = [{**p, "x": x(p["long"]), "y": y(p["lat"]), "anchor": "end" if x(p["long"]) > width * 0.7 else "start"}
              for p in located]
    return {"width": width, "height": height, "points": points, "missing": missing, "areas": areas,
            "meridians": meridians, "parallels": parallels}


def flows(rows: list[dict], url_of) -> dict | None:
    """The origin -> destination map for `rows` (FLOWS' solutions as plain strings): a point for each matched
    origin, matched place within an origin, and matched destination, an arrow from each origin point to each
    destination point, and the origins and destinations the map cannot draw (regions, no gazetteer entry).
    A destination's inner places are not destinations: the data says only that people went to it. None when
    the movement names no origin or destination."""
    role = {row["place"]: ("origin" if row["role"] == ORIGIN else "destination") for row in rows}
    ends = {row["end"]: row for row in rows if "within" not in row}
    drawn = [row for row in rows if ("within" not in row or role[row["place"]] == "origin")
             and (row.get("lat") is not None or "within" not in row)]
    if not ends:
        return None
    picture = draw(drawn, url_of)
    points = picture["points"]
    for point in points:
        point["role"] = role[point["iri"]]
    arrows = []
    for a in (p for p in points if p["role"] == "origin"):
        for b in (p for p in points if p["role"] == "destination"):
            length = math.dist((a["x"], a["y"]), (b["x"], b["y"])) or 1
            dx, dy = (b["x"] - a["x"]) / length, (b["y"] - a["y"]) / length
            arrows.append({"from": a["label"], "to": b["label"], "x1": round(a["x"] + 8 * dx, 1), "y1": round(a["y"] + 8 * dy, 1),
                           "x2": round(b["x"] - 10 * dx, 1), "y2": round(b["y"] - 10 * dy, 1)})
    located = {p["iri"] for p in points}
    def unseen(kind: str) -> list[dict]:
        return sorted(({"label": r["label"], "url": url_of(e)} for e, r in ends.items()
                       if role[e] == kind and e not in located), key=lambda p: p["label"])
    return {**picture, "id": "flow", "arrows": arrows, "origins_unseen": unseen("origin"),
            "destinations_unseen": unseen("destination")}


def _rows(query: str, iri: str) -> list[dict]:
    return [{name: str(term) for name, term in row.items() if term is not None and name != "this"}
            for row in engine().select(query, {"this": URIRef(iri)})]


def place_map(iri: str) -> dict | None:
    """The map for the page about `iri`, or None when it involves no place."""
    return draw(_rows(PLACES, iri), local_url)


def flow_map(iri: str) -> dict | None:
    """The origin -> destination map for the page about `iri`, or None when it moved no one."""
    return flows(_rows(FLOWS, iri), local_url)
