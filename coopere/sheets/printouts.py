"""Sheets for the print engine: one sheet in words (French by default, whatever the language of
the person printing), and its large-print PDF."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from .. import printing
from ..perimeter.models import Perimeter
from ..perimeter.services import perimeter_data
from ..printing.sheets import SheetPrint, render_sheet
from .library import texts
from .models import Sheet, SheetFamily


def family_label(family: str) -> str:
    return _("Lancer un projet") if family == SheetFamily.PROJECT.value else _("Éco-gestes")


def sheet_print(
    sheet: Sheet,
    perimeter: Perimeter | printing.Perimeter,
    *,
    language: str = "fr",
    public_url: str = "",
) -> SheetPrint:
    """The sheet's texts in `language`, as the print engine takes them."""
    words = texts(sheet, language)
    with force_locale(language):
        family = family_label(sheet.family)
    return SheetPrint(
        perimeter=perimeter
        if isinstance(perimeter, printing.Perimeter)
        else perimeter_data(perimeter),
        family=family,
        title=words["title"],
        summary=words["summary"],
        intro=words["intro"],
        steps=tuple(words["steps"]),
        tip=words["tip"],
        needs=tuple(words["needs"]),
        people=words["people"],
        duration=words["duration"],
        pitfalls=tuple(words["pitfalls"]),
        helpers=tuple(words["helpers"]),
        public_url=public_url,
    )


def sheet_pdf(sheet: Sheet, perimeter: Perimeter, *, public_url: str = "") -> bytes:
    """The sheet's large-print A4 PDF, in French."""
    return render_sheet(sheet_print(sheet, perimeter, public_url=public_url))
