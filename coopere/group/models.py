"""Who in the animation group looks after what, and who takes which task at each event."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..database import one_of
from ..extensions import db
from ..timeutil import utcnow


class Family(enum.StrEnum):
    """The task families of the method."""

    REGISTRATIONS = "registrations"
    COMMUNICATION = "communication"
    CAFES = "cafes"
    SITE = "site"
    EVENTS = "events"
    REPORTING = "reporting"


FAMILY_LABELS = {
    Family.REGISTRATIONS: _l("Inscriptions"),
    Family.COMMUNICATION: _l("Communication"),
    Family.CAFES: _l("Animation des cafés"),
    Family.SITE: _l("Animation du site"),
    Family.EVENTS: _l("Événements"),
    Family.REPORTING: _l("Bilans"),
}


class Task(enum.StrEnum):
    """The tasks of an event's roster."""

    SETUP = "setup"  # set up the table and parasol
    COFFEE = "coffee"
    WELCOME = "welcome"
    DESK = "desk"  # registration desk
    POSTERS = "posters"  # posters and flyers
    TIDY = "tidy"


TASK_LABELS = {
    Task.SETUP: _l("Installer la table et le parasol"),
    Task.COFFEE: _l("Apporter le café"),
    Task.WELCOME: _l("Accueillir"),
    Task.DESK: _l("Tenir le bureau des inscriptions"),
    Task.POSTERS: _l("Affiches et tracts"),
    Task.TIDY: _l("Ranger"),
}


class FamilyMember(db.Model):
    """An animator who looks after a task family."""

    __tablename__ = "family_members"
    __table_args__ = (
        UniqueConstraint("user_id", "family", name="uq_family_members_once"),
        one_of("family", Family, name="family_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship()


class RosterSlot(db.Model):
    """One task of one event, taken by a volunteer or still open."""

    __tablename__ = "roster_slots"
    __table_args__ = (
        UniqueConstraint("event_id", "task", name="uq_roster_slots_once"),
        one_of("task", Task, name="task_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    task: Mapped[str] = mapped_column(String(10))
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    taken_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]

    volunteer: Mapped[User | None] = relationship()


class HandoverNote(db.Model):
    """What a volunteer who steps back leaves for whoever takes over a task family."""

    __tablename__ = "handover_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(String(16), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()
