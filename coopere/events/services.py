"""Scheduling rules for events: Paris local times in, UTC stored, no past or inverted events.

Recurring series ("every first Saturday, 10:00-12:00, no café in August") are kept as Event rows,
one per date (occurrences), generated 12 months ahead. Editing the whole series updates its
future occurrences in place (same ids, same calendar UIDs), adds the new dates and cancels the
dates it no longer gives; editing one occurrence alone detaches it from the series.

Members say they will come (sign-ups); a sponsor does it for their sponsee. Cancelling an event,
or moving it, sends a notice to everyone signed up, in each one's language.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..i18n import day_text
from ..notifications.services import notify
from ..timeutil import PARIS, UTC, add_months, paris_today, to_paris, to_utc, utcnow  # noqa: F401 (re-exported)
from .models import Event, EventKind, EventSeries, EventSignup

#: Occurrences of a series are generated this many months ahead (`flask events extend` keeps it so).
HORIZON_MONTHS = 12
#: What members and the public see; group meetings are for the animation group only.
PUBLIC_KINDS = (EventKind.CAFE, EventKind.APERO_INFO, EventKind.FETE, EventKind.COLLECTIVE_ACTION)
#: A series without a last date must give a date within this many years (the calendar repeats
#: every 28 years: beyond that, it never will).
SEARCH_YEARS = 28


class EventError(ValueError):
    """A refused event; the message is French and safe to show. `field`: the form field it is about."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


def _path(endpoint: str, **values) -> str:
    """A local path for a notice's link (empty outside a request: the command line)."""
    if not has_request_context():
        return ""
    return url_for(endpoint, **values)


# --- one event ------------------------------------------------------------------------------


def save_event(event: Event | None, values: dict, *, actor=None) -> Event:
    """Create or update an event from Paris-time form values; refuse inverted or past dates.

    `values`: kind, title, day, start, end, place, rain_place, description, max_places.
    An occurrence of a series edited this way is detached: later series edits leave it be.
    Those signed up for it are told when its date, time or place changes.
    """
    starts_at = to_utc(values["day"], values["start"])
    ends_at = to_utc(values["day"], values["end"])
    if ends_at <= starts_at:
        raise EventError(_l("L'heure de fin doit venir après l'heure de début."), "end")
    if (event is None or event.starts_at != starts_at) and starts_at < utcnow():
        raise EventError(_l("Cette date est déjà passée : choisissez une date à venir."), "day")
    before = _snapshot(event) if event is not None else None
    if event is None:
        event = Event(
            kind=EventKind(values["kind"]).value,
            created_by_id=getattr(actor, "id", None),
            starts_at=starts_at,
            ends_at=ends_at,
            place=values["place"],
        )
        db.session.add(event)
    event.kind = EventKind(values["kind"]).value
    event.starts_at, event.ends_at = starts_at, ends_at
    for name in ("title", "place", "rain_place", "description"):
        setattr(event, name, (values.get(name) or "").strip())
    event.max_places = values.get("max_places") or None
    if before is not None and _snapshot(event) != before:
        if event.series_id is not None:
            event.detached = True
        if event.id is not None and (before[1:4] != _snapshot(event)[1:4]):
            _tell_moved(event, old_day=to_paris(before[1]).date())
    return event


def _snapshot(event: Event) -> tuple:
    return (
        event.kind,
        event.starts_at,
        event.ends_at,
        event.place,
        event.title,
        event.rain_place,
        event.description,
        event.max_places,
    )


def upcoming_events(limit: int = 10, kinds: tuple[EventKind, ...] | None = None) -> list[Event]:
    query = select(Event).where(Event.ends_at >= utcnow(), Event.cancelled.is_(False))
    if kinds:
        query = query.where(Event.kind.in_([k.value for k in kinds]))
    return list(db.session.scalars(query.order_by(Event.starts_at).limit(limit)))


def past_events(limit: int = 20) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.ends_at < utcnow())
            .order_by(Event.starts_at.desc())
            .limit(limit)
        )
    )


def coming_events(limit: int = 60, *, kinds: Iterable[EventKind] | None = None) -> list[Event]:
    """The events not over yet, cancelled ones included (shown marked « Annulé »)."""
    query = select(Event).where(Event.ends_at >= utcnow())
    if kinds is not None:
        query = query.where(Event.kind.in_([EventKind(k).value for k in kinds]))
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id).limit(limit)))


def next_months_events(
    kinds: Iterable[EventKind], *, days: int = 92, at_least: int = 3
) -> list[Event]:
    """What members see: the events of the next three months (cancelled ones marked), and at
    least the next three whenever they are (a Fête announced far ahead)."""
    events = coming_events(limit=40, kinds=kinds)
    until = utcnow() + timedelta(days=days)
    return [
        event for index, event in enumerate(events) if index < at_least or event.starts_at <= until
    ]


def visible_to(event: Event, user) -> bool:
    """Group meetings are for animators; every other event is public."""
    if event.kind != EventKind.GROUP_MEETING:
        return True
    return bool(getattr(user, "is_authenticated", False) and user.is_animator)


