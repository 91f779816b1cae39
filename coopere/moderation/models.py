"""Reports of listings and messages, and the warnings animators give members."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..exchanges.models import Message
from ..database import one_of
from ..extensions import db
from ..listings.models import Listing
from ..timeutil import utcnow


class ReportReason(enum.StrEnum):
    POLITICAL = "political"
    RELIGIOUS = "religious"
    COMMERCIAL = "commercial"
    DISRESPECTFUL = "disrespectful"
    OTHER = "other"


class ReportStatus(enum.StrEnum):
    OPEN = "open"  # in the animators' queue
    HIDDEN = "hidden"  # the animators hid the listing or message
    KEPT = "kept"  # looked at, nothing wrong


class Report(db.Model):
    """A member's report of one listing or one message (exactly one of the two)."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("(listing_id IS NULL) <> (message_id IS NULL)", name="one_target"),
        one_of("reason", ReportReason, name="reason_known"),
        one_of("status", ReportStatus, name="status_known"),
        Index("ix_reports_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    listing_id: Mapped[int | None] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(14))
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(8), default=ReportStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
    listing: Mapped[Listing | None] = relationship()
    message: Mapped[Message | None] = relationship()


class MemberWarning(db.Model):
    """A warning an animator gave a member (also in the audit log and sent as a notification)."""

    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[User] = relationship(foreign_keys=[member_id])
    given_by: Mapped[User | None] = relationship(foreign_keys=[given_by_id])
