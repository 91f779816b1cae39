"""The reporting period: the kinds a person can choose, their Paris calendar days, their months."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from ..auth.models import User
from ..extensions import db
from ..timeutil import add_months, paris_today, to_paris, to_utc

PERIOD_KINDS = ("month", "year", "last12", "custom", "all")
PERIOD_LABELS = {
    "month": _l("Ce mois-ci"),
    "year": _l("Cette année"),
    "last12": _l("Les 12 derniers mois"),
    "custom": _l("Dates choisies"),
    "all": _l("Depuis le début"),
}
EARLIEST = date(2000, 1, 1)


class PeriodError(ValueError):
    """A period that cannot be reported on; the message is for the person who asked."""


@dataclass(frozen=True)
class Period:
    """Calendar days `start` to `end`, both included, in Europe/Paris."""

    start: date
    end: date
    kind: str = "custom"

    @property
    def start_utc(self) -> datetime:
        return day_start_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return day_start_utc(self.end + timedelta(days=1))

    def covers(self, column):
        """SQL condition: a naive-UTC moment `column` falls within the period."""
        return and_(column >= self.start_utc, column < self.end_utc)

    @property
    def slug(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def months(self) -> list[str]:
        """« 2026-01 », « 2026-02 »… every month the period touches."""
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day.strftime("%Y-%m"))
            day = add_months(day, 1)
        return months


def day_start_utc(day: date) -> datetime:
    """Midnight of a Paris calendar day, as the naive UTC the database stores."""
    return to_utc(day, time(0))


def make_period(
    kind: str = "year",
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> Period:
    """The period a person chose: this month, this year, the last 12 months, custom dates, all."""
    today = today or paris_today()
    if kind == "month":
        return Period(today.replace(day=1), today, kind)
    if kind == "year":
        return Period(today.replace(month=1, day=1), today, kind)
    if kind == "last12":
        first = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
        return Period(first, today, kind)
    if kind == "all":
        return Period(start or first_activity() or today, today, kind)
    if kind != "custom":
        raise PeriodError(_("Cette période n'existe pas."))
    start, end = start or today.replace(month=1, day=1), end or today
    if end < start:
        raise PeriodError(_("La fin de la période doit venir après son début."))
    if start < EARLIEST or end > today.replace(year=today.year + 5):
        raise PeriodError(_("Choisissez des dates entre l'an 2000 et les cinq années à venir."))
    return Period(start, end, kind)


def first_activity() -> date | None:
    """The day the first person was registered (start of « depuis le début »)."""
    first = db.session.scalar(select(func.min(User.created_at)))
    return to_paris(first).date() if first else None


def month_finder(period: Period):
    """moment -> « 2026-03 », the Paris month of a naive-UTC moment within the period (a lookup of
    the months' first instants: a time-zone conversion per row would cost more than the query)."""
    months = period.months()
    starts = [day_start_utc(date(int(m[:4]), int(m[5:]), 1)) for m in months]
    return lambda moment: months[max(0, bisect_right(starts, moment) - 1)]
