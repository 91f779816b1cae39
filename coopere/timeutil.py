"""Time helpers: the database stores naive UTC datetimes; people see Europe/Paris.

The one place for Paris time and calendar arithmetic; words for dates and hours are in
coopere/i18n.py."""

from __future__ import annotations

import calendar
from datetime import UTC as _UTC
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


def utcnow() -> datetime:
    """Naive UTC now, the form every DateTime column stores (portable across SQLite and
    PostgreSQL)."""
    return datetime.now(_UTC).replace(tzinfo=None)


def to_utc(day: date, at: time) -> datetime:
    """Naive UTC for a Paris wall-clock date and time (summer and winter time handled)."""
    return datetime.combine(day, at, PARIS).astimezone(UTC).replace(tzinfo=None)


def to_paris(moment: datetime) -> datetime:
    """The Paris wall-clock time of a naive UTC datetime."""
    return moment.replace(tzinfo=UTC).astimezone(PARIS)


def paris_today() -> date:
    return to_paris(utcnow()).date()


def add_months(day: date | datetime, months: int):
    """The same day `months` later (or earlier when negative); the month's last day when it has
    fewer days. Works on dates and datetimes (the time is kept)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(
        year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1])
    )


def months_before(moment: date | datetime, months: int):
    """The same day `months` calendar months earlier (the 31st becomes the month's last day)."""
    return add_months(moment, -months)
