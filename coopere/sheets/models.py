"""Sheets (« fiches »): éco-gestes and « Lancer un projet », written in French and English and
kept as data the group edits; the project a sheet launched; the group's sheet of the month.

A launch and the sheet of the month name their sheet by its slug (not a foreign key): in a network,
the sheets come from the network's database, shared by its perimeters (library.source)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import one_of
from ..extensions import db
from ..timeutil import utcnow


class SheetFamily(enum.StrEnum):
    ECO = "eco"  # « Éco-gestes »: short, practical gestures at home
    PROJECT = "project"  # « Lancer un projet »: a collective project step by step


class Sheet(db.Model):
    """One sheet. `content` holds each language's texts: {"fr": {...}, "en": {...}}, with the
    keys title, summary, intro, steps (a list), tip; project sheets add needs, pitfalls, helpers
    (lists), people and duration. `theme` is the slug of the listing theme a launched project
    goes in."""

    __tablename__ = "sheets"
    __table_args__ = (one_of("family", SheetFamily, name="family_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    family: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(default=0)
    theme: Mapped[str] = mapped_column(String(40), default="", server_default="")
    content: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    shared: ClassVar[bool] = False  # a network's sheet (library.SharedSheet) says True


class SheetLaunch(db.Model):
    """A collective project opened from a sheet with « Lancer ce projet »."""

    __tablename__ = "sheet_launches"

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    sheet_slug: Mapped[str] = mapped_column(String(80), index=True)
    sheet_title: Mapped[str] = mapped_column(String(120))  # in French, as it was then
    launched_at: Mapped[datetime] = mapped_column(default=utcnow)
    launched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SheetOfMonth(db.Model):
    """The sheet the group picked for a month (« 2026-12 »): the café programme and the
    newsletter carry it."""

    __tablename__ = "sheet_of_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    sheet_slug: Mapped[str] = mapped_column(String(80))
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
