"""Scheduling rules for events: Paris local times in, UTC stored, no past or inverted events."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..timeutil import utcnow
from .models import Event, EventKind

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


class EventError(ValueError):
    """A refused event; the message is French and safe to show."""


def to_utc(day: date, at: time) -> datetime:
    """Naive UTC for a Paris wall-clock date and time (summer and winter time handled)."""
    return datetime.combine(day, at, PARIS).astimezone(UTC).replace(tzinfo=None)


def to_paris(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(PARIS)


def save_event(event: Event | None, values: dict, *, actor=None) -> Event:
    """Create or update an event from Paris-time form values; refuse inverted or past dates.

    `values`: kind, title, day, start, end, place, rain_place, description, max_places.
    """
    starts_at = to_utc(values["day"], values["start"])
    ends_at = to_utc(values["day"], values["end"])
    if ends_at <= starts_at:
        raise EventError(_l("L'heure de fin doit venir après l'heure de début."))
    if (event is None or event.starts_at != starts_at) and starts_at < utcnow():
        raise EventError(_l("Cette date est déjà passée : choisissez une date à venir."))
    if event is None:
        event = Event(kind=EventKind(values["kind"]).value, created_by_id=getattr(actor, "id", None),
                      starts_at=starts_at, ends_at=ends_at, place=values["place"])
        db.session.add(event)
    event.kind = EventKind(values["kind"]).value
    event.starts_at, event.ends_at = starts_at, ends_at
    for field in ("title", "place", "rain_place", "description"):
        setattr(event, field, (values.get(field) or "").strip())
    event.max_places = values.get("max_places") or None
    return event


def upcoming_events(limit: int = 10, kinds: tuple[EventKind, ...] | None = None) -> list[Event]:
    query = select(Event).where(Event.ends_at >= utcnow(), Event.cancelled.is_(False))
    if kinds:
        query = query.where(Event.kind.in_([k.value for k in kinds]))
    return list(db.session.scalars(query.order_by(Event.starts_at).limit(limit)))


def past_events(limit: int = 20) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.ends_at < utcnow())
                                   .order_by(Event.starts_at.desc()).limit(limit)))
