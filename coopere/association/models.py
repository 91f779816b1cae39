"""The association's tables, in the network's own database (coopere/network/registry.py): its
accounts and audit log, each perimeter's phase and coach, the coaching log, the pilotes' training
days, the nightly snapshot of each perimeter's figures and the network's sheets. No resident's
personal data: a perimeter's figures arrive as a snapshot, and a pilote's first name only with
their consent."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..network.models import Base, now


class Role:
    COORDINATION = "coordination"  # everything at network level
    ACCOMPAGNATEUR = "accompagnateur"  # the coach of some perimeters


ROLES = (Role.COORDINATION, Role.ACCOMPAGNATEUR)
ROLE_LABELS = {
    Role.COORDINATION: _l("coordination"),
    Role.ACCOMPAGNATEUR: _l("accompagnateur·rice"),
}


class Account(Base):
    """A person of the association. Not a resident: these accounts open no perimeter's pages."""

    __tablename__ = "association_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    # Flask-Login
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_coordination(self) -> bool:
        return self.role == Role.COORDINATION


class AuditEntry(Base):
    """Who of the association did what, to which perimeter or account, and when."""

    __tablename__ = "association_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("association_accounts.id", ondelete="SET NULL"), nullable=True
    )
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class PerimeterProfile(Base):
    """What the association follows of one perimeter: its phase and its coach."""

    __tablename__ = "perimeter_profiles"

    slug: Mapped[str] = mapped_column(String(30), primary_key=True)
    phase: Mapped[str] = mapped_column(String(20), default="amorcage")
    phase_since: Mapped[date] = mapped_column(Date)
    coach_id: Mapped[int | None] = mapped_column(
        ForeignKey("association_accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )


class PhaseChange(Base):
    """A coach's decision to move a perimeter to another phase, with the milestones met then."""

    __tablename__ = "phase_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(30), index=True)
    from_phase: Mapped[str] = mapped_column(String(20), default="")
    to_phase: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("association_accounts.id", ondelete="SET NULL"), nullable=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    milestones_done: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of keys


class MilestoneTick(Base):
    """A milestone the coach ticked by hand (one the perimeter's data cannot show)."""

    __tablename__ = "milestone_ticks"
    __table_args__ = (UniqueConstraint("slug", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(30), index=True)
    key: Mapped[str] = mapped_column(String(40))
    done_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("association_accounts.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class CoachingSession(Base):
    """One coaching session with a perimeter's group."""

    __tablename__ = "coaching_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(30), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("association_accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    held_on: Mapped[date] = mapped_column(Date, index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    form: Mapped[str] = mapped_column(String(12))  # reunion | telephone | visio
    topics: Mapped[str] = mapped_column(Text, default="")  # comma-separated keys of TOPICS
    attendees: Mapped[str] = mapped_column(Text, default="")  # first names, as typed
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    @property
    def topic_keys(self) -> list[str]:
        return [key for key in self.topics.split(",") if key]


class TrainingDay(Base):
    """A training day of the network, to which every perimeter's pilote and copilote are invited."""

    __tablename__ = "training_days"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    topic: Mapped[str] = mapped_column(String(20))
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("association_accounts.id", ondelete="SET NULL"), nullable=True
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TrainingAnswer(Base):
    """A pilote's or copilote's « je viendrai » to a training day, then whether they came."""

    __tablename__ = "training_answers"
    __table_args__ = (UniqueConstraint("day_id", "slug", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("training_days.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(30), index=True)
    member_id: Mapped[int] = mapped_column(Integer)  # the member's id in the perimeter
    first_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(12))  # pilote | copilote
    coming: Mapped[bool] = mapped_column(Boolean, default=True)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    attended: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class Snapshot(Base):
    """A perimeter's figures as the nightly job (or a refresh) last read them: the console's pages
    read these, never the perimeters' databases."""

    __tablename__ = "perimeter_snapshots"

    slug: Mapped[str] = mapped_column(String(30), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[str] = mapped_column(Text)

    @property
    def figures(self) -> dict:
        return json.loads(self.data)


class NetworkDefault(Base):
    """A text every new perimeter starts from (charter, themes, letter text), edited in one
    place."""

    __tablename__ = "network_defaults"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("association_accounts.id", ondelete="SET NULL"), nullable=True
    )


class YearlyReportRun(Base):
    """A network yearly report prepared in the background (coopere/association/yearly_runs.py):
    who asked, for which year and perimeters, its state, and the PDF in the network folder."""

    __tablename__ = "yearly_report_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    # None: every perimeter (the coordination's); else the accompagnateur whose perimeters count
    scope_id: Mapped[int | None] = mapped_column(
        ForeignKey("association_accounts.id", ondelete="CASCADE"), nullable=True, index=True
    )
    filters: Mapped[str] = mapped_column(Text, default="{}")  # JSON: departement, coach_id, phase
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued|running|done|failed
    requested_by: Mapped[int | None] = mapped_column(
        ForeignKey("association_accounts.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    file_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")


class NetworkSheet(Base):
    """A sheet (« fiche ») of the network, shared by all its perimeters: the same shape as a
    perimeter's `sheets` row (coopere/sheets/models.py), kept by the coordination; seeded once
    from the package's data files (coopere/association/sheets.py)."""

    __tablename__ = "network_sheets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    family: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer, default=0)
    theme: Mapped[str] = mapped_column(String(40), default="")
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_by: Mapped[str] = mapped_column(String(120), default="")  # the account's name
