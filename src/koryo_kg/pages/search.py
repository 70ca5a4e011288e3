"""Finding things by name: every label and variant the data has (Latin, Cyrillic, Hangul, other
transliterations), matched insensitive to case, diacritics and punctuation. `GET /search?q=` answers JSON for
scripts and the pages' suggestions, or an HTML list for browsers (a name that only one thing has goes
straight to its page).
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.exceptions import BadRequest

from koryo_kg.http.dataset_state import dataset_state, engine, strings, warmed
from koryo_kg.http.kept_values import Kept, array_text, text_array
from koryo_kg.http.links import local_url
from koryo_kg.http.negotiation import prefers_html
from koryo_kg.pages.entity_read import sparql_iri
from koryo_kg.vocab import BASE, Graphs, compact

blueprint = Blueprint("search", __name__)

# Each name as the thing's IRI, 1 for an English label (else 0) and the name, whose line breaks (if any) are
# spaces (see dataset_state.strings); from each graph as it is (the union of the graphs costs the
# store more)
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
NAME = ["STR(?thing)", f'IF(?naming = {LABEL} && LANG(?name) = "en", "1", "0")', 'REPLACE(STR(?name), "\\n", " ")']
NAMED = f"""GRAPH ?g {{ ?thing ?naming ?name }}
  VALUES ?naming {{ {LABEL} <http://www.w3.org/2004/02/skos/core#altLabel> <http://www.w3.org/2004/02/skos/core#prefLabel> }}
  FILTER (isIRI(?thing) && STRSTARTS(STR(?thing), "{BASE}id/"))"""
# The types of the things a search shows, as asserted in the data and the included registers: read for them
# only (for every thing, they cost the index seconds)
TYPES = """SELECT ?thing ?type WHERE {
  VALUES ?thing { %(things)s }
  GRAPH ?g { ?thing a ?type }
  FILTER (?g = <%(data)s> || STRSTARTS(STR(?g), "%(include)s"))
}"""
TYPES = TYPES.replace("%(data)s", Graphs.DATA).replace("%(include)s", BASE + "graph/include/")
MAX_LIMIT = 50
INSIDE_WORDS = 64  # past this many, a query inside words is looked for in every name
PUNCTUATION = re.compile(r"[\W_]+")
END = "\U0010ffff"  # after every character normalized text has (it has no noncharacters)


def normalized(text: str) -> str:
    """Lower case, without diacritics (é matches e, ё matches е), punctuation as spaces: "Il-Sung" and
    "il sung" are the same name."""
    if text.isascii():  # most names: nothing to decompose (the index reads each of them)
        return " ".join(PUNCTUATION.sub(" ", text.lower()).split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(PUNCTUATION.sub(" ", unicodedata.normalize("NFC", kept)).split())


SEPARATORS = re.compile(r"(?:[^\w\n]|_)+")  # PUNCTUATION but for the line breaks between names


def _all_normalized(texts: list[str]) -> list[str]:
    """normalized() of each text: most (ASCII, on one line) in a few passes over one string of them all."""
    simple = [i for i, text in enumerate(texts) if text.isascii() and "\n" not in text]
    result = [""] * len(texts)
    for i, text in zip(simple, SEPARATORS.sub(" ", "\n".join(texts[i] for i in simple).lower()).split("\n")):
        result[i] = text.strip()
    for i in set(range(len(texts))).difference(simple):
        result[i] = normalized(texts[i])
    return result


@dataclass(frozen=True, slots=True)
class Thing:
    iri: str
    label: str  # the English label, or the first name found


class Index:
    """Every name of every named thing, arranged so that a search costs what it finds rather than the size of
    the data: the names sorted (the exact and the starting-with matches are a range found by bisection), every
    word of every name with the rest of the name after it, sorted likewise (a word that starts with the
    query), and the distinct words in one string for the query inside a word (found there, then looked up as
    a range of the words)."""

    def __init__(self, names: list[tuple[str, str, bool]]):
        """From (thing, name, whether it is the English label) triples."""
        found: dict[str, tuple[list[str], dict[str, str]]] = {}  # iri -> English label, names
        for (iri, name, english), key in zip(names, _all_normalized([name for _, name, _ in names])):
            label, spellings = found.get(iri) or found.setdefault(iri, ([], {}))
            spellings.setdefault(key, name)
            if english and not label:
                label.append(name)
        self.things: list[Thing] = []
        spelled: list[tuple[str, str, int]] = []  # (normalized, as written, thing)
        for iri, (label, spellings) in found.items():
            self.things.append(Thing(iri, label[0] if label else next(iter(spellings.values()))))
            spelled += [(name, written, len(self.things) - 1) for name, written in spellings.items() if name]
        spelled.sort()
        self.names, self.written, owners = (list(column) for column in zip(*spelled)) if spelled else ([], [], [])
        self.owner = array("i", owners)
        # each name's place in the order matches are shown in (shorter names first, then as written, then by
        # label), and the names in that order
        shown = list(zip(map(len, self.names), self.written, (self.things[thing].label for thing in owners)))
        self.by_order = array("i", sorted(range(len(spelled)), key=shown.__getitem__))
        self.order = array("i", bytes(self.owner.itemsize * len(spelled)))
        for place, i in enumerate(self.by_order):
            self.order[i] = place
        later = []  # (the name from a word after its first on, the name)
        for i, name in enumerate(self.names):
            at = name.find(" ")
            while at != -1:
                later.append((name[at + 1:], i))
                at = name.find(" ", at + 1)
        later.sort()
        self.word_name = array("i", (i for _, i in later))
        self.word_start = array("i", (len(self.names[i]) - len(rest) for rest, i in later))
        self.vocabulary = "\n" + "\n".join(sorted({w for name in self.names for w in name.split(" ")})) + "\n"

    ARRAYS = ("owner", "by_order", "order", "word_name", "word_start")

    def as_json(self) -> dict:
        """The index as kept for the other processes (http/kept_values.py)."""
        return {"iris": [t.iri for t in self.things], "labels": [t.label for t in self.things], "names": self.names,
                "written": self.written, "vocabulary": self.vocabulary,
                **{name: array_text(getattr(self, name)) for name in self.ARRAYS}}

    @classmethod
    def from_json(cls, data: dict) -> Index:
        index = cls.__new__(cls)
        index.things = list(map(Thing, data["iris"], data["labels"]))
        index.names, index.written, index.vocabulary = data["names"], data["written"], data["vocabulary"]
        for name in cls.ARRAYS:
            setattr(index, name, text_array(data[name]))
        if not len(index.names) == len(index.written) == len(index.owner) == len(index.order):
            raise ValueError("the index's columns differ in length")
        return index

    def find(self, text: str, limit: int, offset: int) -> tuple[int, list[dict]]:
        """How many things match `text`, and the `limit` best from `offset` on."""
        query = normalized(text)
        if not query:
            return 0, []
        seen: set[int] = set()  # the things a better tier matched
        page: list[tuple[int, int, int]] = []  # (tier, thing, name), from the best match on
        for tier, names in enumerate(self._tiers(query, seen)):
            matched = set(self.owner[names.start:names.stop] if isinstance(names, range)
                          else map(self.owner.__getitem__, names)) - seen
            if matched and len(page) < offset + limit:
                page += [(tier, thing, name) for thing, name in self._best(names, matched, offset + limit - len(page))]
            seen |= matched
        return len(seen), [self._result(*match) for match in page[offset:offset + limit]]

    def _tiers(self, query: str, seen: set[int]) -> Iterator[Sequence[int]]:
        """The names that match, by how well: exactly; from their start; from a later word's; inside a word
        (`seen`, the things matched so far, grows as the tiers are read)."""
        low, high = bisect_left(self.names, query), bisect_right(self.names, query)
        yield range(low, high)
        yield range(high, bisect_left(self.names, query + END))
        yield self._later(query)
        yield self._inside(query, seen)

    def _later(self, prefix: str) -> Sequence[int]:
        """The names with a later word from which they read `prefix`."""
        words = range(len(self.word_name))
        return self.word_name[bisect_left(words, prefix, key=self._rest):
                              bisect_left(words, prefix + END, key=self._rest)]

    def _rest(self, w: int) -> str:
        return self.names[self.word_name[w]][self.word_start[w]:]

    def _inside(self, query: str, seen: set[int]) -> Sequence[int]:
        """The names with the query inside a word. Each word the query's first word is inside (at its end, if
        the query goes on to other words) gives the start to look for: "erson" inside "person" gives
        "person". A query inside too many words ("1", "e") is looked for in the names not yet matched."""
        first, more = query.split(" ", 1)[0], " " in query
        before: set[str] = set()
        at = self.vocabulary.find(first, 1)
        while at != -1:
            begin = self.vocabulary.rfind("\n", 0, at) + 1
            if at > begin and (not more or self.vocabulary[at + len(first)] == "\n"):
                before.add(self.vocabulary[begin:at])
                if len(before) > INSIDE_WORDS:
                    # in a name of a thing not yet matched, the query is inside a word: at a word's start it was matched
                    return [i for i, name in enumerate(self.names) if query in name and self.owner[i] not in seen]
            at = self.vocabulary.find(first, at + 1)
        names = []
        for start in before:
            names += range(bisect_left(self.names, start + query), bisect_left(self.names, start + query + END))
            names += self._later(start + query)
        return names

    def _best(self, names: Sequence[int], matched: set[int], wanted: int) -> list[tuple[int, int]]:
        """The `wanted` first of the `matched` things in the order shown, each with its best name of `names`."""
        if len(names) > len(self.names) // 16:  # many: the first names in the order shown soon meet them
            members = names if isinstance(names, range) else set(names)
            ordered = (name for name in self.by_order if name in members)
        else:
            ordered = sorted(names, key=self.order.__getitem__)
        chosen: dict[int, int] = {}
        for name in ordered:
            if self.owner[name] in matched:
                chosen.setdefault(self.owner[name], name)
                if len(chosen) == wanted:
                    break
        return list(chosen.items())

    def _result(self, tier: int, thing: int, name: int) -> dict:
        t = self.things[thing]
        return {"iri": t.iri, "url": local_url(t.iri), "label": t.label, "matched": self.written[name],
                "exact": tier == 0}


@warmed(rank=1)
def index() -> Index:
    """The search index of the data served now, made once per dataset version."""
    def make() -> Index:
        records = strings(NAME, NAMED, "?g")
        return Index([(iri, name, english == "1") for iri, english, name in (record.split(" ", 2) for record in records)])

    return dataset_state().get("search index", make, Kept(Index.as_json, Index.from_json))


def named_things() -> list[Thing]:
    """Every named thing of the data (the query page's completions)."""
    return index().things


def find(text: str, limit: int = 10, offset: int = 0) -> tuple[int, list[dict]]:
    """How many things match `text`, and the `limit` best from `offset` on, each with its types."""
    total, results = index().find(text, limit, offset)
    types: dict[str, list[str]] = {r["iri"]: [] for r in results}
    if types:
        for row in engine().select(TYPES % {"things": " ".join(sparql_iri(iri) for iri in types)}):
            types[str(row["thing"])].append(compact(str(row["type"])))
    return total, [{**r, "types": sorted(set(types[r["iri"]]))} for r in results]


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
