"""A member's record once registered: the members list, an animator's corrections, the member's
own profile and optional consents, leaving the perimeter, their history and listings.

Registration: members/registration.py; activation codes: members/activation.py; the checks every
write makes: members/checks.py; dwelling labels: members/dwelling_labels.py.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import aliased, contains_eager

from ..audit.services import record
from ..audit.models import AuditEvent
from ..auth.models import User, fold_name
from ..dwellings.models import Dwelling
from ..extensions import db
from ..listings.models import Listing, ListingStatus
from ..perimeter.models import Perimeter
from ..signals import volunteer_leaving
from ..timeutil import utcnow
from . import consents as texts
from .activation import revoke_codes
from .checks import MemberError, check_contact_preference, check_identifiers_free
from .consent_records import add_consent
from .models import Consent, ConsentKind, EndReason, Method, Sponsorship
from .sponsorship import end_sponsorship

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

# how to reach a member: asked at the registration desk, corrected on the member's record
CONTACT_FIELDS = (
    "address_note",
    "phone",
    "email",
    "has_internet",
    "contact_preference",
    "languages",
)
EDITABLE = ("first_name", "last_name", "dwelling_id", *CONTACT_FIELDS)


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
    revoke_codes(user, now)
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
