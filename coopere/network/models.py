"""The network database's tables that every part of a network reads: its perimeters and their state
(the association's own tables: coopere/association/models.py, on the same Base)."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> datetime:
    return datetime.now(timezone.utc)


class Status(str, Enum):
    ACTIVE = "active"  # served
    MAINTENANCE = "maintenance"  # its upgrade failed: a French maintenance page, nothing else
    ARCHIVED = "archived"  # archived and no longer served (`perimeters restore` brings it back)


STATUS_LABELS = {
    Status.ACTIVE: "en service",
    Status.MAINTENANCE: "en maintenance",
    Status.ARCHIVED: "archivé",
}


class Base(DeclarativeBase):
    pass


class PerimeterEntry(Base):
    __tablename__ = "perimeters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    postcode: Mapped[str] = mapped_column(String(5))
    estimated_dwellings: Mapped[int] = mapped_column(Integer)
    meeting_place: Mapped[str] = mapped_column(String(200), default="")
    # None: SQLite in the perimeter's folder; else the database's URL (DATABASE_URL_TEMPLATE)
    database_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default=Status.ACTIVE.value)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def served(self) -> bool:
        return self.status == Status.ACTIVE.value

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[Status(self.status)]
