"""Business rules for a resident's own offers and needs (« Mes annonces »): confirming the drafts
of the registration questionnaire, creating, editing, closing and removing listings.

Every function takes the `owner` (the person the listing belongs to, i.e. `subject()`) and the
`actor` (who is logged in: the owner, or their sponsor acting for them). Both are recorded: the
actor as Listing.created_by on creation and in the audit log, with "on behalf of" when they differ.
Functions work in the current transaction; the caller commits, or rolls back on ListingError."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..members.sponsorship import on_behalf
from ..timeutil import utcnow
from .models import Listing, ListingKind, ListingStatus, Theme

TITLE_MIN, TITLE_MAX, DESCRIPTION_MAX = 3, 120, 2000
PUBLISHED = (ListingStatus.OPEN.value, ListingStatus.PAUSED.value)
ENDED = (ListingStatus.FULFILLED.value, ListingStatus.CLOSED.value, ListingStatus.EXPIRED.value,
         ListingStatus.HIDDEN.value)
EDITABLE = (ListingStatus.DRAFT.value, *PUBLISHED)

TITLE_LENGTH = _l("Le titre doit faire entre %(min)d et %(max)d caractères.", min=TITLE_MIN, max=TITLE_MAX)
DESCRIPTION_LENGTH = _l("La description est trop longue (%(max)d caractères au plus).", max=DESCRIPTION_MAX)
HIDDEN = _l("Cette annonce a été masquée par le groupe d'animation : elle ne peut être ni modifiée ni publiée. "
            "Parlez-en au groupe d'animation.")

# Money words (folded: no accents, lower case). Exchanges are free; these only trigger a reminder.
MONEY = re.compile(r"€|\beuros?\b|\bprix\b|\bpayer\b|\bpayante?s?\b|\btarifs?\b")


class ListingError(ValueError):
    """A refused change to a listing; the message is French (lazy) and safe to show. `field`
    names the form field it concerns, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ListingValues:
    theme_id: int
    kind: str
    title: str
    description: str = ""


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in plain if not unicodedata.combining(c)).lower()


def mentions_money(*texts: str) -> bool:
    """Whether a text speaks of money (€, euros, prix, payer, payant, tarif), whatever the accents
    or the case. Nothing is refused: the page reminds that the network's exchanges are free."""
    return any(MONEY.search(_fold(text)) for text in texts)


# --- reading --------------------------------------------------------------------------------

def listing_of(owner: User, listing_id: int) -> Listing | None:
    """The owner's listing with this id; None when it does not exist or belongs to someone else
    (the page then answers 404: others' listings are never revealed)."""
    return db.session.scalar(select(Listing).where(Listing.id == listing_id, Listing.owner_id == owner.id))


def my_listings(owner: User) -> dict[str, list[Listing]]:
    """The owner's listings in three groups: drafts to confirm, published (open or paused), ended."""
    groups: dict[str, list[Listing]] = {"drafts": [], "published": [], "ended": []}
    rows = db.session.scalars(select(Listing).where(Listing.owner_id == owner.id)
                              .order_by(Listing.created_at.desc(), Listing.id.desc()))
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
    if not owner_ids:
        return {}
    rows = db.session.execute(select(Listing.owner_id, func.count()).where(
        Listing.owner_id.in_(owner_ids), Listing.status == ListingStatus.DRAFT.value).group_by(Listing.owner_id))
    return {owner_id: count for owner_id, count in rows}


# --- checks ---------------------------------------------------------------------------------

def _clean(values: ListingValues, *, current_theme_id: int | None = None) -> ListingValues:
    title = " ".join((values.title or "").split())
    description = (values.description or "").strip()
    if values.kind not in (ListingKind.OFFER.value, ListingKind.NEED.value):
        raise ListingError(_l("Choisissez : je propose ou je cherche."), "kind")
    theme = db.session.get(Theme, values.theme_id) if values.theme_id else None
    if theme is None or (theme.retired and theme.id != current_theme_id):
        raise ListingError(_l("Choisissez un thème dans la liste."), "theme_id")
    if not title:
        raise ListingError(_l("Donnez un titre à l'annonce."), "title")
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ListingError(TITLE_LENGTH, "title")
    if len(description) > DESCRIPTION_MAX:
        raise ListingError(DESCRIPTION_LENGTH, "description")
    return ListingValues(theme_id=theme.id, kind=values.kind, title=title, description=description)


