"""Where the sheets come from, and reading them in a language.

`source()` is the one place that says where sheets come from: this perimeter's `sheets` table
today; in a network deployment the network layer will set
``current_app.extensions["coopere.network_sheets"]`` to a callable returning an object with the
same two methods (`all()`, `get(slug)`), and every page, printout and count then reads the
network's sheets, shared by its perimeters. The table is seeded from the package's data files
(coopere/sheets/data/*.json, French and English) the first time it is read empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import Sheet, SheetFamily

DATA = Path(__file__).resolve().parent / "data"
LANGUAGES = ("fr", "en")
TEXT_KEYS = ("title", "summary", "intro", "tip", "people", "duration")
LIST_KEYS = ("steps", "needs", "pitfalls", "helpers")
PROJECT_KEYS = ("needs", "people", "duration", "pitfalls", "helpers")
FAMILY_ORDER = (SheetFamily.ECO.value, SheetFamily.PROJECT.value)


class SheetSource(Protocol):
    def all(self) -> list[Sheet]: ...

    def get(self, slug: str) -> Sheet | None: ...


def seed_rows() -> list[dict[str, Any]]:
    """The sheets written with the package, in order: éco-gestes, then projects."""
    rows = []
    for name in ("eco", "projects"):
        for position, item in enumerate(
            json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
        ):
            rows.append(
                {
                    "slug": item["slug"],
                    "family": item["family"],
                    "theme": item.get("theme", ""),
                    "position": position,
                    "content": {language: item[language] for language in LANGUAGES},
                }
            )
    return rows


def ensure_seeded() -> bool:
    """Fill an empty table with the package's sheets (once: sheets are retired, never deleted).
    True when it wrote them; the caller commits."""
    if db.session.scalar(select(func.count(Sheet.id))):
        return False
    try:
        with db.session.begin_nested():
            db.session.add_all(Sheet(**row) for row in seed_rows())
    except IntegrityError:  # another request seeded it at the same moment
        return False
    return True


class LocalSheets:
    """This perimeter's own sheets (the `sheets` table)."""

    def all(self) -> list[Sheet]:
        ensure_seeded()
        return list(
            db.session.scalars(select(Sheet).order_by(Sheet.family, Sheet.position, Sheet.id))
        )

    def get(self, slug: str) -> Sheet | None:
        ensure_seeded()
        return db.session.scalar(select(Sheet).where(Sheet.slug == slug))


def source() -> SheetSource:
    """The sheets this site shows: the network's, when the network layer provides them, else
    this perimeter's table."""
    provider = current_app.extensions.get("coopere.network_sheets")
    return provider() if callable(provider) else LocalSheets()


def current_sheets(family: str | None = None) -> list[Sheet]:
    """The sheets in use (not retired), éco-gestes first, in the group's order."""
    sheets = [s for s in source().all() if not s.retired and (family is None or s.family == family)]
    return sorted(sheets, key=lambda s: (FAMILY_ORDER.index(s.family), s.position, s.slug))


def find(slug: str, *, include_retired: bool = False) -> Sheet | None:
    sheet = source().get(slug)
    if sheet is None or (sheet.retired and not include_retired):
        return None
    return sheet


def texts(sheet: Sheet, language: str) -> dict[str, Any]:
    """The sheet's texts in `language`, each missing one taken from the French."""
    content = sheet.content or {}
    french = content.get("fr") or {}
    chosen = content.get(language) or {}
    result: dict[str, Any] = {}
    for key in TEXT_KEYS:
        result[key] = (chosen.get(key) or french.get(key) or "").strip()
    for key in LIST_KEYS:
        items = chosen.get(key) or french.get(key) or []
        result[key] = [item.strip() for item in items if item and item.strip()]
    return result


def title(sheet: Sheet, language: str = "fr") -> str:
    return texts(sheet, language)["title"]


def counts() -> dict[str, int]:
    """How many sheets in use in each family."""
    return {family: len(current_sheets(family)) for family in (f.value for f in SheetFamily)}