def kinds_for(user) -> tuple[EventKind, ...]:
    if getattr(user, "is_authenticated", False) and user.is_animator:
        return (*PUBLIC_KINDS, EventKind.GROUP_MEETING)
    return PUBLIC_KINDS


# --- cancelling, and telling those who said they would come ----------------------------------

CANCELLED_TEXTS = {
    EventKind.CAFE: _l("Le café-rencontre du %(date)s est annulé."),
    EventKind.APERO_INFO: _l("L'apéro-info du %(date)s est annulé."),
    EventKind.FETE: _l("La Fête de la Coopération du %(date)s est annulée."),
    EventKind.GROUP_MEETING: _l("La réunion du groupe d'animation du %(date)s est annulée."),
    EventKind.COLLECTIVE_ACTION: _l("L'action collective du %(date)s est annulée."),
}


def cancel_event(event: Event, *, actor=None) -> int:
    """Cancel one event (it stays visible, marked « Annulé ») and tell everyone signed up.
    An occurrence cancelled alone is detached: series edits leave it cancelled. Returns the
    number of people told."""
    if event.cancelled:
        raise EventError(_l("Ce rendez-vous est déjà annulé."))
    if event.has_started():
        raise EventError(_l("Ce rendez-vous est déjà passé : il ne peut plus être annulé."))
    if event.series_id is not None:
        event.detached = True
    told = _cancel(event)
    record(
        "event.cancelled",
        actor=actor,
        event=event.id,
        date=to_paris(event.starts_at).date().isoformat(),
        told=told,
    )
    return told


def _cancel(event: Event) -> int:
    event.cancelled = True
    day = to_paris(event.starts_at).date()
    text = CANCELLED_TEXTS[EventKind(event.kind)]
    return _tell_signed_up(event, "event.cancelled", lambda: str(text) % {"date": day_text(day)})


def _tell_moved(event: Event, *, old_day: date) -> int:
    start, end = to_paris(event.starts_at), to_paris(event.ends_at)

    def sentence() -> str:
        return _(
            "Le rendez-vous du %(old)s change : %(day)s, de %(start)s à %(end)s, %(place)s.",
            old=day_text(old_day),
            day=day_text(start.date()),
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
            place=event.place,
        )

    return _tell_signed_up(event, "event.changed", sentence)


def _tell_back_on(event: Event) -> int:
    day = to_paris(event.starts_at).date()
    return _tell_signed_up(
        event,
        "event.restored",
        lambda: _("Le rendez-vous du %(date)s aura bien lieu.", date=day_text(day)),
    )


def _tell_signed_up(event: Event, kind: str, sentence: Callable[[], str]) -> int:
    """A notice to each person signed up; for an offline one, to their sponsor as well (who
    reads it for them), naming them. Returns the number of notices."""
    from ..members.sponsorship import sponsorship_of

    if event.id is None:
        return 0
    link = _path("events.upcoming")
    people = list(
        db.session.scalars(
            select(User)
            .join(EventSignup, EventSignup.user_id == User.id)
            .where(EventSignup.event_id == event.id)
            .order_by(User.id)
        )
    )
    count = notify(people, kind, sentence, link)
    for person in people:
        if not person.is_offline:
            continue
        sponsorship = sponsorship_of(person)
        if sponsorship is None or sponsorship.sponsor_id == person.id:
            continue
        count += notify(
            [sponsorship.sponsor],
            kind,
            lambda person=person: _(
                "%(text)s Vous aviez inscrit %(name)s.", text=sentence(), name=person.full_name
            ),
            link,
        )
    return count


# --- recurring series ------------------------------------------------------------------------


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


WEEKDAY_NAMES = (
    _l("lundi"),
    _l("mardi"),
    _l("mercredi"),
    _l("jeudi"),
    _l("vendredi"),
    _l("samedi"),
    _l("dimanche"),
)
WEEK_NAMES = {
    1: _l("premier"),
    2: _l("deuxième"),
    3: _l("troisième"),
    4: _l("quatrième"),
    5: _l("cinquième"),
    -1: _l("dernier"),
}
MONTH_NAMES = (
    _l("janvier"),
    _l("février"),
    _l("mars"),
    _l("avril"),
    _l("mai"),
    _l("juin"),
    _l("juillet"),
    _l("août"),
    _l("septembre"),
    _l("octobre"),
    _l("novembre"),
    _l("décembre"),
)


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
                before = _snapshot(event)
                _apply_series(event, series, day)
                if event.cancelled:  # cancelled by an earlier series edit: the date is back
                    event.cancelled = False
                    result.restored.append(event)
                    result.told += _tell_back_on(event)
                elif _snapshot(event) != before:
                    result.updated.append(event)
                    if before[1:4] != _snapshot(event)[1:4]:
                        result.told += _tell_moved(event, old_day=to_paris(before[1]).date())
            elif not event.cancelled:
                result.told += _cancel(event)
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


# --- sign-ups: « Je viendrai » ---------------------------------------------------------------


