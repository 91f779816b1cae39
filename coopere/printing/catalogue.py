"""The catalogue of listings (A4, large print): every open offer, need and collective project of
the perimeter grouped by theme, for the café table and for residents without internet. Only first
names, and a way to answer that goes through the animation group or the resident's sponsor (no
phone, no address); the next café; tear-off reply slips at the end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..i18n import de
from .engine import filled, html_to_pdf, render_template
from .models import NextCafe, Perimeter

STYLESHEETS = ("base.css", "large-print.css", "catalogue.css")
KINDS = {"offer": "Propose", "need": "Cherche", "project": "Projet collectif"}
SLIPS = 2  # reply slips printed at the end
#: Listings longer than this (characters) may break across two pages.
LONG_LISTING = 500


@dataclass(frozen=True)
class CatalogueListing:
    """One listing as the catalogue prints it (texts already formatted)."""

    kind: str  # "offer" | "need" | "project"
    theme: str  # « Coups de main »
    title: str
    reference: str  # « n° 123 », to quote on a reply slip
    first_name: str  # the owner's first name only (the organiser, for a project)
    contact: str  # « par le groupe d'animation » or « par son parrain ou sa marraine »
    description: str = ""
    details: Sequence[tuple[str, str]] = ()  # (« Départ », « rue des Lilas »)
    availability: str = ""  # « le soir ; lundi, jeudi »
    project: str = ""  # « 3 participants sur 10 au plus · le 12 mars 2026 »


@dataclass(frozen=True)
class Catalogue:
    perimeter: Perimeter
    date_text: str  # « samedi 12 mars 2026 »
    listings: Sequence[CatalogueListing] = ()  # grouped by theme, in the given order
    next_cafe: NextCafe | None = None
    title: str = ""


def render_catalogue(catalogue: Catalogue) -> bytes:
    """PDF of the catalogue; raises ValueError (in French) for an unknown kind or a missing date."""
    if not catalogue.date_text.strip():
        raise ValueError("Catalogue incomplet : il manque la date.")
    groups: dict[str, list[dict]] = {}
    for listing in catalogue.listings:
        if listing.kind not in KINDS:
            raise ValueError(
                f"Type d’annonce inconnu : {listing.kind!r} pour « {listing.title.strip()} »."
            )
        groups.setdefault(listing.theme.strip() or "Autres annonces", []).append(
            {
                "kind": listing.kind,
                "kind_text": KINDS[listing.kind],
                "title": listing.title.strip(),
                "reference": listing.reference.strip(),
                "first_name": listing.first_name.strip(),
                # « de Marie », « d’Odile »: the words before the name, which is printed in bold
                "of": de(listing.first_name, "’").removesuffix(listing.first_name.strip()),
                "contact": listing.contact.strip(),
                "description": listing.description.strip(),
                "details": [(label, value) for label, value in listing.details if value],
                "availability": listing.availability.strip(),
                "project": listing.project.strip(),
                "long": len(listing.description) > LONG_LISTING,
            }
        )
    cafe = catalogue.next_cafe
    html = render_template(
        "catalogue.html",
        title=catalogue.title
        or f"Catalogue des annonces — {catalogue.perimeter.name} — {catalogue.date_text}",
        perimeter=catalogue.perimeter,
        date_text=catalogue.date_text.strip(),
        themes=list(groups.items()),
        count=len(catalogue.listings),
        cafe={
            "date": cafe.date_text.strip(),
            "time": cafe.time_text.strip(),
            "place": cafe.place.strip(),
        }
        if cafe and cafe.date_text.strip()
        else None,
        contact_lines=filled(catalogue.perimeter.contact.splitlines()),
        slips=range(SLIPS),
    )
    return html_to_pdf(html, STYLESHEETS)
