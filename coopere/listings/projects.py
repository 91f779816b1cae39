"""Collective projects (group purchases, shared gardens, repair days, outings): listings of kind
"project" that neighbours join. The owner is the organiser; a sponsor signs their sponsee up.
Functions work in the current transaction; the caller commits, or rolls back on ListingError."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..auth.models import User
from ..database import per_key
from ..extensions import db
from .models import Listing, ListingKind, ListingStatus, Participation
from .services import audit_listing
from .validation import ListingError

FULL = _l("Ce projet est complet.")


def is_project(listing: Listing) -> bool:
    return listing.kind == ListingKind.PROJECT.value


def participants(listing: Listing) -> list[User]:
    """The project's participants, in the order they joined (the organiser is not one of them)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Participation, Participation.user_id == User.id)
            .where(Participation.listing_id == listing.id)
            .order_by(Participation.joined_at, Participation.user_id)
        )
    )


def participant_count(listing: Listing) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Participation)
        .where(Participation.listing_id == listing.id)
    )


def counts(listing_ids: list[int]) -> dict[int, int]:
    """Participants per project, in one query."""
    return per_key(Participation.listing_id, func.count(), listing_ids)


def is_participant(listing: Listing, member: User) -> bool:
    return db.session.get(Participation, (listing.id, member.id)) is not None


def places_left(listing: Listing) -> int | None:
    """Places still free, or None when there is no maximum."""
    if listing.max_participants is None:
        return None
    return max(listing.max_participants - participant_count(listing), 0)


def join(listing: Listing, member: User, *, actor: User) -> Participation:
    """Sign `member` up for the project (`actor` is them, or their sponsor)."""
    if not is_project(listing):
        raise ListingError(_l("On ne participe qu'à un projet collectif."))
    if listing.owner_id == member.id:
        raise ListingError(_l("Vous organisez ce projet : vous en faites déjà partie."))
    if listing.status != ListingStatus.OPEN.value:
        raise ListingError(_l("Ce projet n'accepte plus de participants."))
    if is_participant(listing, member):
        raise ListingError(
            _l("Vous participez déjà à ce projet.")
            if actor.id == member.id
            else _l("%(name)s participe déjà à ce projet.", name=member.first_name)
        )
    if listing.max_participants is not None:
        # Lock the project row while counting: two late sign-ups cannot both take the last place.
        db.session.execute(select(Listing.id).where(Listing.id == listing.id).with_for_update())
        if participant_count(listing) >= listing.max_participants:
            raise ListingError(FULL)
    participation = Participation(
        listing_id=listing.id,
        user_id=member.id,
        added_by_id=actor.id if actor.id != member.id else None,
    )
    db.session.add(participation)
    db.session.flush()
    audit_listing("project.joined", listing, actor=actor, owner=member)
    return participation


def leave(listing: Listing, member: User, *, actor: User) -> None:
    """Take `member` off the project's list."""
    participation = (
        db.session.get(Participation, (listing.id, member.id)) if is_project(listing) else None
    )
    if participation is None:
        raise ListingError(
            _l("Vous ne participez pas à ce projet.")
            if actor.id == member.id
            else _l("%(name)s ne participe pas à ce projet.", name=member.first_name)
        )
    db.session.delete(participation)
    db.session.flush()
    audit_listing("project.left", listing, actor=actor, owner=member)
