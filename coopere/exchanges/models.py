"""An exchange between the owner of a listing and a neighbour who answered it, its messages,
and the blocks members set against each other."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..database import one_of
from ..extensions import db
from ..listings.models import Listing
from ..timeutil import utcnow


class ExchangeStatus(enum.StrEnum):
    PENDING = "pending"  # the neighbour answered; the owner has not decided
    ACCEPTED = "accepted"  # both agree: each sees what the other consented to share
    DECLINED = "declined"
    DONE = "done"  # one side marked it done; feeds the impact figures
    WITHDRAWN = "withdrawn"  # the neighbour took their answer back before a decision


class Exchange(db.Model):
    """One neighbour's answer to one listing. A neighbour answers a listing once (constraint)."""

    __tablename__ = "exchanges"
    __table_args__ = (
        UniqueConstraint("listing_id", "requester_id", name="uq_exchanges_once_per_listing"),
        one_of("status", ExchangeStatus, name="status_known"),
        CheckConstraint("requester_id <> owner_id", name="not_with_oneself"),
        Index("ix_exchanges_owner_status", "owner_id", "status"),
        Index("ix_exchanges_requester_status", "requester_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE")
    )  # the listing's owner
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE")
    )  # who answered
    status: Mapped[str] = mapped_column(String(10), default=ExchangeStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]  # accepted or declined
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Thank-you notes, one per side, once the exchange is done.
    owner_thanks: Mapped[str] = mapped_column(Text, default="", server_default="")
    requester_thanks: Mapped[str] = mapped_column(Text, default="", server_default="")
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)

    listing: Mapped[Listing] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    messages: Mapped[list[Message]] = relationship(
        back_populates="exchange", order_by="Message.id", cascade="all, delete-orphan"
    )


class Message(db.Model):
    """One message of an exchange thread. `author` is the party (owner or requester); `sent_by`
    is who typed it (the party, or their sponsor acting for them)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(
        ForeignKey("exchanges.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())  # by moderation

    exchange: Mapped[Exchange] = relationship(back_populates="messages")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])


class Block(db.Model):
    """`blocker` no longer receives answers or messages from `blocked`, and does not see their
    listings."""

    __tablename__ = "blocks"
    __table_args__ = (CheckConstraint("blocker_id <> blocked_id", name="not_oneself"),)

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
