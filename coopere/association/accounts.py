"""The association's accounts: creating them, logging in (argon2, a lock after repeated failures,
the same rules as a perimeter's accounts), changing a password."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from ..network.registry import now
from . import audit
from .models import ROLES, Account
from .store import db_session

LOCK_AFTER = 10  # failures in a row close the account for LOCK_MINUTES
LOCK_MINUTES = 15
REFUSED = _l("Adresse e-mail ou mot de passe incorrect.")
LOCKED = _l(
    "Trop d'essais manqués : ce compte est fermé pendant %(n)d minutes. Réessayez plus tard.",
    n=LOCK_MINUTES,
)


class AccountError(ValueError):
    """A refusal, in French (lazily translated)."""


def by_email(email: str) -> Account | None:
    return db_session().scalar(
        select(Account).where(func.lower(Account.email) == (email or "").strip().lower())
    )


def create_account(email: str, name: str, role: str, password: str, *, by=None) -> Account:
    email = (email or "").strip().lower()
    name = (name or "").strip()
    if role not in ROLES:
        raise AccountError(_l("Rôle inconnu : choisissez coordination ou accompagnateur."))
    if "@" not in email or len(email) > 254:
        raise AccountError(_l("Indiquez une adresse e-mail valide."))
    if not name:
        raise AccountError(_l("Indiquez le nom de la personne."))
    if by_email(email) is not None:
        raise AccountError(_l("Un compte existe déjà avec cette adresse e-mail."))
    problems = password_problems(password, personal=(email, email.split("@")[0], name))
    if problems:
        raise AccountError(problems[0])
    account = Account(email=email, name=name, role=role, password_hash=hash_password(password))
    session = db_session()
    session.add(account)
    session.flush()
    audit.record("account.created", account=by, target=email, detail=role)
    return account


def authenticate(email: str, password: str) -> Account:
    """The account, or AccountError. Always spends one argon2 verification; a locked account is
    refused even with the right password until its lock ends."""
    account = by_email(email)
    moment = now()
    if account is None or not account.active:
        verify_password(None, password)
        raise AccountError(REFUSED)
    locked = account.locked_until
    if locked is not None and locked.tzinfo is None:  # SQLite gives naive datetimes back
        locked = locked.replace(tzinfo=moment.tzinfo)
    if locked and locked > moment:
        verify_password(None, password)
        raise AccountError(LOCKED)
    if not verify_password(account.password_hash, password):
        account.failed_logins = (account.failed_logins or 0) + 1
        if account.failed_logins >= LOCK_AFTER:
            account.locked_until = moment + timedelta(minutes=LOCK_MINUTES)
            account.failed_logins = 0
        audit.record("account.login_failed", account=account, target=account.email)
        db_session().commit()
        raise AccountError(REFUSED)
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = moment
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    audit.record("account.login", account=account, target=account.email)
    db_session().commit()
    return account


def change_password(account: Account, current: str, new: str) -> None:
    if not verify_password(account.password_hash, current):
        raise AccountError(_l("Le mot de passe actuel n'est pas le bon."))
    problems = password_problems(new, personal=(account.email, account.name))
    if problems:
        raise AccountError(problems[0])
    account.password_hash = hash_password(new)
    account.session_version = (account.session_version or 1) + 1  # other sessions end
    audit.record("account.password_changed", account=account, target=account.email)


def load(user_id: str) -> Account | None:
    """Flask-Login's loader: `<id>:<session version>`; a changed password ends older sessions."""
    ident, _, version = (user_id or "").partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    account = db_session().get(Account, int(ident))
    if account is None or not account.active or account.session_version != int(version):
        return None
    return account


def coaches() -> list[Account]:
    return list(
        db_session().scalars(select(Account).where(Account.active.is_(True)).order_by(Account.name))
    )


def argon2_settings() -> dict:
    """The perimeter's argon2 defaults, for the network app's config."""
    from ..config import Defaults

    return {
        key: getattr(Defaults, key)
        for key in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM")
    }
