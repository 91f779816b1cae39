"""Support access: the association's coach reads the animators' pages for a while, read-only, once
the pilote, the copilote or an admin has given a grant (at most 30 days) — and the consent of a
pilote or copilote « être connu·e de l'association ».

The coaches come from the network (`app.extensions["coopere.network_link"].coaches()`, put there by
the network's app builder); outside a network there is nobody to grant. The console sends its coach
here with a signed token valid one minute (`make_support_token`); the visit itself lives in
`support_visit.py`.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..audit.services import record
from ..auth.models import GroupRole, User
from ..extensions import db
from ..timeutil import utcnow
from .models import SupportGrant

TOKEN_SALT = "coopere-support"  # nosec B105 (a salt that names the purpose, not a secret)
TOKEN_MAX_AGE = 60  # seconds: the console redirects at once
DEFAULT_DAYS = 14
MAX_DAYS = 30
NETWORK_LINK = "coopere.network_link"


class SupportError(Exception):
    """A grant refused: the French message says why; nothing was changed."""


# --- who may grant, to whom -------------------------------------------------------------------


def can_manage(user) -> bool:
    """The pilote, the copilote or an admin may give or end a support access."""
    if not getattr(user, "is_authenticated", False) or not isinstance(user, User):
        return False
    return user.is_admin or (
        user.is_animator and user.group_role in (GroupRole.PILOTE.value, GroupRole.COPILOTE.value)
    )


def network_link():
    """The perimeter's link to its network, or None outside a network."""
    return current_app.extensions.get(NETWORK_LINK)


def coaches() -> list[tuple[int, str]] | None:
    """The association's coaches of this perimeter (account id, name); None outside a network."""
    link = network_link()
    if link is None:
        return None
    return [(int(ident), str(name)) for ident, name in link.coaches()]


# --- grants -------------------------------------------------------------------------------------


def active_grants(now=None) -> list[SupportGrant]:
    """The grants running now, the soonest to end first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(SupportGrant)
            .where(SupportGrant.revoked_at.is_(None), SupportGrant.ends_at > now)
            .order_by(SupportGrant.ends_at, SupportGrant.id)
        )
    )


def active_grant_for(coach_id: int, now=None) -> SupportGrant | None:
    """The running grant of this coach, if any."""
    for grant in active_grants(now):
        if grant.coach_account_id == coach_id:
            return grant
    return None


def past_grants(limit: int = 20) -> list[SupportGrant]:
    """The latest grants that are over (ended or revoked), newest first."""
    now = utcnow()
    return list(
        db.session.scalars(
            select(SupportGrant)
            .where((SupportGrant.revoked_at.is_not(None)) | (SupportGrant.ends_at <= now))
            .order_by(SupportGrant.granted_at.desc(), SupportGrant.id.desc())
            .limit(limit)
        )
    )


def parse_days(value) -> int:
    """A number of days from 1 to 30, or SupportError."""
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise SupportError(_l("Indiquez un nombre de jours, de 1 à 30.")) from None
    if not 1 <= days <= MAX_DAYS:
        raise SupportError(_l("Un accès d'accompagnement dure de 1 à 30 jours."))
    return days


def give_grant(coach_id, days, *, actor: User) -> SupportGrant:
    """Give the coach `coach_id` (one of the network's coaches of this perimeter) access for `days`
    days from now. A running grant of the same coach is replaced (ended now, by `actor`)."""
    if not can_manage(actor):
        raise SupportError(
            _l("Seuls le pilote, le copilote ou un administrateur peuvent donner cet accès.")
        )
    known = coaches()
    if known is None:
        raise SupportError(
            _l(
                "L'accès d'accompagnement n'existe que pour les périmètres suivis par le réseau "
                "d'une association."
            )
        )
    try:
        coach_id = int(coach_id)
    except (TypeError, ValueError):
        coach_id = None
    names = dict(known)
    if coach_id not in names:
        raise SupportError(_l("Choisissez l'accompagnateur ou l'accompagnatrice dans la liste."))
    days = parse_days(days)
    now = utcnow()
    previous = active_grant_for(coach_id, now)
    if previous is not None:
        previous.revoked_at = now
        previous.revoked_by = actor.id
    grant = SupportGrant(
        coach_account_id=coach_id,
        coach_name=names[coach_id][:120],
        granted_by=actor.id,
        granted_at=now,
        ends_at=now + timedelta(days=days),
    )
    db.session.add(grant)
    db.session.flush()
    record(
        "support.granted",
        actor=actor,
        coach=grant.coach_name,
        coach_id=coach_id,
        days=days,
        ends_at=grant.ends_at.isoformat(timespec="minutes"),
    )
    return grant


def revoke_grant(grant_id, *, actor: User) -> SupportGrant:
    """End a running grant now; the coach's visit ends at their next page."""
    if not can_manage(actor):
        raise SupportError(
            _l("Seuls le pilote, le copilote ou un administrateur peuvent retirer cet accès.")
        )
    grant = db.session.get(SupportGrant, grant_id) if isinstance(grant_id, int) else None
    now = utcnow()
    if grant is None or grant.revoked_at is not None or grant.ends_at <= now:
        raise SupportError(_l("Cet accès est déjà terminé. Rien n'a changé."))
    grant.revoked_at = now
    grant.revoked_by = actor.id
    record("support.revoked", actor=actor, coach=grant.coach_name, coach_id=grant.coach_account_id)
    return grant


# --- the console's token ------------------------------------------------------------------------


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


def make_support_token(secret_key: str, coach_id: int, coach_name: str) -> str:
    """The token the console puts in `/accompagnement/entree?jeton=…` (signed with the perimeter's
    SECRET_KEY; valid TOKEN_MAX_AGE seconds)."""
    return _serializer(secret_key).dumps({"coach_id": int(coach_id), "coach_name": coach_name})


def read_support_token(secret_key: str, token: str | None) -> tuple[int, str] | None:
    """(coach id, coach name) from a valid, fresh token; None for a damaged or old one."""
    if not token or len(token) > 1000:
        return None
    try:
        data = _serializer(secret_key).loads(token, max_age=TOKEN_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    coach_id, name = data.get("coach_id"), data.get("coach_name")
    if not isinstance(coach_id, int) or isinstance(coach_id, bool) or not isinstance(name, str):
        return None
    return coach_id, name.strip()[:120] or "?"


# --- the consent « être connu·e de l'association » ----------------------------------------------


def set_known_to_association(user: User, given: bool, *, perimeter) -> None:
    """Record the answer of a group member: on the account (read by the association's snapshot)
    and in the consents' history, like every other consent."""
    from ..members.consent_records import add_consent
    from ..members.models import ConsentKind, Method

    if not user.is_animator:
        raise SupportError(_l("Cet accord concerne les membres du groupe d'animation."))
    user.known_to_association = given
    user.known_to_association_at = utcnow()
    add_consent(
        user,
        ConsentKind.KNOWN_TO_ASSOCIATION,
        given,
        actor=user,
        method=Method.ONLINE,
        perimeter=perimeter,
    )
    record(
        "consent.given" if given else "consent.withdrawn",
        actor=user,
        target=user,
        kind=ConsentKind.KNOWN_TO_ASSOCIATION.value,
    )
