"""Business rules for residents: registration at the desk, duplicates, consents, activation
codes, the members list, leaving the perimeter. Views stay thin and call these."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import aliased, contains_eager

from ..audit.services import record
from ..auth.lockout import unlock
from ..auth.models import User, fold_name
from ..auth.services import AccountError, set_password
from ..dwellings.models import REFERENCE_ALPHABET, Dwelling
from ..extensions import db
from ..i18n import person_name
from ..signals import listings_drafted, volunteer_leaving
from ..listings.models import Listing, ListingKind, ListingStatus
from ..listings.models import Theme
from ..perimeter.models import Perimeter
from ..timeutil import utcnow
from . import consents as texts
from .consent_records import add_consent, consent_history, current_consents, has_consent  # noqa: F401 (re-exported: services is the views' entry)
from .models import ActivationCode, Consent, ConsentKind, EndReason, Method, PaperForm, Sponsorship
from .recovery import (
    activation_refusal,
    code_refusal,
    needs_typed_confirmation,
    never_activated,
    reset_refusal,
)

CODE_LENGTH = 10  # 10 characters of a 31-letter alphabet: about 49.5 bits
CONTACT_PREFERENCES = ("phone", "email", "site", "sponsor")


class MemberError(ValueError):
    """A refused operation; the message is French (or the reader's language) and safe to show."""


class DuplicateError(MemberError):
    """The person seems to be registered already: `user` is the existing record."""

    def __init__(self, message, user: User):
        super().__init__(message)
        self.user = user


# --- registration -------------------------------------------------------------------------


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


def possible_duplicates(
    first_name: str, last_name: str, dwelling_id: int | None, exclude_id: int | None = None
) -> list[User]:
    """People with the same name living in the same dwelling (likely the same person)."""
    if dwelling_id is None:
        return []
    query = select(User).where(
        User.dwelling_id == dwelling_id,
        User.name_key == fold_name(person_name(first_name, last_name)),
    )
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return list(db.session.scalars(query))


def check_identifiers_free(
    phone: str | None, email: str | None, exclude_id: int | None = None
) -> None:
    """DuplicateError when another record already has this phone or email (both are unique)."""
    for column, value, message in (
        (User.phone, phone, _l("Ce numéro de téléphone est déjà celui de %(name)s.")),
        (User.email, email, _l("Cette adresse e-mail est déjà celle de %(name)s.")),
    ):
        if not value:
            continue
        query = select(User).where(column == value)
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        other = db.session.scalar(query)
        if other is not None:
            raise DuplicateError(message % {"name": other.full_name}, other)


def check_contact_preference(preference: str, *, phone, email, has_internet: bool) -> None:
    if preference not in CONTACT_PREFERENCES:
        raise MemberError(_l("Choisissez comment joindre cette personne."))
    if preference == "phone" and not phone:
        raise MemberError(_l("Pour être joint par téléphone, il faut un numéro de téléphone."))
    if preference == "email" and not email:
        raise MemberError(_l("Pour être joint par e-mail, il faut une adresse e-mail."))
    if preference == "site" and not has_internet:
        raise MemberError(_l("Sans internet, le site ne peut pas servir à joindre cette personne."))


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
    for kind in (ConsentKind.CHARTER, ConsentKind.PRIVACY):
        add_consent(
            user,
            kind,
            True,
            actor=actor,
            method=data.method,
            paper_reference=data.paper_reference,
            perimeter=perimeter,
        )
    for text in texts.OPTIONAL_CONSENTS:
        add_consent(
            user,
            text.kind,
            bool(data.optional_consents.get(text.kind)),
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
        from .sponsorship import link_sponsor

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


# --- consents (the records: coopere/members/consent_records.py) ------------------------------


def set_own_consent(user: User, kind: ConsentKind, given: bool, *, perimeter: Perimeter) -> Consent:
    """A resident gives or withdraws an optional consent on the site; effective at once."""
    if kind not in {text.kind for text in texts.OPTIONAL_CONSENTS}:
        raise MemberError(
            _l("Cet accord ne se change pas ici : adressez-vous au groupe d'animation.")
        )
    consent = add_consent(user, kind, given, actor=user, method=Method.ONLINE, perimeter=perimeter)
    record(
        "consent.given" if given else "consent.withdrawn", actor=user, target=user, kind=kind.value
    )
    return consent


# --- activation codes ---------------------------------------------------------------------


def normalise_code(text: str) -> str:
    return "".join(c for c in (text or "").upper() if c.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def _mint_code(user: User, *, actor: User) -> str:
    """A new single-use code for `user`; any earlier code stops working. Only issue_code and
    reset_access call it, once the rule of coopere.members.recovery allows it."""
    now = utcnow()
    db.session.execute(
        update(ActivationCode)
        .where(
            ActivationCode.user_id == user.id,
            ActivationCode.used_at.is_(None),
            ActivationCode.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(CODE_LENGTH))
    days = current_app.config["ACTIVATION_CODE_DAYS"]
    db.session.add(
        ActivationCode(
            user_id=user.id,
            code_hash=_hash(code),
            created_by_id=actor.id,
            expires_at=now + timedelta(days=days),
        )
    )
    return code


def issue_code(user: User, *, actor: User) -> str:
    """A new activation code for an account that was never activated (MemberError otherwise:
    see coopere.members.recovery); any earlier code stops working."""
    refusal = activation_refusal(user, actor)
    if refusal is not None:
        raise MemberError(refusal)
    code = _mint_code(user, actor=actor)
    record("member.code_issued", actor=actor, target=user)
    return code


def welcome_code(user: User, *, actor: User) -> str | None:
    """The code to print on `user`'s welcome card: a new activation code while the account was
    never activated, None once it was (the card then prints without a code)."""
    if never_activated(user) or user.has_left:
        return issue_code(user, actor=actor)  # refuses someone who left, and a role too high
    return None


RESET_KIND = (
    "account.reset"  # the holder's notice (and email, with consent): see notifications.email
)
RESET_SPONSOR_KIND = "account.reset_sponsee"


def reset_access(user: User, *, actor: User, confirmation: str = "") -> str:
    """« Réinitialiser l'accès » of an account that was activated (coopere.members.recovery): the
    password stops working at once, every session ends, and a new single-use code (printed like
    a welcome card) lets the holder choose a new password. For an animator's or an admin's
    account, `confirmation` must be their first name. The holder is told on the site (a notice
    shown at their next login), by email if they accepted emails, and through their sponsor if
    they have one; the audit log records who did it. MemberError when refused (nothing changed)."""
    from ..notifications.services import notify
    from .sponsorship import sponsorship_of

    refusal = reset_refusal(user, actor)
    if refusal is not None:
        raise MemberError(refusal)
    if needs_typed_confirmation(user) and fold_name(confirmation or "") != fold_name(
        user.first_name
    ):
        raise MemberError(
            _l("Tapez le prénom de la personne pour confirmer : rien n'a été changé.")
        )
    # It keeps its activation date, so that no welcome card can mint a code for it again.
    user.activated_at = user.activated_at or utcnow()
    user.password_hash = None
    user.session_version += 1
    unlock(user)  # every lockout lifted: the holder may log in with the new password from anywhere
    code = _mint_code(user, actor=actor)
    record("account.access_reset", actor=actor, target=user, role=user.role)
    admin_name = actor.full_name
    notify(
        [user],
        RESET_KIND,
        lambda: _l(
            "%(admin)s a réinitialisé l'accès à votre compte : votre ancien mot de passe ne marche plus et vos "
            "appareils sont déconnectés. Une nouvelle carte vous permet de choisir un mot de passe. Si vous ne "
            "l'avez pas demandé, prévenez vite le groupe d'animation.",
            admin=admin_name,
        ),
    )
    sponsorship = sponsorship_of(user)
    if sponsorship is not None:
        notify(
            [sponsorship.sponsor],
            RESET_SPONSOR_KIND,
            lambda: _l(
                "%(admin)s a réinitialisé l'accès au compte de %(name)s, que vous parrainez : une nouvelle carte "
                "lui permet de choisir un mot de passe.",
                admin=admin_name,
                name=user.first_name,
            ),
        )
    return code


CODE_REFUSED = _l(
    "Ce code n'est pas valable. Vérifiez-le, ou demandez une nouvelle carte au groupe d'animation."
)


def check_code(text: str) -> ActivationCode:
    """The usable activation code typed or scanned, or MemberError saying why not."""
    code = normalise_code(text)
    if len(code) != CODE_LENGTH:
        raise MemberError(CODE_REFUSED)
    return _usable(
        db.session.scalar(select(ActivationCode).where(ActivationCode.code_hash == _hash(code)))
    )


def check_code_id(ident) -> ActivationCode:
    """The usable activation code whose id a browser's session holds (the activation pages keep
    the id there, never the code itself), or MemberError saying why not."""
    return _usable(db.session.get(ActivationCode, ident) if isinstance(ident, int) else None)


def _usable(row: ActivationCode | None) -> ActivationCode:
    if row is None or row.user.has_left:
        raise MemberError(CODE_REFUSED)
    _check_usable(row)
    return row


def _check_usable(row: ActivationCode) -> None:
    if row.used_at is not None:
        raise MemberError(
            _l("Ce code a déjà servi. Connectez-vous avec votre téléphone ou votre e-mail.")
        )
    if row.revoked_at is not None:
        raise MemberError(
            _l("Ce code a été remplacé par un plus récent : utilisez votre dernière carte.")
        )
    if row.expires_at <= utcnow():
        raise MemberError(
            _l("Ce code a expiré. Demandez une nouvelle carte au groupe d'animation.")
        )
    refusal = code_refusal(row.user)
    if refusal is not None:  # the account became active meanwhile: a code never replaces a password
        raise MemberError(refusal)


def activate(row: ActivationCode, password: str, *, login: str | None = None) -> User:
    """Use the code: the resident chooses their password and can log in. `login` (email or
    phone) is needed only when the record has neither."""
    from ..auth.identifiers import InvalidIdentifier, parse_login
    from .sponsorship import end_sponsorship, sponsorship_of

    # Two submissions of the same code at once: the second waits for the first, then finds the
    # code used (SELECT … FOR UPDATE on PostgreSQL; SQLite writes are serialised already).
    db.session.refresh(row, with_for_update=True)
    _check_usable(row)
    user = row.user
    if login:
        try:
            kind, value = parse_login(login)
        except InvalidIdentifier as error:
            raise MemberError(
                _l("Écrivez un numéro de téléphone ou une adresse e-mail valable.")
            ) from error
        check_identifiers_free(
            value if kind == "phone" else None,
            value if kind == "email" else None,
            exclude_id=user.id,
        )
        setattr(user, kind, value)
    if not (user.phone or user.email):
        raise MemberError(
            _l("Indiquez le téléphone ou l'e-mail avec lequel vous vous connecterez.")
        )
    try:
        set_password(user, password, actor=user)
    except AccountError as error:
        raise MemberError(str(error)) from error
    now = utcnow()
    row.used_at = now
    user.activated_at = user.activated_at or now
    user.has_internet = True
    user.is_enabled = True
    if user.contact_preference == "sponsor":
        user.contact_preference = "site"  # they reach the site themself now
    sponsorship = sponsorship_of(user)
    if sponsorship is not None:
        end_sponsorship(sponsorship, actor=user, reason=EndReason.ACTIVATED)
    record("member.activated", actor=user, target=user)
    return user


# --- the members list ---------------------------------------------------------------------

STATUS_FILTERS = {
    "": _l("Tous les membres présents"),
    "offline": _l("Sans internet"),
    "sponsored": _l("Avec un parrain ou une marraine"),
    "not_activated": _l("Compte pas encore activé"),
    "left": _l("Partis du périmètre"),
}
PAGE_SIZE = 50


def _active_sponsorship_of(user_column):
    return exists().where(Sponsorship.sponsee_id == user_column, Sponsorship.ended_at.is_(None))


def members_query(q: str = "", street: str = "", building: str = "", status: str = ""):
    query = (
        select(User)
        .outerjoin(Dwelling, User.dwelling_id == Dwelling.id)
        .options(contains_eager(User.dwelling))
    )
    query = query.where(
        User.left_at.is_not(None) if status == "left" else User.left_at.is_(None),
        User.erased_at.is_(None),
    )  # an erased person is an anonymous row for the figures
    if status == "offline":
        query = query.where(User.has_internet.is_(False))
    elif status == "sponsored":
        query = query.where(_active_sponsorship_of(User.id))
    elif status == "not_activated":
        query = query.where(
            User.password_hash.is_(None), User.activated_at.is_(None), User.has_internet.is_(True)
        )
    for word in fold_name(q).split():
        query = query.where(User.name_key.like(f"%{word}%"))
    if street:
        query = query.where(Dwelling.street == street)
    if building:
        query = query.where(func.lower(Dwelling.complement).like(f"%{building.strip().lower()}%"))
    return query


def members_page(
    q: str = "", street: str = "", building: str = "", status: str = "", page: int = 1
) -> tuple[list[User], int]:
    query = members_query(q, street, building, status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(func.lower(User.last_name), func.lower(User.first_name), User.id)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(rows.unique()), total


def sponsors_by_sponsee(user_ids: list[int]) -> dict[int, User]:
    """The active sponsor of each of these people, in one query."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Sponsorship.sponsee_id, User)
        .join(User, User.id == Sponsorship.sponsor_id)
        .where(Sponsorship.sponsee_id.in_(user_ids), Sponsorship.ended_at.is_(None))
    )
    return {sponsee_id: sponsor for sponsee_id, sponsor in rows}


# --- editing and leaving ------------------------------------------------------------------

EDITABLE = (
    "first_name",
    "last_name",
    "dwelling_id",
    "address_note",
    "phone",
    "email",
    "has_internet",
    "contact_preference",
    "languages",
)


def update_member(user: User, values: dict, *, actor: User) -> None:
    """An animator corrects a member's record (the values are validated by the form)."""
    check_identifiers_free(values.get("phone"), values.get("email"), exclude_id=user.id)
    if values.get("dwelling_id") is None and not (values.get("address_note") or "").strip():
        raise MemberError(
            _l("Choisissez le logement dans le registre, ou dites pourquoi l'adresse n'y est pas.")
        )
    check_contact_preference(
        values["contact_preference"],
        phone=values.get("phone"),
        email=values.get("email"),
        has_internet=values["has_internet"],
    )
    if user.password_hash is not None and not (values.get("phone") or values.get("email")):
        raise MemberError(
            _l("Ce membre se connecte avec son téléphone ou son e-mail : gardez-en au moins un.")
        )
    changed = []
    for name in EDITABLE:
        value = values.get(name)
        if isinstance(value, str):
            value = value.strip()
        if name in ("phone", "email"):
            value = value or None
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    if user.dwelling_id is not None:
        user.address_note = ""
    if changed:
        record("member.updated", actor=actor, target=user, fields=changed)


def update_own_profile(user: User, values: dict) -> None:
    """A resident changes how they want to be contacted and the languages they speak."""
    check_contact_preference(
        values["contact_preference"],
        phone=user.phone,
        email=user.email,
        has_internet=user.has_internet,
    )
    user.contact_preference = values["contact_preference"]
    user.languages = (values.get("languages") or "").strip()
    record("member.profile_changed", actor=user, target=user)


def mark_left(user: User, *, actor: User) -> None:
    """The person moved away: no more login, sponsorships end, listings close, codes stop."""
    from .sponsorship import end_sponsorship

    if user.has_left:
        raise MemberError(_l("%(name)s est déjà noté(e) comme parti(e).", name=user.full_name))
    if user.id == actor.id:
        raise MemberError(_l("Vous ne pouvez pas vous noter vous-même comme parti(e)."))
    now = utcnow()
    user.left_at = now
    user.is_enabled = False
    user.session_version += 1
    for sponsorship in db.session.scalars(
        select(Sponsorship).where(
            or_(Sponsorship.sponsee_id == user.id, Sponsorship.sponsor_id == user.id),
            Sponsorship.ended_at.is_(None),
        )
    ):
        end_sponsorship(sponsorship, actor=actor, reason=EndReason.LEFT)
    db.session.execute(
        update(ActivationCode)
        .where(
            ActivationCode.user_id == user.id,
            ActivationCode.used_at.is_(None),
            ActivationCode.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    db.session.execute(
        update(Listing)
        .where(
            Listing.owner_id == user.id,
            Listing.status.in_(
                [ListingStatus.DRAFT.value, ListingStatus.OPEN.value, ListingStatus.PAUSED.value]
            ),
        )
        .values(status=ListingStatus.CLOSED.value, updated_at=now)
    )
    volunteer_leaving.send(
        user, actor=actor
    )  # their roster slots to come are freed, their task families dropped
    record("member.left", actor=actor, target=user)


def history(user: User, limit: int = 100):
    """What happened to this person, newest first: (audit entry, who did it) pairs. An action a
    sponsor did in their name names the sponsor."""
    from ..audit.models import AuditEvent

    actor = aliased(User)
    return list(
        db.session.execute(
            select(AuditEvent, actor)
            .outerjoin(actor, actor.id == AuditEvent.actor_id)
            .where(AuditEvent.target_user_id == user.id)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        ).all()
    )


def listings_of(user: User) -> list[Listing]:
    return list(
        db.session.scalars(
            select(Listing)
            .where(Listing.owner_id == user.id)
            .order_by(Listing.status != ListingStatus.DRAFT.value, Listing.id)
        )
    )


def members_without_activation(ids: list[int]) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(ids), User.left_at.is_(None))
            .order_by(User.last_name, User.first_name)
        )
    )


def _label(number: int | None, rep: str, street: str, complement: str) -> str:
    line = " ".join(
        part for part in (str(number) if number is not None else "", rep, street) if part
    )
    return ", ".join(part for part in (line, complement) if part)


def dwelling_label(dwelling: Dwelling) -> str:
    """« 12 bis rue des Lilas, Bât. C »: how the desk names a dwelling."""
    return _label(dwelling.number, dwelling.rep, dwelling.street, dwelling.complement)


def dwelling_choices() -> dict[str, int]:
    """Every dwelling's label → id, for the desk's address search (a <datalist>)."""
    rows = db.session.execute(
        select(
            Dwelling.id, Dwelling.number, Dwelling.rep, Dwelling.street, Dwelling.complement
        ).order_by(Dwelling.street, Dwelling.number, Dwelling.rep, Dwelling.complement)
    )
    return {
        _label(number, rep, street, complement): ident
        for ident, number, rep, street, complement in rows
    }


def find_dwelling(text: str) -> tuple[int | None, list[str]]:
    """The dwelling an address typed at the desk designates, else up to 5 close labels.

    Typed words match the start of a label's words (« 3 all ros » finds « 3 allée des Roses »),
    numbers match whole; when the number does not exist, the street's nearest numbers are offered."""
    text = " ".join((text or "").split())
    if not text:
        return None, []
    choices = dwelling_choices()
    if text in choices:
        return choices[text], []
    words = fold_name(text).replace(",", " ").split()
    folded = {label: fold_name(label).replace(",", " ").split() for label in choices}

    def matches(label_words: list[str], wanted: list[str]) -> bool:
        return all(
            any(
                word == token if word.isdigit() else token.startswith(word) for token in label_words
            )
            for word in wanted
        )

    close = [label for label, tokens in folded.items() if matches(tokens, words)]
    if len(close) == 1:
        return choices[close[0]], []
    exact = [label for label in close if folded[label] == words]
    if len(exact) == 1:
        return choices[exact[0]], []
    if close:
        return None, close[:5]
    numbers = [int(word) for word in words if word.isdigit()]
    street_words = [word for word in words if not word.isdigit() and len(word) > 2]
    same_street = [
        label for label, tokens in folded.items() if street_words and matches(tokens, street_words)
    ]
    if numbers:

        def distance(label: str) -> int:
            digits = [int(token) for token in folded[label] if token.isdigit()]
            return abs(digits[0] - numbers[0]) if digits else 10_000

        same_street.sort(key=distance)
    return None, same_street[:5]
