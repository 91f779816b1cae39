"""Registering a resident, at the desk or from a paper form typed in later: the record, its
consents, the questionnaire's answers as draft listings, and a sponsor if one was named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record
from ..auth.models import User
from ..dwellings.models import Dwelling
from ..extensions import db
from ..listings.models import Listing, ListingKind, ListingStatus, Theme
from ..perimeter.models import Perimeter
from ..signals import listings_drafted
from . import consents as texts
from .checks import MemberError, check_contact_preference, check_identifiers_free
from .consent_records import add_consent
from .models import ConsentKind, Method, PaperForm
from .sponsorship import link_sponsor


@dataclass(frozen=True)
class Answer:
    """The questionnaire's answer for one theme."""

    theme_id: int
    can_offer: bool = False
    would_like: bool = False
    details: str = ""


@dataclass
class Registration:
    """Everything the desk (or a paper form typed in later) collected, already validated."""

    first_name: str
    last_name: str
    dwelling_id: int | None
    address_note: str = ""
    phone: str | None = None  # E.164
    email: str | None = None
    has_internet: bool = True
    contact_preference: str = "phone"
    languages: str = ""
    answers: list[Answer] = field(default_factory=list)
    optional_consents: dict[str, bool] = field(default_factory=dict)
    method: str = Method.TABLET.value
    paper_reference: str = ""
    sponsor_id: int | None = None
    sponsor_agreed: bool = False


def claim_paper_form(reference: str, user: User) -> None:
    """Tie a numbered paper form to the person it registered (each form serves once)."""
    form = db.session.scalar(select(PaperForm).where(PaperForm.reference == reference))
    if form is None:
        return  # a form numbered by hand: the reference is kept as typed
    if form.used_by_id is not None and form.used_by_id != user.id:
        raise MemberError(
            _l("Le formulaire %(ref)s a déjà servi à une autre inscription.", ref=reference)
        )
    form.used_by_id = user.id


def register_resident(data: Registration, *, actor: User, perimeter: Perimeter) -> User:
    """Create the resident, their consents, draft offers and needs, and (optionally) link a
    sponsor, in the current transaction. MemberError leaves the caller to roll back."""
    check_identifiers_free(data.phone, data.email)
    if data.dwelling_id is not None and db.session.get(Dwelling, data.dwelling_id) is None:
        raise MemberError(_l("Ce logement n'est pas dans le registre."))
    if data.dwelling_id is None and not data.address_note.strip():
        raise MemberError(
            _l("Choisissez le logement dans le registre, ou dites pourquoi l'adresse n'y est pas.")
        )
    check_contact_preference(
        data.contact_preference, phone=data.phone, email=data.email, has_internet=data.has_internet
    )
    if data.method == Method.PAPER and not data.paper_reference:
        raise MemberError(_l("Indiquez le numéro du formulaire papier."))
    user = User(
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        phone=data.phone or None,
        email=data.email or None,
        dwelling_id=data.dwelling_id,
        address_note="" if data.dwelling_id else data.address_note.strip(),
        has_internet=data.has_internet,
        contact_preference=data.contact_preference,
        languages=data.languages.strip(),
        registered_by_id=actor.id,
        registration_method=data.method,
        paper_reference=data.paper_reference if data.method == Method.PAPER else "",
    )
    db.session.add(user)
    db.session.flush()
    if data.method == Method.PAPER:
        claim_paper_form(data.paper_reference, user)
    add_registration_consents(
        user,
        lambda kind: bool(data.optional_consents.get(kind)),
        actor=actor,
        method=data.method,
        paper_reference=data.paper_reference,
        perimeter=perimeter,
    )
    add_draft_listings(user, data.answers, actor=actor)
    record(
        "member.registered",
        actor=actor,
        target=user,
        method=data.method,
        paper_reference=data.paper_reference or None,
    )
    if data.sponsor_id is not None:
        sponsor = db.session.get(User, data.sponsor_id)
        if sponsor is None:
            raise MemberError(_l("Ce parrain ou cette marraine n'existe pas."))
        link_sponsor(
            user,
            sponsor,
            actor=actor,
            consent_reference=data.paper_reference,
            sponsor_agreed=data.sponsor_agreed,
            method=data.method,
            perimeter=perimeter,
        )
    return user


def add_registration_consents(
    user: User,
    optional: Callable[[ConsentKind], bool],
    *,
    actor: User,
    method: str,
    paper_reference: str,
    perimeter: Perimeter,
) -> None:
    """The consents a registration records: the charter and the privacy notice, given, then each
    optional one as `optional` answers it, in the order of members.consents."""
    for kind in (ConsentKind.CHARTER, ConsentKind.PRIVACY):
        add_consent(
            user,
            kind,
            True,
            actor=actor,
            method=method,
            paper_reference=paper_reference,
            perimeter=perimeter,
        )
    for text in texts.OPTIONAL_CONSENTS:
        add_consent(
            user,
            text.kind,
            optional(text.kind),
            actor=actor,
            method=method,
            paper_reference=paper_reference,
            perimeter=perimeter,
        )


def add_draft_listings(user: User, answers: list[Answer], *, actor: User) -> list[Listing]:
    """The questionnaire's answers as draft offers and needs, to be confirmed later."""
    themes = {
        theme.id: theme
        for theme in db.session.scalars(
            select(Theme).where(Theme.id.in_([answer.theme_id for answer in answers]))
        )
    }
    drafts = []
    for answer in answers:
        theme = themes.get(answer.theme_id)
        if theme is None:
            raise MemberError(_l("Un des thèmes n'existe plus : rechargez la page."))
        details = answer.details.strip()
        for wanted, kind in (
            (answer.can_offer, ListingKind.OFFER),
            (answer.would_like, ListingKind.NEED),
        ):
            if wanted:
                drafts.append(
                    Listing(
                        owner_id=user.id,
                        theme_id=theme.id,
                        kind=kind.value,
                        title=(details or theme.label_fr)[:120],
                        description=details,
                        status=ListingStatus.DRAFT.value,
                        created_by_id=actor.id,
                    )
                )
    db.session.add_all(drafts)
    if drafts:
        db.session.flush()
        listings_drafted.send(drafts)  # searchable once published
    return drafts
