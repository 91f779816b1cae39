"""Login lockout that stops guessing without letting a stranger lock the holder out.

Failures are counted for each account at two levels, in the database (every server process sees
them):

- per place (the client's IPv4 address or IPv6 /64, kept as an HMAC): LOGIN_MAX_FAILURES
  failures within LOGIN_FAILURE_WINDOW_MINUTES lock that place out of that account for
  LOGIN_LOCK_MINUTES, even with the right password. Guessing from one place is stopped; the holder
  elsewhere is not affected.
- per account, all places together: LOGIN_ACCOUNT_MAX_FAILURES failures within the window close the
  account for LOGIN_LOCK_MINUTES to every place it has not logged in from within
  LOGIN_KNOWN_PLACE_DAYS. Guessing from many places is bounded; the holder's usual places still
  get in.

Why this choice is explained in docs/securite.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from ..audit.services import record
from ..extensions import db
from ..retention import setting
from ..security import keyed_digest
from .models import LoginPlace, User


def find_place(user: User, address: str) -> LoginPlace | None:
    """This account's record of the place `address` (see coopere.security.client_network), if
    any."""
    return db.session.scalar(
        select(LoginPlace).where(
            LoginPlace.user_id == user.id, LoginPlace.place == keyed_digest(address)
        )
    )


def _place(user: User, address: str, place: LoginPlace | None) -> LoginPlace:
    if place is None:
        place = LoginPlace(user_id=user.id, place=keyed_digest(address))
        db.session.add(place)
    return place


def is_known(place: LoginPlace | None, now: datetime) -> bool:
    """Whether the account logged in from this place recently: one of the holder's usual places."""
    days = setting("LOGIN_KNOWN_PLACE_DAYS")
    return bool(
        place and place.last_success_at and now - place.last_success_at <= timedelta(days=days)
    )


def is_refused(user: User, place: LoginPlace | None, now: datetime) -> bool:
    """Whether a login to this account from this place is refused without checking the password."""
    if place is not None and place.locked_until and place.locked_until > now:
        return True
    return bool(user.locked_until and user.locked_until > now and not is_known(place, now))


def _count(holder: User | LoginPlace, now: datetime, maximum: int) -> bool:
    """One more failure in the holder's window (a new window when the last one is over); whether it
    reaches `maximum`, which locks the holder for LOGIN_LOCK_MINUTES."""
    cfg = current_app.config
    window = timedelta(minutes=cfg["LOGIN_FAILURE_WINDOW_MINUTES"])
    if holder.failed_login_window_start is None or now - holder.failed_login_window_start > window:
        holder.failed_login_window_start = now
        holder.failed_logins = 0
    holder.failed_logins += 1
    if holder.failed_logins >= maximum:
        holder.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
        return True
    return False


def count_failure(user: User, address: str, place: LoginPlace | None, now: datetime) -> None:
    cfg = current_app.config
    if _count(_place(user, address, place), now, cfg["LOGIN_MAX_FAILURES"]):
        record("login.place_lockout", target=user)
    if _count(user, now, cfg["LOGIN_ACCOUNT_MAX_FAILURES"]):
        record("login.lockout", target=user)


def count_success(user: User, address: str, place: LoginPlace | None, now: datetime) -> None:
    """The place becomes (or stays) a usual place, its failures forgotten. The account-wide count is
    left to its window: the holder logging in does not reopen the account to a guesser elsewhere."""
    place = _place(user, address, place)
    place.failed_logins, place.failed_login_window_start, place.locked_until = 0, None, None
    place.last_success_at = now


def unlock(user: User) -> None:
    """Lift every lock on the account (an admin resetting the password); usual places stay known."""
    user.failed_logins, user.failed_login_window_start, user.locked_until = 0, None, None
    db.session.execute(
        update(LoginPlace)
        .where(LoginPlace.user_id == user.id)
        .values(failed_logins=0, failed_login_window_start=None, locked_until=None)
    )


def forget_places(user: User) -> None:
    """Delete everything recorded about where the account logs in from (erasure)."""
    user.failed_logins, user.failed_login_window_start, user.locked_until = 0, None, None
    db.session.execute(delete(LoginPlace).where(LoginPlace.user_id == user.id))


def stale_places(now: datetime):
    """Rows that no longer serve: no lock nor failure window running, and no login from there
    within LOGIN_KNOWN_PLACE_DAYS. The purge deletes them."""
    cfg = current_app.config
    window_start = now - timedelta(minutes=cfg["LOGIN_FAILURE_WINDOW_MINUTES"])
    known_since = now - timedelta(days=setting("LOGIN_KNOWN_PLACE_DAYS"))
    return and_(
        or_(LoginPlace.locked_until.is_(None), LoginPlace.locked_until <= now),
        or_(
            LoginPlace.failed_login_window_start.is_(None),
            LoginPlace.failed_login_window_start < window_start,
        ),
        or_(LoginPlace.last_success_at.is_(None), LoginPlace.last_success_at < known_since),
    )
