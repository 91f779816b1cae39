"""The themes of cooperation that registration sweeps and listings belong to."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Theme(db.Model):
    """A theme of cooperation (advice, odd jobs, car-pooling…), named in French and English."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    label_fr: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80))
    hint_fr: Mapped[str] = mapped_column(String(200), default="")
    hint_en: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    def label(self, language: str) -> str:
        return self.label_en if language == "en" and self.label_en else self.label_fr

    def hint(self, language: str) -> str:
        return self.hint_en if language == "en" and self.hint_en else self.hint_fr
