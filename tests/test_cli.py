"""The `koryo-kg` command as a user and a CI pipeline run it: exit statuses, file:line locations, formats,
and never a traceback."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import FIXTURES, koryo_kg

# A contributed file that breaks PersonShape at line 8 (kg:memberOfGroup of a person, not a group)
CONTRIBUTION = (FIXTURES / "contribution.ttl").read_text(encoding="utf-8")


def no_traceback(result):
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_help_explains_every_command(tmp_path):
    result = koryo_kg("--help", home=tmp_path)
    assert result.returncode == 0
    for command in ("build", "validate", "query"):
        assert command in result.stdout
        sub = koryo_kg(command, "--help", home=tmp_path)
        assert sub.returncode == 0 and "Usage:" in sub.stdout


def test_build_again_is_up_to_date(home):
    result = koryo_kg("build", home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("up to date")


def test_validate_project_exits_0(home):
    result = koryo_kg("validate", home=home)
    assert result.returncode == 0, result.stdout
    assert "conforms: 0 violations" in result.stdout


def test_validate_contribution_that_breaks_a_shape_exits_1_with_file_and_line(home, tmp_path):
    contribution = tmp_path / "contribution.ttl"
    contribution.write_text(CONTRIBUTION, encoding="utf-8")
    result = koryo_kg("validate", str(contribution), home=home, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "contribution.ttl:8: violation: kg:memberOfGroup must point to a kg:Group" in result.stdout
    assert "focus person:new-historian" in result.stdout and "value person:joseph-stalin" in result.stdout


def test_validate_json_report_is_machine_readable(home, tmp_path):
    contribution = tmp_path / "contribution.ttl"
    contribution.write_text(CONTRIBUTION, encoding="utf-8")
    result = koryo_kg("validate", "--format", "json", str(contribution), home=home, cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["schema_version"] == 1 and report["conforms"] is False
    assert report["counts"]["violation"] == 1
    [finding] = report["findings"]
    assert finding["location"] == {"file": "contribution.ttl", "line": 8, "column": None}
    assert finding["focus"] == "https://w3id.org/koryo-kg/id/person/new-historian"
    assert finding["shape"] == "https://w3id.org/koryo-kg/shapes#PersonShape"


def test_validate_other_formats_and_directories(home, tmp_path):
    folder = tmp_path / "contributions" / "nested"
    folder.mkdir(parents=True)
    (folder / "figure.nt").write_text(
        '<https://example.org/f> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
        '<https://w3id.org/koryo-kg/ontology#Place> .\n', encoding="utf-8")
    result = koryo_kg("validate", str(tmp_path / "contributions"), home=home, cwd=tmp_path)
    assert result.returncode == 1
    assert "contributions/nested/figure.nt:1" in result.stdout


def test_warnings_fail_only_with_strict(home, tmp_path):
    (tmp_path / "warning.ttl").write_bytes((FIXTURES / "warning.ttl").read_bytes())  # a label ending in a space
    lenient = koryo_kg("validate", "--format", "github", "warning.ttl", home=home, cwd=tmp_path)
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    assert lenient.stdout.startswith("::warning file=warning.ttl,line=7,title=kgsh%3ATidyLabelShape::")
    strict = koryo_kg("validate", "--strict", "warning.ttl", home=home, cwd=tmp_path)
    assert strict.returncode == 1
    assert "warning.ttl:7: warning: an rdfs:label should not begin or end with spaces" in strict.stdout


def test_reason_reports_a_contradiction_at_its_line(home, tmp_path):
    (tmp_path / "clash.ttl").write_bytes((FIXTURES / "clash.ttl").read_bytes())  # a person that is a document
    assert koryo_kg("validate", "clash.ttl", home=home, cwd=tmp_path).returncode == 0  # SHACL alone: fine
    result = koryo_kg("validate", "--reason", "--format", "json", "clash.ttl", home=home, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["location"] == {"file": "clash.ttl", "line": 7, "column": 1}
    assert finding["shape"] == "owlrl" and finding["severity"] == "violation"
    assert finding["message"].startswith("owlrl: Disjoint classes") and finding["focus"].endswith("/new-historian")


def test_standalone_ignores_the_project_data(home, tmp_path):
    contribution = tmp_path / "contribution.ttl"
    contribution.write_text(CONTRIBUTION, encoding="utf-8")
    result = koryo_kg("validate", "--standalone", str(contribution), home=home, cwd=tmp_path)
    # alone, the footnote and Stalin are unknown: more violations, all in the contribution
    assert result.returncode == 1
    assert "data/triples" not in result.stdout


def test_malformed_files_exit_2_each_with_line_and_column(home, tmp_path):
    (tmp_path / "a.ttl").write_text('@prefix ex: <https://example.org/> .\nex:a ex:b "open\n', encoding="utf-8")
    (tmp_path / "b.ttl").write_text("@prefix ex: <https://example.org/> .\n\nex:a ex:b ex:c ex:d .\n", encoding="utf-8")
    result = koryo_kg("validate", "a.ttl", "b.ttl", home=home, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert any(line.startswith("a.ttl:2:") for line in lines), result.stderr
    assert any(line.startswith("b.ttl:3:") for line in lines), result.stderr


@pytest.mark.parametrize("args, message", [
    (["missing.ttl"], "no such file"),
    (["notes.txt"], "unknown RDF format"),
])
def test_bad_paths_exit_2(home, tmp_path, args, message):
    (tmp_path / "notes.txt").write_text("hello")
    result = koryo_kg("validate", *args, home=home, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2 and message in result.stderr


SIGNATORIES = ("SELECT ?name WHERE { <https://w3id.org/koryo-kg/id/document/decree-1428-326cc> "
               "<https://w3id.org/koryo-kg/ontology#signatory>/<http://www.w3.org/2000/01/rdf-schema#label> ?name "
               "FILTER(lang(?name) = 'ru') } ORDER BY ?name")


def test_query_table(home):
    result = koryo_kg("query", SIGNATORIES, home=home)
    assert result.returncode == 0, result.stderr
    assert "Иосиф Сталин" in result.stdout and "(2 rows)" in result.stdout


def test_query_csv_and_json(home):
    result = koryo_kg("query", SIGNATORIES, "--format", "csv", home=home)
    assert list(csv.reader(io.StringIO(result.stdout))) == [["name"], ["Иосиф Сталин"], ["Молотов"]]
    result = koryo_kg("query", SIGNATORIES, "--format", "json", home=home)
    bindings = json.loads(result.stdout)["results"]["bindings"]
    assert [b["name"]["value"] for b in bindings] == ["Иосиф Сталин", "Молотов"]


def test_query_from_file_and_stdin(home):
    query = Path(__file__).resolve().parents[1] / "queries" / "13-footnotes-for-171781.rq"
    from_file = koryo_kg("query", "-f", str(query), "--format", "tsv", home=home)
    from_stdin = koryo_kg("query", "-f", "-", "--format", "tsv", home=home, input=query.read_text())
    assert from_file.returncode == 0 and from_file.stdout == from_stdin.stdout
    assert from_file.stdout.split() == ["?footnote", "2", "16"]


def test_query_construct_gives_turtle(home):
    result = koryo_kg("query", "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/koryo-kg/graph/data> "
                      "{ ?s ?p ?o FILTER(?s = <https://w3id.org/koryo-kg/id/person/molotov>) } }",
                      "--format", "turtle", home=home)
    assert result.returncode == 0
    assert "Молотов" in result.stdout


def test_query_syntax_error_exits_2_without_traceback(home):
    result = koryo_kg("query", "SELECT ?x WHERE { ?x ", home=home)
    no_traceback(result)
    assert result.returncode == 2 and "SPARQL syntax error" in result.stderr


def test_query_needs_exactly_one_source(home):
    result = koryo_kg("query", home=home)
    assert result.returncode == 2 and "either a QUERY or --file" in result.stderr


BROKEN = sorted((FIXTURES / "broken").glob("*.ttl"))


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda p: p.stem)
def test_broken_contributions_are_caught_at_their_line(home, tmp_path, fixture):
    """Typos in IRIs (classes, properties, objects; ours and other vocabularies'), impossible dates: each one a
    violation at the marked line, with the message a contributor acts on."""
    lines = fixture.read_text(encoding="utf-8").splitlines()
    line, expected = next((n, text.split("# <- expected: ")[1]) for n, text in enumerate(lines, 1) if "# <- expected: " in text)
    (tmp_path / fixture.name).write_bytes(fixture.read_bytes())
    result = koryo_kg("validate", "--format", "json", fixture.name, home=home, cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1
    located = [f for f in json.loads(result.stdout)["findings"] if f["location"] and f["location"]["line"] == line]
    assert any(expected in f["message"] for f in located), json.loads(result.stdout)["findings"]
