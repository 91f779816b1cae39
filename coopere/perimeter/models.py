"""The perimeter's settings: one row per instance."""

from __future__ import annotations

from datetime import datetime

from flask import g
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class Perimeter(db.Model):
    """The micro-perimeter this instance serves (a street, a block, a residence, a hamlet)."""

    __tablename__ = "perimeter"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("estimated_dwellings >= 0", name="estimated_dwellings_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    name: Mapped[str] = mapped_column(String(120))
    short_name: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(80))
    postcode: Mapped[str] = mapped_column(String(5))
    estimated_dwellings: Mapped[int] = mapped_column(default=0)
    meeting_place: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    charter_text: Mapped[str] = mapped_column(Text, default="")
    charter_version: Mapped[int] = mapped_column(default=1)
    letter_template: Mapped[str] = mapped_column(Text, default="")  # empty: the default letter
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SupportGrant(db.Model):
    """A time-limited support access given to the association's coach by the pilote, the copilote
    or an admin: while it lasts, the coach may read the animators' pages (read-only, audited).
    Rows are kept: a revocation or a replacement stamps `revoked_at`."""

    __tablename__ = "support_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_account_id: Mapped[int] = mapped_column(index=True)  # an account of the network's db
    coach_name: Mapped[str] = mapped_column(String(120))
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def get_perimeter() -> Perimeter | None:
    """The instance's perimeter, or None before `flask init` has run (one query per request)."""
    perimeter = g.get("perimeter")
    if perimeter is None:
        perimeter = db.session.scalar(select(Perimeter).where(Perimeter.id == 1))
        if perimeter is not None:
            g.perimeter = perimeter
    return perimeter
