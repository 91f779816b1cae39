"""Account operations: authentication with lockout, passwords, sessions, roles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..signals import volunteer_leaving
from ..timeutil import utcnow
from . import lockout
from .identifiers import InvalidIdentifier, parse_login
from .models import GroupRole, Role, User
from .passwords import hash_password, needs_rehash, password_problems, verify_password


class AccountError(Exception):
    """A refused account operation; its message is French and safe to show."""


LOGIN_REFUSED = _l("Identifiant ou mot de passe incorrect.")


def find_by_login(text: str) -> User | None:
    """The account whose email or phone is `text`, or None (also for malformed input)."""
    try:
        kind, value = parse_login(text)
    except InvalidIdentifier:
        return None
    column = User.email if kind == "email" else User.phone
    # FOR UPDATE serialises concurrent failures on PostgreSQL; SQLite writes are already
    # serialised by BEGIN IMMEDIATE.
    return db.session.scalar(select(User).where(column == value).with_for_update())


def authenticate(login: str, password: str, address: str) -> User:
    """The account for these credentials, or AccountError with one message for every failure.

    `address` is where the attempt comes from (coopere.security.client_network). Too many failures
    lock that place out of the account, and too many from everywhere close the account to places it
    never logged in from, even with the right password (coopere/auth/lockout.py). The counters live
    in the database so every server process sees them. Commits the transaction.
    """
    now = utcnow()
    user = find_by_login(login)
    if user is None or user.password_hash is None:
        verify_password(None, password)  # same cost as a real check
        record("login.failed", known_account=False)
        db.session.commit()
        raise AccountError(LOGIN_REFUSED)
    place = lockout.find_place(user, address)
    if lockout.is_refused(user, place, now):
        verify_password(None, password)
        record("login.locked", target=user)
        db.session.commit()
        raise AccountError(LOGIN_REFUSED)
    if not verify_password(user.password_hash, password) or not user.is_enabled:
        lockout.count_failure(user, address, place, now)
        record("login.failed", target=user)
        db.session.commit()
        raise AccountError(LOGIN_REFUSED)
    lockout.count_success(user, address, place, now)
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record("login.success", actor=user)
    db.session.commit()
    return user


def check_new_password(user: User | None, password: str) -> list[str]:
    personal = ()
    if user is not None:
        personal = tuple(
            filter(
                None,
                (
                    user.first_name,
                    user.last_name,
                    user.email,
                    (user.email or "").split("@")[0],
                    user.phone,
                ),
            )
        )
    return password_problems(password, personal=personal)


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """Hash and store a new password and end every other session of the account."""
    problems = check_new_password(user, password)
    if problems:
        raise AccountError(problems[0])
    user.password_hash = hash_password(password)
    user.session_version += 1
    record("account.password_changed", actor=actor or user, target=user)


def end_all_sessions(user: User, *, actor: User | None = None) -> None:
    """Invalidate every session of the account, on every device and server process."""
    user.session_version += 1
    record("account.sessions_ended", actor=actor or user, target=user)


def set_role(user: User, role: Role, *, actor: User) -> None:
    """Give a global role. The last admin cannot lose the role, so the perimeter stays managed."""
    if user.role == role.value:
        return
    if user.role == Role.ADMIN.value and role != Role.ADMIN and admin_count() <= 1:
        raise AccountError(_l("Le périmètre doit garder au moins un administrateur."))
    if role != Role.MEMBER and user.password_hash is None:
        raise AccountError(_l("Seule une personne qui a un compte activé peut recevoir ce rôle."))
    if role == Role.MEMBER:  # stepping back from the animation group: their tasks are freed
        volunteer_leaving.send(user, actor=actor)
    old = user.role
    user.role = role.value
    if role == Role.MEMBER:
        user.group_role = None
    # A change of rights takes effect at once: open sessions are ended.
    user.session_version += 1
    record("account.role_changed", actor=actor, target=user, old=old, new=role.value)


def set_group_role(user: User, group_role: GroupRole | None, *, actor: User) -> None:
    """Make this animator the pilote or the copilote (replacing the previous one), or neither."""
    if group_role is not None and not user.is_animator:
        raise AccountError(_l("Seul un membre du groupe d'animation peut être pilote ou copilote."))
    if group_role is not None:
        previous = db.session.scalar(select(User).where(User.group_role == group_role.value))
        if previous is not None and previous.id != user.id:
            previous.group_role = None
            db.session.flush()
    old = user.group_role
    user.group_role = group_role.value if group_role else None
    record(
        "group.role_changed",
        actor=actor,
        target=user,
        old=old,
        new=group_role.value if group_role else None,
    )


def admin_count() -> int:
    return len(
        db.session.scalars(
            select(User.id).where(User.role == Role.ADMIN.value, User.is_enabled.is_(True))
        ).all()
    )


def create_account(
    first_name: str,
    last_name: str,
    login: str | None,
    password: str | None,
    *,
    role: Role = Role.MEMBER,
    group_role: GroupRole | None = None,
    locale: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> User:
    """A new account (command line, demo); `login` (email or phone) is sorted into the right column.
    AccountError (French) when the login is taken or the password refused."""
    if login:
        kind, value = parse_login(login)
        if kind == "email":
            email = value
        else:
            phone = value
    for column, value in ((User.email, email), (User.phone, phone)):
        if value and db.session.scalar(select(User.id).where(column == value)) is not None:
            raise AccountError(_l("Un compte utilise déjà %(login)s.", login=value))
    user = User(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        role=role.value,
        group_role=group_role.value if group_role else None,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()  # an id first, for the audit entries to name the account
    if password is not None:
        set_password(user, password, actor=user)  # AccountError when the password is refused
    record("account.created", target=user, role=role.value)
    return user
