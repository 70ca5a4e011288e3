"""Pictures drawn on the server, so that they read without JavaScript: the timeline of dated events, the
neighbourhood of an entity, and the conflicting figures about it side by side with their sources. Each
function returns plain data with coordinates; the templates draw it as SVG or HTML."""

from __future__ import annotations

import math
from collections import defaultdict

from rdflib import URIRef

from koryo_kg.http.links import local_url
from koryo_kg.pages.dates import human_day, human_month
from koryo_kg.query.engine import Engine
from koryo_kg.vocab import BASE, compact

PREFIXES = """PREFIX kg: <https://w3id.org/koryo-kg/ontology#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
EVENTS = PREFIXES + """
SELECT ?event ?label ?begin ?when ?deadline WHERE {
  { ?event crm:P4_has_time-span ?span ; rdfs:label ?label . FILTER (lang(?label) = "en")
    ?span crm:P82a_begin_of_the_begin ?begin ; rdfs:label ?when .
    FILTER NOT EXISTS { ?event a kg:AwardConferral } }
  UNION
  { ?event kg:deadline ?deadline ; rdfs:label ?label . FILTER (lang(?label) = "en")
    BIND (STRDT(CONCAT(STR(?deadline), "T00:00:00"), <http://www.w3.org/2001/XMLSchema#dateTime>) AS ?begin) }
} ORDER BY ?begin ?label"""
FIGURES = PREFIXES + """
SELECT ?this ?statement ?label ?quantity ?value ?lower ?upper ?rank ?status ?source ?footnote ?number WHERE {
  ?statement a kg:FigureStatement ; kg:about ?this ; kg:quantity ?q ; rdfs:label ?label ; kg:rank ?r ;
             kg:epistemicStatus ?s .
  FILTER (lang(?label) = "en")
  ?q skos:prefLabel ?quantity . FILTER (lang(?quantity) = "en")
  ?r skos:prefLabel ?rank . FILTER (lang(?rank) = "en")
  ?s skos:prefLabel ?status . FILTER (lang(?status) = "en")
  OPTIONAL { ?statement kg:value ?value } OPTIONAL { ?statement kg:lowerBound ?lower }
  OPTIONAL { ?statement kg:upperBound ?upper }
  OPTIONAL { ?statement kg:accordingTo ?who . ?who rdfs:label ?source . FILTER (lang(?source) = "en") }
  OPTIONAL { ?statement prov:wasDerivedFrom ?footnote . ?footnote kg:footnoteNumber ?number }
} ORDER BY ?quantity ?statement"""


def _year(begin: str) -> float:
    """1937-08-21T00:00:00 -> 1937.63: the position of a date on a scale of years."""
    year, month, day = int(begin[:4]), int(begin[5:7]), int(begin[8:10])
    return year + ((month - 1) * 30.5 + day - 1) / 366


DOTS = 120  # marks the strip draws at most: past that, one for each day, month, year or decade, with its count
LISTED = 300  # events the page lists in full: past that, the first few of each of those periods
PER_PERIOD = 5
PERIODS = (  # (what it is, characters of the ISO date, how it reads)
    ("day", 10, human_day),
    ("month", 7, human_month),
    ("year", 4, str),
    ("decade", 3, lambda iso: iso + "0s"),
)


def timeline(engine: Engine) -> dict:
    """The dated events in order, with the deadlines the legal acts set (all of them, for the JSON and CSV
    twins); the marks of the overview strip on an axis of years: one for each event, or, past DOTS events,
    for each period with its count; and the events the page lists: past DOTS, under their periods, and past
    LISTED, only the first PER_PERIOD of each."""
    events = [{"iri": str(r["event"]), "url": local_url(str(r["event"])), "label": str(r["label"]),
               "begin": str(r["begin"])[:10], "year": _year(str(r["begin"])),
               "when": str(r["when"]) if r["when"] is not None else "deadline: " + human_day(str(r["deadline"]))}
              for r in engine.select(EVENTS)]
    if not events:
        return {"events": [], "marks": [], "periods": [], "ticks": []}
    first, last = math.floor(events[0]["year"] / 10) * 10, math.ceil(events[-1]["year"] / 10) * 10 + 1
    width = 1000

    def x(year: float) -> float:
        return round(20 + (year - first) / (last - first) * (width - 40), 1)

    ticks = [{"year": y, "x": x(y)} for y in range(first, last, 10)]
    if len(events) <= DOTS:
        marks = [{"x": x(e["year"]), "url": e["url"], "r": 7, "title": f"{e['when']}: {e['label']}"} for e in events]
        periods = [{"id": None, "unit": "event", "name": None, "count": len(events), "events": events}]
    else:
        periods = _periods(events)
        marks = [{"x": x(p["events"][0]["year"]), "url": f"#{p['id']}", "title": f"{p['name']}: {p['count']} events",
                  "r": round(min(14, 5 + 3 * math.log10(p["count"])), 1)} for p in periods]
        if len(events) > LISTED:
            for period in periods:
                period["events"] = period["events"][:PER_PERIOD]
    return {"events": events, "marks": marks, "periods": periods, "ticks": ticks, "width": width}


def _periods(events: list[dict]) -> list[dict]:
    """The events by day, or by month, year or decade: the finest of these with at most DOTS periods."""
    unit, length, name = next((p for p in PERIODS if len({e["begin"][:p[1]] for e in events}) <= DOTS),
                              PERIODS[-1])  # else decades, however many
    periods: dict[str, list[dict]] = {}
    for event in events:  # in order of date: so are the periods
        periods.setdefault(event["begin"][:length], []).append(event)
    return [{"id": f"period-{key}", "unit": unit, "name": name(key), "count": len(group), "events": group}
            for key, group in periods.items()]


def neighbourhood(iri: str, triples: list, labels: dict[str, str], limit: int = 12) -> dict:
    """The entity and up to `limit` things it links to or is linked from, on an ellipse around it (figure
    statements are left to the figures table, concepts come last)."""
    def shown(node: str) -> bool:
        return node.startswith(BASE + "id/") and node != iri and "/statement/" not in node

    links: dict[str, set[str]] = defaultdict(set)
    for s, p, o in triples:
        if s == URIRef(iri) and isinstance(o, URIRef) and shown(str(o)):
            links[str(o)].add(compact(str(p)).split(":")[-1])
        elif o == URIRef(iri) and isinstance(s, URIRef) and shown(str(s)):
            links[str(s)].add("← " + compact(str(p)).split(":")[-1])
    chosen = sorted(links, key=lambda n: ("/concept/" in n, labels.get(n, n)))[:limit]
    width, height, rx, ry = 640, 420, 150, 165
    nodes = []
    for index, node in enumerate(chosen):
        angle = 2 * math.pi * index / max(len(chosen), 1) - math.pi / 2
        x, y = width / 2 + rx * math.cos(angle), height / 2 + ry * math.sin(angle)
        text = labels.get(node) or compact(node)
        nodes.append({"url": local_url(node), "text": text if len(text) <= 22 else text[:21] + "…", "full": text,
                      "x": round(x, 1), "y": round(y, 1), "anchor": "middle" if abs(x - width / 2) < 30
                      else ("start" if x > width / 2 else "end"), "via": ", ".join(sorted(links[node]))})
    center = labels.get(iri) or compact(iri)
    return {"width": width, "height": height, "center": center if len(center) <= 30 else center[:29] + "…",
            "nodes": nodes, "more": max(len(links) - limit, 0)}


def figures(engine: Engine, iri: str, notes: dict | None = None) -> list[dict]:
    """For each quantity stated about `iri`, every figure with its value or bounds, rank, status and source
    (who says it, and its footnotes as the page's numbered notes: see notes.page_notes), and bar positions
    on a common scale (percent of the largest number)."""
    short = {n["number"]: n["short"] for n in (notes or {}).get("notes", [])}
    rows: dict[str, dict] = {}
    for r in engine.select(FIGURES, {"this": URIRef(iri)}):  # bound, never spliced into the text
        row = rows.setdefault(str(r["statement"]), {
            "url": local_url(str(r["statement"])), "label": str(r["label"]), "quantity": str(r["quantity"]),
            "value": _number(r["value"]), "lower": _number(r["lower"]), "upper": _number(r["upper"]),
            "rank": str(r["rank"]), "status": str(r["status"]), "according": set(), "footnotes": set()})
        if r["source"] is not None:
            row["according"].add(str(r["source"]))
        if r["number"] is not None:
            row["footnotes"].add(int(r["number"]))
    charts: dict[str, list] = defaultdict(list)
    for row in rows.values():
        row["according"] = ", ".join(sorted(row["according"]))
        row["footnotes"] = [{"number": n, "short": short.get(n, f"footnote {n}")} for n in sorted(row["footnotes"])]
        charts[row["quantity"]].append(row)
    result = []
    for quantity, entries in sorted(charts.items()):
        top = max((n for e in entries for n in (e["value"], e["lower"], e["upper"]) if n is not None), default=0)
        if any(e["value"] is None and e["upper"] is None for e in entries):
            top *= 1.15  # room for a "more than" bar to run past its bound
        for e in entries:
            low = e["value"] if e["value"] is not None else (e["lower"] if e["lower"] is not None else 0)
            high = e["value"] if e["value"] is not None else (e["upper"] if e["upper"] is not None else low)
            e["start"] = round(100 * (0 if e["value"] is not None else low) / top, 1) if top else 0
            e["end"] = round(100 * high / top, 1) if top else 0
            e["open"] = e["value"] is None and e["upper"] is None  # "more than": the bar has no end
            if e["open"]:
                e["end"] = 100.0
            e["shown"] = _shown(e)
        entries.sort(key=lambda e: (-(e["value"] or e["upper"] or e["lower"] or 0), e["label"]))
        result.append({"quantity": quantity, "rows": entries, "conflicting": len({e["shown"] for e in entries}) > 1})
    return result


def _number(term) -> float | None:
    if term is None:
        return None
    try:
        return float(str(term))
    except ValueError:
        return None


def _format(number: float) -> str:
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


def _shown(e: dict) -> str:
    if e["value"] is not None:
        return _format(e["value"])
    if e["lower"] is not None and e["upper"] is not None:
        return f"{_format(e['lower'])}–{_format(e['upper'])}"
    if e["lower"] is not None:
        return f"more than {_format(e['lower'])}"
    return f"up to {_format(e['upper'])}" if e["upper"] is not None else "?"
