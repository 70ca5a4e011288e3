"""Finding things by name: every label and variant the data has (Latin, Cyrillic, Hangul, other
transliterations), matched insensitive to case, diacritics and punctuation. `GET /search?q=` answers JSON for
scripts and the pages' suggestions, or an HTML list for browsers (a name that only one thing has goes
straight to its page).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.exceptions import BadRequest

from koryo_kg.http.dataset_state import dataset_state, engine
from koryo_kg.http.links import local_url
from koryo_kg.http.negotiation import prefers_html
from koryo_kg.vocab import BASE, compact

blueprint = Blueprint("search", __name__)

NAMES = """
SELECT ?thing ?name ?english ?type WHERE {
  ?thing ?naming ?name .
  VALUES ?naming { <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2004/02/skos/core#altLabel>
                   <http://www.w3.org/2004/02/skos/core#prefLabel> }
  FILTER (isIRI(?thing) && STRSTARTS(STR(?thing), "%s"))
  OPTIONAL { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?english FILTER (lang(?english) = "en") }
  OPTIONAL { GRAPH <https://w3id.org/koryo-kg/graph/data> { ?thing a ?type } }
}""" % (BASE + "id/")
MAX_LIMIT = 50


def normalized(text: str) -> str:
    """Lower case, without diacritics (é matches e, ё matches е), punctuation as spaces: "Il-Sung" and
    "il sung" are the same name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", kept)).split())


@dataclass
class Entry:
    iri: str
    label: str  # the English label, or the first name found
    types: list[str]
    names: dict[str, str]  # normalized -> as written


def named_things() -> dict[str, Entry]:
    """Every named thing of the data, read once per dataset version."""
    return dataset_state().get("search index", _index)


def _index() -> dict[str, Entry]:
    index: dict[str, Entry] = {}
    for row in engine().select(NAMES):
        iri, name = str(row["thing"]), str(row["name"])
        entry = index.setdefault(iri, Entry(iri, "", [], {}))
        entry.names.setdefault(normalized(name), name)
        if row["english"] is not None:
            entry.label = str(row["english"])
        if row["type"] is not None and compact(str(row["type"])) not in entry.types:
            entry.types.append(compact(str(row["type"])))
    for entry in index.values():
        entry.label = entry.label or next(iter(entry.names.values()))
        entry.types.sort()
    return index


def _rank(entry: Entry, query: str) -> tuple | None:
    """Exact name first, then a name that starts with the query, then a word that does, then anywhere."""
    best = None
    for name, written in entry.names.items():
        if name == query:
            score = 0
        elif name.startswith(query):
            score = 1
        elif f" {query}" in f" {name}":
            score = 2
        elif query in name:
            score = 3
        else:
            continue
        candidate = (score, len(name), written)
        best = candidate if best is None or candidate < best else best
    return best


def find(text: str, limit: int = 10, offset: int = 0) -> tuple[int, list[dict]]:
    """How many things match `text`, and the `limit` best from `offset` on."""
    query = normalized(text)
    if not query:
        return 0, []
    ranked = []
    for entry in named_things().values():
        rank = _rank(entry, query)
        if rank is not None:
            ranked.append((rank, entry.label, entry))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return len(ranked), [{"iri": e.iri, "url": local_url(e.iri), "label": e.label, "matched": rank[2],
                          "types": e.types, "exact": rank[0] == 0} for rank, _, e in ranked[offset:offset + limit]]


def _number(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, default)
    try:
        return min(max(int(value), low), high)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None


@blueprint.route("/search", methods=["GET"])
def search() -> Response:
    """JSON with the total and one page of matches for scripts and the suggestions; for browsers, a page of
    matches with links to the next and previous ones (or, for the one exact match, its page)."""
    text = request.args.get("q", "")
    limit = _number("limit", 10, 1, MAX_LIMIT)
    offset = _number("offset", 0, 0, 10**6)
    total, results = find(text, limit, offset)
    if not prefers_html(request.accept_mimetypes):
        response = jsonify({"query": text, "total": total, "offset": offset, "limit": limit, "results": results})
    elif offset == 0 and len([r for r in results if r["exact"]]) == 1:
        response = redirect(next(r["url"] for r in results if r["exact"]), code=303)
    else:
        response = Response(render_template(
            "search.html", query=text, results=results, search_query=text, total=total, offset=offset,
            limit=limit, previous=max(offset - limit, 0) if offset else None,
            next=offset + limit if offset + limit < total else None))
    response.headers["Vary"] = "Accept"
    return response
