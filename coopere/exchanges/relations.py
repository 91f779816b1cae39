"""Who has to do with whom between members: blocks (either way), and whether two people are
related on the site (an exchange, a collective project, a sponsorship), the one rule for who
may be blocked."""

from __future__ import annotations


from sqlalchemy import or_, select

from ..auth.models import User
from ..extensions import db
from ..listings.models import Listing, ListingKind, Participation
from ..members.models import Sponsorship
from .models import Block, Exchange


def blocked_people(person: User) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Block, Block.blocked_id == User.id)
            .where(Block.blocker_id == person.id)
            .order_by(User.first_name, User.id)
        )
    )


def has_blocked(blocker: User, blocked: User) -> bool:
    return db.session.get(Block, (blocker.id, blocked.id)) is not None


def is_blocked_between(one: User, other: User) -> bool:
    """Whether either of the two has blocked the other."""
    return (
        db.session.scalar(
            select(Block.blocker_id)
            .where(
                or_(
                    (Block.blocker_id == one.id) & (Block.blocked_id == other.id),
                    (Block.blocker_id == other.id) & (Block.blocked_id == one.id),
                )
            )
            .limit(1)
        )
        is not None
    )


def related(one: User, other: User) -> bool:
    """Whether the two have already had something to do with each other on the site, so that one
    may know the other's first name: an exchange (one answered the other's listing), the same
    collective project (organiser or participant), or a sponsorship, past or present. The one rule
    for who may be blocked, and for whose name an id may reveal."""
    if one.id == other.id:
        return True
    pair = ((one.id, other.id), (other.id, one.id))
    if (
        db.session.scalar(
            select(Exchange.id)
            .where(or_(*((Exchange.owner_id == a) & (Exchange.requester_id == b) for a, b in pair)))
            .limit(1)
        )
        is not None
    ):
        return True
    if (
        db.session.scalar(
            select(Sponsorship.id)
            .where(
                or_(
                    *(
                        (Sponsorship.sponsor_id == a) & (Sponsorship.sponsee_id == b)
                        for a, b in pair
                    )
                )
            )
            .limit(1)
        )
        is not None
    ):
        return True

    def in_project(person: User):
        return or_(
            Listing.owner_id == person.id,
            Listing.id.in_(
                select(Participation.listing_id).where(Participation.user_id == person.id)
            ),
        )

    return (
        db.session.scalar(
            select(Listing.id)
            .where(Listing.kind == ListingKind.PROJECT.value, in_project(one), in_project(other))
            .limit(1)
        )
        is not None
    )
