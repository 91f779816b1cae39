"""Activation codes: minting one (the welcome card, « Réinitialiser l'accès »), checking a code
typed or scanned, and activating the account with it. Who may obtain one: members/recovery.py."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..audit.services import record
from ..i18n import elide
from ..auth.identifiers import InvalidIdentifier, parse_login
from ..auth.lockout import unlock
from ..auth.models import Role, User, fold_name
from ..auth.services import AccountError, set_password
from ..dwellings.models import REFERENCE_ALPHABET
from ..extensions import db
from ..notifications.services import notify
from ..timeutil import utcnow
from .checks import MemberError, check_identifiers_free
from .models import ActivationCode, EndReason
from .recovery import (
    activation_refusal,
    code_refusal,
    first_admin_refusal,
    needs_typed_confirmation,
    never_activated,
    reset_refusal,
)
from .sponsorship import end_sponsorship, sponsorship_of

CODE_LENGTH = 10  # 10 characters of a 31-letter alphabet: about 49.5 bits


def normalise_code(text: str) -> str:
    return "".join(c for c in (text or "").upper() if c.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


code_hash = _hash  # what a pre-printed card keeps of its code (members.prepared_cards)


def new_code() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(CODE_LENGTH))


def revoke_codes(user: User, now) -> None:
    """Every code of `user` not used yet stops working (a new one is minted, or they left)."""
    db.session.execute(
        update(ActivationCode)
        .where(
            ActivationCode.user_id == user.id,
            ActivationCode.used_at.is_(None),
            ActivationCode.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def _mint_code(user: User, *, actor: User | None) -> str:
    """A new single-use code for `user`; any earlier code stops working. Only issue_code and
    reset_access call it, once the rule of coopere.members.recovery allows it; `actor` None is the
    network creating the perimeter (first_admin_code)."""
    now = utcnow()
    revoke_codes(user, now)
    code = new_code()
    days = current_app.config["ACTIVATION_CODE_DAYS"]
    db.session.add(
        ActivationCode(
            user_id=user.id,
            code_hash=_hash(code),
            created_by_id=actor.id if actor is not None else None,
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


def first_admin_code(user: User) -> str:
    """The activation code of a perimeter's first pilote, minted by the network when it creates
    the perimeter (`perimeters create`): no password is ever sent. MemberError when refused
    (coopere.members.recovery.first_admin_refusal)."""
    activated_admins = db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN.value, User.activated_at.is_not(None)
        )
    )
    refusal = first_admin_refusal(user, activated_admins)
    if refusal is not None:
        raise MemberError(refusal)
    code = _mint_code(user, actor=None)
    record("member.code_issued", target=user, by="network")
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
            "%(admin)s a réinitialisé l'accès à votre compte : votre ancien mot de passe ne "
            "marche plus et vos appareils sont déconnectés. Une nouvelle carte vous permet de "
            "choisir un mot de passe. Si vous ne l'avez pas demandé, prévenez vite le groupe "
            "d'animation.",
            admin=admin_name,
        ),
    )
    sponsorship = sponsorship_of(user)
    if sponsorship is not None:
        notify(
            [sponsorship.sponsor],
            RESET_SPONSOR_KIND,
            lambda: elide(
                str(
                    _l(
                        "%(admin)s a réinitialisé l'accès au compte de %(name)s, que vous "
                        "parrainez : une nouvelle carte lui permet de choisir un mot de passe.",
                        admin=admin_name,
                        name=user.first_name,
                    )
                ),
                user.first_name,
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
