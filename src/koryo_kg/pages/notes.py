"""The sources of a page as numbered notes: every footnote that the entity or a statement about it cites,
with its bibliographic text ("Bugai 1996, 26–29" beside the fact, the footnote's full text below), marked
as the sentence's own marker or inherited from a later one (kg:ownFootnote / kg:inheritedFootnote), and
the entities and statements the article states without a footnote."""

from __future__ import annotations

from collections import defaultdict

from rdflib import URIRef

from koryo_kg.http.dataset_state import engine
from koryo_kg.http.links import local_url

# ?this is bound by a VALUES opening the WHERE clause (see maps.PLACES); `kg:about?` is the entity itself or a
# statement about it. ?node is bound for the groups at the top level only: a group nested in an OPTIONAL is
# evaluated without it (the footnote's scope read there scanned every node's links: 90 ms at 172,000 persons).
NOTES = """PREFIX kg: <https://w3id.org/koryo-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?this ?node ?scope ?footnote ?number ?citation ?credited ?year ?pages ?status WHERE {
  ?node kg:about? ?this . ?node prov:wasDerivedFrom ?source .
  OPTIONAL { ?node ?scope ?source . ?source kg:footnoteNumber ?n VALUES ?scope { kg:ownFootnote kg:inheritedFootnote } }
  OPTIONAL { ?source kg:footnoteNumber ?number . BIND (?source AS ?footnote)
             OPTIONAL { ?source dcterms:bibliographicCitation ?citation }
             OPTIONAL { ?source kg:pages ?pages }
             OPTIONAL { ?source kg:cites ?work OPTIONAL { ?work kg:creditedAs ?credited } OPTIONAL { ?work kg:year ?year } } }
  OPTIONAL { ?node kg:citationStatus ?s . ?s skos:prefLabel ?status FILTER (lang(?status) = "en") }
}"""


def short_form(credited: str | None, year: str | None, pages: str | None, number: int) -> str:
    """Bugai, Nikolai Fedorovi + 1996 + 26-29 -> "Bugai 1996, 26–29"; a footnote without a work: its number."""
    if not credited:
        return f"footnote {number}"
    surname = credited.split(",")[0].strip() if "," in credited else credited.split()[-1]
    text = " ".join(part for part in (surname, year) if part)
    return text + (f", {pages.replace('-', '–')}" if pages else "")


def page_notes(iri: str) -> dict:
    """The notes of the page about `iri`: `notes` in footnote order, each with its number, short form, full
    text and scope; `of` maps a node (the entity or a statement) to its markers; `unsourced` to its status."""
    notes: dict[int, dict] = {}
    of: dict[str, dict[int, str]] = defaultdict(dict)
    unsourced: dict[str, str] = {}
    for row in engine().select(NOTES, {"this": URIRef(iri)}):
        node = str(row["node"])
        if row["number"] is None:
            if row["status"] is not None:
                unsourced[node] = str(row["status"])
            continue
        number = int(row["number"])
        notes.setdefault(number, {"number": number, "citation": str(row["citation"] or f"Footnote {number}"),
                                  "url": local_url(str(row["footnote"])),
                                  "short": short_form(*(str(row[k]) if row[k] is not None else None
                                                        for k in ("credited", "year", "pages")), number)})
        scope = "own" if row["scope"] is not None and str(row["scope"]).endswith("ownFootnote") else (
            "inherited" if row["scope"] is not None else of[node].get(number, ""))
        if scope or number not in of[node]:
            of[node][number] = scope
    return {"notes": [notes[n] for n in sorted(notes)],
            "of": {node: sorted(markers.items()) for node, markers in of.items()}, "unsourced": unsourced}
