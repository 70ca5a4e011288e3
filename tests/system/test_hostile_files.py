"""Hostile files sent to `koryo-kg validate`, `serve --add`, `POST /validate` and `query -f`: entity-expansion
bombs, external entities, other encodings, empty files; refused with the reason, at the real line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from conftest import koryo_kg

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DOCUMENT = (f'<rdf:RDF xmlns:rdf="{RDF}"><rdf:Description rdf:about="https://example.org/a">'
            '<rdf:value>{value}</rdf:value></rdf:Description></rdf:RDF>\n')


def billion_laughs(levels: int = 8) -> str:
    """About 600 bytes that pyoxigraph would expand to 3 * 10**levels characters (8: 300 MB)."""
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
            + DOCUMENT.format(value=f"&l{levels};"))


def tree_rss_kb(pid: int) -> int:
    """The resident memory of a process and all its descendants, in kB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


def validate_url(server) -> str:
    return server.url.replace("/sparql", "/validate")


def test_a_bomb_posted_to_validate_is_400_and_the_workers_stay_small(server):
    before = tree_rss_kb(server.process.pid)
    bomb = billion_laughs().encode()
    assert len(bomb) < 700
    body = requests.post(validate_url(server), data=bomb, headers={"Content-Type": "application/rdf+xml"}, timeout=120)
    upload = requests.post(validate_url(server), files={"f": ("bomb.rdf", bomb)}, timeout=120)
    grown_mb = (tree_rss_kb(server.process.pid) - before) / 1024
    assert body.status_code == 400 and "body.rdf:3:" in body.text
    assert "RDF/XML with entity declarations is refused (entity expansion can exhaust memory): l0" in body.text
    assert upload.status_code == 400 and "bomb.rdf:3:" in upload.text and "refused" in upload.text
    assert grown_mb < 200, f"the server grew by {grown_mb:.0f} MB"


def test_validate_refuses_bombs_external_and_parameter_entities(home, tmp_path):
    sink = socket.socket()
    sink.bind(("127.0.0.1", 0))
    sink.listen()
    port = sink.getsockname()[1]
    contacted: list[bytes] = []

    def serve_sink():
        sink.settimeout(30)
        try:
            connection, _ = sink.accept()
            contacted.append(connection.recv(1000) or b"(connected)")
            connection.close()
        except OSError:
            pass

    listener = threading.Thread(target=serve_sink, daemon=True)
    listener.start()
    cases = {
        "bomb.rdf": (billion_laughs(), "bomb.rdf:3:", "entity declarations is refused"),
        "passwd.rdf": ('<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + DOCUMENT.format(value="&x;"),
                       "passwd.rdf:1:", "entity declarations is refused"),
        "fetch.rdf": (f'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>'
                      + DOCUMENT.format(value="&x;"), "fetch.rdf:1:", "entity declarations is refused"),
        "dtd.rdf": (f'<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:{port}/dtd">' + DOCUMENT.format(value="x"),
                    "dtd.rdf:1:", "external DTD is refused"),
        "parameter.rdf": ('<!DOCTYPE rdf:RDF [\n<!ENTITY % p "<!ENTITY a \'x\'>"> %p;\n]>' + DOCUMENT.format(value="&a;"),
                          "parameter.rdf:2:", "refused (entity expansion can exhaust memory): %p"),
        # pyoxigraph reads declarations even inside the DTD's comments, expat does not see them there
        "hidden.rdf": ('<!DOCTYPE rdf:RDF [<!-- <!ENTITY a "x"> -->]>' + DOCUMENT.format(value="&a;"),
                       "hidden.rdf:1:", "DTD internal subset is refused"),
    }
    for name, (text, _, _) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "utf16.rdf").write_bytes(billion_laughs().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>').encode("utf-16"))
    for name, (_, where, reason) in {**cases, "utf16.rdf": (None, "utf16.rdf:3:", "entity declarations is refused")}.items():
        result = koryo_kg("validate", "--standalone", name, home=home, cwd=tmp_path)
        assert result.returncode == 2, (name, result.stderr)
        assert where in result.stderr and reason in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr
    listener.join(timeout=1)
    sink.close()
    assert contacted == []


def test_empty_other_encodings_and_syntax_errors_are_located(home, tmp_path):
    (tmp_path / "empty.owl").write_bytes(b" \n ")
    (tmp_path / "latin1.rdf").write_bytes(('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
                                           + DOCUMENT.format(value="caf\xe9")).encode("latin-1"))
    (tmp_path / "grammar.rdf").write_text(f'<rdf:RDF xmlns:rdf="{RDF}">\n<rdf:Description rdf:about="https://e.org/a">\n'
                                          '  <rdf:value>x</rdf:value>\n   <foo:value>x</foo:value>\n'
                                          '</rdf:Description>\n</rdf:RDF>\n', encoding="utf-8")
    (tmp_path / "tags.rdf").write_text(f'<rdf:RDF xmlns:rdf="{RDF}">\n\n  <rdf:Description>\n</rdf:RDF>\n')
    expected = {"empty.owl": "empty.owl:1:1: not RDF/XML: the file is empty",
                "latin1.rdf": "latin1.rdf:1:1: RDF/XML is read as UTF-8 only",
                "grammar.rdf": "grammar.rdf:4:4: Unknown prefix foo:",
                "tags.rdf": "tags.rdf:4:3: not well-formed XML: mismatched tag"}
    for name, message in expected.items():
        result = koryo_kg("validate", "--standalone", name, home=home, cwd=tmp_path)
        assert result.returncode == 2 and message in result.stderr, (name, result.stderr)


def test_a_legitimate_rdfxml_file_still_validates(home, tmp_path):
    (tmp_path / "plain.rdf").write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE rdf:RDF>\n'
                                        + DOCUMENT.format(value="x"), encoding="utf-8")
    result = koryo_kg("validate", "--standalone", "plain.rdf", home=home, cwd=tmp_path)
    assert result.returncode in (0, 1) and "refused" not in result.stderr, result.stderr


