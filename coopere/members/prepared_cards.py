"""Pre-printed numbered welcome cards: a sheet of ten cards printed before a café, each with its
own activation code, tied to nobody; at the desk (online or offline) the animator types the card's
number, or scans its QR code, into the registration, and the code is bound to the new resident
when the registration reaches the server. An unbound card expires like any activation code
(ACTIVATION_CODE_DAYS); a card serves once."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow
from .activation import CODE_LENGTH, code_hash, new_code, normalise_code, revoke_codes
from .checks import MemberError
from .models import ActivationCode, PreparedCard
from .recovery import activation_refusal

PER_SHEET = 10
MAX_SHEETS = 5
_NUMBER = re.compile(r"^\s*(?:n\s*°?\s*|no\.?\s*|#)?0*(\d{1,7})\s*$", re.IGNORECASE)


def card_label(number: int) -> str:
    """The number as printed on the card and typed at the desk: « 0007 »."""
    return f"{number:04d}"


def mint_cards(count: int, *, actor: User) -> list[tuple[PreparedCard, str]]:
    """`count` new cards numbered after the last one, each with its code (returned once, to be
    printed; only its hash is kept). In the current transaction."""
    if not 1 <= count <= PER_SHEET * MAX_SHEETS:
        raise MemberError(
            _l("On imprime de 1 à %(n)d cartes numérotées à la fois.", n=PER_SHEET * MAX_SHEETS)
        )
    last = db.session.scalar(select(func.max(PreparedCard.number))) or 0
    expires = utcnow() + timedelta(days=current_app.config["ACTIVATION_CODE_DAYS"])
    made = []
    for offset in range(1, count + 1):
        code = new_code()
        card = PreparedCard(
            number=last + offset,
            code_hash=code_hash(code),
            created_by_id=actor.id,
            expires_at=expires,
        )
        db.session.add(card)
        made.append((card, code))
    db.session.flush()
    record("prepared_cards.printed", actor=actor, first=last + 1, count=count)
    return made


def find_card(text: str) -> PreparedCard:
    """The usable card whose number was typed (« 7 », « 0007 », « n° 7 ») or whose code (or the
    address its QR code holds) was scanned; MemberError in French otherwise."""
    text = (text or "").strip()
    match = _NUMBER.match(text)
    card = None
    if match:
        card = db.session.scalar(
            select(PreparedCard).where(PreparedCard.number == int(match.group(1)))
        )
    else:
        code = normalise_code(text.rstrip("/").rsplit("/", 1)[-1])
        if len(code) == CODE_LENGTH:
            card = db.session.scalar(
                select(PreparedCard).where(PreparedCard.code_hash == code_hash(code))
            )
    if card is None:
        raise MemberError(
            _l(
                "La carte numérotée « %(text)s » n'existe pas : vérifiez le numéro imprimé "
                "sur la carte.",
                text=text[:20],
            )
        )
    if card.used_by_id is not None or card.used_at is not None:
        raise MemberError(
            _l(
                "La carte n° %(number)s a déjà servi pour une autre inscription : donnez une "
                "autre carte et notez son numéro.",
                number=card_label(card.number),
            )
        )
    if card.expires_at <= utcnow():
        raise MemberError(
            _l(
                "La carte n° %(number)s a expiré : donnez une autre carte, ou imprimez la carte "
                "d'accueil depuis la fiche de la personne.",
                number=card_label(card.number),
            )
        )
    return card


def bind_card(card: PreparedCard, user: User, *, actor: User) -> None:
    """The card's code becomes `user`'s activation code (any earlier code stops working); the
    card serves no more. MemberError (the caller rolls back) when refused."""
    refusal = activation_refusal(user, actor)
    if refusal is not None:
        raise MemberError(refusal)
    now = utcnow()
    revoke_codes(user, now)
    card.used_by_id, card.used_at = user.id, now
    db.session.add(
        ActivationCode(
            user_id=user.id,
            code_hash=card.code_hash,
            created_by_id=actor.id,
            expires_at=now + timedelta(days=current_app.config["ACTIVATION_CODE_DAYS"]),
        )
    )
    db.session.flush()
    record("member.card_bound", actor=actor, target=user, card=card.number)
