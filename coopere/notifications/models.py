"""A notice shown to one member on the site until they have read it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # "event.cancelled", "roster.reminder"…
    text: Mapped[str] = mapped_column(Text)  # already in the member's language
    link: Mapped[str] = mapped_column(String(300), default="")  # a local path
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]


class OutboxEmail(db.Model):
    """An email accepted with the action that caused it (same transaction), sent by the queue.

    `sent_at` is set right after the SMTP server confirmed it: a confirmed email is never sent
    again. `claimed_at` marks a send in progress (a worker killed mid-send leaves it; it is taken
    again after CLAIM_MINUTES). `failed_at`: given up after the last try. Sent rows are deleted
    after a week by the queue's sweep (they hold an address)."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # the template's name, e.g. "notice"
    user_id: Mapped[int | None]  # for the log: an internal id, never the address
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="", server_default="")  # "" = text only
    unsubscribe_url: Mapped[str] = mapped_column(Text)
    # A per-recipient key for mailings sent in several commits (the newsletter): accepted once
    # per key, so that a restarted send resumes instead of sending twice.
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    failed_at: Mapped[datetime | None]
