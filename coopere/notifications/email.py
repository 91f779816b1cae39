"""Emails to members (Flask-Mail), only when SMTP is configured and only with their consent.

Notices of some kinds (EMAIL_KINDS) also go by email to the members who hold the EMAIL_NOTICES
consent and have an address. Messages are prepared in the member's language while the action
runs, kept in `db.session.info["outbox"]`, and sent only once the transaction has committed
(a rolled-back action sends nothing). A failing SMTP server is logged (the member's id, never the
address; coopere/logs.py scrubs the exception's text): the page still works.

Every email carries a one-click way to stop it: a signed link to /courriel/arreter/<token>
(the token names the member and the consent), also given in the List-Unsubscribe headers."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.policy import EmailPolicy

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Connection
from flask_mail import Message as MailMessage
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..extensions import db, mail
from ..members.models import Consent, ConsentKind
from ..perimeter.models import get_perimeter
from ..urls import absolute_url, has_public_url, public_url_for

log = logging.getLogger(__name__)

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
UNSUBSCRIBABLE = (ConsentKind.EMAIL_NOTICES, ConsentKind.WEEKLY_DIGEST)
OUTBOX = "outbox"


def configure_mail(app) -> None:
    mail.init_app(app)


class TimedConnection(Connection):
    """Flask-Mail's connection with a timeout: an SMTP server that does not answer delays a page by
    MAIL_TIMEOUT seconds at most, instead of minutes."""

    def configure_host(self):
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(
            self.mail.server, self.mail.port, timeout=current_app.config.get("MAIL_TIMEOUT", 10)
        )
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def connect() -> Connection:
    return TimedConnection(current_app.extensions["mail"])


def enabled() -> bool:
    """Whether emails are sent at all: an SMTP server is configured, and PUBLIC_URL, which every
    email's links need (they are never guessed from the request). With an SMTP server but no
    PUBLIC_URL, nothing is sent and a warning is logged once."""
    if not current_app.config.get("MAIL_SERVER"):
        return False
    if has_public_url():
        return True
    state = current_app.extensions.setdefault("coopere.email", {})
    if not state.get("warned"):
        state["warned"] = True
        log.warning(
            "emails not sent: MAIL_SERVER is set but PUBLIC_URL is not (links are never guessed "
            "from the request)"
        )
    return False


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


class _PlainListHeaders(EmailPolicy):
    """`email.policy.SMTP`, except that List-Unsubscribe and List-Unsubscribe-Post are written as
    they are, on one plain ASCII line (RFC 8058; RFC 5322 allows 998 characters).

    SMTP folds at 78 characters: `List-Unsubscribe: <https://…/courriel/arreter/…>` is one long
    word that cannot be folded, so it was written as RFC 2047 encoded words (`=?utf-8?q?…?=`),
    which mail clients do not read as a link: one-click unsubscribe failed."""

    def fold(self, name, value):
        if name.lower() in PLAIN_HEADERS:
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if name.lower() in PLAIN_HEADERS:
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


PLAIN_HEADERS = frozenset({"list-unsubscribe", "list-unsubscribe-post"})
SMTP_POLICY = _PlainListHeaders(linesep="\r\n")  # what email.policy.SMTP is, plus the rule above


class PlainHeadersMessage(MailMessage):
    """Flask-Mail's message, serialised with SMTP_POLICY (everything else unchanged)."""

    def _message(self):
        message = super()._message()
        message.policy = SMTP_POLICY
        return message


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    unsubscribe_url: str
    user_id: int = 0  # for the log: an internal id, never the address
    kind: str = ""  # the email's template name, e.g. "notice" or "weekly_digest"

    def message(self) -> MailMessage:
        # Plain ASCII headers (RFC 8058): PUBLIC_URL's host is in IDNA form, the path is URL-quoted.
        self.unsubscribe_url.encode("ascii")
        return PlainHeadersMessage(
            subject=self.subject,
            recipients=[self.to],
            body=self.body,
            sender=current_app.config.get("MAIL_DEFAULT_SENDER"),
            extra_headers={
                "List-Unsubscribe": f"<{self.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )


def build_email(user: User, kind: ConsentKind, subject, template: str, **context) -> Email:
    """A plain-text email in the member's language, with the link that stops this kind of email."""
    stop_url = public_url_for("notifications.unsubscribe", token=unsubscribe_token(user, kind))
    with force_locale(user.locale or "fr"):
        body = render_template(template, user=user, stop_url=stop_url, **context)
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
    )


def send_now(email: Email) -> bool:
    """Send one email at once; False (and a log line) when the SMTP server fails."""
    if not enabled():
        return False
    try:
        with connect() as connection:
            connection.send(email.message())
    except Exception:  # noqa: BLE001 - any SMTP or network failure: log and carry on
        log.warning(
            "email %s to member %s not sent (SMTP failure)",
            email.kind,
            email.user_id,
            exc_info=True,
        )
        return False
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
    db.session.info.setdefault(OUTBOX, []).extend(emails)
    return len(emails)


def _shorten(text: str, size: int = 90) -> str:
    line = " ".join(text.split())
    return line if len(line) <= size else line[: size - 1].rstrip() + "…"


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    emails = session.info.pop(OUTBOX, None)
    if not emails:
        return
    if not enabled():
        return
    try:
        with connect() as connection:
            for email in emails:
                try:
                    connection.send(email.message())
                except Exception:  # noqa: BLE001 - one refused address must not stop the others
                    log.warning(
                        "email %s to member %s not sent (SMTP failure)",
                        email.kind,
                        email.user_id,
                        exc_info=True,
                    )
    except Exception:  # noqa: BLE001 - the SMTP server is down: the page still works
        log.warning("emails not sent: SMTP server unreachable", exc_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _drop_outbox(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(OUTBOX, None)
