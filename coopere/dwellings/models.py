"""The dwelling register: every letterbox of the perimeter, and the letters each one received."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

# Unambiguous characters for references typed by hand (no 0/O, 1/I/L).
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A random 8-character reference for a dwelling (about 40 bits); it names no person."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class Dwelling(db.Model):
    __tablename__ = "dwellings"
    __table_args__ = (
        CheckConstraint("number IS NULL OR number >= 0", name="number_positive"),
        CheckConstraint("lon IS NULL OR (lon >= -180 AND lon <= 180)", name="lon_range"),
        CheckConstraint("lat IS NULL OR (lat >= -90 AND lat <= 90)", name="lat_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int | None]
    rep: Mapped[str] = mapped_column(String(10), default="")
    street: Mapped[str] = mapped_column(String(200), index=True)
    complement: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(80))
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    no_letters: Mapped[bool] = mapped_column(default=False)
    vacant: Mapped[bool] = mapped_column(default=False)
    # What a letter's QR code carries: designates the dwelling, never a person.
    reference: Mapped[str] = mapped_column(String(12), unique=True, default=new_reference)
    # Normalised address (case, accents, spaces, street-type abbreviations) to find duplicates.
    address_key: Mapped[str] = mapped_column(String(500), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    letters: Mapped[list[LetterSent]] = relationship(
        back_populates="dwelling", cascade="all, delete-orphan", order_by="LetterSent.sent_on"
    )

    @property
    def street_line(self) -> str:
        return " ".join(
            p
            for p in (str(self.number) if self.number is not None else "", self.rep, self.street)
            if p
        )

    @hybrid_property
    def receives_letters(self) -> bool:
        """Tranquillité: a "no letters please" or vacant dwelling never gets mail."""
        return not (self.no_letters or self.vacant)

    @receives_letters.inplace.expression
    @classmethod
    def _receives_letters_expression(cls):
        return and_(cls.no_letters.is_(False), cls.vacant.is_(False))


class LetterSent(db.Model):
    """A letter delivered to a dwelling on a date, by a confirmed print run (or by hand)."""

    __tablename__ = "letters_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    dwelling_id: Mapped[int] = mapped_column(
        ForeignKey("dwellings.id", ondelete="CASCADE"), index=True
    )
    print_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("print_runs.id", ondelete="SET NULL"), index=True
    )
    sent_on: Mapped[date] = mapped_column(Date)

    dwelling: Mapped[Dwelling] = relationship(back_populates="letters")
