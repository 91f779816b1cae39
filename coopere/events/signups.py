"""Sign-ups, « Je viendrai »: a member (or their sponsor for them) says they will come; counts,
places left, and who is coming."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..audit.services import record
from ..auth.models import User
from ..database import per_key
from ..extensions import db
from ..members.sponsorship import on_behalf
from ..timeutil import to_paris, utcnow
from .models import Event, EventSignup
from .services import EventError, visible_to


def signup_counts(event_ids: list[int]) -> dict[int, int]:
    return per_key(EventSignup.event_id, func.count(), event_ids)


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
    _record("event.signed_up", event, person, actor)
    return True


def withdraw(event: Event, person: User, *, actor: User) -> bool:
    """`person` will not come after all. Refused once the event is past. False when they were
    not signed up."""
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
    _record("event.signup_withdrawn", event, person, actor)
    return True


def _record(action: str, event: Event, person: User, actor: User) -> None:
    """The audit entry of a sign-up or a withdrawal, naming the sponsor who acted, if one did."""
    record(
        action,
        actor=actor,
        target=person,
        event=event.id,
        date=to_paris(event.starts_at).date().isoformat(),
        **on_behalf(actor, person),
    )


def _lock(event: Event) -> None:
    """Sign-ups to one event one at a time (PostgreSQL row lock; SQLite writes are serial)."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def signups_of(event: Event) -> list[tuple[User, User | None, datetime]]:
    """Who said they would come: (person, who signed them up if someone else, when)."""
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
