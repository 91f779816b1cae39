"""Emails to members (Flask-Mail), only when SMTP is configured and only with their consent.

Notices of some kinds (EMAIL_KINDS) also go by email to the members who hold the EMAIL_NOTICES
consent and have an address. Messages are prepared in the member's language while the action
runs, accepted into the outbox with the action's transaction, and sent only once it has
committed (a rolled-back action sends nothing): notifications/outbox.py. A failing SMTP server is
logged (the member's id, never the address; coopere/logs.py scrubs the exception's text): the
page still works. The SMTP side and the message itself: notifications/transport.py.

Every email carries a one-click way to stop it: a signed link to /courriel/arreter/<token>
(the token names the member and the consent), also given in the List-Unsubscribe headers."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..members.models import Consent, ConsentKind
from ..perimeter.models import get_perimeter
from ..urls import absolute_url, public_url_for
from .outbox import accept
from .transport import Email, enabled

#: Notice kinds that also go by email (with the EMAIL_NOTICES consent).
EMAIL_KINDS = frozenset(
    {
        "exchange.started",
        "exchange.message",
        "exchange.accepted",
        "listing.expiring",
        "account.reset",
    }
)
UNSUBSCRIBE_SALT = "coopere-email-unsubscribe"
UNSUBSCRIBABLE = (ConsentKind.EMAIL_NOTICES, ConsentKind.WEEKLY_DIGEST, ConsentKind.NEWSLETTER)


# --- consents, read for many people at once ----------------------------------------------


def consenting(users: list[User], kind: ConsentKind) -> list[User]:
    """Those of `users` whose latest answer to `kind` is yes and who have an email (one query)."""
    with_email = [user for user in users if user.email]
    if not with_email:
        return []
    latest: dict[int, bool] = {}
    rows = db.session.execute(
        select(Consent.user_id, Consent.given)
        .where(Consent.user_id.in_([user.id for user in with_email]), Consent.kind == kind.value)
        .order_by(Consent.id)
    )
    for user_id, given in rows:
        latest[user_id] = given
    return [user for user in with_email if latest.get(user.id)]


# --- unsubscribe tokens -------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user: User, kind: ConsentKind) -> str:
    """A signed token naming the member and the consent; it does not expire (the link of an
    old email still stops the emails)."""
    return _serializer().dumps({"u": user.id, "k": kind.value})


def read_unsubscribe_token(token: str) -> tuple[int, ConsentKind] | None:
    try:
        data = _serializer().loads(token)
        kind = ConsentKind(data["k"])
        user_id = int(data["u"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return (user_id, kind) if kind in UNSUBSCRIBABLE else None


# --- building messages ----------------------------------------------------------------------


def build_email(
    user: User, kind: ConsentKind, subject, template: str, *, html_template: str = "", **context
) -> Email:
    """A plain-text email in the member's language, with the link that stops this kind of email;
    with `html_template`, an HTML alternative too (same context). `stop_url` may be given: a
    mailing renders once per language with a placeholder (coopere/newsletter/sending.py)."""
    stop_url = context.pop("stop_url", None) or public_url_for(
        "notifications.unsubscribe", token=unsubscribe_token(user, kind)
    )
    with force_locale(user.locale or "fr"):
        body = render_template(template, user=user, stop_url=stop_url, **context)
        html = (
            render_template(html_template, user=user, stop_url=stop_url, **context)
            if html_template
            else ""
        )
        subject_text = str(subject() if callable(subject) else subject)
        perimeter = get_perimeter()
        site = perimeter.short_name if perimeter else _("Réseau d'entraide")
        subject_text = f"[{site}] {subject_text}"
    return Email(
        to=user.email,
        subject=subject_text,
        body=body,
        unsubscribe_url=stop_url,
        user_id=user.id,
        kind=template.removeprefix("email/").removesuffix(".txt"),
        html=html,
    )


def send_now(email: Email) -> bool:
    """Accept one email: kept in the outbox with the current transaction, sent by the queue
    once it commits. True when it was accepted (SMTP configured, PUBLIC_URL set)."""
    if not enabled():
        return False
    accept(email)
    return True


# --- notices by email, after commit -------------------------------------------------------


def queue_notice_emails(users: list[User], kind: str, make_text, link: str) -> int:
    """For a notice of an emailed kind: queue an email to each consenting member with an address.
    Sent after the transaction commits."""
    if kind not in EMAIL_KINDS or not enabled() or not users:
        return 0
    emails = []
    for user in consenting(users, ConsentKind.EMAIL_NOTICES):
        with force_locale(user.locale or "fr"):
            text = str(make_text())
        emails.append(
            build_email(
                user,
                ConsentKind.EMAIL_NOTICES,
                lambda text=text: _shorten(text),
                "email/notice.txt",
                text=text,
                link=absolute_url(link) if link else "",
            )
        )
    for email in emails:
        accept(email)
    return len(emails)


def _shorten(text: str, size: int = 90) -> str:
    line = " ".join(text.split())
    return line if len(line) <= size else line[: size - 1].rstrip() + "…"
