"""The competency questions in queries/: each .rq states its question and has an expected answer (.csv, as
the SPARQL 1.1 CSV results format), checked exactly against the built store."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from koryo_kg.query.command_line import render, run

QUERIES = sorted((ROOT / "queries").glob("*.rq"))


def test_there_are_at_least_forty_questions():
    assert len(QUERIES) >= 40


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_question_is_documented(query: Path):
    first = query.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and "?" in first, "the first line states the question"
    assert query.with_suffix(".csv").exists(), "an expected answer file sits beside the query"


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_answer_is_the_expected_one(store, query: Path):
    answer = render(run(store, query.read_text(encoding="utf-8")), "csv")
    expected = query.with_suffix(".csv").read_text(encoding="utf-8")
    assert answer.replace("\r\n", "\n") == expected.replace("\r\n", "\n")
