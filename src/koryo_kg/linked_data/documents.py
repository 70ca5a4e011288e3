"""Linked data for harvesters: every IRI under the base dereferences on this server, the dataset's VoID
description and its dumps download, and every answer supports conditional requests.

IRIs: the data's IRIs are `https://w3id.org/koryo-kg/id/{kind}/{slug}`; this server answers for them at
`/id/{kind}/{slug}` (the base mapped onto its own host), and likewise for every other IRI under the base
that the dataset holds (`/dataset`, `/graph/…`, `/build/…`). Following Cool URIs for the Semantic Web, the IRI
of a thing answers 303 See Other to a document about it, `/id/{kind}/{slug}.{ttl,nt,rdf,jsonld,html}`,
chosen by Accept; each document lists the other formats in `Link: rel=alternate` headers.
"""

from __future__ import annotations

import difflib
from array import array
from bisect import bisect_left
from pathlib import Path
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for
from rdflib import URIRef

from koryo_kg import formats
from koryo_kg.build.checksums import CHECKSUMS
from koryo_kg.build.checksums import read as read_checksums
from koryo_kg.formats import GRAPH, HTML, RDF_KINDS
from koryo_kg.http.caching import conditional
from koryo_kg.http.dataset_state import dataset_state, engine, strings, warmed
from koryo_kg.http.kept_values import AS_IS, Kept, array_text, text_array
from koryo_kg.http.links import local_url, site_url
from koryo_kg.http.negotiation import choose_document, document_media_types, prefers_html
from koryo_kg.pages.entities import entity_page
from koryo_kg.vocab import BASE

blueprint = Blueprint("linked_data", __name__)

DOCUMENT_FORMATS = {f.extension: f for f in (*formats.of(GRAPH), HTML)}
DUMP_TYPES = {extension: f.media_type for extension, f in formats.by_extension(*RDF_KINDS).items()}

# The document about a resource: its own triples (with the blank nodes they lead to, such as time-spans),
# the statements about it with their triples (and their time-spans), the triples that point at it, and the labels of everything
# it links to (a concept's skos:prefLabel). ?this is bound by substitution, never spliced into the text.
DESCRIBE = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kg: <https://w3id.org/koryo-kg/ontology#>
CONSTRUCT {
  ?this ?p ?o . ?o ?bp ?bo . ?o ?olabelled ?olabel .
  ?statement ?sp ?so . ?so ?solabelled ?solabel . ?so ?sbp ?sbo .
  ?s ?q ?this . ?s rdfs:label ?slabel .
} WHERE {
  { ?this ?p ?o
    OPTIONAL { FILTER isBlank(?o) ?o ?bp ?bo }
    OPTIONAL { FILTER isIRI(?o) ?o ?olabelled ?olabel VALUES ?olabelled { rdfs:label skos:prefLabel } } }
  UNION { ?statement kg:about ?this ; ?sp ?so
          OPTIONAL { FILTER isBlank(?so) ?so ?sbp ?sbo }
          OPTIONAL { FILTER isIRI(?so) ?so ?solabelled ?solabel VALUES ?solabelled { rdfs:label skos:prefLabel } } }
  UNION { ?s ?q ?this OPTIONAL { ?s rdfs:label ?slabel } }
}
"""


NEAR = 50  # the 404's suggestions are looked for among this many IRIs each side of the one asked for
NOT_IN_IRIS = frozenset('<>" {}|\\^`')  # nor controls: what rdflib warns of and the store refuses


def _exists(iri: str) -> bool:
    if any(c in NOT_IN_IRIS or c < " " for c in iri):  # not even an IRI: certainly not ours
        return False
    try:
        return engine().ask("ASK { { ?this ?p ?o } UNION { ?s ?p ?this } }", {"this": URIRef(iri)})
    except ValueError:  # another reason it is not an IRI
        return False


@warmed(rank=4)
def _subjects() -> list[str]:
    """The dataset's own IRIs that are subjects: the 404s' suggestions and the sitemap."""
    # from each graph as it is: the union of the graphs (the store removes the triples two graphs share) cost seconds more
    return dataset_state().get("subjects", lambda: sorted(iri for iri in strings(
        ["STR(?s)"], "{ SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER isIRI(?s) } }")
        if iri.startswith(BASE)), AS_IS)


def _similar(path: str) -> list[str]:
    """IRIs of the dataset that look like the one asked for, for a 404 that helps: among the IRIs next to it
    in order, and among those whose last segment (the slug) is next to its slug in order, so that a 404
    costs the same with 200 subjects or 200,000."""
    candidates = _subjects()
    wanted, slug = BASE + path, path.rsplit("/", 1)[-1]
    near = bisect_left(candidates, wanted)
    close = difflib.get_close_matches(wanted, candidates[max(0, near - NEAR):near + NEAR], n=5, cutoff=0.75)
    slugs, owners = _slugs()
    near = bisect_left(slugs, slug)
    by_slug = {slugs[i]: candidates[owners[i]] for i in range(max(0, near - NEAR), min(len(slugs), near + NEAR))}
    close += [by_slug[s] for s in difflib.get_close_matches(slug, list(by_slug), n=5, cutoff=0.6)]
    return list(dict.fromkeys(close))[:5]


SLUGS = Kept(lambda value: [value[0], array_text(value[1])], lambda data: (list(data[0]), text_array(data[1])))


@warmed(rank=5)
def _slugs() -> tuple[list[str], array]:
    """The subjects' slugs in order, and for each the subject it is of."""
    def make() -> tuple[list[str], array]:
        subjects = _subjects()
        ordered = sorted(range(len(subjects)), key=lambda i: subjects[i].rsplit("/", 1)[-1])
        return [subjects[i].rsplit("/", 1)[-1] for i in ordered], array("i", ordered)

    return dataset_state().get("subject slugs", make, SLUGS)