def signup_counts(event_ids: list[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    return dict(
        db.session.execute(
            select(EventSignup.event_id, func.count())
            .where(EventSignup.event_id.in_(event_ids))
            .group_by(EventSignup.event_id)
        ).all()
    )


def signed_up_ids(person: User, event_ids: list[int]) -> set[int]:
    if not event_ids or person is None:
        return set()
    return set(
        db.session.scalars(
            select(EventSignup.event_id).where(
                EventSignup.user_id == person.id, EventSignup.event_id.in_(event_ids)
            )
        )
    )


def places_left(event: Event, count: int) -> int | None:
    """Places still free, or None when the event has no maximum."""
    if not event.max_places:
        return None
    return max(event.max_places - count, 0)


def sign_up(event: Event, person: User, *, actor: User) -> bool:
    """`person` will come (said by themself or by their sponsor, `actor`). Refused, nothing
    changed, when the event is cancelled, past or full. False when already signed up."""
    from ..members.sponsorship import on_behalf

    _lock(event)
    if event.cancelled:
        raise EventError(_l("Ce rendez-vous est annulé : on ne peut plus s'y inscrire."))
    if event.has_started():
        raise EventError(
            _l("Ce rendez-vous a déjà commencé ou est passé : on ne peut plus s'y inscrire.")
        )
    if not visible_to(event, person):
        raise EventError(_l("Ce rendez-vous est réservé au groupe d'animation."))
    if signed_up_ids(person, [event.id]):
        return False
    if event.max_places and signup_counts([event.id]).get(event.id, 0) >= event.max_places:
        raise EventError(_l("Ce rendez-vous est complet : il n'y a plus de place."))
    db.session.add(EventSignup(event_id=event.id, user_id=person.id, created_by_id=actor.id))
    record(
        "event.signed_up",
        actor=actor,
        target=person,
        event=event.id,
        date=to_paris(event.starts_at).date().isoformat(),
        **on_behalf(actor, person),
    )
    return True


def withdraw(event: Event, person: User, *, actor: User) -> bool:
    """`person` will not come after all. Refused once the event is past. False when they were
    not signed up."""
    from ..members.sponsorship import on_behalf

    if event.has_started():
        raise EventError(_l("Ce rendez-vous a déjà commencé ou est passé : rien à changer."))
    signup = db.session.scalar(
        select(EventSignup).where(
            EventSignup.event_id == event.id, EventSignup.user_id == person.id
        )
    )
    if signup is None:
        return False
    db.session.delete(signup)
    record(
        "event.signup_withdrawn",
        actor=actor,
        target=person,
        event=event.id,
        date=to_paris(event.starts_at).date().isoformat(),
        **on_behalf(actor, person),
    )
    return True


def _lock(event: Event) -> None:
    """Sign-ups to one event one at a time (PostgreSQL row lock; SQLite writes are serial)."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def signups_of(event: Event) -> list[tuple[User, User | None, datetime]]:
    """Who said they would come: (person, who signed them up if someone else, when)."""
    from sqlalchemy.orm import aliased

    by = aliased(User)
    rows = db.session.execute(
        select(User, by, EventSignup.created_at)
        .join(EventSignup, EventSignup.user_id == User.id)
        .outerjoin(by, by.id == EventSignup.created_by_id)
        .where(EventSignup.event_id == event.id)
        .order_by(User.last_name, User.first_name, User.id)
    )
    return [
        (person, creator if creator is not None and creator.id != person.id else None, at)
        for person, creator, at in rows
    ]


def my_next_events(person: User | None, limit: int = 5) -> list[Event]:
    """The events `person` said they would come to, not over yet (cancelled ones included)."""
    if person is None:
        return []
    return list(
        db.session.scalars(
            select(Event)
            .join(EventSignup, EventSignup.event_id == Event.id)
            .where(EventSignup.user_id == person.id, Event.ends_at >= utcnow())
            .order_by(Event.starts_at)
            .limit(limit)
        )
    )


# --- the public calendar and the month's programme -------------------------------------------


def feed_events(now: datetime | None = None) -> list[Event]:
    """The public events from a month back to 12 months ahead, cancelled ones included."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.kind.in_([k.value for k in PUBLIC_KINDS]),
                Event.starts_at >= now - timedelta(days=31),
                Event.starts_at <= now + timedelta(days=366),
            )
            .order_by(Event.starts_at, Event.id)
        )
    )


def month_events(year: int, month: int, kinds: Iterable[EventKind] = PUBLIC_KINDS) -> list[Event]:
    """The events of a month (Paris time), in date order, cancelled ones included."""
    start = to_utc(date(year, month, 1), time(0))
    end = to_utc(add_months(date(year, month, 1), 1), time(0))
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.starts_at >= start,
                Event.starts_at < end,
                Event.kind.in_([EventKind(k).value for k in kinds]),
            )
            .order_by(Event.starts_at, Event.id)
        )
    )


def coming_events_of_series(series: EventSeries, limit: int = 24) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.series_id == series.id, Event.ends_at >= utcnow())
            .order_by(Event.starts_at)
            .limit(limit)
        )
    )
