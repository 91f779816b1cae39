"""The printed catalogue of listings from the database: every open offer, need and collective
project by theme (first names and a contact route only), with the next café."""

from __future__ import annotations

from babel.dates import format_date
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..extensions import db
from ..members.printouts import french_date, next_cafes
from ..members.sponsorship import sponsorship_of
from ..perimeter.models import Perimeter
from ..printing.catalogue import Catalogue, CatalogueListing, render_catalogue
from ..perimeter.services import perimeter_data
from ..timeutil import utcnow
from . import projects
from .details import shown
from .models import Listing, ListingKind, ListingStatus, Theme

DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
KIND_ORDER = {ListingKind.OFFER.value: 0, ListingKind.NEED.value: 1, ListingKind.PROJECT.value: 2}


def contact_text(owner: User) -> str:
    """How a reader of the paper reaches the owner, never their phone or address."""
    if owner.is_offline and sponsorship_of(owner) is not None:
        return "par son parrain ou sa marraine (le groupe d’animation fait le lien)"
    return "par le groupe d’animation"


def _availability(listing: Listing) -> str:
    days = ", ".join(DAY_NAMES[day] for day in listing.day_list if 0 <= day <= 6)
    return " ; ".join(part for part in (listing.availability or "", days) if part)


def _project(listing: Listing, count: int) -> str:
    if listing.kind != ListingKind.PROJECT.value:
        return ""
    parts = [
        f"{count} participant{'s' if count > 1 else ''}"
        + (f" sur {listing.max_participants} au plus" if listing.max_participants else "")
    ]
    if listing.project_date:
        parts.append("le " + format_date(listing.project_date, "EEEE d MMMM y", locale="fr"))
    return " · ".join(parts)


def catalogue_data(perimeter: Perimeter) -> Catalogue:
    rows = list(
        db.session.scalars(
            select(Listing)
            .join(Theme, Theme.id == Listing.theme_id)
            .join(User, User.id == Listing.owner_id)
            .where(Listing.status == ListingStatus.OPEN.value, User.left_at.is_(None))
            .options(selectinload(Listing.owner))
            .order_by(Theme.position, Theme.id, Listing.id)
        )
    )
    rows.sort(
        key=lambda listing: (
            listing.theme.position,
            listing.theme_id,
            KIND_ORDER.get(listing.kind, 3),
            listing.id,
        )
    )
    counts = projects.counts(
        [listing.id for listing in rows if listing.kind == ListingKind.PROJECT.value]
    )
    cafes = next_cafes(1)
    return Catalogue(
        perimeter=perimeter_data(perimeter),
        date_text=french_date(utcnow()),
        next_cafe=cafes[0] if cafes else None,
        listings=[
            CatalogueListing(
                kind=listing.kind,
                theme=listing.theme.label_fr,
                title=listing.title,
                reference=f"n° {listing.id}",
                first_name=listing.owner.first_name,
                contact=contact_text(listing.owner),
                description=listing.description or "",
                details=[
                    (str(label), value)
                    for label, value in shown(listing.theme.slug, listing.details)
                ],
                availability=_availability(listing),
                project=_project(listing, counts.get(listing.id, 0)),
            )
            for listing in rows
        ],
    )


def catalogue_pdf(perimeter: Perimeter) -> bytes:
    """The catalogue is printed in French, whatever the language of the person who asks for it."""
    with force_locale("fr"):
        return render_catalogue(catalogue_data(perimeter))
