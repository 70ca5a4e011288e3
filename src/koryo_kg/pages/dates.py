"""Dates as a historian writes them ("21 August 1937", "1 September – 31 October 1937"), for every page that
shows one: entity pages, the timeline."""

from __future__ import annotations

from datetime import datetime, timedelta


def _parsed(value: str) -> datetime:
    return datetime.fromisoformat(value[:19]) if "T" in value[:19] else datetime.fromisoformat(value[:10])


def _day(d: datetime, year: bool = True) -> str:
    return f"{d.day} {d:%B}" + (f" {d.year}" if year else "")


def human_day(value: str) -> str:
    """2030-01-01 (or 2030-01-01T00:00:00) -> 1 January 2030"""
    return _day(_parsed(value))


def human_month(value: str) -> str:
    """1937-09 -> September 1937"""
    return f"{datetime.fromisoformat(value[:7] + '-01'):%B %Y}"


def human_span(begin: str | None, end: str | None) -> str | None:
    """1937-09-01T00:00:00 .. 1937-10-31T23:59:59 -> "1 September – 31 October 1937"; a whole year or
    month reads as one ("1937", "October 1937"); an open side reads "until …" or "from …"."""
    if begin is None and end is None:
        return None
    if begin is None:
        return f"until {human_day(end)}"
    if end is None:
        return f"from {human_day(begin)}"
    b, e = _parsed(begin), _parsed(end)
    if (b.month, b.day, e.month, e.day) == (1, 1, 12, 31):
        return str(b.year) if b.year == e.year else f"{b.year}–{e.year}"
    if (b.year, b.month, b.day) == (e.year, e.month, 1) and (e + timedelta(days=1)).day == 1:
        return f"{b:%B %Y}"
    if b.date() == e.date():
        return _day(b)
    if b.year == e.year:
        return f"{b.day} {b:%B} – {_day(e)}" if b.month != e.month else f"{b.day}–{e.day} {b:%B %Y}"
    return f"{_day(b)} – {_day(e)}"