def _not_found(path: str) -> Response:
    """404 with the dataset's IRIs that look like the one asked for: a page for browsers, text for others."""
    similar = _similar(path)
    if prefers_html(request.accept_mimetypes):
        words = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ")
        body = render_template("not_found.html", iri=BASE + path, search_query=words,
                               suggestions=[{"url": local_url(iri), "iri": iri} for iri in similar])
        return Response(body, status=404, mimetype="text/html")
    lines = [f"404 Not Found: nothing in the dataset is called {BASE}{path}"]
    if similar:
        lines += ["", "Did you mean:"] + [f"  {local_url(iri)}" for iri in similar]
    return Response("\n".join(lines) + "\n", status=404, mimetype="text/plain")


def _alternates(path: str) -> str:
    return ", ".join(f'<{url_for("linked_data.resource", path=f"{path}.{ext}")}>; rel="alternate"; type="{f.media_type}"'
                     for ext, f in DOCUMENT_FORMATS.items())


def describe(iri: str, format: str | None = None) -> list[tuple] | bytes:
    """The triples of the document about `iri`, each once; or, with `format`, the document in it."""
    return engine().construct(DESCRIBE, {"this": URIRef(iri)}, format=format)


@blueprint.route("/<path:path>", methods=["GET"])
def resource(path: str) -> Response:
    """Any IRI under the base: /id/… resources, and /dataset, /graph/…, /build/… of the meta graph."""
    stem, _, extension = path.rpartition(".")
    if stem and extension in DOCUMENT_FORMATS and _exists(BASE + stem):
        return document(stem, extension)
    iri = BASE + path
    if not _exists(iri):
        return _not_found(path)
    chosen = choose_document(request.accept_mimetypes)
    if chosen is None:
        return Response("406 Not Acceptable: documents are available as " + ", ".join(document_media_types())
                        + "\n", status=406, mimetype="text/plain")
    response = redirect(url_for("linked_data.resource", path=f"{path}.{chosen.extension}"), code=303)
    response.headers["Link"] = _alternates(path)
    return conditional(response, f"{path}->{chosen.extension}")  # a re-crawl of the IRI costs a 304 too


def document(path: str, extension: str) -> Response:
    iri = BASE + path
    chosen = DOCUMENT_FORMATS[extension]
    if chosen is HTML:
        body = entity_page(iri, {ext: url_for("linked_data.resource", path=f"{path}.{ext}")
                                 for ext in DOCUMENT_FORMATS if ext != "html"})
        response = Response(body, mimetype="text/html")
    else:
        response = Response(describe(iri, chosen.name), mimetype=chosen.media_type)
    response.charset = "utf-8"
    response.headers["Link"] = _alternates(path)
    response.headers["Content-Location"] = url_for("linked_data.resource", path=f"{path}.{extension}")
    return conditional(response, f"{path}.{extension}")


