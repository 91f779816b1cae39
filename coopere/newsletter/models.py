"""A newsletter issue: its name, month, ordered blocks (JSON), when it was published and sent."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ..database import one_of
from ..extensions import db
from ..timeutil import utcnow

DEFAULT_NAME = "La lettre des voisins"


class IssueStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class BlockKind(enum.StrEnum):
    EVENTS = "events"  # the next cafés and events
    LISTINGS = "listings"  # new offers and needs by theme (titles and first names)
    PROJECTS = "projects"  # collective projects looking for people
    STORIES = "stories"  # exchanges ended with a thank-you, both agreed to be quoted
    FIGURES = "figures"  # the month's figures in words (coopere/reports)
    SHEET = "sheet"  # the eco-gesture of the month (coopere/sheets, when installed)
    TEXT = "text"  # the group's own text


class NewsletterIssue(db.Model):
    """One month's newsletter. `blocks_json` is the ordered list of blocks, each a dict with
    `kind`, `title`, `text` (what members read) and `public_text` (the version without names for
    the public page; empty: the block is left out of it)."""

    __tablename__ = "newsletter_issues"
    __table_args__ = (one_of("status", IssueStatus, name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), default=DEFAULT_NAME)
    month: Mapped[date]  # the first day of the month it covers
    status: Mapped[str] = mapped_column(String(10), default=IssueStatus.DRAFT.value)
    blocks_json: Mapped[str] = mapped_column(Text, default="[]")
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    sending_started_at: Mapped[datetime | None]  # the send began (a restart resumes it)
    sent_at: Mapped[datetime | None]  # every email queued, the print run made
    emails_queued: Mapped[int] = mapped_column(default=0)
    test_sent_at: Mapped[datetime | None]
    print_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("print_runs.id", ondelete="SET NULL")
    )

    @property
    def blocks(self) -> list[dict]:
        return json.loads(self.blocks_json or "[]")

    @blocks.setter
    def blocks(self, value: list[dict]) -> None:
        self.blocks_json = json.dumps(value, ensure_ascii=False)

    @property
    def is_draft(self) -> bool:
        return self.status == IssueStatus.DRAFT