def test_an_empty_rdfxml_body_or_file_is_400(server):
    assert requests.post(validate_url(server), files={"f": ("empty.rdf", b"\n")}).status_code == 400
    refused = requests.post(validate_url(server), files={"f": ("empty.rdf", b"\n")})
    assert "empty.rdf:1:1: not RDF/XML: the file is empty" in refused.text


def test_the_report_of_an_upload_names_it_never_its_temporary_path(server):
    body = (b"@prefix kg: <https://w3id.org/koryo-kg/ontology#> .\n"
            b"<#me> a kg:Person ; kg:memberOfGroup <other> .\n")
    for request in ({"data": body, "headers": {"Content-Type": "text/turtle"}}, {"files": {"f": ("mine.ttl", body)}}):
        for report_format in ("json", "text", "turtle", "sarif"):
            response = requests.post(validate_url(server) + f"?format={report_format}", **request)
            assert response.status_code == 200
            assert "/tmp" not in response.text and "file:" not in response.text and "koryo-kg-validate" not in response.text
            assert validate_url(server) + "/" in response.text  # the IRIs are the upload's own


@pytest.mark.parametrize("stdin", [False, True])
def test_query_from_a_latin1_file_is_exit_2_with_the_reason(home, tmp_path, stdin):
    query = "# caf\xe9\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n".encode("latin-1")
    (tmp_path / "latin1.rq").write_bytes(query)
    if stdin:
        result = subprocess.run([sys.executable, "-m", "koryo_kg.cli", "query", "-f", "-"], input=query,
                                capture_output=True, env={**os.environ, "KORYO_KG_HOME": str(home)}, timeout=600)
        stderr = result.stderr.decode()
    else:
        result = koryo_kg("query", "-f", "latin1.rq", home=home, cwd=tmp_path)
        stderr = result.stderr
    assert result.returncode == 2, stderr
    assert ":1:6: the query is not UTF-8 text (byte 0xe9)" in stderr
