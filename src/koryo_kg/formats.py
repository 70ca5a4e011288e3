"""Every format the project reads or writes, in one table: its media types, file extensions, the names a
`format=` parameter or the command line's --format may give it, and what kind of thing it holds.

Everything that names a format reads it from here: the command line's choices, the endpoint's content
negotiation, the result writers, linked-data documents and dumps, the parsing of input files, the validation
service, the service description, the compression list and the pages. The serializers themselves stay with
the layers that own them (pyoxigraph's in query/writers.py, the reports' in build/reports.py): this module
imports no library, so every layer may read it.

The order of FORMATS matters: within a kind, the first format is what `Accept: */*` gets, and an Accept that
weighs two formats the same gets the earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass

# what a format holds
RESULTS = "results"  # SELECT and ASK results
GRAPH = "graph"  # triples: CONSTRUCT and DESCRIBE results, documents about a resource
DATASET = "dataset"  # quads (named graphs): dumps, and CONSTRUCT results too
REPORT = "report"  # a validation report
PAGE = "page"  # HTML for people


@dataclass(frozen=True)
class Format:
    name: str  # the one name used everywhere: `format=`, the command line's --format, the writers
    kind: str
    media_types: tuple[str, ...]  # the preferred one first, then aliases that are accepted; none: CLI only
    extensions: tuple[str, ...] = ()  # without the dot; the first is the one written
    names: tuple[str, ...] = ()  # other values of `format=` that mean this format
    label: str = ""  # for people: a page's menus and links
    text: bool = True  # compressed for clients that accept gzip
    charset: bool = True  # the media type carries `; charset=utf-8` (N-Triples, N-Quads, TriG are UTF-8 by definition)

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def extension(self) -> str:
        return self.extensions[0]


FORMATS = (
    Format("table", RESULTS, ()),  # the command line's aligned columns
    Format("json", RESULTS, ("application/sparql-results+json", "application/json"), ("srj",), ("srj",),
           "SPARQL JSON"),
    Format("xml", RESULTS, ("application/sparql-results+xml", "application/xml", "text/xml"), ("srx",), ("srx",),
           "SPARQL XML"),
    Format("csv", RESULTS, ("text/csv",), ("csv",), label="CSV"),
    Format("tsv", RESULTS, ("text/tab-separated-values",), ("tsv",), label="TSV"),
    Format("turtle", GRAPH, ("text/turtle", "application/x-turtle", "text/n3"), ("ttl",), ("ttl", "n3"), "Turtle"),
    Format("ntriples", GRAPH, ("application/n-triples", "text/plain"), ("nt",), ("nt", "n-triples"), "N-Triples",
           charset=False),
    Format("rdfxml", GRAPH, ("application/rdf+xml", "application/xml", "text/xml"), ("rdf", "owl", "xml"),
           ("rdf", "xml", "rdf+xml"), "RDF/XML"),
    Format("jsonld", GRAPH, ("application/ld+json", "application/json"), ("jsonld", "json"), ("json-ld", "json"),
           "JSON-LD"),
    # datasets are served as dumps, which have their own .gz files
    Format("nquads", DATASET, ("application/n-quads",), ("nq",), ("nq", "n-quads"), "N-Quads", text=False,
           charset=False),
    Format("trig", DATASET, ("application/trig",), ("trig",), label="TriG", text=False, charset=False),
    # validation reports: `koryo-kg validate --format` and POST /validate's `format=` (by name only); Accept
    # `*/*` gets JSON, and text/plain the text, not GitHub's commands
    Format("json", REPORT, ("application/json",)),
    Format("sarif", REPORT, ("application/sarif+json",)),
    Format("junit", REPORT, ("application/xml", "text/xml")),
    Format("turtle", REPORT, ("text/turtle",)),
    Format("text", REPORT, ("text/plain",)),
    Format("github", REPORT, ("text/plain",)),
    Format("html", PAGE, ("text/html", "application/xhtml+xml"), ("html",), label="HTML"),
)

HTML = next(f for f in FORMATS if f.kind == PAGE)
QUERY_KINDS = {"SELECT": (RESULTS,), "ASK": (RESULTS,), "CONSTRUCT": (GRAPH, DATASET), "DESCRIBE": (GRAPH, DATASET)}
RDF_KINDS = (GRAPH, DATASET)  # what a file of data can be


def of(*kinds: str) -> list[Format]:
    """The formats of these kinds, in the table's order."""
    return [f for f in FORMATS if f.kind in kinds]


def get(name: str, *kinds: str) -> Format | None:
    """The format called exactly `name` among `kinds` (all but reports when none are given)."""
    return next((f for f in of(*(kinds or (RESULTS, GRAPH, DATASET, PAGE))) if f.name == name), None)


def named(value: str, *kinds: str) -> Format | None:
    """The format of `kinds` that a `format=` value means: a name, another name, or a media type."""
    value = value.strip().lower()
    for f in of(*kinds):
        if value == f.name or value in f.names:
            return f
    media_type = value.split(";")[0].strip()
    return next((f for f in of(*kinds) if media_type in f.media_types), None)


def offers(*kinds: str) -> dict[str, Format]:
    """Media type -> format, for content negotiation: every preferred media type first (the first is what
    `*/*` gets), then the aliases; a media type two formats claim is the earlier one's."""
    formats = of(*kinds)
    ordered = [(m, f) for f in formats for m in f.media_types[:1]] + [(m, f) for f in formats for m in f.media_types[1:]]
    table: dict[str, Format] = {}
    for media_type, f in ordered:
        table.setdefault(media_type, f)
    return table


def by_extension(*kinds: str) -> dict[str, Format]:
    """'.ext' -> format, for files."""
    return {"." + extension: f for f in of(*kinds) for extension in f.extensions}


def compressed_media_types() -> list[str]:
    """The media types worth gzip: what a text format is sent as."""
    return sorted({f.media_type for f in FORMATS if f.text and f.media_types})
