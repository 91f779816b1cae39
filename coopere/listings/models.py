"""The themes of cooperation that registration sweeps, and the offers and needs in them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..events.models import Event
from ..database import one_of
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
    PROJECT = "project"  # a collective project that members join (group purchase, garden, outing…)


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
        one_of("kind", ListingKind, name="kind_known"),
        one_of("status", ListingStatus, name="status_known"),
        CheckConstraint(
            "max_participants IS NULL OR max_participants > 0", name="max_participants_positive"
        ),
        Index("ix_listings_status_created", "status", "created_at"),
        # browsing: open listings of one kind (and theme), newest first
        Index("ix_listings_browse", "status", "kind", "theme_id", "published_at"),
        Index("ix_listings_status_published", "status", "published_at"),
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
    # When it was last hidden by moderation, or a status before hiding (to restore it).
    status_before_hidden: Mapped[str | None] = mapped_column(String(10))
    # Free-text availability ("le soir après 18 h") and optional days: "0,2,4" (Monday = 0).
    availability: Mapped[str] = mapped_column(String(200), default="", server_default="")
    days: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # Theme-specific details, e.g. {"from": "…", "to": "…"} for car-pooling,
    # {"due_back": "2026-12-01"} for a lent object, {"date_from": …, "date_to": …} for pet-sitting,
    # {"slot": "…"} for visits, {"target_quantity": 20} for a group purchase. Keys are listed in
    # listings/details.py.
    details: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # The re-encoded photo's random file name under instance/photos, or None.
    photo: Mapped[str | None] = mapped_column(String(64))
    # Expiry: set on publication (8 weeks for needs, 6 months for offers and projects,
    # configurable), pushed back by "renew"; a reminder is sent once before it
    # (expiry_reminded_at).
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    expiry_reminded_at: Mapped[datetime | None]
    # Collective projects: a maximum number of participants, a date, a related event.
    max_participants: Mapped[int | None]
    project_date: Mapped[date | None]
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    theme: Mapped[Theme] = relationship(lazy="joined")
    event: Mapped[Event | None] = relationship()

    @property
    def is_offer(self) -> bool:
        return self.kind == ListingKind.OFFER

    @property
    def is_project(self) -> bool:
        return self.kind == ListingKind.PROJECT

    @property
    def day_list(self) -> list[int]:
        """The chosen weekdays, 0 = Monday."""
        return [int(day) for day in (self.days or "").split(",") if day.strip().isdigit()]


class ListingTerm(db.Model):
    """One searchable word of a listing (title, description, theme), folded: lower case, no
    accents, a French plural reduced to its singular. Search looks words up by prefix through the
    primary key, so its cost does not grow with the number of listings. Rebuilt whenever the text
    changes."""

    __tablename__ = "listing_terms"

    term: Mapped[str] = mapped_column(String(40), primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Participation(db.Model):
    """A member who joined a collective project."""

    __tablename__ = "participations"

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The actor when a sponsor signed their sponsee up.
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
