"""Sending a notice to members, in each one's language, and reading them."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import func, select, update

from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow
from ..urls import site_path
from .models import Notification


def notify(users: list[User], kind: str, make_text, link: str = "") -> int:
    """Add a notice for each user; `make_text()` is called in the user's language. Notices of the
    kinds in email.EMAIL_KINDS also go by email to those who consented (sent after commit)."""
    from .email import queue_notice_emails

    # Kept as a path from the site's root (the page adds the mount path, an email PUBLIC_URL):
    # the same in a request (url_for adds /<slug> in a network) and in a job.
    link = site_path(link) if link else ""
    for user in users:
        with force_locale(user.locale or "fr"):
            text = str(make_text())
        db.session.add(Notification(user_id=user.id, kind=kind, text=text, link=link))
    queue_notice_emails(users, kind, make_text, link)
    return len(users)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def latest(user: User, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


#: Notices shown as soon as the person logs in (a message at the top of the page), not only in
#: their list of notices: someone reset their account's access.
LOGIN_KINDS = ("account.reset",)


def take_login_notices(user: User) -> list[str]:
    """The texts of `user`'s unread notices of LOGIN_KINDS, marked read (shown once, at login)."""
    notices = list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.kind.in_(LOGIN_KINDS),
                Notification.read_at.is_(None),
            )
            .order_by(Notification.id)
        )
    )
    for notice in notices:
        notice.read_at = utcnow()
    return [notice.text for notice in notices]
