"""The registration and sponsorship printouts, as plain data for the print engine: welcome
cards, receipts, numbered blank forms and the sponsor's large-print digest. Always French."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_date
from sqlalchemy import func, select

from .. import printing
from ..auth.identifiers import format_phone
from ..auth.models import User
from ..events.models import EventKind
from ..events.services import upcoming_events
from ..extensions import db
from ..i18n import french_hours
from ..listings.models import Listing, ListingKind, ListingStatus
from ..listings.lifetime import expires_soon
from ..listings.themes import all_themes
from ..perimeter.models import Perimeter
from ..printing.merge import merge_pdfs
from ..perimeter.services import perimeter_data
from ..timeutil import to_paris, utcnow
from . import consents as texts
from .models import DigestPrint, PaperForm
from .consent_records import current_consents
from .services import listings_of
from .sponsorship import sponsorship_of

CONTACT_WORDS = {
    "phone": "par téléphone",
    "email": "par e-mail",
    "site": "par le site",
    "sponsor": "par mon parrain ou ma marraine",
}


def french_date(moment: datetime) -> str:
    return format_date(to_paris(moment).date(), "EEEE d MMMM y", locale="fr")


def short_date(moment: datetime) -> str:
    return format_date(to_paris(moment).date(), "d MMMM y", locale="fr")


def next_cafes(limit: int = 1) -> list[printing.NextCafe]:
    cafes = []
    for event in upcoming_events(limit=limit, kinds=(EventKind.CAFE,)):
        start, end = to_paris(event.starts_at), to_paris(event.ends_at)
        cafes.append(
            printing.NextCafe(
                date_text=format_date(start.date(), "EEEE d MMMM", locale="fr"),
                time_text=f"de {french_hours(start)} à {french_hours(end)}",
                place=event.place,
            )
        )
    return cafes


def _site(public_url: str) -> str:
    return public_url.split("://", 1)[-1].rstrip("/")


def welcome_card(
    user: User, code: str | None, perimeter: Perimeter, public_url: str
) -> printing.WelcomeCard:
    """`user`'s welcome card with `code`; without one (an account activated already), the card
    leads to the login page instead."""
    cafes = next_cafes(1)
    page = "activer" if code else "connexion"
    return printing.WelcomeCard(
        first_name=user.first_name,
        perimeter_name=perimeter.short_name,
        activation_url=f"{public_url.rstrip('/')}/{page}" + (f"/{code}" if code else ""),
        short_code=printing.format_short_code(code) if code else "",
        already_active=not code,
        contact=" · ".join(line.strip() for line in perimeter.contact.splitlines() if line.strip()),
        next_cafe=cafes[0] if cafes else None,
        site_address=f"{_site(public_url)}/{page}",
    )


def prepared_card(
    number: str, code: str, perimeter: Perimeter, public_url: str
) -> printing.WelcomeCard:
    """A pre-printed numbered card (members.prepared_cards): no name, its own code."""
    cafes = next_cafes(1)
    return printing.WelcomeCard(
        first_name="",
        number=number,
        perimeter_name=perimeter.short_name,
        activation_url=f"{public_url.rstrip('/')}/activer/{code}",
        short_code=printing.format_short_code(code),
        contact=" · ".join(line.strip() for line in perimeter.contact.splitlines() if line.strip()),
        next_cafe=cafes[0] if cafes else None,
        site_address=f"{_site(public_url)}/activer",
    )


def render_cards(cards: list[printing.WelcomeCard]) -> bytes:
    return printing.render_welcome_cards(cards, layout="single" if len(cards) == 1 else "sheet")


def dwelling_lines(user: User) -> list[str]:
    dwelling = user.dwelling
    if dwelling is None:
        return [f"Adresse hors registre : {user.address_note}"] if user.address_note else []
    lines = [dwelling.street_line]
    if dwelling.complement:
        lines.append(dwelling.complement)
    lines.append(f"{dwelling.postcode} {dwelling.city}")
    return lines


def receipt(user: User, perimeter: Perimeter) -> printing.RegistrationReceipt:
    """Everything recorded about `user` now (it doubles as their data-protection notice)."""
    consents = current_consents(user)
    records = []
    for kind, text in texts.ALL.items():
        consent = consents.get(kind.value)
        if consent is None:
            continue
        records.append(
            printing.ConsentRecord(
                label=text.text_fr,
                given=consent.given,
                version=consent.version,
                date_text=short_date(consent.recorded_at),
            )
        )
    by_theme: dict[str, dict] = {}
    for listing in listings_of(user):
        if listing.status == ListingStatus.HIDDEN:
            continue
        answer = by_theme.setdefault(
            listing.theme.label_fr, {"offer": False, "need": False, "details": []}
        )
        answer["offer" if listing.kind == ListingKind.OFFER else "need"] = True
        if listing.description:
            answer["details"].append(listing.description)
    sponsorship = sponsorship_of(user)
    registrar = db.session.get(User, user.registered_by_id) if user.registered_by_id else None
    return printing.RegistrationReceipt(
        perimeter=perimeter_data(perimeter),
        first_name=user.first_name,
        last_name=user.last_name,
        dwelling_lines=dwelling_lines(user),
        date_text=french_date(user.created_at),
        collected_by=registrar.full_name if registrar else "le groupe d'animation",
        method=user.registration_method or "tablet",
        paper_reference=user.paper_reference,
        data_protection=texts.data_protection(perimeter),
        phone=format_phone(user.phone),
        email=user.email or "",
        has_internet=user.has_internet,
        contact_preferences=[CONTACT_WORDS[user.contact_preference]],
        languages=user.language_list,
        answers=[
            printing.ThemeAnswer(
                theme=theme,
                can_offer=value["offer"],
                would_like=value["need"],
                details=" ; ".join(value["details"]),
            )
            for theme, value in by_theme.items()
        ],
        consents=records,
        sponsor=sponsorship.sponsor.full_name if sponsorship else "",
        sponsor_requested=user.is_offline and sponsorship is None,
    )


def blank_forms(count: int, perimeter: Perimeter, *, actor: User) -> bytes:
    """`count` numbered blank registration forms (« P-2026-0007 »…), one PDF."""
    year = utcnow().year
    start = (
        db.session.scalar(
            select(func.count())
            .select_from(PaperForm)
            .where(PaperForm.reference.like(f"P-{year}-%"))
        )
        + 1
    )
    themes = [theme.label_fr for theme in all_themes()]
    parts = []
    for number in range(start, start + count):
        reference = f"P-{year}-{number:04d}"
        db.session.add(PaperForm(reference=reference, printed_by_id=actor.id))
        parts.append(
            printing.render_registration_form(
                printing.RegistrationFormData(
                    perimeter=perimeter_data(perimeter),
                    reference=reference,
                    themes=themes,
                    charter_text=perimeter.charter_text,
                    charter_version=str(perimeter.charter_version),
                    privacy_notice=texts.privacy_notice_fr(),
                    privacy_version=texts.PRIVACY_VERSION,
                    optional_consents=[text.text_fr for text in texts.OPTIONAL_CONSENTS],
                    languages=("français", "anglais", "arabe", "espagnol", "portugais"),
                )
            )
        )
    return parts[0] if len(parts) == 1 else merge_pdfs(parts)


def _digest_listing(listing: Listing, *, with_owner: bool, replies=()) -> printing.DigestListing:
    owner = listing.owner
    street = owner.dwelling.street if owner.dwelling else ""
    return printing.DigestListing(
        kind=listing.kind,
        theme=listing.theme.label_fr,
        title=listing.title,
        description=listing.description,
        who=(f"{owner.first_name}, {street}" if street else owner.first_name) if with_owner else "",
        date_text=short_date(listing.published_at or listing.created_at),
        reference=f"n° {listing.id}",
        replies=tuple(replies),
        expires_text=short_date(listing.expires_at)
        if not with_owner and expires_soon(listing)
        else "",
    )


REPLY_MAX = 300  # characters of a message printed in the digest


def _replies(sponsee: User, since: datetime) -> dict[int, list[str]]:
    """The messages neighbours wrote in the sponsee's exchanges since `since`, by listing, one
    line each: « Paul (rue des Lilas), 3 mars : Je peux vous aider mardi »."""
    from ..exchanges.reading import messages_received

    lines: dict[int, list[str]] = {}
    for listing_id, message in messages_received(sponsee, since=since):
        author = message.author
        street = author.dwelling.street if author.dwelling else ""
        who = f"{author.first_name} ({street})" if street else author.first_name
        body = " ".join(message.body.split())
        if len(body) > REPLY_MAX:
            body = body[: REPLY_MAX - 1].rstrip() + "…"
        lines.setdefault(listing_id, []).append(f"{who}, {short_date(message.created_at)} : {body}")
    return lines


def last_digest(sponsee: User) -> DigestPrint | None:
    return db.session.scalar(
        select(DigestPrint)
        .where(DigestPrint.sponsee_id == sponsee.id)
        .order_by(DigestPrint.id.desc())
        .limit(1)
    )


DIGEST_FIRST_WEEKS = 4  # the first digest shows the last four weeks
DIGEST_MAX_NEW = 24  # about six large-print pages; the rest is counted, not printed


def sponsor_digest(
    sponsee: User, perimeter: Perimeter, *, since: datetime | None
) -> printing.SponsorDigest:
    """The large-print news for an offline resident: their listings, what is new in the
    perimeter since the last digest (or the last four weeks), the next cafés."""
    sponsorship = sponsorship_of(sponsee)
    own = [
        listing
        for listing in listings_of(sponsee)
        if listing.status in (ListingStatus.OPEN, ListingStatus.PAUSED, ListingStatus.DRAFT)
    ]
    start = since or utcnow() - timedelta(weeks=DIGEST_FIRST_WEEKS)
    published = func.coalesce(Listing.published_at, Listing.created_at)
    query = (
        select(Listing)
        .join(User, User.id == Listing.owner_id)
        .where(
            Listing.status == ListingStatus.OPEN.value,
            Listing.owner_id != sponsee.id,
            User.left_at.is_(None),
            published > start,
        )
    )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    newest = list(
        db.session.scalars(
            query.order_by(published.desc(), Listing.id.desc()).limit(DIGEST_MAX_NEW)
        )
    )
    new = sorted(
        newest,
        key=lambda listing: (listing.theme.position, listing.theme_id, listing.kind, -listing.id),
    )
    replies = _replies(sponsee, start)
    return printing.SponsorDigest(
        perimeter=perimeter_data(perimeter),
        first_name=sponsee.first_name,
        last_name=sponsee.last_name,
        date_text=french_date(utcnow()),
        sponsor_name=sponsorship.sponsor.full_name if sponsorship else "",
        sponsor_phone=format_phone(sponsorship.sponsor.phone) if sponsorship else "",
        since_text=short_date(start),
        own_listings=[
            _digest_listing(listing, with_owner=False, replies=replies.get(listing.id, ()))
            for listing in own
        ],
        new_listings=[_digest_listing(listing, with_owner=True) for listing in new],
        more_listings=total - len(new),
        next_cafes=next_cafes(3),
    )


def print_digest(sponsee: User, perimeter: Perimeter, *, actor: User) -> bytes:
    """Render the digest and remember it was handed over (the next one starts from now)."""
    previous = last_digest(sponsee)
    pdf = printing.render_sponsor_digest(
        sponsor_digest(sponsee, perimeter, since=previous.printed_at if previous else None)
    )
    db.session.add(DigestPrint(sponsee_id=sponsee.id, printed_by_id=actor.id))
    return pdf
