"""The perimeters table's cells as the page shows them: numbers and dates in the page's language,
each value formatted once, every row's cells made in Python (a page of 1,000 perimeters calls no
function from its template)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import NamedTuple

from flask import url_for
from flask_babel import format_date, format_decimal, format_percent

from ..timeutil import to_paris
from .perimeter_table import Row


class Formats:
    """The table's numbers and dates in the page's language, each value formatted once (a page of
    1,000 perimeters repeats the same few hundred values)."""

    def __init__(self):
        self._memo: dict = {}
        # « 50 % » / « 50% »: the language's way, asked once; whole percents filled in after.
        self._percent = format_percent(0.5).replace("50", "{}", 1)

    def _once(self, kind: str, value, make) -> str:
        if value is None:
            return ""
        key = (kind, value)
        if key not in self._memo:
            self._memo[key] = make(value)
        return self._memo[key]

    def number(self, value) -> str:
        if isinstance(value, int) and 0 <= value < 1000:  # no digit grouping: as Python writes it
            return str(value)
        return self._once("n", value, format_decimal)

    def percent(self, value) -> str:
        return self._once("%", value, lambda ratio: self._percent.format(round(ratio * 100)))

    def hours(self, minutes: int) -> str:
        return self._once("h", minutes or 0, lambda m: f"{format_decimal(round(m / 60, 1))} h")

    def day(self, value: date | datetime | None) -> str:
        """« 14/03/2026 »: a date, or a moment's day (in Paris)."""
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(timezone.utc).replace(tzinfo=None)
            value = to_paris(value).date()
        return self._once("d", value, lambda day: format_date(day, "short"))


class Cells(NamedTuple):
    row: Row
    setup_url: str
    dwellings: str
    members: str
    reach: str
    last_cafe: str
    next_cafe: str
    cafes: str
    coaching: str
    last_backup: str
    taken_at: str
    alerts: list[str]


def cells(rows: list[Row], with_setup: bool) -> list[Cells]:
    formats = Formats()
    pattern = url_for("association.perimeter_setup", slug="SLUG") if with_setup else ""
    return [
        Cells(
            row,
            pattern.replace("/SLUG/", f"/{row.slug}/") if with_setup else "",
            formats.number(row.dwellings),
            formats.number(row.members),
            formats.percent(row.reach),
            formats.day(row.last_cafe),
            formats.day(row.next_cafe),
            formats.number(row.cafes_3_months),
            formats.hours(row.coaching_minutes),
            formats.day(row.last_backup),
            formats.day(row.taken_at),
            [alert.text for alert in row.alerts],
        )
        for row in rows
    ]
