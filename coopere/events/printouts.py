"""Events in French words for the print engine (letters, programme, attendance sheets, flyers),
whatever the language of the person printing."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from flask_babel import force_locale

from .. import printing
from ..i18n import FIRST_OF_MONTH, french_hours
from ..perimeter.models import Perimeter
from ..perimeter.services import perimeter_data
from ..timeutil import to_paris
from .models import Event


def kind_text(event: Event) -> str:
    """The event's title, else its kind, in French (« café-rencontre »)."""
    with force_locale("fr"):
        return event.title or event.kind_label


def event_data(event: Event, perimeter: Perimeter, public_url: str = "") -> printing.Event:
    """The event in French words."""
    start, end = to_paris(event.starts_at), to_paris(event.ends_at)
    return printing.Event(
        perimeter=perimeter_data(perimeter),
        kind=kind_text(event),
        date_text=format_date(start.date(), "EEEE d MMMM y", locale="fr"),
        time_text=f"de {french_hours(start)} à {french_hours(end)}",
        place=event.place,
        rain_place=event.rain_place,
        description=event.description,
        public_url=public_url,
    )


def print_programme(year: int, month: int, perimeter: Perimeter, *, public_url: str = "") -> bytes:
    """The month's programme as a PDF, with the group's sheet of the month when it picked one."""
    from ..sheets.library import texts
    from ..sheets.services import sheet_of_month
    from .services import month_events

    items = []
    for event in month_events(year, month):
        start, end = to_paris(event.starts_at), to_paris(event.ends_at)
        day = FIRST_OF_MONTH.sub(r"\1 1er ", format_date(start.date(), "EEEE d MMMM", locale="fr"))
        title = kind_text(event)
        items.append(
            printing.ProgrammeEvent(
                date_text=day,
                time_text=f"de {french_hours(start)} à {french_hours(end)}",
                kind=title[:1].upper() + title[1:],
                place=event.place,
                rain_place=event.rain_place,
                description=event.description,
                cancelled=event.cancelled,
            )
        )
    month_text = format_date(date(year, month, 1), "MMMM y", locale="fr")
    sheet = sheet_of_month(f"{year:04d}-{month:02d}")
    words = texts(sheet, "fr") if sheet is not None else {"title": "", "summary": ""}
    return printing.render_programme(
        printing.Programme(
            perimeter=perimeter_data(perimeter),
            month_text=month_text,
            events=items,
            public_url=public_url,
            sheet_title=words["title"],
            sheet_summary=words["summary"],
        )
    )
