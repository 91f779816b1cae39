"""The outbox: an accepted email is a row kept with the action's transaction, handed to the
queue once it commits (a rolled-back action sends nothing), then delivered by a worker: claimed
atomically, marked sent as soon as the SMTP server confirmed it, retried with a growing delay,
given up after MAX_ATTEMPTS tries; the sweep enqueues again what a crash lost and deletes old
rows (they hold an address). A failure is logged with the member's id, never the address."""

from __future__ import annotations

import smtplib
from datetime import timedelta

from flask_mail import Connection
from huey.exceptions import RetryTask
from sqlalchemy import delete, event, or_, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..queue import site_task
from ..timeutil import utcnow
from .models import OutboxEmail
from .transport import Email, connect, enabled, log

OUTBOX = "outbox_ids"  # session.info key: the ids of the emails accepted in this transaction
#: From this many emails in one transaction (a newsletter's batch), one task enqueues them all
#: from the consumer: the page does not wait for one queue write per email.
FAN_OUT = 20
#: The queue's task names, as they were when this code lived in notifications/email.py: tasks
#: already queued before an upgrade still find their function.
TASK_PREFIX = "coopere.notifications.email."


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


@site_task(name=TASK_PREFIX + "send_email")
def send_email(outbox_id: int) -> bool:
    """The queue's task: deliver one email, retried with a growing delay."""
    try:
        return deliver(outbox_id)
    except _Retry as retry:
        raise RetryTask(delay=retry.delay) from None


@site_task(name=TASK_PREFIX + "enqueue_emails")
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
