"""The account of a person of the perimeter, with its role and login protection state."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class Role(enum.StrEnum):
    """Global roles, each including the rights of those before it."""

    MEMBER = "member"
    ANIMATOR = "animator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class GroupRole(enum.StrEnum):
    """A member's place in the animation group's leadership."""

    PILOTE = "pilote"
    COPILOTE = "copilote"


class User(UserMixin, db.Model):
    """A person of the perimeter. Offline residents have no password and cannot log in."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('member', 'animator', 'admin')", name="role_known"),
        CheckConstraint("group_role IN ('pilote', 'copilote')", name="group_role_known"),
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL OR password_hash IS NULL",
                        name="login_needs_identifier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)  # E.164
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    group_role: Mapped[str | None] = mapped_column(String(16), unique=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    dwelling_id: Mapped[int | None] = mapped_column(ForeignKey("dwellings.id", ondelete="SET NULL"), index=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0)
    failed_login_window_start: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    # --- Flask-Login -----------------------------------------------------------------------
    def get_id(self) -> str:
        # The session version travels in the session cookie: bumping it in the database ends
        # every session of this account at once, whatever server process holds them.
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.is_enabled and self.password_hash is not None

    # --- roles -----------------------------------------------------------------------------
    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, role: Role) -> bool:
        return self.role_enum.rank >= role.rank

    @property
    def is_animator(self) -> bool:
        return self.has_role(Role.ANIMATOR)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
