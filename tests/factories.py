"""Factories shared by the tests, by domain: rows committed straight into the database (without
going through the pages), for a test to start from. Each takes the app and returns the row's id."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import func, select

from coopere.auth.models import User
from coopere.events.models import Event
from coopere.extensions import db
from coopere.group.models import RosterSlot
from coopere.listings.models import Listing
from coopere.listings.search import index_listing
from coopere.timeutil import paris_today, to_utc, utcnow

# --- events --------------------------------------------------------------------------------------


def make_event(
    app,
    days: int = 7,
    *,
    day: date | None = None,
    start: time = time(10),
    end: time | None = None,
    kind: str = "cafe",
    title: str = "",
    place: str = "Place des Lilas",
    **columns,
) -> int:
    """An event on the Paris day `days` from today (negative: past) or on `day`, from `start` to
    `end` (two hours later if not given). `starts_at=` (UTC) places it at an exact moment instead.
    Other columns (cancelled, visitors, max_places, rain_place…) as given."""
    if "starts_at" not in columns:
        day = day or paris_today() + timedelta(days=days)
        columns["starts_at"] = to_utc(day, start)
        if end is not None:
            columns["ends_at"] = to_utc(day, end)
    columns.setdefault("ends_at", columns["starts_at"] + timedelta(hours=2))
    with app.app_context():
        event = Event(kind=kind, title=title, place=place, **columns)
        db.session.add(event)
        db.session.commit()
        return event.id


def todays_cafe(app, **columns) -> int:
    """A café today that lasts the whole day, so the desk is open whatever the hour of the test."""
    return make_event(app, days=0, start=time(0, 1), end=time(23, 59), **columns)


def get_event(app, event_id: int) -> Event:
    """The event as it is now, detached from the session (its columns stay readable)."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        db.session.expunge(event)
        return event


def give_task(app, event_id: int, task: str, user_id: int | None) -> None:
    """On the event's roster, `task` is now `user_id`'s (None: open again); the slot is made if
    need be."""
    with app.app_context():
        slot = db.session.scalar(
            select(RosterSlot).where(RosterSlot.event_id == event_id, RosterSlot.task == task)
        )
        if slot is None:
            slot = RosterSlot(event_id=event_id, task=task)
            db.session.add(slot)
        slot.volunteer_id = user_id
        db.session.commit()


# --- listings ------------------------------------------------------------------------------------


def make_listing(
    app,
    owner: User | int,
    theme_id: int,
    title: str = "Je prête ma perceuse",
    *,
    status: str = "open",
    kind: str = "offer",
    age: int = 0,
    **columns,
) -> int:
    """A listing of `owner` (a user or an id), indexed for the search as the app does. Unless a
    draft, it was published `age` minutes ago (`published_at=None` for one never published)."""
    owner_id = owner if isinstance(owner, int) else owner.id
    if status != "draft":
        columns.setdefault("published_at", utcnow() - timedelta(minutes=age))
    columns.setdefault("created_by_id", owner_id)
    with app.app_context():
        listing = Listing(
            owner_id=owner_id, theme_id=theme_id, kind=kind, title=title, status=status, **columns
        )
        db.session.add(listing)
        db.session.flush()
        index_listing(listing)
        db.session.commit()
        return listing.id


def get_listing(app, listing_id: int) -> Listing | None:
    """The listing as it is now (None once deleted), detached from the session."""
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        if listing is not None:
            db.session.expunge(listing)
        return listing


def listing_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Listing))
