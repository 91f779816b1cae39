"""Reading exchanges: which side a person is on, a person's exchanges in three groups, a
thread's messages, the other party's contact details once accepted, and the messages received
for the sponsor's printed digest."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..extensions import db
from ..listings.models import Listing
from ..members.consent_records import has_consent
from ..members.models import ConsentKind
from ..members.sponsorship import contact_route
from .models import Exchange, ExchangeStatus, Message

OWNER, REQUESTER = "owner", "requester"


def party(exchange: Exchange, person: User) -> str | None:
    if person.id == exchange.owner_id:
        return OWNER
    if person.id == exchange.requester_id:
        return REQUESTER
    return None


def other_party(exchange: Exchange, person: User) -> User:
    return exchange.requester if person.id == exchange.owner_id else exchange.owner


def exchange_by_id(exchange_id: int) -> Exchange | None:
    return db.session.scalar(
        select(Exchange)
        .where(Exchange.id == exchange_id)
        .options(
            joinedload(Exchange.listing), joinedload(Exchange.owner), joinedload(Exchange.requester)
        )
    )


def existing_answer(listing: Listing, person: User) -> Exchange | None:
    return db.session.scalar(
        select(Exchange).where(
            Exchange.listing_id == listing.id, Exchange.requester_id == person.id
        )
    )


def thread(exchange: Exchange) -> list[Message]:
    """The messages in order, with who wrote and who typed them (one query)."""
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.exchange_id == exchange.id)
            .options(joinedload(Message.author), joinedload(Message.sent_by))
            .order_by(Message.id)
        )
    )


GROUPS = ("to_handle", "ongoing", "ended")


def exchanges_of(person: User) -> dict[str, list[Exchange]]:
    """The person's exchanges, as owner and as the neighbour who answered, in three groups:
    to handle (answers to their listings awaiting their decision), ongoing, ended. One query."""
    rows = db.session.scalars(
        select(Exchange)
        .where(or_(Exchange.owner_id == person.id, Exchange.requester_id == person.id))
        .options(
            joinedload(Exchange.listing), joinedload(Exchange.owner), joinedload(Exchange.requester)
        )
        .order_by(Exchange.last_message_at.desc(), Exchange.id.desc())
    )
    groups: dict[str, list[Exchange]] = {name: [] for name in GROUPS}
    for exchange in rows.unique():
        if exchange.status == ExchangeStatus.PENDING and exchange.owner_id == person.id:
            groups["to_handle"].append(exchange)
        elif exchange.status in (ExchangeStatus.PENDING, ExchangeStatus.ACCEPTED):
            groups["ongoing"].append(exchange)
        else:
            groups["ended"].append(exchange)
    return groups


@dataclass(frozen=True)
class Contact:
    """What a party sees of the other: nothing before acceptance, then what they consented to."""

    route: str  # « par téléphone, 06 12 34 56 78 », « par la messagerie du site »…
    email: str = ""


def contact_of(exchange: Exchange, other: User) -> Contact | None:
    """The other party's contact details, only once the exchange is accepted (or done): their
    phone if they consented to show it, their email if they chose to be reached by email."""
    if exchange.status not in (ExchangeStatus.ACCEPTED, ExchangeStatus.DONE):
        return None
    route = contact_route(
        other, phone_shared=has_consent(other, ConsentKind.SHARE_PHONE), in_exchange=True
    )
    email = other.email if other.contact_preference == "email" and other.email else ""
    return Contact(route=route.text, email=email or "")


def messages_received(person: User, *, since) -> list[tuple[int, Message]]:
    """(listing id, message) for the messages others wrote in the exchanges on `person`'s
    listings since `since`, oldest first, hidden ones left out (the sponsor's printed digest)."""
    rows = db.session.execute(
        select(Exchange.listing_id, Message)
        .join(Exchange, Exchange.id == Message.exchange_id)
        .where(
            Exchange.owner_id == person.id,
            Message.author_id != person.id,
            Message.created_at > since,
            Message.hidden.is_(False),
        )
        .options(joinedload(Message.author).joinedload(User.dwelling))
        .order_by(Message.id)
    )
    return [(listing_id, message) for listing_id, message in rows]
