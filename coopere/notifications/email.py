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
from datetime import timedelta
from email.policy import EmailPolicy

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Connection
from flask_mail import Message as MailMessage
from huey.exceptions import RetryTask
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, event, or_, select, update
from sqlalchemy.orm import Session

from ..auth.models import User
from ..extensions import db, mail
from ..members.models import Consent, ConsentKind
from .models import OutboxEmail
from ..perimeter.models import get_perimeter
from ..queue import site_task
from ..timeutil import utcnow
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
UNSUBSCRIBABLE = (ConsentKind.EMAIL_NOTICES, ConsentKind.WEEKLY_DIGEST, ConsentKind.NEWSLETTER)
OUTBOX = "outbox_ids"  # session.info key: the ids of the emails accepted in this transaction
#: From this many emails in one transaction (a newsletter's batch), one task enqueues them all
#: from the consumer: the page does not wait for one queue write per email.
FAN_OUT = 20


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
    html: str = ""  # an HTML alternative to `body` ("" = plain text only)

    def message(self) -> MailMessage:
        # Plain ASCII headers (RFC 8058): PUBLIC_URL's host is in IDNA form, the path is URL-quoted.
        self.unsubscribe_url.encode("ascii")
        return PlainHeadersMessage(
            subject=self.subject,
            recipients=[self.to],
            body=self.body,
            html=self.html or None,
            sender=current_app.config.get("MAIL_DEFAULT_SENDER"),
            extra_headers={
                "List-Unsubscribe": f"<{self.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )


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


def accept(email: Email, key: str | None = None) -> OutboxEmail:
    """Keep `email` in the outbox, in the current transaction: sent by the queue after commit
    (a rolled-back action sends nothing; a committed one is sent even after a restart).
    `key`: unique per recipient of a mailing (see accepted_keys), or None."""
    row = OutboxEmail(
        key=key,
        html_body=email.html,
        kind=email.kind[:40],
        user_id=email.user_id or None,
        to_address=email.to,
        subject=email.subject,
        body=email.body,
        unsubscribe_url=email.unsubscribe_url,
    )
    db.session.add(row)
    return row


def accepted_keys(prefix: str) -> set[str]:
    """The keys starting with `prefix` already in the outbox: who a mailing already went to."""
    return set(
        db.session.scalars(select(OutboxEmail.key).where(OutboxEmail.key.startswith(prefix)))
    )


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


@event.listens_for(Session, "after_flush")
def _collect_outbox(session: Session, _context) -> None:
    ids = [row.id for row in session.new if isinstance(row, OutboxEmail)]
    if ids:
        session.info.setdefault(OUTBOX, []).extend(ids)


@event.listens_for(Session, "after_commit")
def _enqueue_outbox(session: Session) -> None:
    """The transaction holding the emails committed: hand their ids to the queue. A lost
    enqueue (queue unreachable, process killed now) is recovered by the sweep (sweep_outbox)."""
    ids = session.info.pop(OUTBOX, None)
    if not ids:
        return
    if len(ids) >= FAN_OUT:  # a mailing: one task hands them to the queue, in the background
        try:
            enqueue_emails.enqueue(ids)
            return
        except Exception:  # noqa: BLE001 - the queue is down: the sweep enqueues them later
            log.warning("%s emails not enqueued (queue unreachable): the sweep will", len(ids))
            return
    for outbox_id in ids:
        try:
            send_email.enqueue(outbox_id)
        except Exception:  # noqa: BLE001 - the queue is down: the sweep enqueues it later
            log.warning("email %s not enqueued (queue unreachable): the sweep will", outbox_id)


@event.listens_for(Session, "after_soft_rollback")
def _drop_outbox(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(OUTBOX, None)


# --- the queue's side: sending, retrying, sweeping ---------------------------------------------

MAX_ATTEMPTS = 6  # then the email is given up (logged)
RETRY_DELAY = 60  # seconds before the 2nd try, doubled at each try (1, 2, 4, 8, 16 minutes)
CLAIM_MINUTES = 10  # a send taken by a worker that died is taken again after this
RESWEEP_MINUTES = 10  # an accepted email not sent this long after its enqueue is enqueued again
KEEP_SENT_DAYS = 7  # sent (or given up) emails are deleted after this: they hold an address


class _Retry(Exception):
    def __init__(self, delay: int):
        self.delay = delay


def _claim(outbox_id: int, now) -> bool:
    """Take the email for this worker, atomically: False when it was sent, given up, or is
    being sent by another worker."""
    stale = now - timedelta(minutes=CLAIM_MINUTES)
    result = db.session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.id == outbox_id,
            OutboxEmail.sent_at.is_(None),
            OutboxEmail.failed_at.is_(None),
            or_(OutboxEmail.claimed_at.is_(None), OutboxEmail.claimed_at < stale),
        )
        .values(claimed_at=now, attempts=OutboxEmail.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver(outbox_id: int) -> bool:
    """Send one accepted email unless it was already sent; mark it sent as soon as the SMTP
    server confirmed it. On failure: retried later with a growing delay (raises _Retry), given
    up after MAX_ATTEMPTS tries or at once for an address the server refuses for good."""
    if not _claim(outbox_id, utcnow()):
        return False
    row = db.session.get(OutboxEmail, outbox_id)
    if not enabled():
        row.failed_at, row.claimed_at = utcnow(), None
        db.session.commit()
        log.warning(
            "email %s to member %s given up: emails are switched off", row.kind, row.user_id
        )
        return False
    email = Email(
        to=row.to_address,
        subject=row.subject,
        body=row.body,
        unsubscribe_url=row.unsubscribe_url,
        user_id=row.user_id or 0,
        kind=row.kind,
        html=row.html_body or "",
    )
    try:
        connection = connect().__enter__()
    except Exception:  # noqa: BLE001 - the SMTP server is down: try again later
        return _failed(row, "SMTP server unreachable", permanent=False)
    try:
        connection.send(email.message())
    except smtplib.SMTPRecipientsRefused as error:
        _close(connection)
        codes = [code for code, _text in error.recipients.values()]
        return _failed(row, "SMTP failure", permanent=bool(codes) and min(codes) >= 500)
    except Exception:  # noqa: BLE001 - any other SMTP or network failure
        _close(connection)
        return _failed(row, "SMTP failure", permanent=False)
    row.sent_at, row.claimed_at = utcnow(), None
    db.session.commit()
    _close(connection)
    return True


def _close(connection: Connection) -> None:
    try:
        connection.__exit__(None, None, None)
    except Exception:  # noqa: BLE001 - QUIT failed: the message's fate is already known
        log.info("SMTP connection not closed cleanly")


def _failed(row: OutboxEmail, why: str, *, permanent: bool) -> bool:
    row.claimed_at = None
    final = permanent or row.attempts >= MAX_ATTEMPTS
    if final:
        row.failed_at = utcnow()
        log.warning(
            "email %s to member %s not sent (%s): given up after %s tries",
            row.kind,
            row.user_id,
            why,
            row.attempts,
            exc_info=True,
        )
        db.session.commit()
        return False
    delay = RETRY_DELAY * 2 ** (row.attempts - 1)
    row.enqueued_at = utcnow() + timedelta(seconds=delay)
    log.warning(
        "email %s to member %s not sent (%s), try %s of %s: again in %s s",
        row.kind,
        row.user_id,
        why,
        row.attempts,
        MAX_ATTEMPTS,
        delay,
        exc_info=True,
    )
    db.session.commit()
    raise _Retry(delay)


@site_task()
def send_email(outbox_id: int) -> bool:
    """The queue's task: deliver one email, retried with a growing delay."""
    try:
        return deliver(outbox_id)
    except _Retry as retry:
        raise RetryTask(delay=retry.delay) from None


@site_task()
def enqueue_emails(outbox_ids: list[int]) -> None:
    """The queue's task for a mailing: one send task per email (each retried on its own)."""
    for outbox_id in outbox_ids:
        send_email.enqueue(outbox_id)


def sweep_outbox(now=None) -> int:
    """Enqueue again the accepted emails left unsent (an enqueue lost in a crash, a consumer
    killed mid-send), and delete the old sent or given-up ones. Returns how many were enqueued."""
    now = now or utcnow()
    late = now - timedelta(minutes=RESWEEP_MINUTES)
    stale = now - timedelta(minutes=CLAIM_MINUTES)
    ids = list(
        db.session.scalars(
            select(OutboxEmail.id).where(
                OutboxEmail.sent_at.is_(None),
                OutboxEmail.failed_at.is_(None),
                OutboxEmail.enqueued_at < late,
                or_(OutboxEmail.claimed_at.is_(None), OutboxEmail.claimed_at < stale),
            )
        )
    )
    if ids:
        db.session.execute(
            update(OutboxEmail).where(OutboxEmail.id.in_(ids)).values(enqueued_at=now)
        )
    old = now - timedelta(days=KEEP_SENT_DAYS)
    db.session.execute(
        delete(OutboxEmail).where(or_(OutboxEmail.sent_at < old, OutboxEmail.failed_at < old))
    )
    db.session.commit()
    for outbox_id in ids:
        send_email.enqueue(outbox_id)
    return len(ids)
