"""The export's rows about what a member did: listings, project participations, exchanges and
their own messages, meeting sign-ups, check-ins, calls and roster tasks."""

from __future__ import annotations

from sqlalchemy import select

from ..cafe.models import Call, CheckIn
from ..events.models import Event, EventSignup
from ..exchanges.models import Exchange, Message
from ..extensions import db
from ..group.models import TASK_LABELS, RosterSlot, Task
from ..listings.models import Listing, Participation
from .export_words import (
    EXCHANGE_WORDS,
    KIND_WORDS,
    OUTCOME_WORDS,
    STATUS_WORDS,
    _event,
    _label,
    _when,
)


def listing_part(uid: int) -> tuple[list[dict], list[dict]]:
    """The member's listings, and the projects they joined."""
    listings = list(
        db.session.scalars(
            select(Listing).where(Listing.owner_id == uid).order_by(Listing.created_at, Listing.id)
        )
    )
    listing_rows = [
        {
            "id": listing.id,
            "kind": listing.kind,
            "kind_label": KIND_WORDS.get(listing.kind, listing.kind),
            "theme": listing.theme.label_fr,
            "title": listing.title,
            "description": listing.description,
            "availability": listing.availability,
            "days": listing.days,
            "details": listing.details or {},
            "has_photo": bool(listing.photo),
            "status": listing.status,
            "status_label": STATUS_WORDS.get(listing.status, listing.status),
            "created_at": _when(listing.created_at),
            "published_at": _when(listing.published_at),
            "expires_at": _when(listing.expires_at),
            "project_date": _when(listing.project_date),
            "max_participants": listing.max_participants,
        }
        for listing in listings
    ]
    participations = [
        {"listing_id": listing.id, "title": listing.title, "joined_at": _when(joined)}
        for listing, joined in db.session.execute(
            select(Listing, Participation.joined_at)
            .join(Participation, Participation.listing_id == Listing.id)
            .where(Participation.user_id == uid)
            .order_by(Participation.joined_at)
        ).all()
    ]
    return listing_rows, participations


def exchange_part(exchanges: list[Exchange], uid: int, names: dict[int, str]) -> list[dict]:
    """The member's exchanges, with only the messages they wrote."""
    mine_by_exchange: dict[int, list[Message]] = {}
    if exchanges:
        for message in db.session.scalars(
            select(Message)
            .where(Message.exchange_id.in_([e.id for e in exchanges]), Message.author_id == uid)
            .order_by(Message.created_at, Message.id)
        ):
            mine_by_exchange.setdefault(message.exchange_id, []).append(message)
    exchange_rows = []
    for exchange in exchanges:
        owner = exchange.owner_id == uid
        exchange_rows.append(
            {
                "id": exchange.id,
                "role": "owner" if owner else "requester",
                "role_label": "on vous a répondu" if owner else "vous avez répondu",
                "listing_title": exchange.listing.title,
                "other_first_name": names.get(
                    exchange.requester_id if owner else exchange.owner_id, ""
                ),
                "status": exchange.status,
                "status_label": EXCHANGE_WORDS.get(exchange.status, exchange.status),
                "created_at": _when(exchange.created_at),
                "decided_at": _when(exchange.decided_at),
                "done_at": _when(exchange.done_at),
                "my_thanks": exchange.owner_thanks if owner else exchange.requester_thanks,
                # Only the messages this member wrote: the other party's are theirs.
                "my_messages": [
                    {
                        "created_at": _when(m.created_at),
                        "body": m.body,
                        "hidden": m.hidden,
                        "sent_by_sponsor": bool(m.sent_by_id and m.sent_by_id != uid),
                    }
                    for m in mine_by_exchange.get(exchange.id, [])
                ],
            }
        )
    return exchange_rows


def _with_event(row_type, mine, order) -> list:
    """(row, its event) for the member's rows of this type (`mine` says which), in `order`."""
    return db.session.execute(
        select(row_type, Event)
        .join(Event, Event.id == row_type.event_id)
        .where(mine)
        .order_by(order)
    ).all()


def event_part(uid: int, calls: list[Call], names: dict[int, str]) -> tuple[list, list, list, list]:
    """Sign-ups, check-ins, calls received and roster tasks taken, each with its event."""
    signups = [
        {"event": _event(event), "signed_up_at": _when(signup.created_at)}
        for signup, event in _with_event(EventSignup, EventSignup.user_id == uid, Event.starts_at)
    ]
    check_ins = [
        {"event": _event(event), "at": _when(check_in.at), "newcomer": check_in.newcomer}
        for check_in, event in _with_event(CheckIn, CheckIn.user_id == uid, CheckIn.at)
    ]
    events_by_id = (
        {
            event.id: event
            for event in db.session.scalars(
                select(Event).where(Event.id.in_([c.event_id for c in calls]))
            )
        }
        if calls
        else {}
    )
    call_rows = [
        {
            "event": _event(events_by_id.get(call.event_id)),
            "at": _when(call.at),
            "outcome": call.outcome,
            "outcome_label": OUTCOME_WORDS.get(call.outcome, call.outcome),
            "note": call.note,
            "called_by": names.get(call.called_by_id, ""),
        }
        for call in calls
    ]
    slots = [
        {
            "event": _event(event),
            "task": slot.task,
            "task_label": _label(TASK_LABELS, Task, slot.task),
            "taken_at": _when(slot.taken_at),
        }
        for slot, event in _with_event(RosterSlot, RosterSlot.volunteer_id == uid, Event.starts_at)
    ]
    return signups, check_ins, call_rows, slots
