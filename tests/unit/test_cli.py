"""The `koryo-kg` command as a user and a CI pipeline run it, in process through click's CliRunner: exit
statuses, file:line locations, formats, and never a traceback. The command as a process: tests/system."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import BLANK_NODE, ROOT
from koryo_kg.cli import main


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def koryo_kg(*args: str, home: Path, cwd: Path | None = None, input: str | None = None) -> Run:
    """`koryo-kg *args` in `cwd`, as conftest.koryo_kg runs it, without a process."""
    before = Path.cwd()
    os.chdir(cwd or ROOT)
    try:
        result = CliRunner().invoke(main, ["--home", str(home), *args], input=input, catch_exceptions=False)
    finally:
        os.chdir(before)
    return Run(result.exit_code, result.stdout, result.stderr)


def no_traceback(result):
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_help_explains_every_command(tmp_path):
    result = koryo_kg("--help", home=tmp_path)
    assert result.returncode == 0
    for command in ("build", "validate", "query"):
        assert command in result.stdout
        sub = koryo_kg(command, "--help", home=tmp_path)
        assert sub.returncode == 0 and "Usage:" in sub.stdout


# What a command that does not need them must not import: each costs a tenth of a second or more to load.
SLOW = {"rdflib", "pyshacl", "owlrl", "flask", "jinja2", "granian"}
LOADED = """
import contextlib, io, json, sys
from koryo_kg.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:], prog_name="koryo-kg")
    except SystemExit as exit:
        status = exit.code
print(json.dumps([status, out.getvalue(), sorted({name.split(".")[0] for name in sys.modules})]))
"""


def loaded(*args: str, home: Path) -> tuple[int, str, set[str]]:
    """The exit status, standard output and top-level packages imported of `koryo-kg *args`, in a fresh process."""
    result = subprocess.run([sys.executable, "-c", LOADED, *args], env={**os.environ, "KORYO_KG_HOME": str(home)},
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    status, output, modules = json.loads(result.stdout)
    return status, output, set(modules)


@pytest.mark.parametrize("option", ["--help", "--version"])
def test_help_imports_no_library_of_the_data(home, option):
    status, output, modules = loaded(option, home=home)
    assert status == 0 and "koryo-kg" in output
    assert not modules & (SLOW | {"pyoxigraph"})


@pytest.mark.parametrize("command", ["build", "validate", "lint", "query", "serve", "publish"])
def test_command_help_imports_no_library_of_the_data(home, command):
    status, output, modules = loaded(command, "--help", home=home)
    assert status == 0 and "Usage:" in output
    assert not modules & SLOW


def test_query_and_build_on_a_cached_build_import_only_pyoxigraph(home):
    status, output, modules = loaded("query", "ASK { ?s ?p ?o }", home=home)
    assert (status, output) == (0, "true\n")
    assert "pyoxigraph" in modules and not modules & SLOW
    status, output, modules = loaded("build", home=home)
    assert status == 0 and output.startswith("up to date")
    assert not modules & SLOW




def test_validate_reports_the_same_in_either_shacl_engine_and_loads_only_the_one_chosen(home):
    """--shacl pyshacl (the reference engine) and turbo (the default) give the same JSON report, finding for
    finding, on every shape's negative fixture (alone, so that pySHACL takes a second, not ten)."""
    reports = {}
    for engine in ("turbo", "pyshacl"):
        status, output, modules = loaded("validate", "--standalone", "--format", "json", "--shacl", engine,
                                         "tests/fixtures/shapes", home=home)
        assert status == 1
        assert ("pyshacl" in modules) == (engine == "pyshacl")  # and pySHACL is loaded only when chosen
        reports[engine] = json.loads(BLANK_NODE.sub("_:", output))
    assert reports["pyshacl"] == reports["turbo"]
    shapes = {finding["shape"].rsplit("#", 1)[-1] for finding in reports["turbo"]["findings"]}
    assert {path.stem for path in (ROOT / "tests" / "fixtures" / "shapes").glob("*.ttl")} <= shapes


def test_a_build_loads_only_the_shacl_engine_chosen(tmp_path):
    for engine in ("turbo", "pyshacl"):
        status, output, modules = loaded("build", "--shacl", engine, home=tmp_path / engine)
        assert status == 0 and output.startswith("built")
        assert ("pyshacl" in modules) == (engine == "pyshacl")


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
    query = ROOT / "queries" / "13-footnotes-for-171781.rq"
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



def test_lint_of_the_project_conforms(home):
    result = koryo_kg("lint", home=home)
    assert result.returncode == 0 and "conforms" in result.stdout


@pytest.fixture
def no_server(monkeypatch):
    """`serve` checks its input before it starts granian; if a check let a request through, fail, not serve."""
    import koryo_kg.server

    def refuse(*args, **kwargs):
        raise AssertionError("serve got as far as starting the server")

    monkeypatch.setattr(koryo_kg.server, "run", refuse)


def test_an_empty_token_file_is_a_usage_error(home, tmp_path, no_server):
    (tmp_path / "token").write_text("\n")
    result = koryo_kg("serve", "--update-token-file", str(tmp_path / "token"), home=home)
    assert result.returncode == 2
    assert "is empty" in result.stderr and "Traceback" not in result.stderr


def test_a_damaged_line_inside_the_update_log_stops_serve_with_its_place(home, tmp_path, no_server):
    kept = "TX .\nA <urn:s> <urn:p> \"kept\" <urn:g> .\nTC .\n"
    bad = "TX .\nA <urn:s> <urn:p> \"unterminated <urn:g> .\nTC .\n"
    (tmp_path / "log.rdfp").write_bytes((kept + bad + kept).encode())
    (tmp_path / "token").write_text("a-token\n")
    result = koryo_kg("serve", "--update-token-file", str(tmp_path / "token"),
                      "--update-log", str(tmp_path / "log.rdfp"), home=home)
    assert result.returncode == 2
    offset = len((kept + "TX .\n").encode())
    assert f"{tmp_path / 'log.rdfp'}:5: (byte {offset})" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_reads_the_counts_the_build_recorded_and_they_are_the_counted_ones(home):
    import pyoxigraph

    from koryo_kg.build.additions import built_counts, graph_counts
    from koryo_kg.build.cache import BuildCache

    cache = BuildCache(home)
    store = pyoxigraph.Store.read_only(str(cache.path(cache.current_key()) / "store"))
    assert built_counts(store) == graph_counts(store) and len(built_counts(store)) >= 7
    assert built_counts(pyoxigraph.Store()) == {}  # no record, nothing to count
