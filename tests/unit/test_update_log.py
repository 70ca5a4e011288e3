"""The RDF Patch update log on files, without a server: what is appended is read back the same by another
reader (another process's view), a torn tail is set aside with its offset, a damaged line is an InputError at
its file:line and byte."""

from __future__ import annotations

import logging

import pyoxigraph
import pytest

from koryo_kg.endpoint.updates import UpdateLog
from koryo_kg.problems import InputError

NOTES = pyoxigraph.NamedNode("urn:example:notes")
SUBJECT = "https://w3id.org/koryo-kg/id/person/lyushkov"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
ODD = ["line\u2028separator", "paragraph\u2029separator", "next\u0085line", "carriage\rreturn", "new\nline",
       'quote " and \\ backslash', "emoji 😀", "combining e\u0301", "TC .", ""]


def quad(value: str, graph=NOTES) -> pyoxigraph.Quad:
    return pyoxigraph.Quad(pyoxigraph.NamedNode(SUBJECT), pyoxigraph.NamedNode(COMMENT), pyoxigraph.Literal(value),
                           graph)


def _quad(value, graph=f"<{NOTES.value}>"):
    return f'<{SUBJECT}> <{COMMENT}> {value} {graph} .\n'


KEPT = "TX .\n" + "A " + _quad('"acknowledged"') + "TC .\n"
# the second A line would end in "TC .\n" (a blank node _:TC in the default graph): never mistaken for a TC line
LAST = "TX .\n" + "A " + _quad('"torn"') + "A " + _quad("_:TC", graph="") + "TC .\n"


def test_what_is_appended_is_read_back_the_same_by_another_reader(tmp_path):
    writer = UpdateLog(tmp_path / "log.rdfp")
    odd = [quad(value) for value in ODD]
    with writer.lock():
        writer.new_transactions()
        writer.append([], odd)
        writer.append([odd[0]], [quad("in the default graph", pyoxigraph.DefaultGraph())])
    reader = UpdateLog(tmp_path / "log.rdfp")
    assert reader.grew()
    assert reader.new_transactions() == [([], odd), ([odd[0]], [quad("in the default graph", pyoxigraph.DefaultGraph())])]
    assert not reader.grew() and reader.new_transactions() == []
    assert (tmp_path / "log.rdfp").read_bytes().count(b"\n") == reader.lines_read == 2 + len(ODD) + 2 + 2


def test_a_reader_goes_on_from_where_it_stopped(tmp_path):
    writer, reader = UpdateLog(tmp_path / "log.rdfp"), UpdateLog(tmp_path / "log.rdfp")
    writer.append([], [quad("first")])
    assert reader.new_transactions() == [([], [quad("first")])]
    writer.append([], [quad("second")])
    assert reader.new_transactions() == [([], [quad("second")])]


@pytest.mark.parametrize("cut", [
    2,  # mid TX line
    5,  # after the TX line
    5 + 20,  # mid A line
    LAST.index("A <", 6),  # after the first A line
    len(LAST) - 6,  # after the A line that ends in "TC .\n"
    len(LAST) - 3,  # mid TC line
])
def test_a_torn_tail_is_set_aside_and_the_next_transaction_goes_where_it_began(tmp_path, cut, caplog):
    path = tmp_path / "log.rdfp"
    path.write_bytes((KEPT + LAST[:cut]).encode())
    log = UpdateLog(path)
    # without the lock, the tail is a transaction still being written: read nothing of it, move nothing
    assert log.new_transactions() == [([], [quad("acknowledged")])]
    assert path.read_bytes() == (KEPT + LAST[:cut]).encode()
    with caplog.at_level(logging.WARNING):
        log.recover()
    offset = len(KEPT.encode())
    assert (tmp_path / f"log.rdfp.torn-{offset}").read_bytes() == LAST[:cut].encode()
    assert f"at byte {offset}" in caplog.text and "set aside" in caplog.text
    assert path.read_bytes() == KEPT.encode()
    with log.lock():
        log.append([], [quad("after the tear")])
    assert UpdateLog(path).new_transactions() == [([], [quad("acknowledged")]), ([], [quad("after the tear")])]


@pytest.mark.parametrize("bad, line", [
    ("TX .\nA " + _quad('"unterminated') + "TC .\n", 5),
    ("TX .\nX " + _quad('"unknown change"') + "TC .\n", 5),
    ("TX .\nA " + _quad('"two"') [:-1] + " " + _quad('"quads"') + "TC .\n", 5),
    ("TC .\n", 4),  # a commit with no transaction
    ("TX .\nTX .\n", 5),  # a transaction inside another
    ("A " + _quad('"outside a transaction"'), 4),
    ("TX .\nA \udcff\udcfe\n", 5),  # bytes that are not UTF-8
])
def test_a_damaged_line_is_an_input_error_with_its_place(tmp_path, bad, line):
    path = tmp_path / "log.rdfp"
    path.write_bytes((KEPT + bad + KEPT).encode("utf-8", "surrogateescape"))
    with pytest.raises(InputError) as raised:
        UpdateLog(path).recover()
    offset = len(KEPT.encode()) + (len(b"TX .\n") if line == 5 else 0)
    assert f"{path}:{line}: (byte {offset})" in str(raised.value)
    assert "damaged" in str(raised.value)
    assert not list(tmp_path.glob("*.torn-*"))  # a damaged log is not cut: a person must look at it
