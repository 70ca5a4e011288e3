"""Dates as a historian reads them (pages/dates.py): the one helper entity pages and the timeline share."""

import pytest

from koryo_kg.pages import entities, pictures
from koryo_kg.pages.dates import human_day, human_span


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


@pytest.mark.parametrize("value, shown", [
    ("1937-08-21", "21 August 1937"), ("1938-01-01", "1 January 1938"), ("1937-10-25T00:00:00", "25 October 1937"),
    ("2030-01-01T00:00:00Z", "1 January 2030"),
])
def test_a_day_reads_the_same_whether_date_or_datetime(value, shown):
    assert human_day(value) == shown


@pytest.mark.parametrize("value", ["1937", "1937-13-01", "not a date", ""])
def test_what_is_not_a_day_is_refused_not_guessed(value):
    with pytest.raises(ValueError):
        human_day(value)


def test_entity_pages_and_the_timeline_use_the_same_helper():
    assert entities.human_day is pictures.human_day is human_day
    assert not hasattr(entities, "_day") and not hasattr(pictures, "_day")
