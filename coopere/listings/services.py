"""Business rules for a resident's own offers and needs (« Mes annonces »): confirming the drafts
of the registration questionnaire, creating, editing, closing and removing listings.

Every function takes the `owner` (the person the listing belongs to, i.e. `subject()`) and the
`actor` (who is logged in: the owner, or their sponsor acting for them). Both are recorded: the
actor as Listing.created_by on creation and in the audit log, with "on behalf of" when they differ.
Functions work in the current transaction; the caller commits, or rolls back on ListingError.
Functions that depend on the time take `now=` (tests pass a fixed moment); how long a listing
stays published: lifetime.py, and expiry.py."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record
from ..auth.models import User
from ..database import per_key
from ..extensions import db
from ..members.sponsorship import can_act_for, on_behalf
from ..timeutil import utcnow
from . import photos
from .lifetime import EDITABLE, PUBLISHED, RENEWABLE, start_clock
from .models import Listing, ListingKind, ListingStatus, Participation
from .search import index_listing
from .validation import (
    TITLE_MAX,
    TITLE_MIN,
    ListingError,
    ListingValues,
    _clean,
)

HIDDEN = _l(
    "Cette annonce a été masquée par le groupe d'animation : elle ne peut être ni modifiée ni "
    "publiée. Parlez-en au groupe d'animation."
)

# --- reading --------------------------------------------------------------------------------


def listing_of(owner: User, listing_id: int) -> Listing | None:
    """The owner's listing with this id; None when it does not exist or belongs to someone else
    (the page then answers 404: others' listings are never revealed)."""
    return db.session.scalar(
        select(Listing).where(Listing.id == listing_id, Listing.owner_id == owner.id)
    )


def my_listings(owner: User) -> dict[str, list[Listing]]:
    """The owner's listings in three groups: drafts to confirm, published (open, paused), ended."""
    groups: dict[str, list[Listing]] = {"drafts": [], "published": [], "ended": []}
    rows = db.session.scalars(
        select(Listing)
        .where(Listing.owner_id == owner.id)
        .order_by(Listing.created_at.desc(), Listing.id.desc())
    )
    for listing in rows.unique():
        if listing.status == ListingStatus.DRAFT:
            groups["drafts"].append(listing)
        elif listing.status in PUBLISHED:
            groups["published"].append(listing)
        else:
            groups["ended"].append(listing)
    return groups


def draft_counts(owner_ids: list[int]) -> dict[int, int]:
    """How many drafts each of these people has to confirm, in one query."""
    return per_key(
        Listing.owner_id, func.count(), owner_ids, Listing.status == ListingStatus.DRAFT.value
    )


# --- checks ---------------------------------------------------------------------------------


def _check_not_hidden(listing: Listing) -> None:
    if listing.status == ListingStatus.HIDDEN:
        raise ListingError(HIDDEN)


def audit_listing(action: str, listing: Listing, *, actor: User, owner: User, **details) -> None:
    """Record `action` on the owner's listing in the audit log (with « on behalf of »)."""
    record(
        action,
        actor=actor,
        target=owner,
        listing=listing.id,
        title=listing.title,
        **details,
        **on_behalf(actor, owner),
    )


# --- who sees what ----------------------------------------------------------------------------


def can_manage(user, listing: Listing) -> bool:
    """The owner and their sponsor change a listing (animators moderate it, elsewhere)."""
    return can_act_for(user, listing.owner)


def can_see(user, listing: Listing) -> bool:
    """Members see open listings; the owner and their sponsor see all of theirs; animators see
    every published or hidden one (moderation)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if listing.status == ListingStatus.OPEN.value:
        return True
    if user.is_animator and listing.status != ListingStatus.DRAFT.value:
        return True
    return can_manage(user, listing)


# --- changes --------------------------------------------------------------------------------


def _apply(listing: Listing, values: ListingValues) -> list[str]:
    changed = []
    for name in (
        "theme_id",
        "kind",
        "title",
        "description",
        "availability",
        "max_participants",
        "project_date",
        "event_id",
    ):
        if getattr(listing, name) != getattr(values, name):
            setattr(listing, name, getattr(values, name))
            changed.append(name)
    days = ",".join(str(day) for day in values.days)
    if (listing.days or "") != days:
        listing.days = days
        changed.append("days")
    if (listing.details or {}) != values.details:
        listing.details = dict(values.details)
        changed.append("details")
    return changed


def _set_photo(listing: Listing, photo: photos.Photo | None, remove_photo: bool) -> list[str]:
    """Replace or remove the photo; files are written or deleted with the transaction."""
    if photo is None and not (remove_photo and listing.photo):
        return []
    photos.discard(listing.photo, db.session)
    listing.photo = photos.write(photo, db.session) if photo is not None else None
    return ["photo"]


def create_listing(
    owner: User,
    values: ListingValues,
    *,
    actor: User,
    photo: photos.Photo | None = None,
    now: datetime | None = None,
) -> Listing:
    """A new offer, need or project, published at once (drafts come only from the desk)."""
    values = _clean(values)
    now = now or utcnow()
    listing = Listing(
        owner_id=owner.id,
        status=ListingStatus.OPEN.value,
        created_by_id=actor.id,
        published_at=now,
        details={},
    )
    _apply(listing, values)
    start_clock(listing, now)
    db.session.add(listing)
    _set_photo(listing, photo, False)
    db.session.flush()
    index_listing(listing)  # search words
    audit_listing(
        "project.created" if listing.kind == ListingKind.PROJECT else "listing.created",
        listing,
        actor=actor,
        owner=owner,
    )
    return listing


def update_listing(
    listing: Listing,
    values: ListingValues,
    *,
    actor: User,
    owner: User,
    photo: photos.Photo | None = None,
    remove_photo: bool = False,
) -> list[str]:
    """Correct a draft or a published listing; returns the names of the changed fields."""
    _check_not_hidden(listing)
    if listing.status not in EDITABLE:
        raise ListingError(
            _l(
                "Cette annonce est terminée : elle ne se modifie plus. "
                "Créez-en une nouvelle si besoin."
            )
        )
    values = _clean(
        values,
        current_theme_id=listing.theme_id,
        current_event_id=listing.event_id,
        current_project_date=listing.project_date,
    )
    if (listing.kind == ListingKind.PROJECT) != (values.kind == ListingKind.PROJECT):
        raise ListingError(
            _l(
                "Un projet collectif reste un projet : créez une nouvelle annonce pour "
                "proposer ou chercher."
            ),
            "kind",
        )
    if values.max_participants is not None and values.max_participants < _participant_count(
        listing
    ):
        raise ListingError(
            _l(
                "Il y a déjà %(count)d participants : le maximum ne peut pas être plus petit.",
                count=_participant_count(listing),
            ),
            "max_participants",
        )
    changed = _apply(listing, values) + _set_photo(listing, photo, remove_photo)
    if changed:
        db.session.flush()
        if {"title", "description", "theme_id"} & set(changed):
            index_listing(listing)  # search words
        audit_listing("listing.updated", listing, actor=actor, owner=owner, fields=changed)
    return changed


def _participant_count(listing: Listing) -> int:
    if listing.id is None:
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(Participation)
        .where(Participation.listing_id == listing.id)
    )


def _check_publishable(listing: Listing) -> None:
    _check_not_hidden(listing)
    if listing.status != ListingStatus.DRAFT:
        raise ListingError(_l("Cette annonce est déjà publiée ou terminée."))
    if listing.theme.retired:
        raise ListingError(
            _l(
                "Le thème « %(theme)s » n'est plus proposé : modifiez l'annonce pour en choisir "
                "un autre, puis publiez-la.",
                theme=listing.theme.label_fr,
            )
        )
    if not TITLE_MIN <= len(listing.title.strip()) <= TITLE_MAX:
        raise ListingError(
            _l(
                "Le titre « %(title)s » est trop court : modifiez l'annonce, puis publiez-la.",
                title=listing.title,
            )
        )


def publish(listing: Listing, *, actor: User, owner: User, now: datetime | None = None) -> None:
    """Confirm a draft: it becomes an open listing that neighbours see, until it expires."""
    _check_publishable(listing)
    now = now or utcnow()
    listing.status = ListingStatus.OPEN.value
    listing.published_at = now
    start_clock(listing, now)
    audit_listing("listing.confirmed", listing, actor=actor, owner=owner)


def publish_all_drafts(owner: User, *, actor: User) -> tuple[list[Listing], list[Listing]]:
    """Publish every draft that can be; returns (published, left as drafts with a problem)."""
    published, left = [], []
    for listing in my_listings(owner)["drafts"]:
        try:
            publish(listing, actor=actor, owner=owner)
        except ListingError:
            left.append(listing)
        else:
            published.append(listing)
    return published, left


def renew(listing: Listing, *, actor: User, owner: User, now: datetime | None = None) -> None:
    """« Renouveler »: the listing stays (or is again) open for a full period from today."""
    _check_not_hidden(listing)
    if listing.status not in RENEWABLE:
        raise ListingError(
            _l("Seule une annonce publiée, en pause ou expirée peut être renouvelée.")
        )
    now = now or utcnow()
    if listing.status == ListingStatus.EXPIRED.value:
        listing.status = ListingStatus.OPEN.value
    start_clock(listing, now)
    audit_listing("listing.renewed", listing, actor=actor, owner=owner)


def _move(
    listing: Listing, allowed: tuple, status: ListingStatus, refusal, action: str, **people
) -> None:
    """Move a listing whose status is in `allowed` to `status`, audited as `action` (the owner's
    decision: `people` are its actor and owner); otherwise refuse with `refusal`."""
    _check_not_hidden(listing)
    if listing.status not in allowed:
        raise ListingError(refusal)
    listing.status = status.value
    audit_listing(action, listing, **people)


def pause(listing: Listing, *, actor: User, owner: User) -> None:
    """Put an open listing aside for a while: neighbours no longer see it, nothing is lost."""
    refusal = _l("Seule une annonce ouverte peut être mise en pause.")
    open_ = (ListingStatus.OPEN.value,)
    _move(listing, open_, ListingStatus.PAUSED, refusal, "listing.paused", actor=actor, owner=owner)


def resume(listing: Listing, *, actor: User, owner: User, now: datetime | None = None) -> None:
    """Open a paused listing again (renewed if it would expire meanwhile)."""
    _check_not_hidden(listing)
    if listing.status != ListingStatus.PAUSED.value:
        raise ListingError(_l("Cette annonce n'est pas en pause."))
    now = now or utcnow()
    listing.status = ListingStatus.OPEN.value
    if listing.expires_at is None or listing.expires_at <= now:
        start_clock(listing, now)
    audit_listing("listing.resumed", listing, actor=actor, owner=owner)


def fulfil(listing: Listing, *, actor: User, owner: User) -> None:
    """« C'est fait »: the offer found someone, the need was met, the project took place."""
    refusal = _l("Seule une annonce publiée peut être marquée comme faite.")
    done = ListingStatus.FULFILLED
    _move(listing, PUBLISHED, done, refusal, "listing.fulfilled", actor=actor, owner=owner)


def close_listing(listing: Listing, *, actor: User, owner: User) -> None:
    """Close a published (open or paused) listing: neighbours no longer see it; history keeps it."""
    refusal = _l("Seule une annonce publiée peut être fermée.")
    closed = ListingStatus.CLOSED
    _move(listing, PUBLISHED, closed, refusal, "listing.closed", actor=actor, owner=owner)


def has_exchanges(listing: Listing) -> bool:
    from ..exchanges.models import Exchange

    return (
        db.session.scalar(select(Exchange.id).where(Exchange.listing_id == listing.id).limit(1))
        is not None
    )


def delete_listing(listing: Listing, *, actor: User, owner: User) -> bool:
    """Remove a listing for good — a draft, or a published or ended one nobody answered. One that
    neighbours answered (an exchange refers to it) is closed instead, so their messages stay.
    Returns True when deleted, False when closed."""
    _check_not_hidden(listing)
    if listing.status != ListingStatus.DRAFT and has_exchanges(listing):
        if listing.status in PUBLISHED:
            close_listing(listing, actor=actor, owner=owner)
            return False
        raise ListingError(
            _l("Des voisins ont répondu à cette annonce : elle reste dans l'historique.")
        )
    audit_listing("listing.deleted", listing, actor=actor, owner=owner)
    photos.discard(listing.photo, db.session)
    db.session.delete(listing)
    return True
