"""Events one at a time: Paris local times in, UTC stored, no past or inverted events; cancelling
one; which events a person sees, and the lists of events (coming, past, a month's, the feed).

Recurring series: coopere/events/recurrence.py; sign-ups: coopere/events/signups.py; the notices
to those signed up: coopere/events/notices.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..timeutil import add_months, to_paris, to_utc, utcnow
from .models import Event, EventKind
from .notices import cancel_and_tell, tell_moved

#: What members and the public see; group meetings are for the animation group only.
PUBLIC_KINDS = (EventKind.CAFE, EventKind.APERO_INFO, EventKind.FETE, EventKind.COLLECTIVE_ACTION)


class EventError(ValueError):
    """A refused event; the message is French and safe to show. `field`: the form field it is
    about."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


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
    before = snapshot(event) if event is not None else None
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
    if before is not None and snapshot(event) != before:
        if event.series_id is not None:
            event.detached = True
        if event.id is not None and (before[1:4] != snapshot(event)[1:4]):
            tell_moved(event, old_day=to_paris(before[1]).date())
    return event


def snapshot(event: Event) -> tuple:
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
    told = cancel_and_tell(event)
    record(
        "event.cancelled",
        actor=actor,
        event=event.id,
        date=to_paris(event.starts_at).date().isoformat(),
        told=told,
    )
    return told


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
