"""The values a server derives from the data (the search index, the subject list …: http/kept_values.py),
computed once a machine for a build as published and read by every other process: the other worker, the
next start, a worker replacing a runaway's; after an update, computed by each process from the data it serves;
with a home the server cannot write, computed by each process as before. Each test serves a copy of the
built home of its own, without the files other tests' servers wrote."""

from __future__ import annotations

import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import requests

from conftest import Server
from koryo_kg.build.cache import WARMED, BuildCache

KEPT = 4  # the values kept in files: the term labels, the search index, the subjects, their slugs
READY = re.compile(r"process (\d+): the values derived from the data ready in .*?, (\d+) read from files")
TOKEN = "a-long-random-token"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # streams: time, no memory


@pytest.fixture
def own_home(home, tmp_path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(home, copy, symlinks=True)
    shutil.rmtree(_build(copy) / WARMED, ignore_errors=True)
    return copy


def _build(home: Path) -> Path:
    cache = BuildCache(home)
    return cache.path(cache.current_key())


def _files(home: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in (_build(home) / WARMED).glob("*/*.json")}


def _ready(server, processes: int, seconds: float = 60) -> list[int]:
    """How many values each of the first `processes` processes read from files, once they are warm (a
    bounded wait for the log lines)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lines = READY.findall(server.read_log())
        if len(lines) >= processes:
            return [int(read) for _, read in lines]
        time.sleep(0.1)
    raise AssertionError("the processes did not say they were warm:\n" + server.read_log())


def _answers(server) -> dict:
    """What needs the kept values: a search, a 404's suggestions, a page with the terms' labels."""
    root = server.url.rsplit("/sparql", 1)[0]
    search = requests.get(root + "/search", params={"q": "lyushkov"}, headers={"Accept": "application/json"})
    missing = requests.get(root + "/id/person/genrikh-lyushkow", headers={"Accept": "text/plain"})
    page = requests.get(root + "/id/person/genrikh-lyushkov.html")
    assert (search.status_code, missing.status_code, page.status_code) == (200, 404, 200)
    assert search.json()["total"] > 0 and "Did you mean" in missing.text
    # links hold the server's port, another at each start
    return {"search": search.text.replace(root, ""), "suggestions": missing.text.replace(root, ""),
            "page": page.text.replace(root, "")}


def test_one_process_computes_each_value_and_the_others_read_it(own_home):
    first = Server(own_home, "--workers", "2")
    try:
        # each value computed by one of the two workers and read by the other, whichever was first
        assert sum(_ready(first, 2)) == KEPT
        answers = _answers(first)
    finally:
        first.stop()
    written = _files(own_home)
    assert set(written) == {"term-labels.json", "search-index.json", "subjects.json", "subject-slugs.json"}

    again = Server(own_home, "--workers", "1")
    try:
        assert _ready(again, 1) == [KEPT]  # nothing computed again
        assert _answers(again) == answers
    finally:
        again.stop()
    assert _files(own_home) == written


def test_a_worker_replacing_a_runaways_reads_the_values(own_home):
    server = Server(own_home, "--workers", "1", "--timeout", "2")
    try:
        assert _ready(server, 1) == [0]  # the first process of the machine computes them all
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.url + "?query=" + urllib.parse.quote(ENDLESS), timeout=30)
        refused.value.close()
        assert refused.value.code == 503
        assert _ready(server, 2)[1] == KEPT
        _answers(server)
    finally:
        server.stop()


def test_values_after_an_update_are_the_processs_own(own_home, tmp_path):
    (tmp_path / "token").write_text(TOKEN + "\n")
    args = ("--update-token-file", str(tmp_path / "token"), "--update-log", str(tmp_path / "log.rdfp"), "--workers", "2")
    name = "Zyxwv Qophson"
    added = (f'INSERT DATA {{ GRAPH <urn:example:notes:warmed> {{ <https://w3id.org/koryo-kg/id/person/zyxwv> '
             f'<http://www.w3.org/2000/01/rdf-schema#label> "{name}"@en }} }}')
    for start in range(2):  # the update, then the next start, which replays it before computing anything
        server = Server(own_home, *args)
        try:
            assert sum(_ready(server, 2)) == (KEPT if start == 0 else 0)
            if start == 0:
                response = requests.post(server.url, data={"update": added}, headers={"Authorization": f"Bearer {TOKEN}"})
                assert response.status_code == 200, response.text
            root = server.url.rsplit("/sparql", 1)[0]
            # each request its own connection: both workers answer some
            for _ in range(6):
                found = requests.get(root + "/search", params={"q": "zyxwv"}, headers={"Accept": "application/json"})
                assert [r["label"] for r in found.json()["results"]] == [name]
        finally:
            server.stop()
    assert name.encode() not in _files(own_home)["search-index.json"]  # the build's values, as built


def test_a_home_the_server_cannot_write_is_served(own_home):
    build = _build(own_home)
    if os.geteuid() == 0:  # permissions do not stop root: a file where the folder would be made does
        (build / WARMED).write_text("")
    else:
        build.chmod(0o555)
    try:
        server = Server(own_home, "--workers", "2")
        try:
            assert _ready(server, 2) == [0, 0]
            _answers(server)
            assert "cannot keep the warmed values" in server.read_log()
        finally:
            server.stop()
    finally:
        build.chmod(0o755)
