"""The rules of the sheets: the group writes, edits and retires them; a member launches a
collective project from a project sheet; the group picks the sheet of the month. In a network the
network's sheets are the association's (coopere/association/sheets.py checks them with
`sheet_content` too): the group reads them, hides one in its perimeter, and writes its own.

Functions work in the current transaction; the caller commits, or rolls back on SheetError."""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..listings.models import Listing, ListingKind, ListingStatus, Theme
from ..listings.validation import DESCRIPTION_MAX, TITLE_MAX
from ..timeutil import paris_today
from .library import (
    LANGUAGES,
    LIST_KEYS,
    PROJECT_KEYS,
    SharedSheet,
    current_sheets,
    find,
    source,
    texts,
)
from .models import Sheet, SheetFamily, SheetLaunch, SheetOfMonth

TITLE_LIMIT = 120
SHORT_LIMIT = 300  # summary, people, duration
LONG_LIMIT = 2000  # intro, tip, and each list as typed (one item a line)
ITEMS_MAX = 15


class SheetError(ValueError):
    """A refused change; the message is French and safe to show. `field` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class SheetValues:
    """What the edit form gives: the family, the listing theme of a launched project, and for
    each language its texts (lists as one item a line)."""

    family: str
    theme: str = ""
    texts: dict[str, dict[str, str]] = field(default_factory=dict)


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:70] or "fiche"


def unique_slug(title: str, taken: Callable[[str], bool]) -> str:
    """The slug of a new sheet: its French title's, numbered when `taken` says it is in use."""
    base = slugify(title)
    slug, n = base, 2
    while taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


def sheet_content(values: SheetValues) -> dict:
    """The sheet's `content` from what the form gives, checked; SheetError (French) otherwise."""
    if values.family not in {f.value for f in SheetFamily}:
        raise SheetError(_l("Choisissez la famille de la fiche."), "family")
    content = {}
    for language in LANGUAGES:
        typed = values.texts.get(language, {})
        entry: dict = {}
        for key, value in typed.items():
            value = (value or "").replace("\r\n", "\n").strip()
            if key in LIST_KEYS:
                items = [line.strip(" -•\t") for line in value.split("\n") if line.strip(" -•\t")]
                if len(items) > ITEMS_MAX:
                    raise SheetError(
                        _l("Pas plus de %(max)s lignes par liste.", max=ITEMS_MAX),
                        f"{key}_{language}",
                    )
                entry[key] = items
            elif key in PROJECT_KEYS and values.family != SheetFamily.PROJECT.value:
                continue
            else:
                entry[key] = value
        if values.family != SheetFamily.PROJECT.value:
            for key in PROJECT_KEYS:
                entry.pop(key, None)
        content[language] = entry
    french = content["fr"]
    if not 3 <= len(french.get("title", "")) <= TITLE_LIMIT:
        raise SheetError(
            _l("Le titre en français doit faire entre 3 et %(max)s caractères.", max=TITLE_LIMIT),
            "title_fr",
        )
    if not french.get("summary"):
        raise SheetError(_l("Écrivez le résumé en une phrase, en français."), "summary_fr")
    if not french.get("steps"):
        raise SheetError(_l("Écrivez au moins une étape ou un geste, en français."), "steps_fr")
    return content


def create_sheet(values: SheetValues, *, actor: User) -> Sheet:
    """A new sheet of the group's (in a network: of its perimeter only), after the others of its
    family; its slug is used by no sheet the perimeter shows, the network's included."""
    content = sheet_content(values)
    slug = unique_slug(
        content["fr"]["title"],
        lambda slug: (
            db.session.scalar(select(Sheet.id).where(Sheet.slug == slug)) is not None
            or source().get(slug) is not None
        ),
    )
    last = [s.position for s in current_sheets(values.family)]
    sheet = Sheet(
        slug=slug,
        family=values.family,
        theme=values.theme,
        content=content,
        position=(max(last) + 1) if last else 0,
        updated_by_id=actor.id,
    )
    db.session.add(sheet)
    db.session.flush()
    record("sheet.created", actor=actor, sheet=slug)
    return sheet


def check_editable(sheet: Sheet | SharedSheet) -> None:
    """SheetError when the group may not change the sheet's text: a network's sheet."""
    if sheet.shared:
        raise SheetError(
            _l(
                "Cette fiche est celle du réseau : l'association la tient à jour. Vous pouvez ne "
                "plus la proposer ici, ou écrire une fiche à vous."
            )
        )


def update_sheet(sheet: Sheet, values: SheetValues, *, actor: User) -> Sheet:
    check_editable(sheet)
    sheet.content = sheet_content(values)
    sheet.family, sheet.theme, sheet.updated_by_id = values.family, values.theme, actor.id
    record("sheet.updated", actor=actor, sheet=sheet.slug)
    return sheet


