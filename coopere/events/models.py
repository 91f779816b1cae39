"""An event of the network: when, where (and where if it rains), what kind."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class EventKind(enum.StrEnum):
    CAFE = "cafe"
    APERO_INFO = "apero_info"
    FETE = "fete"
    GROUP_MEETING = "group_meeting"
    COLLECTIVE_ACTION = "collective_action"


KIND_LABELS = {
    EventKind.CAFE: _l("café-rencontre"),
    EventKind.APERO_INFO: _l("apéro-info"),
    EventKind.FETE: _l("Fête de la Coopération"),
    EventKind.GROUP_MEETING: _l("réunion du groupe d'animation"),
    EventKind.COLLECTIVE_ACTION: _l("action collective"),
}


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("max_places IS NULL OR max_places > 0", name="max_places_positive"),
        CheckConstraint("kind IN ('cafe', 'apero_info', 'fete', 'group_meeting', 'collective_action')",
                        name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120), default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)  # naive UTC
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    rain_place: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    max_places: Mapped[int | None]
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[EventKind(self.kind)])

    @property
    def display_title(self) -> str:
        title = self.title or self.kind_label
        return title[:1].upper() + title[1:]
