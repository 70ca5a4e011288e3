"""Registers as sources: `--include DIR` builds a folder with the article's data into a named graph of its
own, reasoned, validated with file:line findings, stored, dumped and cached by the inputs' hash."""

from __future__ import annotations

import gzip
import json
import re

from conftest import BLANK_NODE, koryo_kg, synthetic_register

PERSON = """@prefix kg: <https://w3id.org/koryo-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/koryo-kg/id/synthetic/person/p{n}> a kg:Person ; rdfs:label "Synthetic person {n}"@en ;
    prov:wasDerivedFrom <https://w3id.org/koryo-kg/id/work/infogalactic-article> ;
    kg:citationStatus <https://w3id.org/koryo-kg/id/concept/no-footnote> .
"""
GRAPH = "https://w3id.org/koryo-kg/graph/include/register"


def test_an_included_folder_is_built_reasoned_stored_dumped_and_cached(tmp_path):
    register = tmp_path / "register"
    (register / "deeper").mkdir(parents=True)
    (register / "a.ttl").write_text(PERSON.format(n=1), encoding="utf-8")
    (register / "deeper" / "b.ttl").write_text(PERSON.format(n=2), encoding="utf-8")
    home = tmp_path / "home"
    built = koryo_kg("build", "--include", str(register), home=home)
    assert built.returncode == 0, built.stderr
    assert "include/register" in built.stdout
    query = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?p a <http://www.cidoc-crm.org/cidoc-crm/E21_Person> } "
             "FILTER (STRSTARTS(STR(?p), 'https://w3id.org/koryo-kg/id/synthetic/')) } GROUP BY ?g")
    answer = koryo_kg("query", "--include", str(register), "--format", "json", query, home=home)
    rows = {b["g"]["value"]: b["n"]["value"] for b in json.loads(answer.stdout)["results"]["bindings"]}
    assert rows == {"https://w3id.org/koryo-kg/graph/inferred": "2"}  # reasoned with the ontology
    asserted = koryo_kg("query", "--include", str(register), "--format", "csv",
                        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}", home=home)
    assert asserted.stdout.splitlines()[1] == "8"
    dump = next((home / "stores").glob("*/dumps/koryo-kg.nq.gz"))
    assert f"<{GRAPH}>" in gzip.decompress(dump.read_bytes()).decode()
    again = koryo_kg("build", "--include", str(register), home=home)
    assert again.returncode == 0 and again.stdout.startswith("up to date")
    without = koryo_kg("build", home=home)
    assert without.returncode == 0 and "include/register" not in without.stdout  # another input, another build


def test_a_violation_in_an_included_folder_is_named_by_file_and_line(tmp_path):
    register = tmp_path / "register"
    register.mkdir()
    (register / "bad.ttl").write_text(PERSON.format(n=1).replace("    prov:wasDerivedFrom", "    # prov:wasDerivedFrom")
                                      .replace("    kg:citationStatus", "    # kg:citationStatus").replace(
                                          '"@en ;\n', '"@en .\n'), encoding="utf-8")
    result = koryo_kg("build", "--include", str(register), home=tmp_path / "home")
    assert result.returncode == 1 and "bad.ttl:4:1: violation" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_two_folders_of_one_name_are_refused(tmp_path):
    for parent in ("x", "y"):
        (tmp_path / parent / "register").mkdir(parents=True)
    result = koryo_kg("build", "--include", str(tmp_path / "x" / "register"), "--include",
                      str(tmp_path / "y" / "register"), home=tmp_path / "home")
    assert result.returncode == 2 and "two folders are called register" in result.stderr


def test_the_synthetic_registers_seeded_violations_are_found_at_their_lines(tmp_path):
    register = tmp_path / "register"
    synthetic_register(3000, register)
    result = koryo_kg("build", "--include", str(register), home=tmp_path / "home")
    assert result.returncode == 1, result.stderr
    located = set(re.findall(r"register/([\w-]+\.ttl):(\d+)(?::\d+)?: violation", result.stdout + result.stderr))
    persons = (register / "persons-001.ttl").read_text(encoding="utf-8").splitlines()
    trains = (register / "trains.ttl").read_text(encoding="utf-8").splitlines()
    # the persons without a source, where they are written; the trains that end before they begin, at the
    # line of their begin
    for n in (1, 2):
        line = next(i for i, text in enumerate(persons, 1) if text.startswith(f"syn:person-{n} "))
        assert ("persons-001.ttl", str(line)) in located, (n, sorted(located))
        begin = next(i for i, text in enumerate(trains, 1) if text.startswith(f"syn:train-{n} ")) + 4
        assert "P82a_begin_of_the_begin" in trains[begin - 1]
        assert ("trains.ttl", str(begin)) in located, (n, sorted(located))
    assert len(located) == 4 and "Traceback" not in result.stderr




def test_a_build_with_pyshacl_fails_on_the_findings_of_one_with_turbo(tmp_path):
    """`build --shacl pyshacl` (the reference engine) reports, line for line, what the default engine does."""
    register = tmp_path / "register"
    synthetic_register(300, register)
    said = {}
    for engine in ("turbo", "pyshacl"):
        result = koryo_kg("build", "--include", str(register), "--shacl", engine, home=tmp_path / engine)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert f"validating the data against the shapes (--shacl {engine})" in result.stderr
        said[engine] = [BLANK_NODE.sub("_:", line) for line in result.stderr.splitlines() if "(--shacl" not in line]
    assert said["pyshacl"] == said["turbo"]
    assert "does not conform: 5 violations, 0 warnings, 0 infos" in said["turbo"]
    assert sum("register/persons-001.ttl:" in line for line in said["turbo"]) == 4  # the two persons without a source