def set_retired(sheet: Sheet | SharedSheet, retired: bool, *, actor: User) -> None:
    """Retire a sheet (kept, hidden from members) or bring it back. A network's sheet is hidden
    or shown in this perimeter only, by a row of the same slug in its table (a copy of the sheet,
    which only its `retired` is read of); one the association retired cannot be brought back."""
    if isinstance(sheet, SharedSheet):
        if not retired and sheet.network_retired:
            raise SheetError(
                _l("L'association a retiré cette fiche du réseau : elle ne peut pas revenir ici.")
            )
        row = db.session.scalar(select(Sheet).where(Sheet.slug == sheet.slug))
        if row is None:
            row = Sheet(
                slug=sheet.slug,
                family=sheet.family,
                theme=sheet.theme,
                position=sheet.position,
                content=copy.deepcopy(sheet.content),
            )
            db.session.add(row)
        row.retired, row.updated_by_id = retired, actor.id
    else:
        sheet.retired = retired
    record("sheet.retired" if retired else "sheet.restored", actor=actor, sheet=sheet.slug)


# --- « Lancer ce projet » -----------------------------------------------------------------


def _theme_for(sheet: Sheet) -> Theme:
    theme = db.session.scalar(
        select(Theme).where(Theme.slug == sheet.theme, Theme.retired.is_(False))
    )
    theme = theme or db.session.scalar(
        select(Theme).where(Theme.retired.is_(False)).order_by(Theme.position, Theme.id)
    )
    if theme is None:
        raise SheetError(_l("Aucun thème n'est encore en place : demandez au groupe d'animation."))
    return theme


def project_description(sheet: Sheet, language: str) -> str:
    """The project's first description, from the sheet: summary, people, duration, steps."""
    words = texts(sheet, language)
    english = language == "en"
    parts = [words["summary"]]
    if words["people"]:
        parts.append(("Who: " if english else "Combien : ") + words["people"])
    if words["duration"]:
        parts.append(("How long: " if english else "Durée : ") + words["duration"])
    if words["steps"]:
        parts.append(
            ("Steps:\n" if english else "Les étapes :\n")
            + "\n".join(f"{n}. {step}" for n, step in enumerate(words["steps"], 1))
        )
    text = "\n\n".join(part for part in parts if part)
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1] + "…"


def launch_project(slug: str, owner: User, *, actor: User, language: str = "fr") -> Listing:
    """A collective project opened from a project sheet, prefilled from it and owned by `owner`
    (the member, or the neighbour their sponsor acts for): a draft they complete and publish.
    The sheet it started from is recorded."""
    sheet = find(slug)
    if sheet is None or sheet.family != SheetFamily.PROJECT.value:
        raise SheetError(_l("Seule une fiche « Lancer un projet » ouvre un projet collectif."))
    words = texts(sheet, language)
    listing = Listing(
        owner_id=owner.id,
        theme_id=_theme_for(sheet).id,
        kind=ListingKind.PROJECT.value,
        title=words["title"][:TITLE_MAX],
        description=project_description(sheet, language),
        status=ListingStatus.DRAFT.value,
        created_by_id=actor.id,
        details={},
    )
    db.session.add(listing)
    db.session.flush()
    db.session.add(
        SheetLaunch(
            listing_id=listing.id,
            sheet_slug=sheet.slug,
            sheet_title=texts(sheet, "fr")["title"][:TITLE_LIMIT],
            launched_by_id=actor.id,
        )
    )
    record(
        "sheet.project_launched", actor=actor, target=owner, sheet=sheet.slug, listing=listing.id
    )
    return listing


# --- the sheet of the month -----------------------------------------------------------------


def month_key(day: date | None = None) -> str:
    day = day or paris_today()
    return f"{day.year:04d}-{day.month:02d}"


def sheet_of_month(month: str | None = None) -> Sheet | None:
    """The sheet the group picked for the month (this month by default), if it is still in use."""
    chosen = db.session.get(SheetOfMonth, month or month_key())
    return find(chosen.sheet_slug) if chosen is not None else None


def choose_sheet_of_month(slug: str, *, actor: User, month: str | None = None) -> Sheet:
    """Pick (or change) the sheet of the month (`clear_sheet_of_month` takes the choice back)."""
    month = month or month_key()
    chosen = db.session.get(SheetOfMonth, month)
    sheet = find(slug)
    if sheet is None:
        raise SheetError(_l("Cette fiche n'existe pas ou n'est plus proposée."))
    if chosen is None:
        db.session.add(SheetOfMonth(month=month, sheet_slug=sheet.slug, chosen_by_id=actor.id))
    else:
        chosen.sheet_slug, chosen.chosen_by_id = sheet.slug, actor.id
    record("sheet.month_chosen", actor=actor, sheet=sheet.slug, month=month)
    return sheet


def clear_sheet_of_month(*, actor: User, month: str | None = None) -> None:
    chosen = db.session.get(SheetOfMonth, month or month_key())
    if chosen is not None:
        db.session.delete(chosen)
        record("sheet.month_cleared", actor=actor, month=chosen.month)
