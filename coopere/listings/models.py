"""The themes of cooperation that registration sweeps, and the offers and needs in them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow


class Theme(db.Model):
    """A theme of cooperation (advice, odd jobs, car-pooling…), named in French and English."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    label_fr: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80))
    hint_fr: Mapped[str] = mapped_column(String(200), default="")
    hint_en: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    def label(self, language: str) -> str:
        return self.label_en if language == "en" and self.label_en else self.label_fr

    def hint(self, language: str) -> str:
        return self.hint_en if language == "en" and self.hint_en else self.hint_fr


class ListingKind(enum.StrEnum):
    OFFER = "offer"  # « Je peux proposer »
    NEED = "need"  # « J'aimerais recevoir »


class ListingStatus(enum.StrEnum):
    DRAFT = "draft"  # from the registration questionnaire, to be confirmed by the owner or sponsor
    OPEN = "open"
    PAUSED = "paused"
    FULFILLED = "fulfilled"
    CLOSED = "closed"
    EXPIRED = "expired"
    HIDDEN = "hidden"  # by moderation


class Listing(db.Model):
    """An offer or a need of a resident, in one theme. No price: exchanges are free."""

    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("kind IN ('offer', 'need')", name="kind_known"),
        CheckConstraint("status IN ('draft', 'open', 'paused', 'fulfilled', 'closed', 'expired', 'hidden')",
                        name="status_known"),
        Index("ix_listings_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=ListingStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who typed it: the owner, their sponsor, or the animator at the registration desk.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    theme: Mapped[Theme] = relationship(lazy="joined")

    @property
    def is_offer(self) -> bool:
        return self.kind == ListingKind.OFFER
