"""An event of the network: when, where (and where if it rains), what kind."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import one_of
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


def new_uid() -> str:
    """An iCalendar UID, fixed at creation: calendars keep the event across edits."""
    return f"{uuid.uuid4()}@coopere"


class EventSeries(db.Model):
    """A recurring event: "every first Saturday, 10:00-12:00", with months off. Its dates are
    Event rows (occurrences), so each one can be moved, cancelled or signed up for."""

    __tablename__ = "event_series"
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint("week_of_month IN (-1, 1, 2, 3, 4, 5)", name="week_of_month_known"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("last_date IS NULL OR last_date >= first_date", name="last_after_first"),
        CheckConstraint("max_places IS NULL OR max_places > 0", name="max_places_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120), default="")
    weekday: Mapped[int]  # 0 = Monday
    week_of_month: Mapped[int]  # 1..5, or -1 for the last one of the month
    start_time: Mapped[time] = mapped_column(Time)  # Paris local time
    end_time: Mapped[time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200))
    rain_place: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    max_places: Mapped[int | None]
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    months_off: Mapped[str] = mapped_column(
        String(40), default=""
    )  # "7,8": no café in July and August
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def months_off_list(self) -> list[int]:
        return [int(part) for part in self.months_off.split(",") if part.strip().isdigit()]


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("max_places IS NULL OR max_places > 0", name="max_places_positive"),
        CheckConstraint("visitors >= 0", name="visitors_positive"),
        UniqueConstraint("series_id", "occurrence_date", name="uq_events_series_date"),
        one_of("kind", EventKind, name="kind_known"),
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
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="SET NULL"), index=True
    )
    occurrence_date: Mapped[date | None] = mapped_column(Date)  # the date the series gave it
    detached: Mapped[bool] = mapped_column(default=False)  # edited alone: series edits leave it be
    visitors: Mapped[int] = mapped_column(default=0)  # "+1 visitor" at the café desk
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    series: Mapped[EventSeries | None] = relationship()

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[EventKind(self.kind)])

    @property
    def display_title(self) -> str:
        title = self.title or self.kind_label
        return title[:1].upper() + title[1:]

    # The one definition of "started" and "ended" (the edges count: at the start time it has
    # started).
    def has_started(self, now: datetime | None = None) -> bool:
        return self.starts_at <= (now or utcnow())

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or utcnow())


class EventSignup(db.Model):
    """« Je viendrai »: a member (or their sponsor for them) says they will come."""

    __tablename__ = "event_signups"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_event_signups_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
