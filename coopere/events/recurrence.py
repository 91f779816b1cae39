"""Recurring series (« every first Saturday, 10:00-12:00, no café in August »): the rule's dates,
its wording, and keeping its occurrences in line with it.

A series is kept as Event rows, one per date (occurrences), generated 12 months ahead. Editing the
whole series updates its future occurrences in place (same ids, same calendar UIDs), adds the new
dates and cancels the dates it no longer gives; editing one occurrence alone detaches it from the
series (coopere.events.services.save_event).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..i18n import MONTH_NAMES, WEEKDAY_NAMES
from ..timeutil import add_months, paris_today, to_paris, to_utc, utcnow
from .models import Event, EventKind, EventSeries
from .notices import cancel_and_tell, tell_back_on, tell_moved
from .services import EventError, snapshot

#: Occurrences of a series are generated this many months ahead (`flask events extend` keeps it so).
HORIZON_MONTHS = 12
#: A series without a last date must give a date within this many years (the calendar repeats
#: every 28 years: beyond that, it never will).
SEARCH_YEARS = 28


def occurrence_in_month(year: int, month: int, weekday: int, week: int) -> date | None:
    """The `week`-th `weekday` of the month (week -1: the last one); None when the month has
    no such day (a 5th Saturday)."""
    days = [
        day
        for day in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, day).weekday() == weekday
    ]
    if week == -1:
        return date(year, month, days[-1])
    return date(year, month, days[week - 1]) if week <= len(days) else None


def rule_dates(
    weekday: int,
    week: int,
    months_off: Iterable[int],
    first: date,
    last: date | None,
    start: date,
    end: date,
) -> list[date]:
    """The dates a series rule gives between `start` and `end` (both included), within its
    first and last dates, months off skipped."""
    off = set(months_off)
    low, high = max(first, start), min(last, end) if last else end
    dates = []
    year, month = low.year, low.month
    while (year, month) <= (high.year, high.month):
        if month not in off:
            day = occurrence_in_month(year, month, weekday, week)
            if day is not None and low <= day <= high:
                dates.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def series_dates(series: EventSeries, start: date, end: date) -> list[date]:
    return rule_dates(
        series.weekday,
        series.week_of_month,
        series.months_off_list,
        series.first_date,
        series.last_date,
        start,
        end,
    )


def first_rule_date(
    weekday: int, week: int, months_off: Iterable[int], first: date, last: date | None
) -> date | None:
    """The first date a rule ever gives, or None if it never gives one."""
    end = last or date(first.year + SEARCH_YEARS, 12, 31)
    months_off = set(months_off)
    year, month = first.year, first.month
    while (year, month) <= (end.year, end.month):
        if month not in months_off:
            day = occurrence_in_month(year, month, weekday, week)
            if day is not None and first <= day <= end:
                return day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


WEEK_NAMES = {
    1: _l("premier"),
    2: _l("deuxième"),
    3: _l("troisième"),
    4: _l("quatrième"),
    5: _l("cinquième"),
    -1: _l("dernier"),
}


def describe_rule(series: EventSeries) -> str:
    """« Le premier samedi du mois, de 10:00 à 12:00, sauf en juillet, août »."""
    text = _(
        "Le %(week)s %(weekday)s du mois, de %(start)s à %(end)s",
        week=WEEK_NAMES[series.week_of_month],
        weekday=WEEKDAY_NAMES[series.weekday],
        start=series.start_time.strftime("%H:%M"),
        end=series.end_time.strftime("%H:%M"),
    )
    off = series.months_off_list
    if off:
        text += _(
            ", sauf en %(months)s", months=", ".join(str(MONTH_NAMES[m - 1]) for m in sorted(off))
        )
    return text + "."


@dataclass
class SeriesResult:
    """What saving a series did to its dates."""

    series: EventSeries
    created: list[Event] = field(default_factory=list)
    updated: list[Event] = field(default_factory=list)
    cancelled: list[Event] = field(default_factory=list)
    restored: list[Event] = field(default_factory=list)
    told: int = 0


SERIES_FIELDS = (
    "kind",
    "title",
    "weekday",
    "week_of_month",
    "start_time",
    "end_time",
    "place",
    "rain_place",
    "description",
    "max_places",
    "first_date",
    "last_date",
    "months_off",
)


def check_series(
    values: dict, *, current: EventSeries | None = None, today: date | None = None
) -> None:
    """Refuse a series that cannot be: inverted times, a first date in the past, a last date
    before the first, a rule that never gives a date. French messages, tied to their field."""
    today = today or paris_today()
    if values["end_time"] <= values["start_time"]:
        raise EventError(_l("L'heure de fin doit venir après l'heure de début."), "end_time")
    if values["first_date"] < today and (
        current is None or current.first_date != values["first_date"]
    ):
        raise EventError(
            _l("La première date est déjà passée : choisissez une date à venir."), "first_date"
        )
    last = values.get("last_date")
    if last is not None and last < values["first_date"]:
        raise EventError(_l("La dernière date doit venir après la première date."), "last_date")
    months_off = set(values.get("months_off") or ())
    if months_off >= set(range(1, 13)):
        raise EventError(
            _l("Tous les mois sont sans rendez-vous : cette série ne donnerait aucune date."),
            "months_off",
        )
    if (
        first_rule_date(
            values["weekday"], values["week_of_month"], months_off, values["first_date"], last
        )
        is None
    ):
        if last is not None:
            raise EventError(
                _l(
                    "Cette série ne donnerait aucune date entre la première et la dernière date : "
                    "vérifiez le jour, la semaine du mois et les mois sans rendez-vous."
                ),
                "last_date",
            )
        raise EventError(
            _l(
                "Cette série ne donnerait jamais aucune date : vérifiez la semaine du mois "
                "et les mois sans rendez-vous."
            ),
            "week_of_month",
        )


def save_series(
    series: EventSeries | None, values: dict, *, actor=None, today: date | None = None
) -> SeriesResult:
    """Create or change a series and bring its dates in line, 12 months ahead.

    `values`: kind, title, weekday (0 = Monday), week_of_month (1..5, -1 = last), start_time,
    end_time (Paris), place, rain_place, description, max_places, first_date, last_date (or
    None), months_off (month numbers). Raises EventError (nothing changed) when refused.
    Future occurrences neither detached nor cancelled alone are updated in place; the dates the
    series no longer gives are cancelled, and those signed up told.
    """
    today = today or paris_today()
    check_series(values, current=series, today=today)
    new = series is None
    if new:
        series = EventSeries(created_by_id=getattr(actor, "id", None))
        db.session.add(series)
    for name in SERIES_FIELDS:
        value = values.get(name)
        if name == "months_off":
            value = ",".join(str(m) for m in sorted(set(value or ())))
        elif name in ("title", "place", "rain_place", "description"):
            value = (value or "").strip()
        elif name == "kind":
            value = EventKind(value).value
        elif name == "max_places":
            value = value or None
        setattr(series, name, value)
    db.session.flush()
    result = sync_series(series, today=today, update=not new)
    record(
        "event.series_saved",
        actor=actor,
        series=series.id,
        created=len(result.created),
        updated=len(result.updated),
        cancelled=len(result.cancelled),
    )
    return result


def sync_series(
    series: EventSeries, *, today: date | None = None, update: bool = True
) -> SeriesResult:
    """Bring a series' future occurrences in line with it, 12 months ahead. Without `update`,
    only the missing dates are added (`flask events extend`)."""
    today = today or paris_today()
    now = utcnow()
    result = SeriesResult(series=series)
    wanted = set(series_dates(series, today, add_months(today, HORIZON_MONTHS)))
    existing = {
        event.occurrence_date: event
        for event in db.session.scalars(select(Event).where(Event.series_id == series.id))
    }
    if update:
        for day, event in sorted(existing.items(), key=lambda item: item[0] or date.min):
            if event.starts_at <= now or event.detached:
                continue  # past, or edited alone: the series leaves it be
            if day in wanted:
                before = snapshot(event)
                _apply_series(event, series, day)
                if event.cancelled:  # cancelled by an earlier series edit: the date is back
                    event.cancelled = False
                    result.restored.append(event)
                    result.told += tell_back_on(event)
                elif snapshot(event) != before:
                    result.updated.append(event)
                    if before[1:4] != snapshot(event)[1:4]:
                        result.told += tell_moved(event, old_day=to_paris(before[1]).date())
            elif not event.cancelled:
                result.told += cancel_and_tell(event)
                result.cancelled.append(event)
    for day in sorted(wanted - set(existing)):
        if to_utc(day, series.start_time) <= now:
            continue
        event = Event(series_id=series.id, occurrence_date=day, created_by_id=series.created_by_id)
        _apply_series(event, series, day)
        db.session.add(event)
        result.created.append(event)
    db.session.flush()
    return result


def _apply_series(event: Event, series: EventSeries, day: date) -> None:
    event.kind, event.title = series.kind, series.title
    event.starts_at, event.ends_at = to_utc(day, series.start_time), to_utc(day, series.end_time)
    event.place, event.rain_place, event.description = (
        series.place,
        series.rain_place,
        series.description,
    )
    event.max_places = series.max_places


def extend_all(today: date | None = None) -> int:
    """Add the missing dates of every running series, 12 months ahead. Returns how many."""
    today = today or paris_today()
    created = 0
    for series in db.session.scalars(
        select(EventSeries)
        .where((EventSeries.last_date.is_(None)) | (EventSeries.last_date >= today))
        .order_by(EventSeries.id)
    ):
        created += len(sync_series(series, today=today, update=False).created)
    return created


def all_series() -> list[EventSeries]:
    """Running series first (those with dates to come), then ended ones."""
    today = paris_today()
    rows = list(db.session.scalars(select(EventSeries).order_by(EventSeries.id)))
    return sorted(rows, key=lambda s: (s.last_date is not None and s.last_date < today, s.id))


def next_dates(series_ids: list[int]) -> dict[int, Event]:
    """Each series' next occurrence not cancelled (one query)."""
    if not series_ids:
        return {}
    rows = db.session.scalars(
        select(Event)
        .where(
            Event.series_id.in_(series_ids), Event.ends_at >= utcnow(), Event.cancelled.is_(False)
        )
        .order_by(Event.starts_at)
    )
    found: dict[int, Event] = {}
    for event in rows:
        found.setdefault(event.series_id, event)
    return found


def coming_events_of_series(series: EventSeries, limit: int = 24) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.series_id == series.id, Event.ends_at >= utcnow())
            .order_by(Event.starts_at)
            .limit(limit)
        )
    )
