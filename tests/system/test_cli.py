"""The `koryo-kg` command as a process, as a user and a CI pipeline run it: `build` and `validate` (whose
SHACL run over the project's data takes seconds each): exit statuses, file:line locations, formats, and never
a traceback. The other commands in process: tests/unit/test_cli.py."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, koryo_kg

# A contributed file that breaks PersonShape at line 8 (kg:memberOfGroup of a person, not a group)
CONTRIBUTION = (FIXTURES / "contribution.ttl").read_text(encoding="utf-8")


def no_traceback(result):
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


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


@pytest.mark.parametrize("reasoner", ["rules", "owlrl"])
def test_reason_reports_a_contradiction_at_its_line(home, tmp_path, reasoner):
    (tmp_path / "clash.ttl").write_bytes((FIXTURES / "clash.ttl").read_bytes())  # a person that is a document
    assert koryo_kg("validate", "clash.ttl", home=home, cwd=tmp_path).returncode == 0  # SHACL alone: fine
    result = koryo_kg("validate", "--reason", "--reasoner", reasoner, "--format", "json", "clash.ttl", home=home,
                      cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["location"] == {"file": "clash.ttl", "line": 7, "column": 1}
    assert finding["shape"] == "owlrl" and finding["severity"] == "violation"  # the check's name, by either
    assert finding["message"].startswith(f"{reasoner}: Disjoint classes") and finding["focus"].endswith("/new-historian")


def test_standalone_ignores_the_project_data(home, tmp_path):
    contribution = tmp_path / "contribution.ttl"
    contribution.write_text(CONTRIBUTION, encoding="utf-8")
    result = koryo_kg("validate", "--standalone", str(contribution), home=home, cwd=tmp_path)
    # alone, the footnote and Stalin are unknown: more violations, all in the contribution
    assert result.returncode == 1
    assert "data/triples" not in result.stdout


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
