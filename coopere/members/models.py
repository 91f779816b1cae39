"""What registration records besides the account: consents, activation codes, numbered paper
forms, sponsorships and the printed digests handed to offline residents."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..database import one_of
from ..extensions import db
from ..timeutil import utcnow


class ConsentKind(enum.StrEnum):
    CHARTER = "charter"  # the four principles (required)
    PRIVACY = "privacy"  # the information notice on personal data was given (required)
    SHARE_PHONE = "share_phone"  # show my phone to neighbours I exchange with
    NEWSLETTER = "newsletter"  # the network's newsletter by email
    PHOTOS = "photos"  # photos at events
    REPRESENTATION = "representation"  # an offline resident agrees to be represented by a sponsor
    EMAIL_NOTICES = (
        "email_notices"  # emails about my exchanges and listings (replies, acceptances, expiry)
    )
    WEEKLY_DIGEST = "weekly_digest"  # a weekly email of the new offers and needs
    # a pilote or copilote agrees that the coaching association knows their name (first name and
    # last initial); answered on the account page of group members (coopere.perimeter.support)
    KNOWN_TO_ASSOCIATION = "known_to_association"
    QUOTE_STORY = "quote_story"  # my thanked exchanges may be told in the newsletter (first name)


class Method(enum.StrEnum):
    TABLET = "tablet"
    PAPER = "paper"
    ONLINE = "online"  # the resident themself, on the site


class Consent(db.Model):
    """One answer to one consent text. Rows are never changed: a withdrawal is a new row, so
    the history shows what was agreed, when, on which version, and who collected it."""

    __tablename__ = "consents"
    __table_args__ = (
        one_of("method", Method, name="method_known"),
        CheckConstraint("method <> 'paper' OR paper_reference <> ''", name="paper_has_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    given: Mapped[bool]
    version: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    collected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(10))
    paper_reference: Mapped[str] = mapped_column(String(20), default="")

    collected_by: Mapped[User | None] = relationship(foreign_keys=[collected_by_id])


class ActivationCode(db.Model):
    """A single-use code printed on a welcome card; only its SHA-256 is kept."""

    __tablename__ = "activation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PreparedCard(db.Model):
    """A pre-printed numbered welcome card (ten per A4 sheet), printed before a café and tied to
    nobody yet: its activation code is bound to the resident whose registration names its number
    when that registration reaches the server (cafe.offline). Only the code's SHA-256 is kept."""

    __tablename__ = "prepared_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]


class PaperForm(db.Model):
    """A numbered blank registration form; the number ties paper consents to their form."""

    __tablename__ = "paper_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    printed_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class EndReason(enum.StrEnum):
    ENDED = "ended"
    TRANSFERRED = "transferred"
    ACTIVATED = "activated"  # the sponsee now uses the site themself
    LEFT = "left"  # one of the two left the perimeter


class Sponsorship(db.Model):
    """A sponsor (parrain, marraine) representing a resident without internet. Ended rows stay
    as history; at most one sponsorship per sponsee is active (a partial unique index)."""

    __tablename__ = "sponsorships"
    __table_args__ = (
        CheckConstraint("sponsor_id <> sponsee_id", name="not_oneself"),
        one_of("end_reason", EndReason, name="end_reason_known"),
        Index(
            "uq_sponsorships_one_active",
            "sponsee_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    consent_reference: Mapped[str] = mapped_column(String(20), default="")  # the paper consent
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str | None] = mapped_column(String(12))

    sponsee: Mapped[User] = relationship(foreign_keys=[sponsee_id])
    sponsor: Mapped[User] = relationship(foreign_keys=[sponsor_id])

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class DigestPrint(db.Model):
    """A printed digest handed to an offline resident: the next one lists what is new since."""

    __tablename__ = "digest_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    printed_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
