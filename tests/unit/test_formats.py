"""The one registry of formats (koryo_kg/formats.py), in process: content negotiation by Accept (q-values,
wildcards, aliases) and by `format=` names, and every format of the registry through both the command line
(click's CliRunner) and the endpoint (the app's test client), on a miniature build (tests/fixtures/mini)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from conftest import FIXTURES
from koryo_kg import formats
from koryo_kg.app import create_app
from koryo_kg.build.cache import BuildCache
from koryo_kg.build.reports import WRITERS
from koryo_kg.cli import main
from koryo_kg.endpoint.service_description import FORMAT_IRIS
from koryo_kg.formats import DATASET, GRAPH, HTML, REPORT, RESULTS
from koryo_kg.http.negotiation import choose, choose_document, choose_report, offered
from koryo_kg.query.command_line import CHOICES
from koryo_kg.query.writers import RDF_FORMATS, SOLUTION_NATIVE_FORMATS
from koryo_kg.settings import ServerConfig
from koryo_kg.sources.parsing import FORMATS as FILE_FORMATS

PLACE = "?s a <https://example.org/mini#Place> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label"
SELECT = f"SELECT ?s ?label WHERE {{ {PLACE} }} ORDER BY ?label"
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = f"CONSTRUCT {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }} WHERE {{ {PLACE} }}"
LABELS = ["Central Asia", "Kazakhstan", "Ushtobe"]
HTTP_FORMATS = [f for f in formats.of(RESULTS, GRAPH, DATASET) if f.media_types]


def accept(header: str) -> MIMEAccept:
    return parse_accept_header(header, MIMEAccept)


# --- the table itself


def test_every_format_has_its_writer_and_its_service_description_iri():
    assert set(SOLUTION_NATIVE_FORMATS) == {f.name for f in formats.of(RESULTS) if f.media_types}
    assert set(RDF_FORMATS) == {f.name for f in formats.of(GRAPH, DATASET)}
    assert set(WRITERS) == {f.name for f in formats.of(REPORT)}
    assert {f.name for f in HTTP_FORMATS} == set(FORMAT_IRIS)


def test_one_name_per_format_and_no_name_meaning_two():
    for kinds in ((RESULTS,), (GRAPH, DATASET), (REPORT,)):
        spelled = [n for f in formats.of(*kinds) for n in (f.name, *f.names)]
        assert len(spelled) == len(set(spelled)), kinds
    extensions = [e for f in formats.of(GRAPH, DATASET) for e in f.extensions]
    assert len(extensions) == len(set(extensions))


def test_input_files_are_read_by_the_registry_extensions():
    assert set(FILE_FORMATS) == {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".json", ".rdf", ".owl", ".xml"}
    assert FILE_FORMATS[".owl"] == pyoxigraph.RdfFormat.RDF_XML and FILE_FORMATS[".json"] == pyoxigraph.RdfFormat.JSON_LD


def test_compressed_media_types_are_the_text_formats():
    compressed = formats.compressed_media_types()
    assert "text/html" in compressed and "application/sparql-results+json" in compressed
    assert "application/n-quads" not in compressed  # dumps have their own .gz


# --- negotiation


@pytest.mark.parametrize("header, kind, name", [
    ("", "SELECT", "json"),
    ("*/*", "SELECT", "json"),
    ("text/csv", "SELECT", "csv"),
    ("text/csv;q=0.5, application/sparql-results+xml", "SELECT", "xml"),
    ("application/sparql-results+json;q=0.1, text/tab-separated-values;q=0.2", "SELECT", "tsv"),
    ("application/json", "ASK", "json"),  # an alias
    ("text/xml", "SELECT", "xml"),
    ("text/*", "SELECT", "csv"),  # the first text/ type offered
    ("application/json, text/csv", "SELECT", "csv"),  # a tie goes to the preferred media type
    ("", "CONSTRUCT", "turtle"),
    ("*/*", "DESCRIBE", "turtle"),
    ("application/ld+json", "CONSTRUCT", "jsonld"),
    ("application/json", "CONSTRUCT", "jsonld"),  # an alias: the same text names a graph format here
    ("application/xml", "CONSTRUCT", "rdfxml"),
    ("text/plain", "CONSTRUCT", "ntriples"),
    ("text/n3", "CONSTRUCT", "turtle"),
    ("application/x-turtle", "CONSTRUCT", "turtle"),
    ("application/trig;q=0.9, application/n-quads;q=0.8", "CONSTRUCT", "trig"),
    ("application/*", "CONSTRUCT", "ntriples"),
    ("text/turtle;q=0, */*;q=0.1", "CONSTRUCT", "ntriples"),  # q=0 refuses
])
def test_accept_chooses(header, kind, name):
    chosen = choose(kind, None, accept(header))
    assert chosen is not None and chosen.name == name and chosen.kind in formats.QUERY_KINDS[kind]


@pytest.mark.parametrize("header, kind", [("image/png", "SELECT"), ("text/turtle", "SELECT"),
                                          ("application/sparql-results+json", "CONSTRUCT"), ("text/csv;q=0", "SELECT")])
def test_accept_that_cannot_be_met_is_none(header, kind):
    assert choose(kind, None, accept(header)) is None


@pytest.mark.parametrize("value, kind, name", [
    ("json", "SELECT", "json"), ("srj", "SELECT", "json"), ("SRX", "SELECT", "xml"), (" csv ", "SELECT", "csv"),
    ("text/csv; charset=utf-8", "SELECT", "csv"), ("application/json", "SELECT", "json"),
    ("json", "CONSTRUCT", "jsonld"), ("json-ld", "CONSTRUCT", "jsonld"), ("xml", "CONSTRUCT", "rdfxml"),
    ("rdf", "CONSTRUCT", "rdfxml"), ("ttl", "DESCRIBE", "turtle"), ("nt", "CONSTRUCT", "ntriples"),
    ("n-quads", "CONSTRUCT", "nquads"), ("trig", "CONSTRUCT", "trig"), ("text/plain", "CONSTRUCT", "ntriples"),
])
def test_format_names_and_aliases(value, kind, name):
    assert choose(kind, value, accept("image/png")).name == name  # `format=` wins over Accept


@pytest.mark.parametrize("value, kind", [("table", "SELECT"), ("turtle", "SELECT"), ("csv", "CONSTRUCT"),
                                         ("html", "SELECT"), ("bogus", "CONSTRUCT"), ("sarif", "SELECT")])
def test_format_names_that_are_not_offered(value, kind):
    assert choose(kind, value, accept("*/*")) is None


def test_offered_lists_preferred_media_types():
    assert offered("SELECT") == sorted(f.media_type for f in formats.of(RESULTS) if f.media_types)
    assert "application/trig" in offered("CONSTRUCT") and "text/html" not in offered("CONSTRUCT")


@pytest.mark.parametrize("header, explicit, name", [
    ("", None, "turtle"), ("*/*", None, "turtle"), ("text/html", None, "html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, "html"),  # a browser
    ("application/rdf+xml", None, "rdfxml"), ("application/json", None, "jsonld"), ("text/plain", None, "ntriples"),
    ("image/png", "ttl", "turtle"), ("", "HTML", "html"), ("", "application/ld+json", "jsonld"),
])
def test_documents(header, explicit, name):
    assert choose_document(accept(header), explicit).name == name


@pytest.mark.parametrize("header, explicit", [("application/xml", None), ("text/n3", None), ("", "nquads"),
                                              ("", "text/xml"), ("application/n-quads", None)])
def test_documents_refuse_generic_xml_n3_and_datasets(header, explicit):
    assert choose_document(accept(header), explicit) is None


def test_documents_without_html():
    assert choose_document(accept("text/html"), html=False) is None
    assert choose_document(accept("text/html, text/turtle;q=0.5"), html=False).name == "turtle"
    assert choose_document(accept(""), "html", html=False) is None


@pytest.mark.parametrize("header, explicit, name", [
    ("", None, "json"), ("*/*", None, "json"), ("application/sarif+json", None, "sarif"), ("text/xml", None, "junit"),
    ("text/plain", None, "text"), ("text/turtle", None, "turtle"), ("image/png", "github", "github"),
])
def test_reports(header, explicit, name):
    assert choose_report(accept(header), explicit).name == name


def test_reports_refuse_unknown_names_and_types():
    assert choose_report(accept(""), "JSON") is None  # report names are exact
    assert choose_report(accept("image/png"), None) is None


# --- every format through the command line and the endpoint


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    """The home of a build of tests/fixtures/mini, made by `koryo-kg build` in process."""
    home = tmp_path_factory.mktemp("home")
    result = CliRunner().invoke(main, ["--home", str(home), "--sources", str(FIXTURES / "mini"), "build"])
    assert result.exit_code == 0, result.output
    return home


def cli_query(home: Path, query: str, name: str):
    return CliRunner().invoke(main, ["--home", str(home), "--sources", str(FIXTURES / "mini"), "query", query,
                                     "--format", name])


@pytest.fixture(scope="module")
def client(mini):
    cache = BuildCache(mini)
    app = create_app(ServerConfig(store_path=str(cache.path(cache.current_key()) / "store")))
    return app.test_client()


def labels_in(text: str, f) -> list[str]:
    """The labels a result holds, read back in its own format."""
    if f.kind in (GRAPH, DATASET):
        return sorted(q.object.value for q in pyoxigraph.parse(text.encode(), format=RDF_FORMATS[f.name]))
    if f.name == "json":
        return [b["label"]["value"] for b in json.loads(text)["results"]["bindings"]]
    if f.name == "xml":
        return re.findall(r"<literal xml:lang=\"en\">([^<]*)</literal>", text)
    if f.name == "csv":
        return [row["label"] for row in csv.DictReader(io.StringIO(text))]
    if f.name == "tsv":
        return [line.split("\t")[1].split('"')[1] for line in text.splitlines()[1:]]
    return sorted(label for label in LABELS if label in text)  # the table


def test_the_command_line_offers_every_format_and_the_table():
    assert CHOICES == ["table", *(f.name for f in HTTP_FORMATS)]


@pytest.mark.parametrize("name", [n for n in CHOICES if formats.get(n, RESULTS)])
def test_cli_results_formats(mini, name):
    result = cli_query(mini, SELECT, name)
    assert result.exit_code == 0, result.output
    assert labels_in(result.stdout, formats.get(name, RESULTS)) == LABELS
    boolean = cli_query(mini, ASK, name)
    assert boolean.exit_code == 0 and "true" in boolean.stdout


@pytest.mark.parametrize("name", [n for n in CHOICES if formats.get(n, GRAPH, DATASET)])
def test_cli_graph_formats(mini, name):
    result = cli_query(mini, CONSTRUCT, name)
    assert result.exit_code == 0, result.output
    assert labels_in(result.stdout, formats.get(name, GRAPH, DATASET)) == LABELS


@pytest.mark.parametrize("name, means", [("json", "jsonld"), ("xml", "rdfxml"), ("table", "turtle"),
                                         ("csv", "turtle")])
def test_cli_graph_aliases_write_what_they_always_did(mini, name, means):
    assert cli_query(mini, CONSTRUCT, name).stdout == cli_query(mini, CONSTRUCT, means).stdout


@pytest.mark.parametrize("name", ["turtle", "jsonld", "nquads"])
def test_cli_graph_format_for_select_is_bad_input(mini, name):
    result = cli_query(mini, SELECT, name)
    assert result.exit_code == 2 and "for CONSTRUCT and DESCRIBE" in result.stderr and "Traceback" not in result.output


def test_cli_unknown_format_is_a_usage_error(mini):
    result = cli_query(mini, SELECT, "sarif")
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.stderr


@pytest.mark.parametrize("f", HTTP_FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("spelling", ["name", "media type", "Accept"])
def test_http_formats(client, f, spelling):
    query = SELECT if f.kind == RESULTS else CONSTRUCT
    if spelling == "Accept":
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": f.media_type})
    else:
        response = client.get("/sparql", query_string={"query": query,
                                                       "format": f.name if spelling == "name" else f.media_type})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == f.media_type + ("; charset=utf-8" if f.charset else "")
    assert labels_in(response.get_data(as_text=True), f) == LABELS


@pytest.mark.parametrize("f", [f for f in HTTP_FORMATS if f.kind == RESULTS], ids=lambda f: f.name)
def test_http_ask(client, f):
    response = client.get("/sparql", query_string={"query": ASK, "format": f.name})
    assert response.status_code == 200 and "true" in response.get_data(as_text=True)


def test_http_refuses_the_table_and_a_results_format_for_a_graph(client):
    for query, name in ((SELECT, "table"), (CONSTRUCT, "csv"), (SELECT, "turtle")):
        response = client.get("/sparql", query_string={"query": query, "format": name})
        assert response.status_code == 406 and "available" in response.get_data(as_text=True)


def test_http_service_description_lists_every_format(client):
    response = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    listed = re.findall(r"resultFormat> <http://www.w3.org/ns/formats/([^>]+)>", response.get_data(as_text=True))
    assert sorted(listed) == sorted(str(FORMAT_IRIS[f.name]).rsplit("/", 1)[1] for f in HTTP_FORMATS)


def test_the_query_page_menu_and_downloads_come_from_the_registry(client):
    page = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    for f in formats.of(RESULTS):
        if f.media_types:
            assert f'<option value="{f.name}">{f.label}</option>' in page
    assert "&#34;N-Triples&#34;, &#34;ntriples&#34;, &#34;nt&#34;" in page
    assert HTML.media_type == "text/html"


def test_readme_names_every_command_line_format():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in readme.splitlines() if line.startswith("| `koryo-kg query")]
    assert all(f"`{name}`" in row for name in CHOICES)