def _check_not_hidden(listing: Listing) -> None:
    if listing.status == ListingStatus.HIDDEN:
        raise ListingError(HIDDEN)


def _audit(action: str, listing: Listing, *, actor: User, owner: User, **details) -> None:
    record(action, actor=actor, target=owner, listing=listing.id, title=listing.title, **details,
           **on_behalf(actor, owner))


# --- changes --------------------------------------------------------------------------------

def create_listing(owner: User, values: ListingValues, *, actor: User) -> Listing:
    """A new offer or need, published at once (drafts come only from the registration desk)."""
    values = _clean(values)
    now = utcnow()
    listing = Listing(owner_id=owner.id, theme_id=values.theme_id, kind=values.kind, title=values.title,
                      description=values.description, status=ListingStatus.OPEN.value, created_by_id=actor.id,
                      published_at=now)
    db.session.add(listing)
    db.session.flush()
    _audit("listing.created", listing, actor=actor, owner=owner)
    return listing


def update_listing(listing: Listing, values: ListingValues, *, actor: User, owner: User) -> list[str]:
    """Correct a draft or a published listing; returns the names of the changed fields."""
    _check_not_hidden(listing)
    if listing.status not in EDITABLE:
        raise ListingError(_l("Cette annonce est terminée : elle ne se modifie plus. "
                              "Créez-en une nouvelle si besoin."))
    values = _clean(values, current_theme_id=listing.theme_id)
    changed = []
    for name in ("theme_id", "kind", "title", "description"):
        if getattr(listing, name) != getattr(values, name):
            setattr(listing, name, getattr(values, name))
            changed.append(name)
    if changed:
        db.session.flush()
        _audit("listing.updated", listing, actor=actor, owner=owner, fields=changed)
    return changed


def _check_publishable(listing: Listing) -> None:
    _check_not_hidden(listing)
    if listing.status != ListingStatus.DRAFT:
        raise ListingError(_l("Cette annonce est déjà publiée ou terminée."))
    if listing.theme.retired:
        raise ListingError(_l("Le thème « %(theme)s » n'est plus proposé : modifiez l'annonce pour en choisir "
                              "un autre, puis publiez-la.", theme=listing.theme.label_fr))
    if not TITLE_MIN <= len(listing.title.strip()) <= TITLE_MAX:
        raise ListingError(_l("Le titre « %(title)s » est trop court : modifiez l'annonce, puis publiez-la.",
                              title=listing.title))


def publish(listing: Listing, *, actor: User, owner: User) -> None:
    """Confirm a draft: it becomes an open listing that neighbours see."""
    _check_publishable(listing)
    listing.status = ListingStatus.OPEN.value
    listing.published_at = utcnow()
    _audit("listing.confirmed", listing, actor=actor, owner=owner)


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


def close_listing(listing: Listing, *, actor: User, owner: User) -> None:
    """Close a published (open or paused) listing: neighbours no longer see it; it stays in history."""
    _check_not_hidden(listing)
    if listing.status not in PUBLISHED:
        raise ListingError(_l("Seule une annonce publiée peut être fermée."))
    listing.status = ListingStatus.CLOSED.value
    _audit("listing.closed", listing, actor=actor, owner=owner)


def delete_draft(listing: Listing, *, actor: User, owner: User) -> None:
    """Remove a draft that was not right (a published listing is closed instead, never deleted)."""
    if listing.status != ListingStatus.DRAFT:
        raise ListingError(_l("Seule une annonce à confirmer peut être retirée. Une annonce publiée se ferme."))
    _audit("listing.deleted", listing, actor=actor, owner=owner)
    db.session.delete(listing)
