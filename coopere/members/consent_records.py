"""The consents a member gave or withdrew: one row per answer, never updated, so that what was
accepted, when, how and in which version of the text can always be shown."""

from __future__ import annotations

from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..perimeter.models import Perimeter
from . import consents as texts
from .models import Consent, ConsentKind, Method


def add_consent(
    user: User,
    kind: ConsentKind,
    given: bool,
    *,
    actor: User | None,
    method: str,
    perimeter: Perimeter,
    paper_reference: str = "",
) -> Consent:
    consent = Consent(
        user_id=user.id,
        kind=kind.value,
        given=given,
        version=texts.version_of(kind, perimeter),
        collected_by_id=getattr(actor, "id", None),
        method=method,
        paper_reference=paper_reference if method == Method.PAPER else "",
    )
    db.session.add(consent)
    return consent


def current_consents(user: User) -> dict[str, Consent]:
    """The latest answer for each consent kind."""
    latest: dict[str, Consent] = {}
    for consent in db.session.scalars(
        select(Consent).where(Consent.user_id == user.id).order_by(Consent.id)
    ):
        latest[consent.kind] = consent
    return latest


def consent_history(user: User) -> list[Consent]:
    return list(
        db.session.scalars(
            select(Consent).where(Consent.user_id == user.id).order_by(Consent.id.desc())
        )
    )


def has_consent(user: User, kind: ConsentKind) -> bool:
    consent = current_consents(user).get(kind.value)
    return bool(consent and consent.given)
