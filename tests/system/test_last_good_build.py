"""A typo in a source file must not take the endpoint down: `query` and `serve` go on with the last good
build and say once, loudly, why the new one was refused (`serve --strict-build` refuses instead); a killed
build's staging folder does not stay behind forever. On the miniature project (tests/fixtures/mini), through
the real command line (`--sources`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import FIXTURES, Server, koryo_kg
from koryo_kg.build.cache import BuildCache

ASK = "ASK { ?s ?p ?o }"


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the miniature project with a good build in its own home."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "mini", root)
    built = koryo_kg("--sources", str(root), "build", home=tmp_path / "home")
    assert built.returncode == 0, built.stderr
    return root


def _break_syntax(project: Path) -> None:
    with open(project / "data" / "triples" / "places.ttl", "a") as out:
        out.write("\n<https://example.org/mini#oops> a <https://example.org/mini#Place\n")


def _break_shapes(project: Path) -> None:
    with open(project / "data" / "triples" / "places.ttl", "a") as out:
        out.write("\n<https://example.org/mini#almaty> a <https://example.org/mini#Place> .\n")


@pytest.mark.parametrize("breaking", [_break_syntax, _break_shapes], ids=["syntax-error", "violation"])
def test_query_answers_from_the_last_good_build_and_says_why(project, tmp_path, breaking):
    good = BuildCache(tmp_path / "home").current_key()
    breaking(project)
    result = koryo_kg("--sources", str(project), "query", "--format", "csv",
                      "SELECT ?l WHERE { <https://example.org/mini#ushtobe> ?p ?l } LIMIT 1", home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("l\r\n") or result.stdout.startswith("l\n")
    assert f"using the last good build {good[:12]}" in result.stderr
    assert "places.ttl:" in result.stderr  # the reason, at its file and line
    assert result.stderr.count("WARNING") == 1
    assert BuildCache(tmp_path / "home").current_key() == good


def test_build_itself_still_fails(project, tmp_path):
    _break_syntax(project)
    result = koryo_kg("--sources", str(project), "build", home=tmp_path / "home")
    assert result.returncode == 2
    assert "places.ttl:" in result.stderr


def test_serve_serves_the_last_good_build_and_strict_build_refuses(project, tmp_path):
    _break_syntax(project)
    home = tmp_path / "home"
    strict = koryo_kg("--sources", str(project), "serve", "--port", "1", "--strict-build", home=home)
    assert strict.returncode == 2
    assert "places.ttl:" in strict.stderr and "Traceback" not in strict.stderr

    server = Server(home, "--workers", "1", env={"KORYO_KG_SOURCES": str(project)})
    try:
        with urllib.request.urlopen(server.url + "?query=" + urllib.parse.quote(ASK), timeout=30) as answer:
            assert answer.status == 200 and b"true" in answer.read()
    finally:
        log = server.stop()
    assert log.count("using the last good build") == 1
    assert "places.ttl:" in log


def test_without_any_good_build_the_failure_stands(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "mini", root)
    _break_syntax(root)
    result = koryo_kg("--sources", str(root), "query", ASK, home=tmp_path / "empty-home")
    assert result.returncode == 2
    assert "places.ttl:" in result.stderr and "last good build" not in result.stderr


def test_a_killed_builds_staging_folder_is_removed(project, tmp_path):
    home = tmp_path / "home"
    stores = home / "stores"
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process id that is no longer alive, as a build killed with -9 leaves it
    stale = stores / f".0123456789ab-{gone.pid}-x1y2z3"
    (stale / "store").mkdir(parents=True)
    running = stores / f".0123456789ab-{os.getpid()}-a1b2c3"  # a build still in progress: left alone
    running.mkdir()
    _break_shapes(project)
    with open(project / "data" / "triples" / "places.ttl", "w") as out:  # a new good source: a new build
        out.write((FIXTURES / "mini" / "data" / "triples" / "places.ttl").read_text() + "\n# changed\n")
    result = koryo_kg("--sources", str(project), "build", home=home)
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert running.exists()
