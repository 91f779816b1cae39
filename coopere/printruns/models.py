"""A print run (its parameters, progress and PDF) and the scans of its letters' QR codes."""

from __future__ import annotations

import enum
import json
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import one_of
from ..extensions import db
from ..timeutil import utcnow


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def new_run_code() -> str:
    """A short random code naming the run inside each letter's QR reference."""
    return secrets.token_hex(3).upper()


class PrintRun(db.Model):
    __tablename__ = "print_runs"
    __table_args__ = (
        one_of("status", RunStatus, name="status_known"),
        CheckConstraint(
            "kind IN ('letters', 'poster', 'flyers_a5', 'flyers_a6', 'newsletter')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True, default=new_run_code)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10), default=RunStatus.QUEUED.value)
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    total_pages: Mapped[int] = mapped_column(default=0)
    done_pages: Mapped[int] = mapped_column(default=0)
    letters_count: Mapped[int] = mapped_column(default=0)
    file_name: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def params(self) -> dict:
        return json.loads(self.params_json or "{}")

    @params.setter
    def params(self, value: dict) -> None:
        self.params_json = json.dumps(value, ensure_ascii=False, sort_keys=True)

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return int(100 * self.done_pages / self.total_pages) if self.total_pages else 0


class LetterScan(db.Model):
    """Someone opened the public page from a letter's QR code: counts which runs bring people."""

    __tablename__ = "letter_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    print_run_id: Mapped[int] = mapped_column(
        ForeignKey("print_runs.id", ondelete="CASCADE"), index=True
    )
    dwelling_id: Mapped[int | None] = mapped_column(ForeignKey("dwellings.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
