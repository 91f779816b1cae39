"""The account of a person of the perimeter, with its role and login protection state."""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime
from functools import lru_cache

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, event, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import one_of
from ..extensions import db
from ..i18n import person_name
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


@lru_cache(maxsize=8192)  # the desk folds every address label of the register at each search
def fold_name(text: str) -> str:
    """« Élodie  Dupont-Martin » and « elodie dupont martin » compare equal."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )
    return " ".join(plain.replace("-", " ").replace("'", " ").replace("’", " ").split())


class User(UserMixin, db.Model):
    """A person of the perimeter. Offline residents have no password and cannot log in."""

    __tablename__ = "users"
    __table_args__ = (
        one_of("role", Role, name="role_known"),
        one_of("group_role", GroupRole, name="group_role_known"),
        CheckConstraint(
            "email IS NOT NULL OR phone IS NOT NULL OR password_hash IS NULL",
            name="login_needs_identifier",
        ),
        CheckConstraint(
            "contact_preference IN ('phone', 'email', 'site', 'sponsor')",
            name="contact_preference_known",
        ),
        CheckConstraint(
            "registration_method IN ('tablet', 'paper')", name="registration_method_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    # first and last name folded (case, accents, hyphens): search and duplicate detection
    name_key: Mapped[str] = mapped_column(String(170), default="", server_default="", index=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)  # E.164
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    group_role: Mapped[str | None] = mapped_column(String(16), unique=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    dwelling_id: Mapped[int | None] = mapped_column(
        ForeignKey("dwellings.id", ondelete="SET NULL"), index=True
    )
    is_enabled: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0)
    failed_login_window_start: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    # --- in-person registration (see coopere.members) ----------------------------------------
    has_internet: Mapped[bool] = mapped_column(default=True, server_default=true())
    contact_preference: Mapped[str] = mapped_column(
        String(10), default="phone", server_default="phone"
    )
    languages: Mapped[str] = mapped_column(String(200), default="", server_default="")
    address_note: Mapped[str] = mapped_column(
        String(200), default="", server_default=""
    )  # not in the register: why
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    registration_method: Mapped[str | None] = mapped_column(
        String(10)
    )  # tablet | paper; None: created by the CLI
    paper_reference: Mapped[str] = mapped_column(String(20), default="", server_default="")
    activated_at: Mapped[datetime | None]
    call_before_cafes: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )  # on the call list
    left_at: Mapped[
        datetime | None
    ]  # left the perimeter: no login, no sponsorship, listings closed
    listings_seen_at: Mapped[
        datetime | None
    ]  # last visit to the listings: "new since my last visit"
    weekly_digest_sent_at: Mapped[datetime | None]  # the last weekly email of new listings (opt-in)
    # Erased at the person's request (RGPD): identity and contact data gone, the row kept anonymous
    # so that the perimeter's figures stay the same.
    erased_at: Mapped[datetime | None]
    # A pilote's or copilote's consent « être connu·e de l'association » (the association that
    # coaches the perimeter may see their first name and last initial); default no. Each answer is
    # also a row of the consents' history (coopere.perimeter.support.set_known_to_association).
    known_to_association: Mapped[bool] = mapped_column(default=False, server_default=false())
    known_to_association_at: Mapped[datetime | None]

    dwelling = relationship("Dwelling")

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
    def is_offline(self) -> bool:
        """Registered without internet: takes part through a sponsor."""
        return not self.has_internet

    @property
    def is_activated(self) -> bool:
        return self.password_hash is not None

    @property
    def has_left(self) -> bool:
        return self.left_at is not None

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class LoginPlace(db.Model):
    """Where an account's logins come from: failures and lock for this account from this place, and
    when it last logged in from here (the holder's usual places). A place is an HMAC of the client's
    IPv4 address or IPv6 /64 network (coopere.security.client_network), never the address itself."""

    __tablename__ = "login_places"
    __table_args__ = (UniqueConstraint("user_id", "place", name="uq_login_places_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    place: Mapped[str] = mapped_column(String(64))
    failed_logins: Mapped[int] = mapped_column(default=0)
    failed_login_window_start: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None] = mapped_column(index=True)


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _fold_name(_mapper, _connection, user: User) -> None:
    user.name_key = fold_name(person_name(user.first_name, user.last_name))


# The dwelling a person lives in is mapped by the register's module: load it with this one.
from ..dwellings import models as _dwellings  # noqa: E402,F401
