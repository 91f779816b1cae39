"""The month's programme (A4, large print): every event of the month in date order, to pin up
in a hall or hand to neighbours without internet. Cancelled dates stay on it, struck through
and marked « Annulé », so nobody comes for nothing."""

from __future__ import annotations

from typing import Any

from .engine import filled, html_to_pdf, render_template, require
from .models import Programme, ProgrammeEvent
from .qr import qr_png

STYLESHEETS = ("base.css", "large-print.css", "programme.css")


def render_programme(programme: Programme) -> bytes:
    """PDF of the month's programme: the perimeter, the month, each event with its day, time,
    place, bad-weather place and description (cancelled ones struck through and marked
    « Annulé »), the sheet of the month when given, the group's contact, and a QR code to the
    site when ``public_url`` is given; « page n/N » on every page. Raises ValueError (in French)
    when the month is missing or an event lacks its date or place."""
    month_text = programme.month_text.strip()
    if not month_text:
        raise ValueError("Programme incomplet : il manque le mois.")
    for item in programme.events:
        require(
            f"Rendez-vous incomplet ({item.kind.strip() or 'sans titre'})",
            (
                ("la date", item.date_text.strip()),
                ("le lieu", item.place.strip()),
            ),
            joiner=" et ",
        )
    public_url = programme.public_url.strip()
    memory = {"qr": qr_png(public_url)} if public_url else {}
    html = render_template(
        "programme.html",
        title=programme.title or f"Programme de {month_text} — {programme.perimeter.name}",
        perimeter=programme.perimeter,
        month_text=month_text,
        events=[_event(item) for item in programme.events],
        contact_lines=filled(programme.perimeter.contact.splitlines()),
        public_url=public_url,
        qr="coopere-mem:qr" if memory else "",
        sheet_title=programme.sheet_title.strip(),
        sheet_summary=programme.sheet_summary.strip(),
    )
    return html_to_pdf(html, STYLESHEETS, memory)


def _event(item: ProgrammeEvent) -> dict[str, Any]:
    date_text = item.date_text.strip()
    return {
        "date": date_text[:1].upper() + date_text[1:],
        "time": item.time_text.strip(),
        "kind": item.kind.strip(),
        "place": item.place.strip(),
        "rain_place": item.rain_place.strip(),
        "description": item.description.strip(),
        "cancelled": item.cancelled,
    }