@blueprint.route("/dumps/<name>", methods=["GET"])
def dump(name: str) -> Response:
    folder = current_app.config["KORYO"].dumps_dir
    # names compared, never opened: no path the client made is used
    dumps = {p.name: p for p in dump_files() + [checksum_file()] if p is not None}
    path = dumps.get(name) if folder else None
    if path is None:
        abort(404, description=f"no dump called {name[:100]}; see /.well-known/void for the list")
    plain = name[:-3] if name.endswith(".gz") else name
    media_type = DUMP_TYPES.get(Path(plain).suffix, "application/octet-stream")
    if name == CHECKSUMS:
        response = send_file(path, mimetype="text/plain", conditional=False, etag=False)
        response.charset = "utf-8"
    elif name.endswith(".gz"):
        response = send_file(path, mimetype="application/gzip", conditional=False, etag=False)
    else:
        response = send_file(path, mimetype=media_type, conditional=False, etag=False)
        response.charset = "utf-8"
    return conditional(response, f"dumps/{name}")


def dump_files() -> list[Path]:
    """The downloads of the dataset (their checksums' file is not one)."""
    folder = current_app.config["KORYO"].dumps_dir
    return sorted(p for p in Path(folder).iterdir() if p.name != CHECKSUMS) if folder and Path(folder).is_dir() else []


def checksum_file() -> Path | None:
    """The dumps' SHA256SUMS, which the build writes (`sha256sum -c SHA256SUMS` checks a download)."""
    folder = current_app.config["KORYO"].dumps_dir
    path = Path(folder) / CHECKSUMS if folder else None
    return path if path is not None and path.is_file() else None


@warmed(rank=3)
def _void_facts():
    """What the VoID description reads of all the data and the dumps (their checksums as the build wrote them)."""
    from koryo_kg.linked_data.dataset_description import facts

    return dataset_state().get("void facts", lambda: facts(engine(), dump_files(), read_checksums(
        Path(current_app.config["KORYO"].dumps_dir or "."))))


@blueprint.route("/.well-known/void", methods=["GET"])
def void() -> Response:
    from koryo_kg.linked_data.dataset_description import void_graph

    graph = void_graph(_void_facts(), site_url(), DUMP_TYPES)
    chosen = choose_document(request.accept_mimetypes, html=False) or formats.get("turtle", GRAPH)
    response = Response(graph.serialize(format=chosen.media_type), mimetype=chosen.media_type)
    response.charset = "utf-8"
    return conditional(response, f".well-known/void/{chosen.name}")


@blueprint.route("/favicon.ico", methods=["GET"])
def favicon() -> Response:
    """Browsers ask for it on every page: no icon, and no error in their console."""
    return conditional(Response(status=204), "favicon")


@blueprint.route("/robots.txt", methods=["GET"])
def robots() -> Response:
    body = f"User-agent: *\nAllow: /\nSitemap: {site_url()}/sitemap.xml\n"
    return conditional(Response(body, mimetype="text/plain"), "robots.txt")


SITEMAP_URLS = 50_000  # the most a sitemap file may list (sitemaps.org); 50,000 of ours are about 5 MB, under its 50 MB


def _sitemap_files() -> int:
    return max(1, -(-len(_subjects()) // SITEMAP_URLS))


def _lastmod() -> str:
    modified = current_app.config["KORYO"].modified
    return f"<lastmod>{modified.date().isoformat()}</lastmod>" if modified else ""


@blueprint.route("/sitemap.xml", methods=["GET"])
def sitemap() -> Response:
    """The sitemap index (sitemaps.org): the sitemap files that list every entity page between them."""
    entries = "".join(f"<sitemap><loc>{escape(site_url())}/sitemap/{n}.xml</loc>{_lastmod()}</sitemap>\n"
                      for n in range(1, _sitemap_files() + 1))
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n')
    return conditional(Response(body, mimetype="application/xml"), "sitemap.xml")


@blueprint.route("/sitemap/<int:number>.xml", methods=["GET"])
def sitemap_file(number: int) -> Response:
    """The entity pages (the HTML documents of the dataset's resources) from the `number`th 50,000 on."""
    if not 1 <= number <= _sitemap_files():
        abort(404, description=f"no sitemap file {number}; /sitemap.xml lists them")
    site, lastmod = escape(site_url()), _lastmod()
    urls = "".join(f"<url><loc>{site}/{escape(iri[len(BASE):])}.html</loc>{lastmod}</url>\n"
                   for iri in _subjects()[(number - 1) * SITEMAP_URLS:number * SITEMAP_URLS])
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')
    return conditional(Response(body, mimetype="application/xml"), f"sitemap/{number}.xml")
