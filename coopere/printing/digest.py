"""The sponsor's printed digest (A4, large print): what an offline resident's sponsor hands
over — their own listings and the replies to them, the neighbourhood's new listings by theme,
the next cafés-rencontres, and a tear-off reply slip to hand back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..i18n import person_name
from .engine import filled, html_to_pdf, render_template, require
from .models import DigestListing, SponsorDigest

STYLESHEETS = ("base.css", "large-print.css", "digest.css")
#: Words, not only colour, say whether a listing offers or asks: for X's own listings, then
#: for the neighbourhood's.
OWN_KINDS = {"offer": "Je propose", "need": "Je cherche", "project": "J’organise un projet"}
KINDS = {"offer": "Propose", "need": "Cherche", "project": "Projet collectif"}
#: Heading of the listings that arrive without a theme.
NO_THEME = "Autres annonces"
#: A listing whose texts are longer than this (characters) may break across two pages: kept
#: whole, it would leave most of a page blank before it.
LONG_LISTING = 500


def render_sponsor_digest(digest: SponsorDigest) -> bytes:
    """PDF of a sponsor's digest: A4, large print (16 pt body), one to several pages, each
    with the resident's name and « page n/N »; the reply slip at the end never splits across
    pages. Raises ValueError (in French) when the name or the date is missing, or a listing's
    kind is neither "offer" nor "need"."""
    require(
        "Nouvelles du réseau incomplètes",
        (
            ("le prénom", digest.first_name.strip()),
            ("le nom", digest.last_name.strip()),
            ("la date", digest.date_text.strip()),
        ),
    )
    for listing in (*digest.own_listings, *digest.new_listings):
        if listing.kind not in KINDS:
            raise ValueError(
                f"Type d’annonce inconnu : {listing.kind!r} pour « "
                f"{listing.title.strip()} » (offer, need ou project)."
            )
    full_name = person_name(digest.first_name, digest.last_name)
    date_text = digest.date_text.strip()
    sponsor_name = digest.sponsor_name.strip()
    html = render_template(
        "digest.html",
        title=digest.title or f"Nouvelles du réseau — {full_name} — {date_text}",
        perimeter=digest.perimeter,
        full_name=full_name,
        date_text=date_text,
        sponsor_name=sponsor_name,
        # A phone number without a name would belong to nobody the reader knows.
        sponsor_phone=digest.sponsor_phone.strip() if sponsor_name else "",
        since_text=digest.since_text.strip(),
        own_listings=[_listing(listing, OWN_KINDS) for listing in digest.own_listings],
        themes=_by_theme(_listing(listing, KINDS) for listing in digest.new_listings),
        more_listings=max(digest.more_listings, 0),
        cafes=[
            cafe
            for cafe in (
                {
                    "date": cafe.date_text.strip(),
                    "time": cafe.time_text.strip(),
                    "place": cafe.place.strip(),
                }
                for cafe in digest.next_cafes
            )
            if cafe["date"]
        ],
        contact_lines=filled(digest.perimeter.contact.splitlines()),
    )
    return html_to_pdf(html, STYLESHEETS)


def _listing(listing: DigestListing, kinds: dict[str, str]) -> dict[str, Any]:
    """A listing's texts, stripped, with its kind in words and its reference as « n° … »."""
    reference = listing.reference.strip()
    if reference and not reference.lower().startswith("n°"):
        reference = f"n° {reference}"
    description = listing.description.strip()
    replies = filled(listing.replies)
    return {
        "kind": listing.kind,
        "kind_text": kinds[listing.kind],
        "theme": listing.theme.strip() or NO_THEME,
        "title": listing.title.strip(),
        "description": description,
        "who": listing.who.strip(),
        "date": listing.date_text.strip(),
        "reference": reference,
        "replies": replies,
        "expires": listing.expires_text.strip(),
        "long": len(description) + sum(len(reply) for reply in replies) > LONG_LISTING,
    }


def _by_theme(listings: Iterable[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Listings grouped under their theme: themes in order of first appearance, listings in
    the given order within each (a theme met again later joins its first group)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for listing in listings:
        groups.setdefault(listing["theme"], []).append(listing)
    return list(groups.items())
