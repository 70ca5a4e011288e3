"""Dates as a historian reads them on entity pages (pages/entities.py)."""

import pytest

from koryo_kg.pages.entities import human_span


@pytest.mark.parametrize("begin, end, shown", [
    ("1937-09-01T00:00:00", "1937-10-31T23:59:59", "1 September – 31 October 1937"),
    ("1937-08-21T00:00:00", "1937-08-21T23:59:59", "21 August 1937"),
    ("1937-10-01T00:00:00", "1937-10-31T23:59:59", "October 1937"),
    ("1937-01-01T00:00:00", "1938-12-31T23:59:59", "1937–1938"),
    ("1937-01-01T00:00:00", "1937-12-31T23:59:59", "1937"),
    ("1937-09-25T00:00:00", "1937-09-28T23:59:59", "25–28 September 1937"),
    ("1926-12-06T00:00:00", "1937-10-25T23:59:59", "6 December 1926 – 25 October 1937"),
    (None, "1985-12-31T23:59:59", "until 31 December 1985"),
    ("1992-01-01T00:00:00", None, "from 1 January 1992"),
    (None, None, None),
])
def test_a_span_reads_as_people_write_dates(begin, end, shown):
    assert human_span(begin, end) == shown
