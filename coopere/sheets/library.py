"""Where the sheets come from, and reading them in a language.

`source()` is the one place that says where sheets come from. A perimeter served alone: its own
`sheets` table, seeded from the package's data files (coopere/sheets/data/*.json, French and
English) the first time it is read empty. A perimeter of a network: the network layer sets
``current_app.extensions["coopere.network_sheets"]`` to a callable returning an object with two
methods (`all()`, `get(slug)`) that give the network's sheets as `SharedSheet`s, and `WithNetwork`
shows them together with the group's own: every page, printout and count then reads the
network's sheets, shared by its perimeters.

In a network, a row of the perimeter's table whose slug is a network sheet's only says whether the
group hides that sheet in its perimeter (its `retired`); the other rows are the group's own sheets,
shown after the network's."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
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


def in_network() -> bool:
    """True when the network provides the sheets (a perimeter of a network deployment)."""
    return callable(current_app.extensions.get("coopere.network_sheets"))


def ensure_seeded() -> bool:
    """Fill an empty table with the package's sheets (once: sheets are retired, never deleted).
    True when it wrote them; the caller commits. Never in a network: the network's sheets are
    seeded once in the network's database, and this table holds only the group's own."""
    if in_network() or db.session.scalar(select(func.count(Sheet.id))):
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


@dataclass(frozen=True)
class SharedSheet:
    """A sheet of the network, as a perimeter reads it: the same attributes as a `Sheet` row (the
    templates, printouts and services read either), never written by the perimeter. `hidden`: the
    group does not show it in its perimeter; `network_retired`: the association retired it."""

    slug: str
    family: str
    position: int
    theme: str
    content: dict
    network_retired: bool = False
    hidden: bool = False
    updated_at: datetime | None = None
    updated_by: str = ""  # the association's account that last changed it

    shared = True  # a `Sheet` row says False

    @property
    def retired(self) -> bool:
        return self.network_retired or self.hidden


class WithNetwork:
    """A perimeter of a network: the network's sheets, each hidden or not by the group's row of
    the same slug, then the group's own sheets (its other rows)."""

    def __init__(self, network: SheetSource):
        self.network = network

    @staticmethod
    def _with_choice(shared: SharedSheet, row: Sheet | None) -> SharedSheet:
        return shared if row is None else replace(shared, hidden=row.retired)

    def all(self) -> list[SharedSheet | Sheet]:
        rows = {row.slug: row for row in db.session.scalars(select(Sheet).order_by(Sheet.id))}
        shared = self.network.all()
        slugs = {sheet.slug for sheet in shared}
        return [self._with_choice(sheet, rows.get(sheet.slug)) for sheet in shared] + [
            row for slug, row in rows.items() if slug not in slugs
        ]

    def get(self, slug: str) -> SharedSheet | Sheet | None:
        row = db.session.scalar(select(Sheet).where(Sheet.slug == slug))
        shared = self.network.get(slug)
        return row if shared is None else self._with_choice(shared, row)


def source() -> SheetSource:
    """The sheets this site shows: the network's and the group's own, when the network layer
    provides them, else this perimeter's table."""
    provider = current_app.extensions.get("coopere.network_sheets")
    return WithNetwork(provider()) if callable(provider) else LocalSheets()


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
