"""Posters (A4) and flyers (A5 two per sheet, A6 four per sheet) announcing an event."""

from __future__ import annotations

from typing import Literal

from .engine import html_to_pdf, render_template
from .models import Event
from .qr import qr_png

_STYLESHEETS = ("base.css", "posters.css")
_PER_SHEET = {"A5": 2, "A6": 4}
#: Longest texts a card holds without its content running into the QR code block.
_MAX_LENGTHS = {
    "kind": ("le type de rencontre", 30),
    "date_text": ("la date", 32),
    "time_text": ("l'heure", 24),
    "place": ("le lieu", 80),
    "rain_place": ("le lieu en cas de pluie", 80),
    "description": ("la description", 160),
    "public_url": ("l'adresse web", 80),
}
_WEEKDAYS = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}


def render_poster(event: Event) -> bytes:
    """A4 poster: the date in very large type, time, place, description, QR code."""
    return _render(event, "A4", sheets=1)


def render_flyers(event: Event, size: Literal["A5", "A6"] = "A5", sheets: int = 1) -> bytes:
    """Flyers on A4 sheets with dashed cut lines: A5 two per sheet, A6 four per sheet."""
    if size not in _PER_SHEET:
        raise ValueError(f"Format de tract inconnu : {size!r} (A5 ou A6).")
    if not 1 <= sheets <= 100:
        raise ValueError("Le nombre de feuilles doit être compris entre 1 et 100.")
    return _render(event, size, sheets)


def date_lines(date_text: str) -> list[str]:
    """« samedi 12 mars 2026 » → ['Samedi', '12 mars 2026']: the weekday on its own line
    keeps the very large date from wrapping in the middle."""
    first, _, rest = date_text.strip().partition(" ")
    if first.lower() in _WEEKDAYS and rest:
        return [first.capitalize(), rest]
    return [date_text.strip()[:1].upper() + date_text.strip()[1:]]


def check_event_texts(event: Event) -> None:
    """ValueError (in French) if a text is too long for a poster or flyer."""
    problems = [
        f"{label} dépasse {limit} caractères ({len(getattr(event, name))})"
        for name, (label, limit) in _MAX_LENGTHS.items()
        if len(getattr(event, name)) > limit
    ]
    if problems:
        raise ValueError("Texte trop long pour l'affiche : " + " ; ".join(problems) + ".")


def _render(event: Event, size: str, sheets: int) -> bytes:
    check_event_texts(event)
    memory = {"qr": qr_png(event.public_url)} if event.public_url else {}
    kind = "Affiche" if size == "A4" else f"Tracts {size}"
    html = render_template(
        "poster.html",
        title=f"{kind} — {event.kind} du {event.date_text} — {event.perimeter.name}",
        event=event,
        date_lines=date_lines(event.date_text),
        qr="coopere-mem:qr" if memory else "",
        size=size,
        sheets=sheets,
        per_sheet=_PER_SHEET.get(size, 1),
    )
    return html_to_pdf(html, _STYLESHEETS, memory, expected_pages=sheets)
